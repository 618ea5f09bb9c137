"""Organization Administration in a real browser: granting a staff member a permission."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from haven.practices.models import Permission, StaffMember
from tests.browser.conftest import OpenPage
from tests.browser.helpers import assert_accessible, log_in, save_screenshots
from tests.personas import World

pytestmark = pytest.mark.browser


def test_admin_grants_web_portal_permission(world: World, open_page: OpenPage) -> None:
    """An administrator finds a therapist under Staff and permissions and presses "Not granted" beside
    Web Portal; the page confirms, the button now reads "Granted" (pressed), and the grant is stored."""
    assert not world.theo.has_permission(Permission.WEB_PORTAL)
    page = open_page(bypass_csp=True)
    log_in(page, world.ada.user.email)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organization Administration").click()
    expect(page.get_by_role("heading", level=1, name="Organization Administration")).to_be_visible()
    page.get_by_role("link", name="Staff and permissions").click()
    expect(page).to_have_url(re.compile(r"/staff/admin/staff/$"))
    page.get_by_role("link", name="Theo Therapist").click()
    expect(page).to_have_url(re.compile(rf"/staff/admin/staff/{world.theo.pk}/$"))
    expect(page.get_by_role("heading", name="Theo Therapist")).to_be_visible()

    permissions = page.get_by_role("region", name="Permissions")
    web_portal = permissions.get_by_role("listitem").filter(has=page.get_by_text("Web Portal", exact=True))
    expect(web_portal).to_have_count(1)
    button = web_portal.get_by_role("button")
    expect(button).to_contain_text("Not granted")
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()

    expect(page.get_by_role("status")).to_contain_text("Web Portal granted.")
    expect(button).to_contain_text("Granted")
    expect(button).not_to_contain_text("Not granted")
    expect(button).to_have_attribute("aria-pressed", "true")
    assert StaffMember.objects.get(pk=world.theo.pk).has_permission(Permission.WEB_PORTAL)
    assert_accessible(page, "a staff member's permissions page")
    save_screenshots(page, "staff-admin-permissions", phone=False)
