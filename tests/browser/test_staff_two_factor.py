"""Staff second factor in a real browser: enrolling an authenticator app (and receiving recovery codes),
then signing in with a code from the app or, once, with a recovery code."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from haven.accounts import two_factor
from tests.browser.conftest import OpenPage
from tests.browser.helpers import (
    PHONE,
    assert_accessible,
    current_code,
    key_from_displayed_secret,
    log_in,
    next_unused_code,
    save_screenshots,
    wait_until_device_accepts_codes,
    wrong_code,
)
from tests.personas import PASSWORD, World

pytestmark = pytest.mark.browser


def test_staff_enrols_totp_and_signs_in_with_code(world: World, open_page: OpenPage) -> None:
    """When the practice requires two-factor sign-in, a therapist without a device is sent to set one up
    (QR code and typed key), a wrong code is refused, the right one lets them in after showing ten recovery
    codes once; after signing out, the next sign-in asks for a code on the verify page and a fresh code opens
    the client list."""
    world.riverside.require_staff_two_factor = True
    world.riverside.save()
    user = world.theo.user
    page = open_page(bypass_csp=True)

    log_in(page, user.email)
    expect(page).to_have_url(re.compile(r"/staff/two-factor/setup/"))
    expect(page.get_by_role("heading", level=1, name="Set up two-factor sign-in")).to_be_visible()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR code image did not render"
    # No health information before the second factor: the client list is out of reach.
    page.goto("/staff/clients/")
    expect(page).to_have_url(re.compile(r"/staff/two-factor/setup/\?next=%2Fstaff%2Fclients%2F"))

    page.set_viewport_size(PHONE)
    expect(qr).to_be_visible()
    save_screenshots(page, "staff-two-factor-setup", desktop=False)
    assert_accessible(page, "the two-factor setup page")

    key = key_from_displayed_secret(page.get_by_test_id("totp-secret").inner_text())
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert key == device.bin_key, "the key shown is not the key of the device being enrolled"

    code_box = page.get_by_label("Six-digit code")
    code_box.fill(wrong_code(device, key))
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.get_by_text("That code didn't match.")).to_be_visible()
    expect(code_box).to_have_attribute("aria-invalid", "true")
    device.refresh_from_db()
    assert not device.confirmed

    wait_until_device_accepts_codes(device)
    code_box.fill(current_code(device, key))
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page).to_have_url(re.compile(r"/staff/two-factor/recovery-codes/\?next=%2Fstaff%2Fclients%2F$"))
    expect(page.get_by_role("status")).to_contain_text("Two-factor sign-in is set up.")
    expect(page.get_by_role("heading", level=1, name="Your recovery codes")).to_be_visible()
    expect(page.get_by_text("Store them somewhere safe now: they are shown only this once.")).to_be_visible()
    shown = page.get_by_test_id("recovery-codes").get_by_role("listitem")
    expect(shown).to_have_count(10)
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert {code.replace("-", "") for code in shown.all_inner_texts()} == stored
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    save_screenshots(page, "staff-recovery-codes")
    assert_accessible(page, "the recovery codes page")
    page.get_by_role("link", name="I have stored my codes — continue").click()
    expect(page).to_have_url(re.compile(r"/staff/clients/$"))
    expect(page.get_by_role("heading", level=1, name="Clients")).to_be_visible()
    # Shown once: coming back shows no codes.
    page.goto("/staff/two-factor/recovery-codes/")
    expect(page.get_by_text("these have been shown already")).to_be_visible()
    expect(page.get_by_test_id("recovery-codes")).to_have_count(0)
    page.goto("/staff/clients/")
    device.refresh_from_db()
    assert device.confirmed

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/staff/login/$"))
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")

    log_in(page, user.email)
    expect(page).to_have_url(re.compile(r"/staff/two-factor/verify/"))
    expect(page.get_by_role("heading", level=1, name="Enter your code")).to_be_visible()
    # The enrolment code's time step is spent (django-otp refuses replays); use the next one.
    page.get_by_label("Six-digit code").fill(next_unused_code(device, key))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/staff/clients/$"))
    expect(page.get_by_role("heading", level=1, name="Clients")).to_be_visible()
    expect(page.get_by_role("link", name="Alvarez, Ana")).to_be_visible()


def test_staff_signs_in_once_with_a_recovery_code(world: World, open_page: OpenPage) -> None:
    """On the code page a therapist without their phone follows "Use a recovery code", signs in with one of
    their codes and is told how many are left; the same code is refused at the next sign-in."""
    world.riverside.require_staff_two_factor = True
    world.riverside.save()
    user = world.theo.user
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    codes = two_factor.regenerate_recovery_codes(user=user, password=PASSWORD)
    page = open_page(bypass_csp=True)

    log_in(page, user.email)
    expect(page).to_have_url(re.compile(r"/staff/two-factor/verify/"))
    page.get_by_role("link", name="Use a recovery code").click()
    expect(page.get_by_role("heading", level=1, name="Use a recovery code")).to_be_visible()
    assert_accessible(page, "the recovery code page")
    page.get_by_label("Recovery code").fill(codes[0].upper())
    page.get_by_role("button", name="Sign in with this code").click()
    expect(page).to_have_url(re.compile(r"/staff/clients/$"))
    expect(page.get_by_role("status")).to_contain_text("9 recovery codes are left.")

    page.get_by_role("button", name="Sign out").click()
    log_in(page, user.email)
    page.get_by_role("link", name="Use a recovery code").click()
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Sign in with this code").click()
    expect(page.get_by_text("That recovery code didn't match, or it was used already.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/staff/two-factor/recovery/"))
