"""Helpers for the browser tests: signing in, accessibility checks, screenshots, TOTP codes."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import BrowserContext, Page, ViewportSize

from tests.personas import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOT_DIR = ROOT / "test-artifacts" / "screenshots"
PHONE: ViewportSize = {"width": 390, "height": 844}
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Mobile Safari/537.36"
)
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
BLOCKING_IMPACTS = {"serious", "critical"}


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real staff login form."""
    page.goto("/staff/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def phone_context(new_context: Callable[..., BrowserContext], base_url: str) -> BrowserContext:
    """A browser of a portal user's own: a phone with a touch screen, Chrome on Android."""
    context = new_context(
        base_url=base_url,
        viewport=PHONE,
        bypass_csp=True,
        has_touch=True,
        is_mobile=True,
        user_agent=ANDROID_CHROME,
    )
    context.set_default_timeout(10_000)
    context.set_default_navigation_timeout(30_000)
    return context


def assert_accessible(page: Page, what: str) -> None:
    """Run axe-core on the page as it is now; fail on serious or critical violations.

    The page's context must have been opened with ``bypass_csp=True``.
    """
    page.add_script_tag(path=str(AXE_PATH))
    violations: list[dict[str, Any]] = page.evaluate("async () => (await axe.run()).violations")
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe found {len(blocking)} serious/critical violation(s) on {what} ({page.url}):"]
        for violation in blocking:
            lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
            for node in violation["nodes"]:
                lines.append(f"    target {json.dumps(node['target'])}: {node.get('failureSummary', '')!r}")
        pytest.fail("\n".join(lines), pytrace=False)


def save_screenshots(page: Page, name: str, *, phone: bool = True, desktop: bool = True) -> None:
    """Full-page screenshots at phone and/or desktop width; at phone width nothing may scroll sideways.

    The viewport is left at desktop size afterwards.
    """
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    sizes = ([("phone", PHONE)] if phone else []) + ([("desktop", DESKTOP)] if desktop else [])
    for label, size in sizes:
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOT_DIR / f"{name}-{label}.png"), full_page=True)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {size['width']}px wide"
    page.set_viewport_size(DESKTOP)


def key_from_displayed_secret(secret: str) -> bytes:
    """The TOTP key from the base32 secret shown on the setup page (grouped with spaces, unpadded)."""
    compact = "".join(secret.split()).upper()
    return base64.b32decode(compact + "=" * (-len(compact) % 8))


def current_code(device: TOTPDevice, key: bytes) -> str:
    """The code an authenticator app would show now, as the device (with its drift) expects it."""
    totp = TOTP(key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def next_unused_code(device: TOTPDevice, key: bytes) -> str:
    """A code the device accepts now even though a code of this time step was already used.

    django-otp refuses any time step at or below ``last_t`` (no replays) but accepts ``tolerance``
    steps ahead of its clock, so take the newest step that is both unused and inside that window;
    wait for the clock only if even that is not enough.
    """
    device.refresh_from_db()
    totp = TOTP(key, device.step, device.t0, device.digits, device.drift)
    while True:
        now_t = totp.t()
        wanted = max(now_t, device.last_t + 1)
        if wanted <= now_t + device.tolerance:
            return f"{hotp(key, wanted, digits=device.digits):0{device.digits}d}"
        time.sleep(1)  # pragma: no cover - only when several codes were used within one step


def wrong_code(device: TOTPDevice, key: bytes) -> str:
    """Six digits that match no time step the device would accept now."""
    totp = TOTP(key, device.step, device.t0, device.digits, device.drift)
    window = {hotp(key, totp.t() + offset, digits=device.digits) for offset in range(-3, 4)}
    return next(f"{n:06d}" for n in (0, 111111, 222222, 333333) if n not in window)


def wait_until_device_accepts_codes(device: TOTPDevice, timeout: float = 10.0) -> None:
    """After a wrong code django-otp throttles the device (1 s, doubling); wait that out, as a person would."""
    deadline = time.monotonic() + timeout
    while True:
        device.refresh_from_db()
        allowed, _details = device.verify_is_allowed()
        if allowed:
            return
        assert time.monotonic() < deadline, "the TOTP device stayed throttled"
        time.sleep(0.2)
