"""Portal access for a client's profile."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.core.forms import DateInput, HavenForm


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
