from __future__ import annotations

import base64
import binascii
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.core.errors import ApplicationError
from haven.core.forms import HavenForm, NewPasswordForm, SealCheckForm
from haven.signing.models import SignatureMethod
from haven.signing.typed import MAX_TYPED_NAME, clean_typed_name

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


class TwoFactorCodeForm(HavenForm):
    code = forms.CharField(
        label=_("Six-digit code"),
        max_length=12,
        error_messages={"required": _("Enter the six-digit code from your authenticator app.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "class": "code-input"}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError(_("The code has 6 digits. Type the numbers your app shows now."))
        return code


class TurnOffTwoFactorForm(TwoFactorCodeForm):
    password = forms.CharField(
        label=_("Your portal password"),
        strip=False,
        max_length=4096,
        error_messages={"required": _("Enter your portal password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["password", "code"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.pop("autofocus", None)


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


# --- Share to Sign (SIGN-2..SIGN-5) ---------------------------------------------------------------

PNG_DATA_URL_PREFIX = "data:image/png;base64,"
MAX_DRAWING_CHARS = 2_800_000  # about 2 MB of PNG once decoded; a drawn signature is far smaller
NO_DRAWING = _("Draw your signature in the box before selecting Sign Document.")
UNREADABLE_DRAWING = _("Your signature could not be read. Select Clear and draw it again.")
NO_CONSENT = _("Read the consent to sign electronically and tick the box to accept it.")


def decode_drawing(data_url: str) -> bytes:
    """The PNG bytes of a ``data:image/png;base64,`` URL, strictly; anything else is refused."""
    if not data_url.startswith(PNG_DATA_URL_PREFIX) or len(data_url) > MAX_DRAWING_CHARS:
        raise forms.ValidationError(UNREADABLE_DRAWING, code="unreadable")
    try:
        image = base64.b64decode(data_url[len(PNG_DATA_URL_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise forms.ValidationError(UNREADABLE_DRAWING, code="unreadable") from None
    if not image.startswith(b"\x89PNG\r\n\x1a\n"):
        raise forms.ValidationError(UNREADABLE_DRAWING, code="unreadable")
    return image


class SignForm(HavenForm):
    """Sign Document: the consent, the signature (drawn, or the name typed) and the password.

    A drawn signature arrives as a PNG data URL written by signing.js. The drawing, the typed name
    and the consent are checked again by the signing action, which audits every refusal; this form
    only turns what was posted into what the action takes, with every mistake shown at once.
    """

    disclosure_version = forms.CharField(widget=forms.HiddenInput, max_length=20)
    method = forms.ChoiceField(
        label=_("How would you like to sign?"),
        choices=[(SignatureMethod.DRAWN, _("Draw")), (SignatureMethod.TYPED, _("Type"))],
        initial=SignatureMethod.DRAWN,
        required=False,  # drawing, unless typing was chosen
        widget=forms.RadioSelect,
    )
    signature = forms.CharField(
        widget=forms.HiddenInput(attrs={"data-signature-value": ""}),
        required=False,
        strip=False,
        max_length=MAX_DRAWING_CHARS,
        error_messages={"max_length": UNREADABLE_DRAWING},
    )
    typed_name = forms.CharField(
        label=_("Type your full name"),
        required=False,
        max_length=MAX_TYPED_NAME,
        help_text=_("Your name is your signature, written in the style shown below."),
        error_messages={"max_length": _("Keep your typed signature to %(limit_value)d characters or fewer.")},
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words", "spellcheck": "false"}),
    )
    consent = forms.BooleanField(label=_("I agree to sign electronically"), error_messages={"required": NO_CONSENT})
    password = forms.CharField(
        label=_("Your portal password"),
        strip=False,
        max_length=4096,
        help_text=_("The password you sign in to the portal with. It confirms that it is you signing."),
        error_messages={"required": _("Enter your portal password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    # The order of the page, for the error summary at its top; the drawing's error links to its pad.
    field_order = ["disclosure_version", "consent", "method", "signature", "typed_name", "password"]
    error_anchors = {"signature": "signature-area", "method": "sign-method-draw"}

    def clean_method(self) -> str:
        return self.cleaned_data.get("method") or SignatureMethod.DRAWN

    def clean_signature(self) -> bytes | None:
        data_url: str = self.cleaned_data.get("signature") or ""
        return decode_drawing(data_url) if data_url else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        method = cleaned.get("method")
        if method == SignatureMethod.DRAWN and "signature" in cleaned and cleaned["signature"] is None:
            self.add_error("signature", forms.ValidationError(NO_DRAWING, code="empty"))
        if method == SignatureMethod.TYPED and "typed_name" in cleaned:
            try:
                cleaned["typed_name"] = clean_typed_name(cleaned["typed_name"])
            except ApplicationError as error:
                self.add_error("typed_name", error.message)
        return cleaned

    @property
    def drawn(self) -> bytes | None:
        """The drawn PNG, when the signer chose to draw."""
        return self.cleaned_data["signature"] if self.cleaned_data["method"] == SignatureMethod.DRAWN else None

    @property
    def typed(self) -> str:
        """The typed name, when the signer chose to type."""
        return self.cleaned_data["typed_name"] if self.cleaned_data["method"] == SignatureMethod.TYPED else ""


class DeclineForm(HavenForm):
    reason = forms.CharField(
        label=_("Why are you declining?"),
        max_length=1000,
        help_text=_("The practice sees your reason and can contact you. Up to 1,000 characters."),
        error_messages={
            "required": _("Tell the practice why you are declining, so they can help."),
            "max_length": _("Keep the reason under 1000 characters."),
        },
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
    )


class VerifyForm(SealCheckForm):
    """Check a document's seal, in the portal's words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = _("PDF document")
        self.fields["file"].help_text = _(
            "A document you downloaded from this portal. It is checked here and not kept."
        )
