"""The page headers in a real browser: with the practice's logo the staff header at 1280 px and the portal
header on a 390 px phone keep the practice's name and Sign out on one line each, and the portal names the
facility beside the practice."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from haven.messaging.actions import post_message
from haven.messaging.models import MessageKind
from haven.practices.actions import set_practice_logo
from haven.practices.models import Practice
from tests.browser.conftest import OpenPage
from tests.browser.helpers import DESKTOP, PHONE, SCREENSHOT_DIR, log_in
from tests.personas import PASSWORD, World

pytestmark = pytest.mark.browser

PRACTICE_NAME = "Riverside Family Counseling"  # as long as most practices' names, and the demo's


def give_riverside_a_logo_and_its_full_name(world: World) -> None:
    Practice.objects.filter(pk=world.riverside.pk).update(name=PRACTICE_NAME)
    world.ada.practice.refresh_from_db()
    set_practice_logo(by=world.ada, data=wide_logo())


def wide_logo() -> bytes:
    """A logo shaped like most practices' logos: a wordmark three times as wide as it is tall."""
    buffer = io.BytesIO()
    Image.new("RGB", (360, 120), "#2f6f73").save(buffer, format="PNG")
    return buffer.getvalue()


def line_count(locator: Locator) -> int:
    """How many lines the element's text takes on screen."""
    count: int = locator.evaluate(
        """(element) => {
            const rects = [];
            const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                if (node.parentElement.closest(".visually-hidden")) continue;  // read aloud, never seen
                const range = document.createRange();
                range.selectNodeContents(node);
                for (const rect of range.getClientRects()) {
                    if (rect.width > 0 && rect.height > 0) rects.push(rect);
                }
            }
            // A badge sits a pixel or two off the text beside it: a new line starts below the last one.
            rects.sort((a, b) => a.top - b.top);
            let lines = 0;
            let bottom = -Infinity;
            for (const rect of rects) {
                if (rect.top + rect.height / 2 > bottom) {
                    lines += 1;
                    bottom = rect.bottom;
                }
            }
            return lines;
        }"""
    )
    return count


def shoot(page: Page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"))
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px"


def test_the_staff_header_with_a_logo_keeps_sign_out_on_one_line_at_1280_px(world: World, open_page: OpenPage) -> None:
    give_riverside_a_logo_and_its_full_name(world)
    page = open_page()
    page.set_viewport_size(DESKTOP)
    log_in(page, world.ada.user.email)
    header = page.locator("header.haven-header")
    expect(header.locator(".navbar-brand img")).to_be_visible()
    sign_out = header.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    shoot(page, "header-staff-logo-1280")
    assert line_count(sign_out) == 1
    assert line_count(header.locator(".navbar-brand span")) == 1
    for link in header.locator(".nav-link").all():
        assert line_count(link) == 1, f"{link.inner_text()} wraps"
    brand_box, sign_out_box = header.locator(".navbar-brand").bounding_box(), sign_out.bounding_box()
    assert brand_box is not None and sign_out_box is not None
    assert abs((brand_box["y"] + brand_box["height"] / 2) - (sign_out_box["y"] + sign_out_box["height"] / 2)) < 8, (
        "Sign out sits on a second row"
    )

    page.set_viewport_size(PHONE)  # the menu folds away; the name and the menu button share the row
    shoot(page, "header-staff-logo-phone")
    menu = header.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    assert line_count(header.locator(".navbar-brand span")) == 1
    brand_box, menu_box = header.locator(".navbar-brand").bounding_box(), menu.bounding_box()
    assert brand_box is not None and menu_box is not None
    assert menu_box["y"] < brand_box["y"] + brand_box["height"], "the menu button sits below the name"


def test_the_portal_header_on_a_phone_keeps_the_practice_name_and_sign_out_on_one_line_and_names_the_facility(
    world: World, open_page: OpenPage
) -> None:
    give_riverside_a_logo_and_its_full_name(world)
    post_message(
        by=world.ada, account=world.gia_account, client=world.max, kind=MessageKind.NOTICE, subject="Office closed"
    )
    page = open_page()
    page.set_viewport_size(PHONE)
    page.goto("/p/riverside/")
    page.get_by_label("Email").fill(world.gia_account.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    header = page.locator("header.portal-header")
    sign_out = header.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    brand = header.locator(".portal-brand")
    expect(brand).to_contain_text(PRACTICE_NAME)
    shoot(page, "header-portal-phone")
    expect(brand).to_contain_text("Riverside North")  # Max's facility, where it differs from the practice
    assert line_count(sign_out) == 1
    assert line_count(brand.locator(".portal-practice-name")) == 1
    assert line_count(brand.locator(".portal-facility-name")) == 1
    for link in header.locator(".nav-link").all():
        assert line_count(link) == 1, f"{link.inner_text()} wraps"

    # The message names the child it is about.
    page.get_by_role("link", name=re.compile(r"^Inbox")).click()
    page.get_by_role("link", name="Office closed").click()
    expect(page.get_by_text("About Max Moreno")).to_be_visible()
    shoot(page, "portal-message-phone")
