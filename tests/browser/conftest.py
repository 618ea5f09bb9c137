"""Browser tests: Haven in the system Chromium through Playwright, against Django's live server.

Run with ``HAVEN_ENV=test DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest -m browser``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Generator
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import BrowserContext, Page

from tests.browser.helpers import DESKTOP
from tests.personas import World, build_world

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls there unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """The Debian Chromium: `playwright install` cannot download browsers on this machine."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("HAVEN_CHROMIUM", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


_append_only = importlib.import_module("haven.audit.migrations.0002_append_only")


def _audit_triggers(*, on: bool) -> None:
    """Create (idempotently) or drop the database triggers that keep audit events append-only."""
    statements = {"sqlite": _append_only.SQLITE_REVERSE, "postgresql": _append_only.POSTGRESQL_REVERSE}
    if on:
        statements = {
            "sqlite": statements["sqlite"] + _append_only.SQLITE,
            "postgresql": statements["postgresql"] + _append_only.POSTGRESQL,
        }
    with connection.cursor() as cursor:
        for statement in statements.get(connection.vendor, []):
            cursor.execute(statement)


@pytest.fixture(scope="package", autouse=True)
def _audit_triggers_restored(django_db_setup: None, django_db_blocker: Any) -> Generator[None]:
    """Put the append-only triggers back once the browser tests are done, for any tests that follow."""
    yield
    with django_db_blocker.unblock():
        _audit_triggers(on=True)


@pytest.fixture
def world(transactional_db: None, live_server: Any) -> Generator[World]:
    """The personas, committed for real so that the live server's thread sees them.

    Transactional tests end by flushing every table, which the append-only audit triggers rightly
    refuse; the triggers stay on while the test runs and are lifted only for that flush.
    """
    _audit_triggers(on=True)
    yield build_world()
    _audit_triggers(on=False)


OpenPage = Callable[..., Page]


@pytest.fixture
def open_page(new_context: Callable[..., BrowserContext], live_server: Any) -> OpenPage:
    """A new tab on the live server at desktop size.

    ``bypass_csp=True`` only where axe-core is injected: Haven's CSP rightly blocks injected scripts.
    Elsewhere the real policy stays on, so a page that only works without it fails.
    """

    def _open(*, bypass_csp: bool = False) -> Page:
        context = new_context(base_url=live_server.url, viewport=DESKTOP, bypass_csp=bypass_csp)
        context.set_default_timeout(10_000)
        return context.new_page()

    return _open
