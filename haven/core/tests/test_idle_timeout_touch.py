"""The idle timeout stores last-seen at most once per HAVEN_SESSION_TOUCH_SECONDS and still ends idle sessions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from haven.core.middleware import IdleTimeoutMiddleware

pytestmark = pytest.mark.django_db


def _session_writes(http: HttpClient, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        status = http.get(url).status_code
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]
    ]
    return status, len(writes)


def _last_seen_ago(http: HttpClient, seconds: int) -> int:
    session = http.session
    stamp = int(timezone.now().timestamp()) - seconds
    session[IdleTimeoutMiddleware.LAST_SEEN] = stamp
    session.save()
    return stamp


def test_a_page_view_within_the_touch_interval_does_not_write_the_session(world, login, settings):
    http = login(world.theo)
    http.get("/staff/clients/")
    stamp = _last_seen_ago(http, settings.HAVEN_SESSION_TOUCH_SECONDS - 5)
    assert _session_writes(http, "/staff/clients/") == (200, 0)
    assert _session_writes(http, "/staff/general-log/") == (200, 0)
    assert http.session[IdleTimeoutMiddleware.LAST_SEEN] == stamp


def test_a_page_view_after_the_touch_interval_stores_the_new_last_seen_time(world, login, settings):
    http = login(world.theo)
    http.get("/staff/clients/")
    stamp = _last_seen_ago(http, settings.HAVEN_SESSION_TOUCH_SECONDS + 1)
    assert _session_writes(http, "/staff/clients/") == (200, 1)
    assert http.session[IdleTimeoutMiddleware.LAST_SEEN] > stamp


def test_views_within_the_touch_interval_do_not_keep_an_idle_session_alive(world, login, settings):
    """Last seen 15 minutes and 5 seconds ago: the session ends, however many untouched views came before."""
    http = login(world.theo)
    http.get("/staff/clients/")
    _last_seen_ago(http, 30)
    for _ in range(3):
        assert _session_writes(http, "/staff/clients/") == (200, 0)
    _last_seen_ago(http, settings.HAVEN_STAFF_IDLE_MINUTES * 60 + 5)
    response = http.get("/staff/clients/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")
    assert http.get("/staff/clients/").status_code == 302


def test_a_session_is_kept_while_its_stored_last_seen_time_is_inside_the_idle_window(world, login, settings):
    http = login(world.theo)
    http.get("/staff/clients/")
    _last_seen_ago(http, settings.HAVEN_STAFF_IDLE_MINUTES * 60 - settings.HAVEN_SESSION_TOUCH_SECONDS)
    assert _session_writes(http, "/staff/clients/") == (200, 1)
