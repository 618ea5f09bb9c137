"""The electronic-signature disclosure the signer accepts (SIGN-3).

Its text is versioned: a signature keeps the version and the exact words it was given, so a later
change to the wording never changes what an earlier signer agreed to. Change the text only by
adding a new version and pointing CURRENT at it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Disclosure:
    version: str
    title: str
    text: str


def _version_1() -> Disclosure:
    return Disclosure(
        version="2026-11-1",
        title=_("Consent to sign electronically"),
        text=_(
            "By selecting Sign Document, you agree that the signature you draw is your electronic signature "
            "and has the same effect as signing this document on paper by hand. If you sign for someone else, "
            "you confirm you have the legal authority to sign for them. Your name, email address, the time, "
            "your internet address and your device are recorded with your signature, and the signed document "
            "is sealed so that any later change can be detected. You may decline to sign electronically and "
            "ask the practice for a paper copy instead. You can download the signed document from the portal "
            "at any time."
        ),
    )


def _version_2() -> Disclosure:
    """Version 2: a signature may be drawn or typed."""
    return Disclosure(
        version="2026-11-2",
        title=_("Consent to sign electronically"),
        text=_(
            "By selecting Sign Document, you agree that the signature you draw, or your name as you type it, "
            "is your electronic signature and has the same effect as signing this document on paper by hand. "
            "If you sign for someone else, you confirm you have the legal authority to sign for them. Your "
            "name, email address, the time, your internet address and your device are recorded with your "
            "signature, and the signed document is sealed so that any later change can be detected. You may "
            "decline to sign electronically and ask the practice for a paper copy instead. You can download "
            "the signed document from the portal at any time."
        ),
    )


def current_disclosure() -> Disclosure:
    """The disclosure shown to signers now, in the active language."""
    return _version_2()
