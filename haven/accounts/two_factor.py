"""Staff second factor: TOTP from an authenticator app (django-otp), QR code by segno."""

from __future__ import annotations

import base64

import segno
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.accounts.models import User
from haven.audit.actions import record_event
from haven.audit.models import Actor
from haven.practices.models import Practice

ISSUER = "Haven"


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


def _practice_of(user: User) -> Practice | None:
    member = getattr(user, "staff_member", None)
    return member.practice if member is not None else None


@transaction.atomic
def confirm_enrolment(request: HttpRequest, *, user: User, device: TOTPDevice, token: str) -> tuple[bool, str]:
    """Check the first code from a new device; on success it is confirmed and this session verified."""
    locked = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    allowed, _details = locked.verify_is_allowed()
    if not allowed:
        record_event(action="auth.two_factor_throttled", actor=Actor.staff(user), practice=_practice_of(user))
        return False, "throttled"
    if not locked.verify_token(token.replace(" ", "")):
        record_event(action="auth.two_factor_failed", actor=Actor.staff(user), practice=_practice_of(user))
        return False, "wrong"
    locked.confirmed = True
    locked.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=locked.pk).delete()
    otp_login(request, locked)
    record_event(action="auth.two_factor_enrolled", actor=Actor.staff(user), practice=_practice_of(user))
    return True, ""


def verify_second_factor(request: HttpRequest, *, user: User, token: str) -> tuple[bool, str]:
    """Check a code at sign-in. Returns (ok, reason) where reason explains a throttled device."""
    device = confirmed_device(user)
    if device is None:
        return False, "no_device"
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        record_event(action="auth.two_factor_throttled", actor=Actor.staff(user), practice=_practice_of(user))
        return False, "throttled"
    if device.verify_token(token.replace(" ", "")):
        otp_login(request, device)
        record_event(action="auth.two_factor_verified", actor=Actor.staff(user), practice=_practice_of(user))
        return True, ""
    record_event(action="auth.two_factor_failed", actor=Actor.staff(user), practice=_practice_of(user))
    return False, "wrong"
