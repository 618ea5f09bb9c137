"""Share to Sign (SIGN-1) and checking a seal (SIGN-5)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.core.forms import HavenForm, SealCheckForm
from haven.signing.eligibility import Signer
from haven.signing.models import Capacity


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


class VerifyForm(SealCheckForm):
    """Check a PDF's seal: any file a staff member has at hand."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A PDF from Haven, for example a signed document someone sent back. Nothing is stored."
        )
