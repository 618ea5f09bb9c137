"""The staff member's own account."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.core.forms import HavenForm


class ConfirmPasswordForm(HavenForm):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Type the password you sign in with, to show it's really you."),
        error_messages={"required": _("Type your password.")},
    )
