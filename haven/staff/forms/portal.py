"""Portal access for a client's profile."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from haven.core.forms import DateInput, HavenForm
from haven.intake.models import IntakeForm


class PortalUserForm(HavenForm):
    full_name = forms.CharField(
        label=_("Name"), max_length=200, required=False, help_text=_("Needed for someone new to the portal.")
    )
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("If this email already has a portal account, that account is linked."),
        error_messages={
            "invalid": _("Enter an email address like name@example.com."),
            "required": _("Enter an email."),
        },
    )


class RenewGuardianForm(HavenForm):
    until = forms.DateField(
        label=_("Access lasts until"),
        widget=DateInput(),
        error_messages={"invalid": _("Enter a date, for example 2027-06-30.")},
    )


class InvitationFormsForm(HavenForm):
    """Intake forms sent with a portal invitation, with the Intake Forms Message they see in the portal."""

    intake_forms = forms.ModelMultipleChoiceField(
        label=_("Intake Forms"),
        queryset=IntakeForm.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one form to send.")},
    )
    message = forms.CharField(
        label=_("Intake Forms Message"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown in the portal inbox with the forms. Optional."),
    )

    def __init__(self, *args: Any, choices: QuerySet[IntakeForm], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["intake_forms"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = choices

    def chosen_in_order(self) -> list[IntakeForm]:
        """The chosen forms in the order they are listed (the packet's order)."""
        chosen = {form.pk for form in self.cleaned_data["intake_forms"]}
        field = self.fields["intake_forms"]
        assert isinstance(field, forms.ModelMultipleChoiceField) and field.queryset is not None
        return [form for form in field.queryset if form.pk in chosen]
