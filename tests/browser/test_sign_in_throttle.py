"""The per-account sign-in delay as people meet it: a calm message on the sign-in page, on a phone."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from playwright.sync_api import expect

from tests.browser.conftest import OpenPage
from tests.browser.helpers import PHONE, assert_accessible, save_screenshots
from tests.personas import PASSWORD, World

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("url", "email", "name"),
    [("/staff/login/", "theo@riverside.example", "staff"), ("/p/riverside/", "gia@example.com", "portal")],
)
def test_a_right_password_during_the_delay_is_refused_calmly_and_the_email_kept(
    url: str, email: str, name: str, world: World, open_page: OpenPage, settings: Any
) -> None:
    settings.HAVEN_LOGIN_ACCOUNT_FREE_TRIES = 2
    settings.HAVEN_LOGIN_ACCOUNT_FIRST_DELAY_SECONDS = 120
    for n in range(2):  # a guesser elsewhere, from two addresses
        HttpClient().post(url, {"username": email, "password": "not the password"}, REMOTE_ADDR=f"198.51.100.{n}")
    page = open_page(bypass_csp=True)
    page.set_viewport_size(PHONE)
    page.goto(url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("too many sign-in attempts for this account")).to_be_visible()
    expect(page.get_by_text("please wait 2 minutes")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(email)
    assert_accessible(page, f"the {name} sign-in page during the delay")
    save_screenshots(page, f"{name}-sign-in-delay")
