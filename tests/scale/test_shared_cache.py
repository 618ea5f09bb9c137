"""The shared cache on Redis (``HAVEN_REDIS_URL``), and why the embedded default needs none.

The Redis tests use a throwaway ``redis-server`` on loopback started by ``tests/scale/conftest.py``
(``scripts/test`` installs the Debian package): without one they fail, they never skip.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache, caches

from haven.portal_access.documents import render_portal_handout
from haven.portal_access.tests.test_documents import test_the_handout_is_rendered_once_until_what_it_shows_changes
from tests.personas import World
from tests.scale.conftest import free_port, haven_settings

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db

REUSED = [test_the_handout_is_rendered_once_until_what_it_shows_changes]  # collected here again, on Redis


@pytest.fixture(autouse=True)
def _cache_on_redis(redis_cache: redis.Redis) -> redis.Redis:
    return redis_cache


def test_the_cache_in_use_is_the_redis_server(redis_cache: redis.Redis) -> None:
    cache.set("probe", "seen by every process")
    assert redis_cache.keys("*") == [b"haven:1:probe"]
    assert cache.get("probe") == "seen by every process"


def test_the_rendered_handout_is_kept_in_redis_for_every_process(world: World, redis_cache: redis.Redis) -> None:
    pdf = render_portal_handout(world.riverside)
    [key] = redis_cache.keys("haven:1:haven:portal-handout:*")
    assert redis_cache.ttl(key) > 23 * 3600
    cache.clear()  # another process's cache would be this same Redis: emptied, the handout is rendered again
    assert redis_cache.keys("*") == []
    assert render_portal_handout(world.riverside)[:5] == pdf[:5] == b"%PDF-"


def test_settings_choose_redis_by_haven_redis_url_and_memory_without_it(redis_url: str) -> None:
    with_redis = haven_settings({"HAVEN_REDIS_URL": redis_url}, "CACHES")["CACHES"]["default"]
    assert with_redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert with_redis["LOCATION"] == redis_url
    embedded = haven_settings({}, "CACHES")["CACHES"]["default"]
    assert embedded["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_nothing_the_embedded_default_relies_on_is_kept_in_a_per_process_cache() -> None:
    """Several web processes on one machine need no Redis: sessions, messages, sign-in throttles and lockouts
    live in the database (or a signed cookie), and the only use of the cache is the handout, which any process
    can render again. A new use of django.core.cache must be added here, and shown to work on Redis above."""
    assert django_settings.SESSION_ENGINE == "haven.core.sessions"  # Django's database sessions
    assert getattr(django_settings, "MESSAGE_STORAGE", "django.contrib.messages.storage.fallback.FallbackStorage") == (
        "django.contrib.messages.storage.fallback.FallbackStorage"
    )
    assert getattr(django_settings, "AXES_HANDLER", "axes.handlers.database.AxesDatabaseHandler") == (
        "axes.handlers.database.AxesDatabaseHandler"
    )
    users = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "haven").rglob("*.py")
        if "tests" not in path.parts
        and path.name != "settings.py"  # which cache, not a use of it
        and re.search(r"django\.core\.cache\b|\bcaches\[", path.read_text(encoding="utf-8"))
    )
    assert users == ["haven/core/cache.py"]
    callers = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "haven").rglob("*.py")
        if "tests" not in path.parts and "remembered(" in path.read_text(encoding="utf-8")
    )
    assert callers == ["haven/core/cache.py", "haven/portal_access/documents.py"]


def test_a_redis_that_is_down_costs_a_new_rendering_never_an_error(world: World, settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with pytest.raises(redis.exceptions.ConnectionError):
        caches["default"].get("probe")  # the cache really is unreachable
    assert render_portal_handout(world.riverside)[:5] == b"%PDF-"
