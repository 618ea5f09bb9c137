"""Organization Administration: practice settings, logo, staff and facilities."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.core.forms import HavenForm, HavenModelForm
from haven.practices.actions import PRACTICE_SETTINGS
from haven.practices.models import Practice, Role


class PracticeSettingsForm(HavenModelForm):
    class Meta:
        model = Practice
        fields = list(PRACTICE_SETTINGS)
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "portal_handout_text": forms.Textarea(attrs={"rows": 4}),
        }


class LogoForm(HavenForm):
    logo = forms.FileField(
        label=_("Logo"),
        help_text=_("A PNG or JPEG image, under 1 MB. It appears on sign-in pages and printouts."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        error_messages={"required": _("Choose an image file to upload.")},
    )


class StaffInviteForm(HavenForm):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(
        label=_("Email"), error_messages={"invalid": _("Enter an email address like name@example.com.")}
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        help_text=_(
            "The role pre-fills permissions; you can change each one afterwards. Web Portal is never pre-filled."
        ),
    )
    title = forms.CharField(
        label=_("Title"), max_length=100, required=False, help_text=_("For example LCSW or Intake coordinator.")
    )


class StaffRoleForm(HavenForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    apply_template = forms.BooleanField(
        label=_("Reset permissions to the role's defaults"),
        required=False,
        help_text=_("Web Portal stays as it is either way."),
    )


class FacilityForm(HavenForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
