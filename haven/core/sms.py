"""Text messages, behind one small interface: ``send_text(to, body)``.

Which backend sends them is a setting (``HAVEN_SMS_BACKEND``, a dotted path), read when a text is sent, as
Django's email backends are: the console backend prints each text (development), the in-memory one keeps
them in ``outbox`` (tests), the demo's keeps them for the staff Demo outbox page too. A provider (an SMS
gateway) is one more class with a ``send`` method.

Like emails, texts say that something is coming and link to Haven; they never carry health information.
"""

from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class TextMessage:
    """One text as it was sent: the number (E.164, "+15551234567"), the words, and the practice it is from."""

    to: str
    body: str
    practice_id: int | None = None


class SmsBackend(Protocol):
    def send(self, to: str, body: str, *, practice_id: int | None = None) -> None:
        """Send ``body`` to the number ``to``; ``practice_id`` says whose text it is (never shown to anyone)."""


class ConsoleBackend:
    """Print each text, as Django's console email backend prints each email."""

    def send(self, to: str, body: str, *, practice_id: int | None = None) -> None:
        sys.stdout.write(f"Text message to {to}\n{body}\n{'-' * 79}\n")
        sys.stdout.flush()


# The texts the in-memory backend sent, oldest first (tests empty it, as Django's test runner empties mail.outbox).
outbox: list[TextMessage] = []
_outbox_lock = threading.Lock()


class LocmemBackend:
    """Keep each text in ``haven.core.sms.outbox``, for tests."""

    def send(self, to: str, body: str, *, practice_id: int | None = None) -> None:
        with _outbox_lock:
            outbox.append(TextMessage(to=to, body=body, practice_id=practice_id))


class DemoOutboxBackend(ConsoleBackend):
    """The demo's: print each text and keep it on the staff Demo outbox page, under its practice, beside the emails."""

    def send(self, to: str, body: str, *, practice_id: int | None = None) -> None:
        from haven.core.models import DemoOutboxEmail

        super().send(to, body, practice_id=practice_id)
        DemoOutboxEmail.objects.create(practice_id=practice_id, to=to, subject=_("Text message"), body=body)


def backend() -> SmsBackend:
    """The backend ``HAVEN_SMS_BACKEND`` names, read on each use (tests change the setting)."""
    backend_class: type[SmsBackend] = import_string(settings.HAVEN_SMS_BACKEND)
    return backend_class()


def texts_available() -> bool:
    """Whether texts can reach anyone: in production only once a provider's backend is configured (the console
    backend would print them and mark them sent)."""
    return not (settings.PRODUCTION and settings.HAVEN_SMS_BACKEND == "haven.core.sms.ConsoleBackend")


def send_text(to: str, body: str, *, practice_id: int | None = None) -> None:
    """Send one text message through the configured backend."""
    backend().send(to, body, practice_id=practice_id)


# --- Mobile numbers --------------------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s().\-/]")
_INTERNATIONAL = re.compile(r"\+[1-9]\d{7,14}")
NUMBER_HELP = gettext_lazy("For example 555 123 4567, or with the country code: +1 555 123 4567.")


class InvalidNumber(ValueError):
    """A mobile number that can't be texted; its message says why, in words."""


def normalize_number(typed: str) -> str:
    """The number in E.164 form ("+15551234567"), from what a person typed.

    Spaces, dashes, dots and brackets are allowed. A number without a country code is taken as a North
    American one (ten digits, or eleven starting with 1); any other needs its "+" and country code.
    """
    digits = _SEPARATORS.sub("", typed.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not digits.startswith("+"):
        if digits.isdigit() and len(digits) == 11 and digits.startswith("1"):
            digits = "+" + digits
        elif digits.isdigit() and len(digits) == 10:
            digits = "+1" + digits
        elif digits.isdigit():
            raise InvalidNumber(
                _(
                    "That number has %(count)s digits. Type the ten digits of a US or Canadian number, "
                    "or start with + and the country code."
                )
                % {"count": len(digits)}
            )
        else:
            raise InvalidNumber(
                _("A mobile number can have only digits, spaces, dashes and brackets, and a + at the start.")
            )
    if not _INTERNATIONAL.fullmatch(digits):
        raise InvalidNumber(
            _(
                "That doesn't look like a mobile number. "
                "After the + come the country code and the number: 8 to 15 digits."
            )
        )
    if digits.startswith("+1") and len(digits) != 12:
        raise InvalidNumber(_("A US or Canadian number has ten digits after +1."))
    return digits
