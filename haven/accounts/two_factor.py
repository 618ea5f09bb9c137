"""Staff second factor: TOTP from an authenticator app (django-otp), QR code by segno, and single-use
recovery codes (django-otp's static plugin) for the day the phone is lost."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import segno
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.accounts.models import User
from haven.audit.actions import record_event
from haven.audit.events import (
    AuthTwoFactorEnrolled,
    AuthTwoFactorFailed,
    AuthTwoFactorThrottled,
    AuthTwoFactorVerified,
    StaffRecoveryCodesRefused,
    StaffRecoveryCodesRegenerated,
    StaffRecoveryCodeUsed,
)
from haven.audit.models import Actor
from haven.core.errors import ApplicationError

ISSUER = "Haven"
RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "Recovery codes"


@dataclass(frozen=True)
class CheckResult:
    """The answer to a code: ``reason`` says why it was refused; ``recovery_codes`` are new codes to show once;
    ``remaining`` is how many recovery codes are left after one was used."""

    ok: bool
    reason: str = ""
    recovery_codes: list[str] = field(default_factory=list)
    remaining: int | None = None


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled; one is made if none exists."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def secret_for_display(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: TOTPDevice, *, account: str) -> str:
    url = device.config_url.replace("otpauth://totp/", f"otpauth://totp/{ISSUER}:", 1)
    if "issuer=" not in url:
        url += f"&issuer={ISSUER}"
    return segno.make(url, error="m").svg_data_uri(scale=6, border=2)


def _practice_of(user: User) -> models.Model | None:
    member = getattr(user, "staff_member", None)
    return member.practice if member is not None else None


def _replace_recovery_codes(user: User) -> list[str]:
    """Void any earlier recovery codes and make a fresh set; the codes are returned to be shown once.

    The device itself is kept, so a session verified with one of the old codes stays verified.
    """
    device = StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in sorted(codes))
    return [format_recovery_code(code) for code in sorted(codes)]


def format_recovery_code(code: str) -> str:
    """Recovery codes are shown in two groups of four, e.g. ``k3vq-7mxa``."""
    return f"{code[:4]}-{code[4:]}"


def normalise_recovery_code(typed: str) -> str:
    return "".join(typed.split()).replace("-", "").lower()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def confirm_enrolment(request: HttpRequest, *, user: User, device: TOTPDevice, token: str) -> CheckResult:
    """Check the first code from a new device; on success it is confirmed, this session verified, and a
    fresh set of recovery codes made (returned to be shown once)."""
    locked = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    allowed, _details = locked.verify_is_allowed()
    if not allowed:
        record_event(AuthTwoFactorThrottled(), actor=Actor.staff(user), practice=_practice_of(user))
        return CheckResult(ok=False, reason="throttled")
    if not locked.verify_token(token.replace(" ", "")):
        record_event(AuthTwoFactorFailed(), actor=Actor.staff(user), practice=_practice_of(user))
        return CheckResult(ok=False, reason="wrong")
    locked.confirmed = True
    locked.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=locked.pk).delete()
    codes = _replace_recovery_codes(user)
    otp_login(request, locked)
    record_event(AuthTwoFactorEnrolled(recovery_codes=len(codes)), actor=Actor.staff(user), practice=_practice_of(user))
    return CheckResult(ok=True, recovery_codes=codes)


def verify_second_factor(request: HttpRequest, *, user: User, token: str) -> CheckResult:
    """Check a code from the app at sign-in; ``reason`` explains a refusal (wrong, throttled, no_device)."""
    device = confirmed_device(user)
    if device is None:
        return CheckResult(ok=False, reason="no_device")
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        record_event(AuthTwoFactorThrottled(), actor=Actor.staff(user), practice=_practice_of(user))
        return CheckResult(ok=False, reason="throttled")
    if device.verify_token(token.replace(" ", "")):
        otp_login(request, device)
        record_event(AuthTwoFactorVerified(), actor=Actor.staff(user), practice=_practice_of(user))
        return CheckResult(ok=True)
    record_event(AuthTwoFactorFailed(), actor=Actor.staff(user), practice=_practice_of(user))
    return CheckResult(ok=False, reason="wrong")


@transaction.atomic
def verify_recovery_code(request: HttpRequest, *, user: User, code: str) -> CheckResult:
    """Sign in with a recovery code instead of the app: each code works once, and using one is audited.

    The recovery codes are throttled like the app's codes (django-otp's throttling, on their own device);
    the device's row is locked so the same code sent twice at once is accepted only once.
    """
    device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is None or confirmed_device(user) is None:
        return CheckResult(ok=False, reason="no_device")
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        record_event(
            AuthTwoFactorThrottled(method="recovery_code"), actor=Actor.staff(user), practice=_practice_of(user)
        )
        return CheckResult(ok=False, reason="throttled")
    if not device.verify_token(normalise_recovery_code(code)):
        record_event(AuthTwoFactorFailed(method="recovery_code"), actor=Actor.staff(user), practice=_practice_of(user))
        return CheckResult(ok=False, reason="wrong")
    otp_login(request, device)
    remaining = device.token_set.count()
    record_event(StaffRecoveryCodeUsed(remaining=remaining), actor=Actor.staff(user), practice=_practice_of(user))
    return CheckResult(ok=True, remaining=remaining)


def regenerate_recovery_codes(*, user: User, password: str) -> list[str]:
    """A new set of recovery codes for a staff member who typed their password again; the old set stops working.

    A wrong password is refused and audited outside the transaction, so the refusal stays on record.
    """
    if confirmed_device(user) is None:
        raise ApplicationError(_("Set up two-factor sign-in first; recovery codes come with it."))
    if not user.check_password(password):
        record_event(
            StaffRecoveryCodesRefused(reason="wrong_password"), actor=Actor.staff(user), practice=_practice_of(user)
        )
        raise ApplicationError(_("That password isn't right. Type the password you sign in with."))
    return _regenerate(user)


@transaction.atomic
def _regenerate(user: User) -> list[str]:
    locked = User.objects.select_for_update().get(pk=user.pk)
    voided = recovery_codes_left(locked)
    codes = _replace_recovery_codes(locked)
    record_event(
        StaffRecoveryCodesRegenerated(count=len(codes), voided=voided),
        actor=Actor.staff(locked),
        practice=_practice_of(locked),
    )
    return codes


def remove_devices(user: User) -> int:
    """Delete every second-factor device of a login (app and recovery codes); the caller audits it."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        _total, by_model = model.objects.filter(user=user).delete()
        removed += by_model.get(model._meta.label, 0)
    return removed
