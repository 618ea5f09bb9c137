"""Staff reach client information only after their second factor, when the practice requires it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def requires_two_factor(world):
    world.riverside.require_staff_two_factor = True
    world.riverside.save()
    return world


def _code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():06d}"


def test_without_a_device_staff_are_sent_to_set_one_up(requires_two_factor, login):
    http = login(requires_two_factor.theo)
    response = http.get(f"/staff/clients/{requires_two_factor.ana.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/two-factor/setup/")


def test_setup_shows_a_qr_code_and_confirms_with_a_code(requires_two_factor, login, monkeypatch):
    http = login(requires_two_factor.theo)
    page = http.get("/staff/two-factor/setup/")
    assert b"data:image/svg+xml" in page.content
    device = TOTPDevice.objects.get(user=requires_two_factor.theo.user, confirmed=False)
    wrong = http.post("/staff/two-factor/setup/", {"code": "000000" if _code(device) != "000000" else "111111"})
    assert "didn&#x27;t match" in wrong.content.decode()
    # A wrong code makes the device wait a moment before the next try; let that moment pass.
    later = timezone.now() + datetime.timedelta(seconds=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = http.post("/staff/two-factor/setup/", {"code": _code(device), "next": "/staff/clients/"})
    assert response.status_code == 302
    assert http.get("/staff/clients/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.two_factor_enrolled").exists()


def test_enrolled_staff_must_enter_a_code_at_each_sign_in(requires_two_factor, login, client):
    http = login(requires_two_factor.theo)
    device = TOTPDevice.objects.create(user=requires_two_factor.theo.user, name="app", confirmed=True)
    response = http.get("/staff/clients/")
    assert response["Location"].startswith("/staff/two-factor/verify/")
    assert http.post("/staff/two-factor/verify/", {"code": "12"}).status_code == 200  # explained, not accepted
    response = http.post("/staff/two-factor/verify/", {"code": _code(device), "next": "/staff/clients/"})
    assert response["Location"] == "/staff/clients/"
    assert http.get("/staff/clients/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.two_factor_verified").exists()


def test_a_code_cannot_be_used_twice(requires_two_factor, login, client):
    device = TOTPDevice.objects.create(user=requires_two_factor.theo.user, name="app", confirmed=True)
    code = _code(device)
    http = login(requires_two_factor.theo)
    http.post("/staff/two-factor/verify/", {"code": code})
    http.post("/staff/logout/")
    http = login(requires_two_factor.theo)
    response = http.post("/staff/two-factor/verify/", {"code": code})
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="auth.two_factor_failed").exists()


def test_wrong_codes_are_throttled(requires_two_factor, login):
    TOTPDevice.objects.create(user=requires_two_factor.theo.user, name="app", confirmed=True)
    http = login(requires_two_factor.theo)
    for _ in range(3):
        http.post("/staff/two-factor/verify/", {"code": "000001"})
    response = http.post("/staff/two-factor/verify/", {"code": "000002"})
    assert "Too many wrong codes" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.two_factor_throttled").exists()


def test_open_redirects_are_refused_after_verification(requires_two_factor, login):
    device = TOTPDevice.objects.create(user=requires_two_factor.theo.user, name="app", confirmed=True)
    http = login(requires_two_factor.theo)
    response = http.post("/staff/two-factor/verify/", {"code": _code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/staff/"


def test_practices_without_the_requirement_show_a_notice(world, login):
    http = login(world.theo)
    body = http.get("/staff/clients/").content.decode()
    assert "Two-factor sign-in is turned off for this practice" in body
