"""An administrator resets another staff member's lost second factor: devices gone, sessions ended, audited."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.accounts import two_factor
from haven.audit.models import AuditEvent
from haven.core.errors import ApplicationError
from haven.practices.actions import reset_staff_two_factor
from haven.practices.models import StaffMember
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db

RESET = {"operation": "reset_two_factor"}


@pytest.fixture
def requires_two_factor(world):
    world.riverside.require_staff_two_factor = True
    world.riverside.save()
    world.hilltop.require_staff_two_factor = True
    world.hilltop.save()
    return world


def _enrol(member: StaffMember) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=member.user, name="app", confirmed=True)
    two_factor.regenerate_recovery_codes(user=member.user, password=PASSWORD)
    return device


def _signed_in_with_second_factor(member: StaffMember, login, http: HttpClient | None = None) -> HttpClient:
    device = _enrol(member)
    http = login(member, http or HttpClient())
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    http.post("/staff/two-factor/verify/", {"code": f"{totp.token():06d}"})
    assert http.get("/staff/clients/").status_code == 200
    return http


def test_admin_reset_removes_devices_ends_sessions_and_forces_setup(requires_two_factor, login):
    world = requires_two_factor
    theo_browser = _signed_in_with_second_factor(world.theo, login)
    ada = _signed_in_with_second_factor(world.ada, login)
    page = ada.get(f"/staff/admin/staff/{world.theo.pk}/").content.decode()
    assert "Reset two-factor sign-in" in page
    assert 'data-confirm="Reset two-factor sign-in for Theo Therapist?' in page

    response = ada.post(f"/staff/admin/staff/{world.theo.pk}/", RESET, follow=True)
    body = response.content.decode()
    assert "Two-factor sign-in reset for Theo Therapist. They are signed out." in body
    assert "At their next sign-in they set up their authenticator app again." in body
    user = world.theo.user
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    assert not StaticToken.objects.filter(device__user=user).exists()

    # Their live session ends at its next request, exactly as a password change would end it.
    ended = theo_browser.get("/staff/clients/")
    assert ended["Location"].startswith("/staff/login/")
    # Signing in again, the password still works and the app has to be set up anew.
    again = login(world.theo, HttpClient())
    assert again.get("/staff/clients/")["Location"].startswith("/staff/two-factor/setup/")
    assert again.get("/staff/two-factor/recovery/")["Location"].startswith("/staff/two-factor/setup/")
    # The administrator's own session goes on.
    assert ada.get("/staff/clients/").status_code == 200


def test_the_reset_is_audited_naming_the_administrator(requires_two_factor):
    world = requires_two_factor
    _enrol(world.theo)
    reset_staff_two_factor(by=world.ada, member=world.theo)
    event = AuditEvent.objects.get(action="staff.two_factor_reset")
    assert event.actor_label == "ada@riverside.example"
    assert event.practice == world.riverside
    assert (event.object_type, event.object_id) == ("practices.staffmember", str(world.theo.pk))
    assert event.details == {
        "staff": "theo@riverside.example",
        "reset_by": "ada@riverside.example",
        "devices_removed": 2,
    }


def test_administrators_cannot_reset_their_own_second_factor(requires_two_factor, login):
    world = requires_two_factor
    ada = _signed_in_with_second_factor(world.ada, login)
    page = ada.get(f"/staff/admin/staff/{world.ada.pk}/").content.decode()
    assert "Reset two-factor sign-in" not in page
    assert "ask another administrator" in page
    response = ada.post(f"/staff/admin/staff/{world.ada.pk}/", RESET, follow=True)
    assert "You cannot reset your own two-factor sign-in." in response.content.decode()
    assert TOTPDevice.objects.filter(user=world.ada.user).exists()
    assert StaticDevice.objects.filter(user=world.ada.user).exists()
    assert ada.get("/staff/clients/").status_code == 200
    with pytest.raises(ApplicationError):
        reset_staff_two_factor(by=world.ada, member=world.ada)
    assert not AuditEvent.objects.filter(action="staff.two_factor_reset").exists()


def test_staff_of_another_practice_get_404_and_it_is_audited(requires_two_factor, login):
    world = requires_two_factor
    _enrol(world.theo)
    hana = _signed_in_with_second_factor(world.hana, login)
    response = hana.post(f"/staff/admin/staff/{world.theo.pk}/", RESET)
    assert response.status_code == 404
    denied = AuditEvent.objects.get(action="access.denied")
    assert denied.actor_label == "hana@hilltop.example"
    assert denied.details["object_type"] == "practices.staffmember"
    assert TOTPDevice.objects.filter(user=world.theo.user).exists()
    with pytest.raises(ApplicationError):
        reset_staff_two_factor(by=world.hana, member=world.theo)
    assert not AuditEvent.objects.filter(action="staff.two_factor_reset").exists()


def test_staff_without_organization_administration_are_refused(requires_two_factor, login):
    world = requires_two_factor
    _enrol(world.fran)
    theo = _signed_in_with_second_factor(world.theo, login)
    assert theo.post(f"/staff/admin/staff/{world.fran.pk}/", RESET).status_code == 403
    assert AuditEvent.objects.filter(action="access.forbidden").exists()
    with pytest.raises(ApplicationError):
        reset_staff_two_factor(by=world.theo, member=world.fran)
    assert TOTPDevice.objects.filter(user=world.fran.user).exists()
    assert not AuditEvent.objects.filter(action="staff.two_factor_reset").exists()


def test_nothing_to_reset_is_explained(world):
    with pytest.raises(ApplicationError, match="nothing to reset"):
        reset_staff_two_factor(by=world.ada, member=world.theo)
    assert not AuditEvent.objects.filter(action="staff.two_factor_reset").exists()


def test_the_staff_page_shows_whether_two_factor_is_set_up(world, login):
    _enrol(world.theo)
    http = login(world.ada)
    page = http.get(f"/staff/admin/staff/{world.theo.pk}/").content.decode()
    assert "Authenticator app set up · 10 recovery codes left" in page
    page = http.get(f"/staff/admin/staff/{world.fran.pk}/").content.decode()
    assert "Not set up." in page
    assert "Reset two-factor sign-in" not in page
