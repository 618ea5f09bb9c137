"""Portal invitations (ACC-6) and Forgot Password: single use, 24 hours, the newest link only."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.portal_access.actions.invitations import invite_to_portal, resend_invitation
from haven.portal_access.links import email_link
from haven.portal_access.models import AccessStatus, PortalAccount, PortalLink, PortalLinkPurpose, ProfileAccess
from haven.portal_access.status import PersonRecord
from haven.practices.models import Practice

pytestmark = pytest.mark.django_db

NEW_PASSWORD = {"password1": "a calm lake at dawn", "password2": "a calm lake at dawn"}


def _link_in_last_email(kind: str = "invitation") -> str:
    found = re.search(rf"http://testserver(/p/riverside/{kind}/[^/\s]+/)", str(mail.outbox[-1].body))
    assert found, f"no {kind} link in: {mail.outbox[-1].body}"
    return found.group(1)


@pytest.fixture
def invited_ana(world, django_capture_on_commit_callbacks) -> ProfileAccess:
    with django_capture_on_commit_callbacks(execute=True):
        return invite_to_portal(by=world.fran, record=PersonRecord(client=world.ana))


def test_invitation_email_names_the_practice_and_carries_no_health_information(world, invited_ana):
    message = mail.outbox[-1]
    assert "Riverside Counseling" in message.subject
    body = str(message.body)
    assert "24 hours" in body
    for word in ("Ana", "Alvarez", world.ana.date_of_birth.isoformat()):
        assert word not in body, word
    assert "Forgot Password" in body


def test_invitation_email_names_the_practice_and_the_facility_when_the_episode_has_one(
    world, django_capture_on_commit_callbacks
):
    """The portal shows the practice's name, so the email names it too, with the facility beside it."""
    world.ana.facility = world.riverside_facility
    world.ana.save()
    with django_capture_on_commit_callbacks(execute=True):
        invite_to_portal(by=world.fran, record=PersonRecord(client=world.ana))
    message = mail.outbox[-1]
    assert message.subject == "Riverside Counseling — Riverside North invites you to its client portal"
    assert "Riverside Counseling — Riverside North has invited you" in str(message.body)
    assert "Riverside Counseling — Riverside North has invited you" in str(message.alternatives[0].content)  # type: ignore[attr-defined]


def test_invitation_email_names_a_facility_called_like_the_practice_once(world, django_capture_on_commit_callbacks):
    world.riverside_facility.name = "Riverside Counseling"
    world.riverside_facility.save()
    world.ana.facility = world.riverside_facility
    world.ana.save()
    with django_capture_on_commit_callbacks(execute=True):
        invite_to_portal(by=world.fran, record=PersonRecord(client=world.ana))
    assert mail.outbox[-1].subject == "Riverside Counseling invites you to its client portal"


def test_invitation_sets_the_password_and_confirms_the_access_once(world, client, invited_ana):
    url = _link_in_last_email()
    assert client.get(url).status_code == 200
    response = client.post(url, NEW_PASSWORD)
    assert response["Location"] == "/p/riverside/home/"
    invited_ana.refresh_from_db()
    assert invited_ana.status == AccessStatus.ACTIVE
    account = invited_ana.account
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD["password1"])
    assert account.email_verified_at is not None
    assert "Ana Alvarez" in client.get("/p/riverside/home/").content.decode()
    client.post("/p/riverside/logout/")
    assert client.get(url).status_code == 410


