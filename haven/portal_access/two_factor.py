"""Two-step sign-in for portal accounts: a six-digit code from an authenticator app (TOTP).

Codes are computed and checked by ``django_otp.oath.TOTP`` from the account's key, which is kept
encrypted with the file keys. One step (30 seconds) either side is accepted, each time step only
once, and every ``FAILURE_LIMIT`` wrong answers pause checking, for longer each time.
"""

from __future__ import annotations

import base64
import datetime
import secrets
from typing import Literal
from urllib.parse import quote, urlencode

import segno
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP

from haven.audit.actions import record_event
from haven.audit.events import (
    PortalTwoFactorDisabled,
    PortalTwoFactorEnabled,
    PortalTwoFactorFailed,
    PortalTwoFactorReset,
    PortalTwoFactorSetupStarted,
    PortalTwoFactorVerified,
)
from haven.audit.models import Actor
from haven.core.email import send_email_on_commit
from haven.core.encryption import decrypt_bytes, encrypt_bytes
from haven.core.errors import ApplicationError
from haven.core.prepared import Prepared
from haven.portal_access.actions import portal_actor
from haven.portal_access.models import PortalAccount, PortalTwoFactor, ProfileAccess
from haven.practices.models import Permission, Practice, StaffMember

KEY_BYTES = 20
STEP_SECONDS = 30
DIGITS = 6
TOLERANCE_STEPS = 1
FAILURE_LIMIT = 5
FIRST_PAUSE = datetime.timedelta(minutes=5)
LONGEST_PAUSE = datetime.timedelta(hours=24)

Outcome = Literal["ok", "wrong", "replayed", "throttled", "wrong_password", "not_on"]


def totp_for(two_factor: PortalTwoFactor) -> TOTP:
    return TOTP(decrypt_bytes(two_factor.secret_encrypted), step=STEP_SECONDS, digits=DIGITS)


def is_on(account: PortalAccount) -> bool:
    return bool(_CONFIRMED(account.pk))


_CONFIRMED: Prepared[int] = Prepared(
    lambda account_id: (
        PortalTwoFactor.objects.filter(account_id=account_id, confirmed_at__isnull=False)
        .order_by()
        .values_list("pk", flat=True)[:1]
    ),
    int,
)


def settings_of(account: PortalAccount) -> PortalTwoFactor | None:
    return PortalTwoFactor.objects.filter(account=account).first()


def secret_for_display(two_factor: PortalTwoFactor) -> str:
    """The key as an app expects it typed: base32, in groups of four."""
    secret = base64.b32encode(decrypt_bytes(two_factor.secret_encrypted)).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(two_factor: PortalTwoFactor, *, issuer: str) -> str:
    secret = base64.b32encode(decrypt_bytes(two_factor.secret_encrypted)).decode("ascii").rstrip("=")
    label = quote(f"{issuer}:{two_factor.account.email}", safe=":@")
    query = urlencode({"secret": secret, "issuer": issuer, "digits": DIGITS, "period": STEP_SECONDS})
    return f"otpauth://totp/{label}?{query}"


def qr_code_data_uri(two_factor: PortalTwoFactor, *, issuer: str) -> str:
    return str(segno.make(provisioning_uri(two_factor, issuer=issuer), error="m").svg_data_uri(scale=6, border=2))


def _clean(code: str) -> int | None:
    digits = "".join(code.split())
    return int(digits) if digits.isdigit() and len(digits) == DIGITS else None


def _check_code(two_factor: PortalTwoFactor, code: str) -> Outcome:
    """Check one code against a row locked by the caller; records the outcome on the row."""
    if two_factor.is_locked():
        return "throttled"
    token = _clean(code)
    totp = totp_for(two_factor)
    min_t = two_factor.last_used_step + 1 if two_factor.last_used_step is not None else None
    if token is not None and totp.verify(token, tolerance=TOLERANCE_STEPS, min_t=min_t):
        two_factor.last_used_step = totp.t()
        two_factor.failures = 0
        two_factor.locked_until = None
        two_factor.save(update_fields=["last_used_step", "failures", "locked_until"])
        return "ok"
    outcome: Outcome = (
        "replayed" if token is not None and totp_for(two_factor).verify(token, tolerance=TOLERANCE_STEPS) else "wrong"
    )
    _count_failure(two_factor)
    return outcome


