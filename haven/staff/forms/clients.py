"""Client charts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.clients.actions import CLIENT_FIELDS
from haven.clients.models import Client
from haven.core.forms import DateInput, HavenModelForm
from haven.practices.models import Facility, Permission, StaffMember


def _clinician_label(member: StaffMember) -> str:
    return f"{member.user.full_name}, {member.title}" if member.title else member.user.full_name


class ClientForm(HavenModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Client
        fields = list(CLIENT_FIELDS)
        widgets = {"date_of_birth": DateInput(), "address": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "first_name": {"required": _("Enter the client's first name.")},
            "last_name": {"required": _("Enter the client's last name.")},
            "date_of_birth": {
                "required": _("Enter the date of birth."),
                "invalid": _("Enter the date of birth as a date, for example 2011-04-23."),
            },
            "email": {"invalid": _("Enter an email address like name@example.com.")},
        }

    def __init__(self, *args: Any, member: StaffMember, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        facility_field = self.fields["facility"]
        assert isinstance(facility_field, forms.ModelChoiceField)
        facility_field.queryset = Facility.objects.filter(practice=member.practice)
        facility_field.empty_label = _("— None (the practice) —")
        clinician_field = self.fields["clinician"]
        assert isinstance(clinician_field, forms.ModelChoiceField)
        clinicians = [
            colleague.pk
            for colleague in StaffMember.objects.filter(practice=member.practice, user__is_active=True)
            if colleague.has_permission(Permission.CLINICAL_DOCUMENTS)
        ]
        clinician_field.queryset = StaffMember.objects.filter(pk__in=clinicians).select_related("user")
        clinician_field.empty_label = _("— None —")
        clinician_field.label_from_instance = _clinician_label  # type: ignore[method-assign,assignment]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def client_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
