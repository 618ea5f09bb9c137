"""Browser tests: Haven in the system Chromium through Playwright, against Django's live server.

Run with ``HAVEN_ENV=test DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest -m browser``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
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


@pytest.fixture
def world(live_server: Any, committed_db: None) -> World:
    """The personas, committed for real so that the live server's thread sees them."""
    return build_world()


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
        # A page load may wait on the live server's first request (imports, template compiling) on a busy machine.
        context.set_default_navigation_timeout(30_000)
        return context.new_page()

    return _open
