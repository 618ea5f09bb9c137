"""Self-registration (ACC-8) and Add Portal User (ACC-10)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from haven.audit.models import AuditEvent
from haven.core.errors import ApplicationError
from haven.portal_access.actions.invitations import add_portal_user, invite_to_portal, link_portal_account
from haven.portal_access.actions.pins import confirm_pin, issue_pin
from haven.portal_access.models import AccessKind, AccessStatus, PortalAccount, PortalLink, PortalLinkPurpose
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


def _page(response, email: str) -> str:
    """The page with the typed email and the per-response tokens (CSRF, CSP nonce) left out."""
    page = response.content.decode().replace(email, "")
    return re.sub(r'("csrfmiddlewaretoken" value=|"X-CSRFToken": |nonce=)"?[\w-]+"?', "", page)


def _account_state(email: str) -> tuple[str, str, object, object]:
    account = PortalAccount.objects.get(email=email)
    return account.full_name, account.password, account.password_changed_at, account.email_verified_at


def test_a_stranger_registering_over_an_invited_unverified_account_changes_nothing_and_the_owner_is_told(
    world, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite_to_portal(by=world.fran, record=PersonRecord(client=world.ana))
    invitation = re.search(r"http://testserver(/p/riverside/invitation/[^/\s]+/)", str(mail.outbox[-1].body))
    assert invitation
    before = _account_state("ana@example.com")
    mail.outbox.clear()

    taken = _register(client, django_capture_on_commit_callbacks, full_name="Someone Else")
    fresh = _register(client, django_capture_on_commit_callbacks, full_name="Someone Else", email="new@example.com")

    # The registrant cannot tell the two apart: same page, same status, only the typed email differs.
    assert taken.status_code == fresh.status_code == 200
    assert [t.name for t in taken.templates] == [t.name for t in fresh.templates]
    assert _page(taken, "ana@example.com") == _page(fresh, "new@example.com")
    # Nothing of the account changed, and no confirmation link was made for it.
    assert _account_state("ana@example.com") == before
    assert not PortalLink.objects.filter(account__email="ana@example.com", purpose=PortalLinkPurpose.VERIFY_EMAIL)
    # The owner hears that someone tried, with the way to sign in or reset, and nothing about her care.
    [told] = [m for m in mail.outbox if m.to == ["ana@example.com"]]
    body = str(told.body)
    assert "Someone tried to create a portal account with this email" in body
    assert "http://testserver/p/riverside/" in body and "http://testserver/p/riverside/password-reset/" in body
    for private in ("Ana", "Alvarez", "Someone Else"):
        assert private not in f"{told.subject}{body}", private
    assert AuditEvent.objects.filter(action="portal.registration_requested", details={"email": "ana@example.com"})

    # Her invitation still works, and the account keeps the name the practice gave it.
    client.post(invitation.group(1), {"password1": "a calm lake at dawn", "password2": "a calm lake at dawn"})
    account = PortalAccount.objects.get(email="ana@example.com")
    assert account.full_name == "Ana Alvarez" and account.check_password("a calm lake at dawn")


def test_registering_again_before_confirming_keeps_the_first_password(
    world, client, django_capture_on_commit_callbacks
):
    _register(client, django_capture_on_commit_callbacks)
    first_link = _verify_link()
    before = _account_state("ana@example.com")
    again = _register(
        client,
        django_capture_on_commit_callbacks,
        full_name="Someone Else",
        password1="another pass phrase",
        password2="another pass phrase",
    )
    assert "Check your email" in again.content.decode()
    assert _account_state("ana@example.com") == before
    assert "already has one" in str(mail.outbox[-1].body)
    assert client.get(first_link).status_code == 200  # the first confirmation link was not voided


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
