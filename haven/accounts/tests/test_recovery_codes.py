"""Recovery codes: ten single-use codes made at two-factor setup, for the day the phone is lost."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.accounts import two_factor
from haven.audit.models import AuditEvent
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db

CODE = re.compile(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>")


@pytest.fixture
def requires_two_factor(world):
    world.riverside.require_staff_two_factor = True
    world.riverside.save()
    return world


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def _enrolled_with_codes(member) -> list[str]:
    """A confirmed authenticator app and a set of recovery codes for the staff member."""
    TOTPDevice.objects.create(user=member.user, name="app", confirmed=True)
    return two_factor.regenerate_recovery_codes(user=member.user, password=PASSWORD)


def test_confirming_setup_makes_ten_recovery_codes_and_shows_them_once(requires_two_factor, login):
    http = login(requires_two_factor.theo)
    http.get("/staff/two-factor/setup/")
    device = TOTPDevice.objects.get(user=requires_two_factor.theo.user, confirmed=False)
    response = http.post("/staff/two-factor/setup/", {"code": _code(device), "next": "/staff/clients/"})
    assert response.status_code == 302
    assert response["Location"] == "/staff/two-factor/recovery-codes/?next=%2Fstaff%2Fclients%2F"

    page = http.get(response["Location"]).content.decode()
    shown = CODE.findall(page)
    assert len(shown) == 10 and len(set(shown)) == 10
    stored = set(StaticToken.objects.filter(device__user=requires_two_factor.theo.user).values_list("token", flat=True))
    assert {code.replace("-", "") for code in shown} == stored
    assert "shown only this once" in page
    assert 'href="/staff/clients/"' in page
    assert AuditEvent.objects.get(action="auth.two_factor_enrolled").details == {"recovery_codes": 10}

    again = http.get(response["Location"]).content.decode()
    assert CODE.findall(again) == []
    assert "have been shown already" in again


def test_the_code_page_offers_a_recovery_code_instead(requires_two_factor, login):
    _enrolled_with_codes(requires_two_factor.theo)
    http = login(requires_two_factor.theo)
    page = http.get("/staff/two-factor/verify/?next=/staff/clients/").content.decode()
    assert '<a href="/staff/two-factor/recovery/?next=/staff/clients/">Use a recovery code</a>' in page


def test_a_recovery_code_signs_in_once_and_not_twice(requires_two_factor, login):
    codes = _enrolled_with_codes(requires_two_factor.theo)
    http = login(requires_two_factor.theo)
    assert http.get("/staff/clients/").status_code == 302
    response = http.post("/staff/two-factor/recovery/", {"code": codes[0], "next": "/staff/clients/"})
    assert response["Location"] == "/staff/clients/"
    assert http.get("/staff/clients/").status_code == 200
    assert AuditEvent.objects.filter(action="staff.recovery_code_used").count() == 1

    http.post("/staff/logout/")
    http = login(requires_two_factor.theo)
    refused = http.post("/staff/two-factor/recovery/", {"code": codes[0], "next": "/staff/clients/"})
    assert refused.status_code == 200
    assert "used already" in refused.content.decode()
    assert http.get("/staff/clients/").status_code == 302
    failed = AuditEvent.objects.filter(action="auth.two_factor_failed").get()
    assert failed.details == {"method": "recovery_code"}


def test_signing_in_with_a_recovery_code_says_how_many_remain(requires_two_factor, login):
    codes = _enrolled_with_codes(requires_two_factor.theo)
    http = login(requires_two_factor.theo)
    # Typed with spaces and capitals, as people copy them from paper.
    typed = codes[3].upper().replace("-", " ")
    page = http.post("/staff/two-factor/recovery/", {"code": typed, "next": "/staff/clients/"}, follow=True)
    assert "9 recovery codes are left." in page.content.decode()
    assert two_factor.recovery_codes_left(requires_two_factor.theo.user) == 9
    event = AuditEvent.objects.get(action="staff.recovery_code_used")
    assert event.details == {"remaining": 9}
    assert event.actor_label == "theo@riverside.example"


def test_running_low_on_recovery_codes_suggests_a_new_set(requires_two_factor, login):
    codes = _enrolled_with_codes(requires_two_factor.theo)
    StaticToken.objects.filter(token__in=[code.replace("-", "") for code in codes[1:8]]).delete()
    http = login(requires_two_factor.theo)
    page = http.post("/staff/two-factor/recovery/", {"code": codes[0]}, follow=True).content.decode()
    assert "2 recovery codes are left." in page
    assert "Make a new set on Your account page" in page


def test_wrong_recovery_codes_are_throttled(requires_two_factor, login):
    codes = _enrolled_with_codes(requires_two_factor.theo)
    http = login(requires_two_factor.theo)
    for _ in range(3):
        http.post("/staff/two-factor/recovery/", {"code": "aaaa-aaaa"})
    response = http.post("/staff/two-factor/recovery/", {"code": codes[0]})
    assert "Too many wrong codes" in response.content.decode()
    assert http.get("/staff/clients/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.two_factor_throttled").exists()
    assert two_factor.recovery_codes_left(requires_two_factor.theo.user) == 10


def test_without_recovery_codes_the_page_points_to_an_administrator(requires_two_factor, login):
    TOTPDevice.objects.create(user=requires_two_factor.theo.user, name="app", confirmed=True)
    http = login(requires_two_factor.theo)
    page = http.get("/staff/two-factor/recovery/").content.decode()
    assert "Ask an administrator of your practice to reset your two-factor sign-in" in page
    response = http.post("/staff/two-factor/recovery/", {"code": "aaaa-aaaa"})
    assert http.get("/staff/clients/").status_code == 302
    assert response.status_code == 200


def _verified(member, http: HttpClient, codes: list[str]) -> HttpClient:
    http.post("/staff/two-factor/recovery/", {"code": codes.pop()})
    return http


def test_a_new_set_needs_the_password_and_voids_the_old_codes(requires_two_factor, login, monkeypatch):
    old = _enrolled_with_codes(requires_two_factor.theo)
    http = _verified(requires_two_factor.theo, login(requires_two_factor.theo), old)
    page = http.get("/staff/account/").content.decode()
    assert "You have 9 unused recovery codes." in page

    refused = http.post("/staff/account/", {"password": "not my password"})
    assert "That password isn&#x27;t right." in refused.content.decode()
    assert {t.replace("-", "") for t in old} <= set(StaticToken.objects.values_list("token", flat=True))
    assert AuditEvent.objects.get(action="staff.recovery_codes_refused").details == {"reason": "wrong_password"}

    response = http.post("/staff/account/", {"password": PASSWORD})
    assert response["Location"] == "/staff/two-factor/recovery-codes/?next=%2Fstaff%2Faccount%2F"
    new = CODE.findall(http.get(response["Location"]).content.decode())
    assert len(new) == 10
    stored = set(StaticToken.objects.filter(device__user=requires_two_factor.theo.user).values_list("token", flat=True))
    assert stored == {code.replace("-", "") for code in new}
    assert StaticDevice.objects.filter(user=requires_two_factor.theo.user).count() == 1
    event = AuditEvent.objects.filter(action="staff.recovery_codes_regenerated").latest("id")
    assert event.details == {"count": 10, "voided": 9}

    http.post("/staff/logout/")
    http = login(requires_two_factor.theo)
    assert "used already" in http.post("/staff/two-factor/recovery/", {"code": old[0]}).content.decode()
    # A wrong code makes the codes wait a moment before the next try; let that moment pass.
    later = timezone.now() + datetime.timedelta(seconds=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert http.post("/staff/two-factor/recovery/", {"code": new[0]})["Location"] == "/staff/"


def test_a_new_set_keeps_a_session_verified_with_an_old_code(requires_two_factor, login):
    old = _enrolled_with_codes(requires_two_factor.theo)
    http = _verified(requires_two_factor.theo, login(requires_two_factor.theo), old)
    http.post("/staff/account/", {"password": PASSWORD})
    assert http.get("/staff/clients/").status_code == 200


def test_the_account_page_needs_the_second_factor(requires_two_factor, login):
    _enrolled_with_codes(requires_two_factor.theo)
    http = login(requires_two_factor.theo)
    response = http.post("/staff/account/", {"password": PASSWORD})
    assert response["Location"].startswith("/staff/two-factor/verify/")
    assert AuditEvent.objects.filter(action="staff.recovery_codes_regenerated").count() == 1  # the first set only
