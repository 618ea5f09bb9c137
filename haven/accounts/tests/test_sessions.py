"""Staff sessions: a new id at login, an idle timeout, an absolute lifetime, audited logins."""

from __future__ import annotations

import pytest
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.core.middleware import IdleTimeoutMiddleware
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


def _shift_session(http, key: str, seconds: int) -> None:
    session = http.session
    session[key] = int(timezone.now().timestamp()) - seconds
    session.save()


def test_login_gives_a_new_session_id(world, client):
    client.get("/staff/login/")
    session = client.session
    session["marker"] = "before"
    session.save()
    before = client.session.session_key
    client.post("/staff/login/", {"username": world.theo.user.email, "password": PASSWORD})
    assert client.session.session_key != before


def test_idle_staff_are_signed_out_after_15_minutes(world, login):
    http = login(world.theo)
    http.get("/staff/clients/")
    _shift_session(http, IdleTimeoutMiddleware.LAST_SEEN, 15 * 60 + 5)
    response = http.get("/staff/clients/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")
    assert http.get("/staff/clients/").status_code == 302


def test_activity_within_the_idle_window_keeps_the_session(world, login):
    http = login(world.theo)
    http.get("/staff/clients/")
    _shift_session(http, IdleTimeoutMiddleware.LAST_SEEN, 14 * 60)
    assert http.get("/staff/clients/").status_code == 200


def test_sessions_end_at_their_absolute_lifetime_despite_activity(world, login, settings):
    http = login(world.theo)
    http.get("/staff/clients/")
    _shift_session(http, IdleTimeoutMiddleware.STARTED, settings.SESSION_COOKIE_AGE + 1)
    response = http.get("/staff/clients/")
    assert response.status_code == 302


def test_login_logout_and_failures_are_audited(world, client):
    client.post("/staff/login/", {"username": "theo@riverside.example", "password": "wrong"})
    client.post("/staff/login/", {"username": "theo@riverside.example", "password": PASSWORD})
    client.post("/staff/logout/")
    actions = list(AuditEvent.objects.filter(action__startswith="auth.").values_list("action", "actor_label"))
    assert actions == [
        ("auth.login_failed", "theo@riverside.example"),
        ("auth.login", "theo@riverside.example"),
        ("auth.logout", "theo@riverside.example"),
    ]
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert "wrong" not in failed.canonical()


def test_logout_needs_post(world, login):
    http = login(world.theo)
    assert http.get("/staff/logout/").status_code == 405
    assert http.get("/staff/clients/").status_code == 200
