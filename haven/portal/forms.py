from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.core.forms import HavenForm, NewPasswordForm

EMAIL_INVALID = _("Enter an email address like name@example.com.")


class PortalLoginForm(HavenForm):
    username = forms.EmailField(
        label=_("Email"),
        error_messages={"invalid": EMAIL_INVALID, "required": _("Enter your email.")},
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        error_messages={"required": _("Enter your password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class RegisterForm(NewPasswordForm):
    full_name = forms.CharField(
        label=_("Your name"), max_length=200, error_messages={"required": _("Enter your name.")}
    )
    email = forms.EmailField(
        label=_("Email"),
        error_messages={"invalid": EMAIL_INVALID, "required": _("Enter your email.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ["full_name", "email", "password1", "password2"]


class EmailForm(HavenForm):
    email = forms.EmailField(
        label=_("Email"),
        error_messages={"invalid": EMAIL_INVALID, "required": _("Enter your email.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class PinForm(HavenForm):
    pin = forms.CharField(
        label=_("Portal PIN"),
        max_length=12,
        help_text=_("The 8-digit PIN printed on the instruction sheet from your practice."),
        error_messages={"required": _("Enter the PIN from your instruction sheet.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_pin(self) -> str:
        pin = "".join(self.cleaned_data["pin"].split())
        if not pin.isdigit() or len(pin) != 8:
            raise forms.ValidationError(_("The PIN has 8 digits. Check the instruction sheet and try again."))
        return pin