def _count_failure(two_factor: PortalTwoFactor) -> None:
    """Every FAILURE_LIMIT-th wrong answer in a row pauses checking: 5 minutes, then twice as long each time."""
    two_factor.failures += 1
    if two_factor.failures % FAILURE_LIMIT == 0:
        pause = min(FIRST_PAUSE * 2 ** (two_factor.failures // FAILURE_LIMIT - 1), LONGEST_PAUSE)
        two_factor.locked_until = timezone.now() + pause
    two_factor.save(update_fields=["failures", "locked_until"])


def _failed(
    account: PortalAccount, practice: Practice, two_factor: PortalTwoFactor, outcome: Outcome, step: str
) -> None:
    record_event(
        PortalTwoFactorFailed(reason=outcome, step=step),
        actor=portal_actor(account),
        practice=practice,
        target=two_factor,
    )


@transaction.atomic
def start_enrolment(*, account: PortalAccount, practice: Practice) -> PortalTwoFactor:
    """A new key to scan, or the one already waiting for its first code. Refused while two-step sign-in is on."""
    two_factor = PortalTwoFactor.objects.select_for_update().filter(account=account).first()
    if two_factor is not None and two_factor.is_on:
        raise ApplicationError(_("Two-step sign-in is already on."))
    if two_factor is None:
        two_factor = PortalTwoFactor.objects.create(
            account=account, secret_encrypted=encrypt_bytes(secrets.token_bytes(KEY_BYTES))
        )
        record_event(PortalTwoFactorSetupStarted(), actor=portal_actor(account), practice=practice, target=two_factor)
    return two_factor


@transaction.atomic
def confirm_enrolment(*, account: PortalAccount, practice: Practice, code: str) -> Outcome:
    """The first code from the app: when it matches, two-step sign-in is on from now."""
    two_factor = PortalTwoFactor.objects.select_for_update().filter(account=account).first()
    if two_factor is None:
        return "not_on"
    if two_factor.is_on:
        raise ApplicationError(_("Two-step sign-in is already on."))
    outcome = _check_code(two_factor, code)
    if outcome != "ok":
        _failed(account, practice, two_factor, outcome, "enrol")
        return outcome
    two_factor.confirmed_at = timezone.now()
    two_factor.save(update_fields=["confirmed_at"])
    record_event(PortalTwoFactorEnabled(), actor=portal_actor(account), practice=practice, target=two_factor)
    return "ok"


@transaction.atomic
def verify_sign_in(*, account: PortalAccount, practice: Practice, code: str) -> Outcome:
    """The second step of signing in: the code from the app, once."""
    two_factor = PortalTwoFactor.objects.select_for_update().filter(account=account, confirmed_at__isnull=False).first()
    if two_factor is None:
        return "not_on"
    outcome = _check_code(two_factor, code)
    if outcome != "ok":
        _failed(account, practice, two_factor, outcome, "sign_in")
        return outcome
    record_event(PortalTwoFactorVerified(), actor=portal_actor(account), practice=practice, target=two_factor)
    return "ok"


@transaction.atomic
def turn_off(*, account: PortalAccount, practice: Practice, password: str, code: str) -> Outcome:
    """Turn two-step sign-in off: needs the portal password and a current code; wrong ones count as failures."""
    two_factor = PortalTwoFactor.objects.select_for_update().filter(account=account).first()
    if two_factor is None or not two_factor.is_on:
        return "not_on"
    if two_factor.is_locked():
        outcome: Outcome = "throttled"
    elif not PortalAccount.objects.get(pk=account.pk).check_password(password):
        _count_failure(two_factor)
        outcome = "wrong_password"
    else:
        outcome = _check_code(two_factor, code)
    if outcome != "ok":
        _failed(account, practice, two_factor, outcome, "turn_off")
        return outcome
    two_factor.delete()
    record_event(PortalTwoFactorDisabled(), actor=portal_actor(account), practice=practice)
    return "ok"


@transaction.atomic
def turn_off_for_lost_phone(*, by: StaffMember, access: ProfileAccess) -> None:
    """A person lost the phone with their app: staff who manage portal access turn two-step sign-in off.

    Staff do this only after confirming who is asking (the password is still needed to sign in).
    The person is told by email, so a change they didn't ask for doesn't go unnoticed.
    """
    if not by.has_permission(Permission.INVITE_PORTAL):
        raise ApplicationError(_("Only staff who can invite clients to the client portal can do this."))
    if access.practice_id != by.practice_id:
        raise ApplicationError(_("That portal access is not part of your practice."))
    removed, _details = PortalTwoFactor.objects.filter(account_id=access.account_id).delete()
    if not removed:
        raise ApplicationError(_("This person hasn't turned on two-step sign-in, so there is nothing to turn off."))
    record_event(
        PortalTwoFactorReset(account=access.account_id),
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=access.client,
        target=access,
    )
    send_email_on_commit(
        to=access.account.email,
        template="portal_two_factor_reset",
        context={"sender": by.practice.name, "portal": by.practice.portal_url},
        practice=by.practice,
    )
