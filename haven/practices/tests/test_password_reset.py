"""Forgot Password for staff: the same answer for every email, a one-hour single-use link."""

from __future__ import annotations

import datetime
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.management.commands.changepassword import Command as ChangePassword
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.practices.actions import invite_staff
from haven.practices.models import LinkPurpose, StaffPasswordLink
from haven.practices.password_links import email_link
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


def _request_reset(client, email: str, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/staff/password-reset/", {"email": email})


def _reset_token() -> str:
    found = re.search(r"/staff/password-reset/([^/\s]+)/", str(mail.outbox[-1].body))
    assert found, "no reset link in the email"
    return found.group(1)


def test_known_and_unknown_emails_get_the_same_answer(world, client, django_capture_on_commit_callbacks):
    known = _request_reset(client, "theo@riverside.example", django_capture_on_commit_callbacks)
    unknown = _request_reset(client, "nobody@riverside.example", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 200
    normalise = lambda response: re.sub(r"\S+@riverside\.example", "EMAIL", response.content.decode())  # noqa: E731
    strip_csrf = lambda text: re.sub(r"[A-Za-z0-9]{64}", "TOKEN", text)  # noqa: E731
    assert strip_csrf(normalise(known)) == strip_csrf(normalise(unknown))
    assert [message.to for message in mail.outbox] == [["theo@riverside.example"]]
    assert AuditEvent.objects.filter(action="auth.password_reset_requested").count() == 2


def test_reset_link_sets_a_new_password_once(world, client, django_capture_on_commit_callbacks):
    _request_reset(client, "theo@riverside.example", django_capture_on_commit_callbacks)
    url = f"/staff/password-reset/{_reset_token()}/"
    response = client.post(url, {"password1": "a quiet evening walk", "password2": "a quiet evening walk"})
    assert response.status_code == 302
    world.theo.user.refresh_from_db()
    assert world.theo.user.check_password("a quiet evening walk")
    assert client.get(url).status_code == 410
    assert AuditEvent.objects.filter(action="auth.password_reset", object_id=str(world.theo.pk)).exists()


def test_reset_link_expires_after_an_hour(world, client, django_capture_on_commit_callbacks, monkeypatch):
    _request_reset(client, "theo@riverside.example", django_capture_on_commit_callbacks)
    token = _reset_token()
    later = timezone.now() + datetime.timedelta(minutes=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get(f"/staff/password-reset/{token}/").status_code == 410


def test_a_password_change_voids_every_outstanding_link(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email_link(world.theo, LinkPurpose.RESET)
    first = _reset_token()
    # A second request voids the first link.
    _request_reset(client, "theo@riverside.example", django_capture_on_commit_callbacks)
    second = _reset_token()
    assert client.get(f"/staff/password-reset/{first}/").status_code == 410
    client.post(
        f"/staff/password-reset/{second}/", {"password1": "a quiet evening walk", "password2": "a quiet evening walk"}
    )
    assert not StaffPasswordLink.objects.filter(
        member=world.theo, used_at__isnull=True, voided_at__isnull=True
    ).exists()


NEW = "a quiet evening walk"


def _change_password_elsewhere(way: str, user, monkeypatch) -> None:
    """A password change made without any link: the command, an administrator in a shell, a raw update."""
    if way == "changepassword":
        monkeypatch.setattr(ChangePassword, "_get_pass", lambda self, prompt="": NEW)
        call_command("changepassword", user.email, stdout=StringIO())
    elif way == "set_password":
        user.set_password(NEW)
        user.save()
    else:
        get_user_model().objects.filter(pk=user.pk).update(password=make_password(NEW))


@pytest.mark.parametrize("way", ["changepassword", "set_password", "database_update"])
def test_a_password_changed_any_other_way_ends_the_outstanding_reset_link(
    way, world, client, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        email_link(world.theo, LinkPurpose.RESET)
    url = f"/staff/password-reset/{_reset_token()}/"
    _change_password_elsewhere(way, world.theo.user, monkeypatch)
    assert client.get(url).status_code == 410
    assert (
        client.post(url, {"password1": "someone elses phrase", "password2": "someone elses phrase"}).status_code == 410
    )
    world.theo.user.refresh_from_db()
    assert world.theo.user.check_password(NEW)


@pytest.mark.parametrize("way", ["changepassword", "set_password", "database_update"])
def test_a_password_set_any_other_way_ends_the_outstanding_invitation(
    way, world, client, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        member = invite_staff(by=world.ada, email="new@riverside.example", full_name="Nell New", role="therapist")
    found = re.search(r"/staff/invitation/([^/\s]+)/", str(mail.outbox[-1].body))
    assert found
    _change_password_elsewhere(way, member.user, monkeypatch)
    assert client.get(f"/staff/invitation/{found.group(1)}/").status_code == 410


def test_a_reset_ends_other_live_sessions(world, login, client, django_capture_on_commit_callbacks):
    from django.test import Client

    other_device = login(world.theo, Client())
    assert other_device.get("/staff/clients/").status_code == 200
    _request_reset(client, "theo@riverside.example", django_capture_on_commit_callbacks)
    client.post(
        f"/staff/password-reset/{_reset_token()}/",
        {"password1": "a quiet evening walk", "password2": "a quiet evening walk"},
    )
    assert other_device.get("/staff/clients/").status_code == 302


def test_disabled_logins_get_no_reset_email(world, client, django_capture_on_commit_callbacks):
    world.theo.user.is_active = False
    world.theo.user.save()
    _request_reset(client, "theo@riverside.example", django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_reset_email_carries_no_health_information(world, client, django_capture_on_commit_callbacks):
    _request_reset(client, "theo@riverside.example", django_capture_on_commit_callbacks)
    body = str(mail.outbox[-1].body)
    for client_name in ("Ana", "Alvarez", "Max", "Moreno"):
        assert client_name not in body
    assert PASSWORD not in body
