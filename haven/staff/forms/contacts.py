"""A client's related contacts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.clients.actions import CONTACT_FIELDS
from haven.clients.models import Client, RelatedContact
from haven.core.forms import HavenModelForm
from haven.practices.models import Permission, StaffMember


class ContactForm(HavenModelForm):
    linked_client = forms.ModelChoiceField(
        queryset=Client.objects.none(),
        required=False,
        label=_("Existing client"),
        empty_label=_("— A new person —"),
        help_text=_("Choose a client of the practice, or leave this and enter a new person below."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = RelatedContact
        fields = list(CONTACT_FIELDS)
        error_messages = {
            "relationship": {"required": _("Choose how this person is related to the client.")},
            "email": {"invalid": _("Enter an email address like name@example.com.")},
        }

    def __init__(
        self, *args: Any, member: StaffMember, linkable: Any = None, network_enabled: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        linked_field = self.fields["linked_client"]
        assert isinstance(linked_field, forms.ModelChoiceField)
        if editing or linkable is None:
            del self.fields["linked_client"]
        else:
            linked_field.queryset = linkable
            self.order_fields(["linked_client"])
        if editing:
            self.fields["version"].initial = self.instance.version
            if self.instance.linked_client_id:
                for name in ("first_name", "last_name", "email", "phone"):
                    del self.fields[name]
        if not member.has_permission(Permission.WEB_PORTAL):
            for name in ("web_portal", "legal_guardian"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Only staff with the Web Portal permission can change this.")
        elif not network_enabled:
            self.fields["legal_guardian"].help_text = _(
                "The Client Contact Network is off for this practice, so guardians don't act for the client "
                "in the portal until an administrator turns it on."
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        linked = cleaned.get("linked_client")
        if "first_name" in self.fields and not linked and not (cleaned.get("first_name") or cleaned.get("last_name")):
            self.add_error("first_name", _("Enter the contact's name, or choose an existing client."))
        return cleaned

    def contact_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}
