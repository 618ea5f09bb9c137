"""A per-account limit on password guessing that does not depend on the address, for staff and portal.

django-axes locks one account at one address; a guesser with many addresses never meets it. Here
every attempt at an account's password counts, from anywhere, until one succeeds. After
``HAVEN_LOGIN_ACCOUNT_FREE_TRIES`` of them, each further attempt must wait a delay that doubles from
``HAVEN_LOGIN_ACCOUNT_FIRST_DELAY_SECONDS`` up to ``HAVEN_LOGIN_ACCOUNT_MAX_DELAY_SECONDS``. An
attempt that comes too early is refused without the password being checked, so the answer says
nothing about it, and it does not make the wait longer: the real user waits minutes at most and is
never locked out. The count is forgotten after ``HAVEN_LOGIN_ACCOUNT_WINDOW_MINUTES`` without attempts.

An attempt is counted before its password is checked, so many attempts sent at once cannot all slip
through between the check and the count.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haven.audit.actions import record_event
from haven.audit.events import AuthLoginThrottled, PortalLoginThrottled
from haven.audit.models import Actor
from haven.core.models import SignInThrottle
from haven.core.tokens import hash_token


@dataclass(frozen=True)
class Turn:
    """Whether an attempt may check its password now; if not, how many seconds are left to wait."""

    allowed: bool
    wait_seconds: int = 0


def wait_message(seconds: int) -> str:
    """What a refused person reads: plain words, the same whether or not the password would have been right."""
    minutes = math.ceil(seconds / 60)
    wait = (
        ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
        if seconds < 60
        else ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    )
    return _(
        "There have been too many sign-in attempts for this account. To protect it, please wait %(wait)s, "
        "then try again."
    ) % {"wait": wait}


def _key(world: str, email: str) -> str:
    return hash_token(f"{world}:{email.strip().lower()[:254]}")


def delay_after(attempts: int) -> datetime.timedelta:
    """The wait before the next attempt, after this many attempts in a row that did not succeed."""
    beyond = attempts - settings.HAVEN_LOGIN_ACCOUNT_FREE_TRIES
    if beyond < 0:
        return datetime.timedelta(0)
    ceiling = settings.HAVEN_LOGIN_ACCOUNT_MAX_DELAY_SECONDS
    seconds = settings.HAVEN_LOGIN_ACCOUNT_FIRST_DELAY_SECONDS * 2 ** min(beyond, 32)
    return datetime.timedelta(seconds=min(seconds, ceiling))


THROTTLED_EVENTS = {"staff": AuthLoginThrottled, "portal": PortalLoginThrottled}


@transaction.atomic
def take_turn(*, world: str, email: str, practice: models.Model | None = None) -> Turn:
    """Before checking a password for ``email`` in ``world`` ("staff" or "portal"): may it be checked now?

    An allowed attempt is counted at once, as if it failed; ``forget_attempts`` clears the count when
    the password was right. A refused attempt is audited here (who was targeted, from where).
    """
    email = email.strip().lower()[:254]
    now = timezone.now()
    window = datetime.timedelta(minutes=settings.HAVEN_LOGIN_ACCOUNT_WINDOW_MINUTES)
    row, created = SignInThrottle.objects.get_or_create(key_hash=_key(world, email), defaults={"last_attempt_at": now})
    if created:  # rows of accounts nobody tried for a while say nothing any more: they go, so the table stays small
        stale = now - window - datetime.timedelta(seconds=settings.HAVEN_LOGIN_ACCOUNT_MAX_DELAY_SECONDS)
        SignInThrottle.objects.filter(last_attempt_at__lt=stale).delete()
    row = SignInThrottle.objects.select_for_update().get(pk=row.pk)
    if now - row.last_attempt_at > window:
        row.attempts, row.next_allowed_at = 0, None
    if row.next_allowed_at is not None and now < row.next_allowed_at:
        wait = max(1, math.ceil((row.next_allowed_at - now).total_seconds()))
        record_event(
            THROTTLED_EVENTS[world](email=email, wait_seconds=wait),
            actor=Actor.anonymous(email),
            practice=practice,
        )
        return Turn(allowed=False, wait_seconds=wait)
    row.attempts += 1
    row.last_attempt_at = now
    pause = delay_after(row.attempts)
    row.next_allowed_at = now + pause if pause else None
    row.save(update_fields=["attempts", "last_attempt_at", "next_allowed_at"])
    return Turn(allowed=True)


def seconds_to_wait(*, world: str, email: str) -> int:
    """How long the next attempt for this account must still wait (0: it may go ahead)."""
    row = SignInThrottle.objects.filter(key_hash=_key(world, email)).first()
    if row is None or row.next_allowed_at is None:
        return 0
    return max(0, math.ceil((row.next_allowed_at - timezone.now()).total_seconds()))


def forget_attempts(*, world: str, email: str) -> None:
    """The password was right: the count starts again."""
    SignInThrottle.objects.filter(key_hash=_key(world, email)).delete()
