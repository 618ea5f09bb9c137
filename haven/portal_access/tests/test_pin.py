"""The portal PIN (ACC-7): it confirms a link at sign-in, expires, is limited in tries, and can be replaced."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.clients.models import RelatedContact, Relationship
from haven.portal_access.actions.invitations import link_portal_account
from haven.portal_access.actions.pins import confirm_pin, issue_pin
from haven.portal_access.models import AccessStatus, ProfileAccess
from haven.portal_access.status import PersonRecord
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(world) -> ProfileAccess:
    """Gia is also the emergency contact of Ben; staff link her existing account there."""
    contact = RelatedContact.objects.create(
        practice=world.riverside,
        client=world.ben,
        first_name="Gia",
        last_name="Moreno",
        email="gia@example.com",
        relationship=Relationship.EMERGENCY,
        web_portal=True,
    )
    return link_portal_account(by=world.fran, record=PersonRecord(client=world.ben, contact=contact))


def _wrong(pin: str) -> str:
    return f"{(int(pin) + 1) % 10**8:08d}"


def test_the_right_pin_confirms_the_link(world, pending):
    pin = issue_pin(by=world.fran, access=pending)
    assert len(pin) == 8 and pin.isdigit()
    confirmed = confirm_pin(account=world.gia_account, practice=world.riverside, pin=pin)
    assert confirmed == pending
    pending.refresh_from_db()
    assert pending.status == AccessStatus.ACTIVE
    assert pending.pin_hash == ""
    assert AuditEvent.objects.filter(action="portal.pin_confirmed", client=world.ben).exists()


def test_the_pin_is_stored_hashed(world, pending):
    pin = issue_pin(by=world.fran, access=pending)
    pending.refresh_from_db()
    assert pin not in pending.pin_hash


def test_a_wrong_pin_is_refused_and_audited(world, pending):
    pin = issue_pin(by=world.fran, access=pending)
    assert confirm_pin(account=world.gia_account, practice=world.riverside, pin=_wrong(pin)) is None
    pending.refresh_from_db()
    assert pending.status == AccessStatus.PENDING
    assert pending.pin_attempts == 1
    assert AuditEvent.objects.filter(action="portal.pin_failed").exists()


def test_tries_are_limited(world, pending):
    pin = issue_pin(by=world.fran, access=pending)
    for _ in range(ProfileAccess.PIN_MAX_ATTEMPTS):
        confirm_pin(account=world.gia_account, practice=world.riverside, pin=_wrong(pin))
    assert confirm_pin(account=world.gia_account, practice=world.riverside, pin=pin) is None
    pending.refresh_from_db()
    assert pending.status == AccessStatus.PENDING


def test_a_new_pin_voids_the_old_one_and_resets_the_tries(world, pending):
    old = issue_pin(by=world.fran, access=pending)
    for _ in range(ProfileAccess.PIN_MAX_ATTEMPTS):
        confirm_pin(account=world.gia_account, practice=world.riverside, pin=_wrong(old))
    new = issue_pin(by=world.fran, access=pending)
    if new != old:
        assert confirm_pin(account=world.gia_account, practice=world.riverside, pin=old) is None
    assert confirm_pin(account=world.gia_account, practice=world.riverside, pin=new) == pending


def test_the_pin_expires(world, pending, monkeypatch):
    pin = issue_pin(by=world.fran, access=pending)
    later = timezone.now() + ProfileAccess.PIN_VALID_FOR + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert confirm_pin(account=world.gia_account, practice=world.riverside, pin=pin) is None


def test_someone_elses_pin_confirms_nothing_for_this_account(world, pending, django_capture_on_commit_callbacks):
    from haven.portal_access.actions.invitations import invite_to_portal

    with django_capture_on_commit_callbacks(execute=True):
        anas = invite_to_portal(by=world.fran, record=PersonRecord(client=world.ana))
    anas_pin = issue_pin(by=world.fran, access=anas)
    assert confirm_pin(account=world.gia_account, practice=world.riverside, pin=anas_pin) is None


def test_pin_form_on_the_portal_home(world, client, pending):
    pin = issue_pin(by=world.fran, access=pending)
    client.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD})
    home = client.get("/p/riverside/home/").content.decode()
    assert "Enter your portal PIN" in home
    wrong = client.post("/p/riverside/pin/", {"pin": _wrong(pin)})
    assert wrong.status_code == 400
    assert "didn&#x27;t match" in wrong.content.decode()
    short = client.post("/p/riverside/pin/", {"pin": "123"})
    assert "The PIN has 8 digits" in short.content.decode()
    response = client.post("/p/riverside/pin/", {"pin": pin})
    assert response.status_code == 302
    assert "Ben Brooks" in client.get("/p/riverside/home/").content.decode()


def test_printing_instructions_gives_a_pdf_with_a_new_pin(world, login, pending):
    http = login(world.fran)
    response = http.post(f"/staff/clients/{world.ben.pk}/portal/{pending.pk}/instructions.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]
    pending.refresh_from_db()
    assert pending.pin_hash
    assert AuditEvent.objects.filter(action="portal.instructions_printed").exists()
