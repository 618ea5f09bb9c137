"""Signing in: password, two-factor code, recovery code, password reset and a new password."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from haven.accounts.throttle import forget_attempts, take_turn, wait_message
from haven.core.forms import HavenForm, NewPasswordForm, StyledFormMixin


class StaffLoginForm(StyledFormMixin, AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True})
    )
    error_messages = {
        "invalid_login": _("That email and password don't match. Check them and try again."),
        "inactive": _("This login has been disabled. Ask your administrator."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()
        self.throttled = False

    def clean(self) -> dict[str, Any]:
        """Too many recent attempts at this account, from any address: this one waits, its password unchecked."""
        email = str(self.cleaned_data.get("username") or "")
        if email and self.cleaned_data.get("password"):
            turn = take_turn(world="staff", email=email)
            if not turn.allowed:
                self.throttled = True
                raise forms.ValidationError(wait_message(turn.wait_seconds), code="throttled")
        cleaned = super().clean()
        if email:
            forget_attempts(world="staff", email=email)
        return cleaned


class CodeForm(HavenForm):
    code = forms.CharField(
        label=_("Six-digit code"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=_("Open your authenticator app and type the code it shows for Haven."),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError(_("Enter the six digits your app shows, without letters."))
        return code


class RecoveryCodeForm(HavenForm):
    code = forms.CharField(
        label=_("Recovery code"),
        max_length=24,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false", "autofocus": True}
        ),
        help_text=_("One of the recovery codes you saved when you set up two-factor sign-in, e.g. k3vq-7mxa."),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split()).replace("-", "").lower()
        if len(code) != 8 or not code.isalnum():
            raise forms.ValidationError(_("Enter a recovery code: eight letters and digits, like k3vq-7mxa."))
        return code


class PasswordResetRequestForm(HavenForm):
    email = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={"invalid": _("Enter an email address like name@example.com.")},
    )


class SetPasswordForm(NewPasswordForm):
    """A staff member's new password (invitation or reset)."""
