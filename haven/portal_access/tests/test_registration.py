"""Self-registration (ACC-8) and Add Portal User (ACC-10)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from haven.audit.models import AuditEvent
from haven.core.errors import ApplicationError
from haven.portal_access.actions import add_portal_user, confirm_pin, issue_pin, link_portal_account
from haven.portal_access.models import AccessKind, AccessStatus, PortalAccount
from haven.portal_access.status import PersonRecord

pytestmark = pytest.mark.django_db

FORM = {
    "full_name": "Ana Alvarez",
    "email": "ana@example.com",
    "password1": "river stones glow",
    "password2": "river stones glow",
}


def _register(client, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/p/riverside/register/", {**FORM, **overrides})


def _verify_link() -> str:
    found = re.search(r"http://testserver(/p/riverside/verify/[^/\s]+/)", str(mail.outbox[-1].body))
    assert found
    return found.group(1)


def test_registration_asks_to_confirm_the_email_before_signing_in(world, client, django_capture_on_commit_callbacks):
    response = _register(client, django_capture_on_commit_callbacks)
    assert "Check your email" in response.content.decode()
    account = PortalAccount.objects.get(email="ana@example.com")
    assert account.email_verified_at is None
    refused = client.post("/p/riverside/", {"username": "ana@example.com", "password": FORM["password1"]})
    assert "confirm your email" in refused.content.decode()
    link = _verify_link()
    assert client.get(link).status_code == 200  # a click is needed: link scanners do not confirm
    client.post(link)
    account.refresh_from_db()
    assert account.email_verified_at is not None


def test_a_registered_account_sees_nothing_until_linked_and_confirmed_with_the_pin(
    world, client, django_capture_on_commit_callbacks
):
    _register(client, django_capture_on_commit_callbacks)
    client.post(_verify_link())
    client.post("/p/riverside/", {"username": "ana@example.com", "password": FORM["password1"]})
    assert 'id="profile-heading">Ana Alvarez' not in client.get("/p/riverside/home/").content.decode()
    access = link_portal_account(by=world.fran, record=PersonRecord(client=world.ana))
    assert 'id="profile-heading">Ana Alvarez' not in client.get("/p/riverside/home/").content.decode()
    pin = issue_pin(by=world.fran, access=access)
    client.post("/p/riverside/pin/", {"pin": pin})
    assert 'id="profile-heading">Ana Alvarez' in client.get("/p/riverside/home/").content.decode()


def test_registering_an_email_that_has_an_account_changes_nothing(world, client, django_capture_on_commit_callbacks):
    before = PortalAccount.objects.get(email="gia@example.com").password
    response = _register(client, django_capture_on_commit_callbacks, email="gia@example.com")
    assert "Check your email" in response.content.decode()
    assert PortalAccount.objects.get(email="gia@example.com").password == before
    assert "already has one" in str(mail.outbox[-1].body)


def test_registration_form_explains_errors_and_keeps_input(world, client):
    response = client.post("/p/riverside/register/", {**FORM, "email": "not-an-email", "password2": "different"})
    body = response.content.decode()
    assert "Enter an email address like name@example.com." in body
    assert 'value="Ana Alvarez"' in body
    assert 'value="not-an-email"' in body


def test_add_portal_user_who_is_new_invites_them(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        access = add_portal_user(by=world.fran, client=world.ana, full_name="Sam School", email="sam@school.example")
    assert access.kind == AccessKind.PORTAL_USER
    assert access.capacity_label == "Portal user"
    assert mail.outbox[-1].to == ["sam@school.example"]
    assert AuditEvent.objects.filter(action="portal.portal_user_added", client=world.ana).exists()


def test_add_portal_user_links_an_existing_account_by_email(world):
    access = add_portal_user(by=world.fran, client=world.ana, full_name="", email="GIA@example.com")
    assert access.account == world.gia_account
    assert access.status == AccessStatus.PENDING
    pin = issue_pin(by=world.fran, access=access)
    assert confirm_pin(account=world.gia_account, practice=world.riverside, pin=pin) == access


def test_add_portal_user_twice_is_refused(world):
    add_portal_user(by=world.fran, client=world.ana, full_name="", email="gia@example.com")
    with pytest.raises(ApplicationError, match="already"):
        add_portal_user(by=world.fran, client=world.ana, full_name="", email="gia@example.com")


def test_add_portal_user_page(world, login, django_capture_on_commit_callbacks):
    http = login(world.fran)
    assert http.get(f"/staff/clients/{world.ana.pk}/portal/users/new/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            f"/staff/clients/{world.ana.pk}/portal/users/new/",
            {"full_name": "Sam School", "email": "sam@school.example"},
        )
    assert response.status_code == 302
    overview = http.get(f"/staff/clients/{world.ana.pk}/portal/").content.decode()
    assert "Sam School" in overview and "Portal user" in overview