def test_invitation_fails_after_24_hours(world, client, invited_ana, monkeypatch):
    url = _link_in_last_email()
    later = timezone.now() + datetime.timedelta(hours=24, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get(url).status_code == 410
    assert client.post(url, NEW_PASSWORD).status_code == 410


def test_reinviting_voids_the_older_link(world, client, invited_ana, django_capture_on_commit_callbacks):
    first = _link_in_last_email()
    with django_capture_on_commit_callbacks(execute=True):
        resend_invitation(by=world.fran, access=invited_ana)
    second = _link_in_last_email()
    assert first != second
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_a_password_change_voids_outstanding_links(world, client, invited_ana, django_capture_on_commit_callbacks):
    invitation = _link_in_last_email()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/p/riverside/password-reset/", {"email": "ana@example.com"})
    # No password yet: Forgot Password sends a fresh invitation, which voids the first.
    fresh = _link_in_last_email()
    assert client.get(invitation).status_code == 410
    client.post(fresh, NEW_PASSWORD)
    assert not PortalLink.objects.filter(account=invited_ana.account, used_at__isnull=True, voided_at__isnull=True)


def _change_password_elsewhere(way: str, account: PortalAccount, client, capture) -> None:
    """A password change made without the link under test: another link, a shell, a raw update."""
    if way == "reset_link":
        with capture(execute=True):
            email_link(account, Practice.objects.get(slug="riverside"), PortalLinkPurpose.RESET)
        client.post(_link_in_last_email("password-reset"), NEW_PASSWORD)
    elif way == "set_password":
        account.set_password(NEW_PASSWORD["password1"])
        account.save()
    else:
        PortalAccount.objects.filter(pk=account.pk).update(password=make_password(NEW_PASSWORD["password1"]))


@pytest.mark.parametrize("way", ["reset_link", "set_password", "database_update"])
def test_a_password_changed_any_way_ends_every_outstanding_link(way, world, client, django_capture_on_commit_callbacks):
    links = []
    for purpose, kind in ((PortalLinkPurpose.VERIFY_EMAIL, "verify"), (PortalLinkPurpose.RESET, "password-reset")):
        with django_capture_on_commit_callbacks(execute=True):
            email_link(world.gia_account, world.riverside, purpose)
        links.append(_link_in_last_email(kind))
    _change_password_elsewhere(way, world.gia_account, client, django_capture_on_commit_callbacks)
    for link in links:
        assert client.get(link).status_code == 410, link
    world.gia_account.refresh_from_db()
    assert world.gia_account.check_password(NEW_PASSWORD["password1"])


@pytest.mark.parametrize("way", ["set_password", "database_update"])
def test_a_password_set_another_way_ends_the_outstanding_invitation(
    way, world, client, invited_ana, django_capture_on_commit_callbacks
):
    invitation = _link_in_last_email()
    _change_password_elsewhere(way, invited_ana.account, client, django_capture_on_commit_callbacks)
    assert client.get(invitation).status_code == 410
    assert (
        client.post(invitation, {"password1": "someone elses phrase", "password2": "someone elses phrase"}).status_code
        == 410
    )
    invited_ana.refresh_from_db()
    assert invited_ana.status == AccessStatus.PENDING


def test_forgot_password_answers_the_same_for_known_and_unknown_emails(
    world, client, django_capture_on_commit_callbacks
):
    pages = []
    for email in ("gia@example.com", "nobody@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/p/riverside/password-reset/", {"email": email})
        assert response.status_code == 200
        page = response.content.decode().replace(email, "EMAIL")
        pages.append(re.sub(r"[A-Za-z0-9]{64}", "TOKEN", page))
    assert pages[0] == pages[1]
    assert [message.to for message in mail.outbox] == [["gia@example.com"]]
    assert AuditEvent.objects.filter(action="portal.password_reset_requested").count() == 2


def test_reset_link_sets_a_new_password_and_ends_other_sessions(world, client, django_capture_on_commit_callbacks):
    from django.test import Client

    other_device = Client()
    other_device.post("/p/riverside/", {"username": "gia@example.com", "password": "correct horse battery staple"})
    assert other_device.get("/p/riverside/home/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/p/riverside/password-reset/", {"email": "gia@example.com"})
    response = client.post(_link_in_last_email("password-reset"), NEW_PASSWORD)
    assert response.status_code == 302
    assert other_device.get("/p/riverside/home/").status_code == 302
    assert AuditEvent.objects.filter(action="portal.password_reset").exists()


def test_mismatched_passwords_are_explained(world, client, invited_ana):
    response = client.post(_link_in_last_email(), {"password1": "a calm lake at dawn", "password2": "a calm lake"})
    assert response.status_code == 200
    assert "The two passwords are different" in response.content.decode()


def test_invited_account_without_password_cannot_sign_in(world, client, invited_ana):
    response = client.post("/p/riverside/", {"username": "ana@example.com", "password": ""})
    assert response.status_code == 200
    assert PortalAccount.objects.get(email="ana@example.com").last_login_at is None
