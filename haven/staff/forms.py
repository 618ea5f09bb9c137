from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from haven.clients.models import Client, RelatedContact
from haven.core.forms import DateInput, HavenForm, HavenModelForm, NewPasswordForm, SealCheckForm, StyledFormMixin
from haven.core.throttle import forget_attempts, take_turn, wait_message
from haven.practices.models import Facility, Permission, Practice, Role, StaffMember
from haven.signing.eligibility import Signer
from haven.signing.models import Capacity


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


class ConfirmPasswordForm(HavenForm):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Type the password you sign in with, to show it's really you."),
        error_messages={"required": _("Type your password.")},
    )


class PasswordResetRequestForm(HavenForm):
    email = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={"invalid": _("Enter an email address like name@example.com.")},
    )


class SetPasswordForm(NewPasswordForm):
    """A staff member's new password (invitation or reset)."""


# --- Client charts and contacts -------------------------------------------------------------


class ClientForm(HavenModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Client
        fields = [
            "first_name",
            "last_name",
            "preferred_name",
            "pronouns",
            "date_of_birth",
            "email",
            "phone",
            "address",
            "facility",
            "status",
        ]
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
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def client_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


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
        fields = ["first_name", "last_name", "email", "phone", "relationship", "web_portal", "legal_guardian"]
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


def rebase(request: Any, version: int) -> Any:
    """The submitted data with the stored version, so the person's next save can succeed."""
    data = request.POST.copy()
    data["version"] = str(version)
    return data


# --- Organization Administration ------------------------------------------------------------


class PracticeSettingsForm(HavenModelForm):
    class Meta:
        model = Practice
        fields = [
            "name",
            "time_zone",
            "phone",
            "email",
            "address",
            "require_staff_two_factor",
            "client_contact_network_enabled",
            "age_of_majority",
            "notify_portal_shares",
            "portal_handout_text",
        ]
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


# --- Portal access --------------------------------------------------------------------------


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


# --- Documents: Share to Sign, amendments, checking a seal (SIGN-1, SIGN-5, SIGN-7) -------------


def signer_label(signer: Signer, client_name: str) -> str:
    """How a possible signer is named in the Share to Sign form."""
    if signer.capacity == Capacity.SELF:
        return str(_("%(name)s (client), signs in as %(email)s")) % {
            "name": signer.name,
            "email": signer.access.account.email,
        }
    return str(_("%(name)s, legal guardian for %(client)s, signs in as %(email)s")) % {
        "name": signer.name,
        "client": client_name,
        "email": signer.access.account.email,
    }


class ShareToSignForm(HavenForm):
    """Share to Sign: whom to ask, among the client and the legal guardians with an active portal login."""

    signer = forms.ChoiceField(
        label=_("Who signs"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose who signs."),
            "invalid_choice": _("Choose the client or a legal guardian who has an active portal login."),
        },
    )

    def __init__(
        self, *args: Any, signers: list[Signer], client_name: str, preselect: bool = True, **kwargs: Any
    ) -> None:
        """``preselect`` ticks the only possible signer; not on a signed document, where asking again is a choice."""
        super().__init__(*args, **kwargs)
        field = self.fields["signer"]
        field.choices = [(signer.key, signer_label(signer, client_name)) for signer in signers]  # type: ignore[attr-defined]
        if len(signers) == 1 and preselect:
            field.initial = signers[0].key


class VersionUploadForm(HavenForm):
    """An amendment (SIGN-7): a new version of the same document."""

    file = forms.FileField(
        label=_("New version"),
        help_text=_(
            "A PDF, PNG or JPEG file. It becomes the current version; earlier versions, signed ones included, "
            "stay as they are."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
        error_messages={"required": _("Choose the file of the new version.")},
    )

    def data_bytes(self) -> bytes:
        """The uploaded bytes, one past the limit at most, so the action can refuse a file too large."""
        upload: UploadedFile = self.cleaned_data["file"]
        return upload.read(settings.HAVEN_MAX_UPLOAD_BYTES + 1)


class VerifyForm(SealCheckForm):
    """Check a PDF's seal: any file a staff member has at hand."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A PDF from Haven, for example a signed document someone sent back. Nothing is stored."
        )
