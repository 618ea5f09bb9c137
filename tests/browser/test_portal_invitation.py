"""The portal invitation in a real browser: staff invite a guardian from the chart, the guardian sets a
password from the email, confirms a second child with the PIN from the instruction sheet and switches
between the children; portal and staff sign-ins never open each other's pages."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import BrowserContext, Dialog, Locator, Page, Route, expect
from pypdf import PdfReader

from haven.clients.models import Client, RelatedContact
from haven.portal_access.models import AccessStatus, PortalAccount, PortalLink, ProfileAccess
from tests.browser.conftest import OpenPage
from tests.browser.helpers import PHONE, assert_accessible, log_in, save_screenshots
from tests.personas import PASSWORD, World

pytestmark = pytest.mark.browser

RAFA_EMAIL = "rafa@example.com"
RAFA_PASSWORD = "blue kettle on a quiet morning"
INVITE_TOOLTIP = "Has an email but no portal account. Create the account and send the invitation."
LINK_TOOLTIP = "Has a portal account that is not linked to this record yet. Link it, then print."
GRAY_GLOBE = "rgb(138, 147, 150)"  # .portal-status .globe
BLUE_GLOBE = "rgb(31, 111, 181)"  # .portal-status--account .globe
HIGHLIGHTED_PERSON = "rgb(43, 50, 53)"  # the person drawn dark, not grayed out
FIRST_PASSWORD = re.compile(r"^Password(?! again)")  # the label reads "Password *", the star hidden from readers


def open_contacts_tab(page: Page, client: Client) -> None:
    """From anywhere in the staff pages: Clients, the client's chart, then its Contacts tab."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    page.get_by_role("link", name=f"{client.last_name}, {client.first_name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(client.first_name)
    page.locator(".chart-tabs").get_by_role("link", name="Contacts", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/staff/clients/{client.pk}/contacts/$"))


def add_rafa_as_guardian(page: Page, client: Client) -> None:
    """On the client's Contacts tab: add Rafa Moreno as a parent with Web Portal and legal guardianship."""
    page.get_by_role("link", name="Add contact").click()
    expect(page.get_by_role("heading", level=1, name="Add contact")).to_be_visible()
    page.get_by_label("First name").fill("Rafa")
    page.get_by_label("Last name").fill("Moreno")
    page.get_by_label("Email").fill(RAFA_EMAIL)
    page.get_by_label("Relationship").select_option(label="Parent")
    page.get_by_label("Web Portal", exact=True).check()
    page.get_by_label("Legal guardian (Client Contact Network)").check()
    page.get_by_role("button", name="Add contact").click()
    expect(page).to_have_url(re.compile(rf"/staff/clients/{client.pk}/contacts/$"))
    expect(page.get_by_role("status")).to_contain_text("Rafa Moreno was added as a contact.")


def portal_icon(page: Page, name: str) -> Locator:
    """The portal status icon in a contact's row of the Contacts tab."""
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_have_count(1)
    return row.locator(".portal-status")


def icon_colours(icon: Locator) -> dict[str, str]:
    """How the globe and the person of a status icon are drawn, as the browser computed them."""
    colours: dict[str, str] = icon.evaluate(
        """(icon) => ({
            globe: getComputedStyle(icon.querySelector('.globe')).stroke,
            person: getComputedStyle(icon.querySelector('.person')).fill,
        })"""
    )
    return colours


def pin_from_pdf(pdf: bytes) -> tuple[str, str]:
    """The one-time portal PIN printed on an instruction sheet, and the sheet's whole text."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    found = re.search(r"Your portal PIN\s*(\d{8})\b", text, re.IGNORECASE)  # the label is set in capitals
    assert found, f"no 8-digit PIN on the instruction sheet:\n{text}"
    return found.group(1), text


def test_staff_invites_guardian_who_then_switches_between_children(
    world: World, open_page: OpenPage, new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    """Ada adds Rafa as a guardian of Max and Mia. On Max's Contacts tab the icon offers "Invite to portal":
    one click (after a confirm) creates Rafa's portal account and emails an invitation that names the
    practice with Max's facility and carries no health information. On Mia's tab the icon then offers
    "Link portal account"; linking it and printing the instruction sheet gives a PIN. Rafa, on a phone, sets a
    password from the invitation (recovering from mistyping it), sees Max's profile, confirms Mia with the PIN
    (after a wrong one) and switches between the two children with the profile switcher."""
    staff = open_page(bypass_csp=True)
    dialogs: list[str] = []

    def accept(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    staff.on("dialog", accept)
    log_in(staff, world.ada.user.email)

    # Rafa becomes a guardian of both children, through the Contacts tab.
    open_contacts_tab(staff, world.mia)
    add_rafa_as_guardian(staff, world.mia)
    open_contacts_tab(staff, world.max)
    add_rafa_as_guardian(staff, world.max)
    rafa_for_max = RelatedContact.objects.get(client=world.max, email=RAFA_EMAIL)
    rafa_for_mia = RelatedContact.objects.get(client=world.mia, email=RAFA_EMAIL)
    assert rafa_for_max.web_portal and rafa_for_max.legal_guardian
    assert rafa_for_mia.web_portal and rafa_for_mia.legal_guardian

    # 1. Gray globe, highlighted person: an email but no portal account yet.
    icon = portal_icon(staff, "Rafa Moreno")
    expect(icon).to_have_text(re.compile(r"^\s*Invite to portal\b"))
    expect(icon.locator(".portal-status__text")).to_have_text("Invite to portal")
    expect(icon).to_have_attribute("title", INVITE_TOOLTIP)
    expect(staff.get_by_role("button", name=re.compile(r"Invite to portal"))).to_have_count(1)
    assert icon_colours(icon) == {"globe": GRAY_GLOBE, "person": HIGHLIGHTED_PERSON}
    # Gia already has a confirmed link to Max: her icon opens the access page instead.
    expect(portal_icon(staff, "Gia Moreno")).to_contain_text("Portal access")
    assert_accessible(staff, "the contacts page with portal status icons")
    save_screenshots(staff, "staff-contacts-portal-icons")

    assert mail.outbox == []
    icon.click()
    expect(staff.get_by_role("heading", level=1, name="Rafa Moreno")).to_be_visible()
    assert len(dialogs) == 1
    assert "send the invitation" in dialogs[0]
    assert "health information" in dialogs[0]
    account = PortalAccount.objects.get(email=RAFA_EMAIL)
    max_access = ProfileAccess.objects.get(account=account, client=world.max)
    expect(staff).to_have_url(re.compile(rf"/staff/clients/{world.max.pk}/portal/{max_access.pk}/$"))
    expect(staff.get_by_role("status")).to_contain_text(f"invitation sent to {RAFA_EMAIL}")
    assert (max_access.contact, max_access.status) == (rafa_for_max, AccessStatus.PENDING)
    assert not account.has_password

    # 2. The invitation email: the practice's and the facility's names and a one-time link, no health information.
    [invitation] = [message for message in mail.outbox if message.to == [RAFA_EMAIL]]
    subject, body = str(invitation.subject), str(invitation.body)
    html = str(invitation.alternatives[0].content)  # type: ignore[attr-defined]
    assert subject == "Riverside Counseling — Riverside North invites you to its client portal"
    assert "Riverside Counseling — Riverside North has invited you" in body
    found = re.search(r"https?://[^/\s]+(/p/riverside/invitation/[^/\s]+/)", body)
    assert found, body
    invitation_path = found.group(1)
    assert invitation_path in html
    for text in (subject, body, html):
        without_link = text.replace(invitation_path, "")
        for health_detail in ("Max", "Mia", "guardian", "Guardian", world.max.date_of_birth.isoformat()):
            assert health_detail not in without_link, f"the invitation email mentions {health_detail!r}"
        assert RAFA_PASSWORD not in without_link

    # 3. On Mia's tab the account exists but is not linked to her record: blue globe, "Link portal account".
    open_contacts_tab(staff, world.mia)
    icon = portal_icon(staff, "Rafa Moreno")
    expect(icon.locator(".portal-status__text")).to_have_text("Link portal account")
    expect(icon).to_have_attribute("title", LINK_TOOLTIP)
    assert icon_colours(icon) == {"globe": BLUE_GLOBE, "person": HIGHLIGHTED_PERSON}
    icon.click()
    expect(staff.get_by_role("heading", level=1, name="Rafa Moreno")).to_be_visible()
    assert len(dialogs) == 2
    assert "Link this portal account" in dialogs[1]
    mia_access = ProfileAccess.objects.get(account=account, client=world.mia)
    expect(staff).to_have_url(re.compile(rf"/staff/clients/{world.mia.pk}/portal/{mia_access.pk}/$"))
    expect(staff.get_by_role("status")).to_contain_text("Portal account linked.")
    assert len(mail.outbox) == 1, "linking an existing account sends no second email"

    # The instruction sheet opens in a new tab, where Chromium shows it in its PDF viewer. What Playwright
    # reports as that tab's response body is the viewer's own page, so the PDF is kept on its way in.
    sheets: list[bytes] = []

    def keep_pdf(route: Route) -> None:
        response = route.fetch()
        sheets.append(response.body())
        route.fulfill(response=response)

    staff.context.route("**/instructions.pdf", keep_pdf)
    with staff.context.expect_page() as new_tab:
        staff.get_by_role("button", name="Print instructions (PDF)").click()
    sheet_tab = new_tab.value
    sheet_tab.wait_for_load_state()
    staff.context.unroute("**/instructions.pdf")
    expect(sheet_tab).to_have_url(
        re.compile(rf"/staff/clients/{world.mia.pk}/portal/{mia_access.pk}/instructions\.pdf$")
    )
    assert len(sheets) == 1
    assert sheets[0].startswith(b"%PDF-")
    pin, sheet = pin_from_pdf(sheets[0])
    assert RAFA_EMAIL in sheet
    assert "Mia Moreno" in sheet
    mia_access.refresh_from_db()
    assert mia_access.pin_hash and mia_access.status == AccessStatus.PENDING
    sheet_tab.close()

    # 4. Rafa, on his phone, in a browser of his own.
    rafa_context = new_context(base_url=live_server.url, viewport=PHONE, bypass_csp=True)
    rafa_context.set_default_timeout(10_000)
    rafa = rafa_context.new_page()
    rafa.goto("/p/riverside/")
    expect(rafa.get_by_role("heading", level=1, name="Sign in to your portal")).to_be_visible()
    assert_accessible(rafa, "the portal sign-in page")

    rafa.goto(invitation_path)
    expect(rafa.get_by_role("heading", level=1, name="Create your password")).to_be_visible()
    expect(rafa.get_by_text(f"You'll sign in with {RAFA_EMAIL}")).to_be_visible()
    assert_accessible(rafa, "the set-password page")
    rafa.get_by_label(FIRST_PASSWORD).fill(RAFA_PASSWORD)
    rafa.get_by_label("Password again").fill("blue kettle on a quiet evening")
    rafa.get_by_role("button", name="Save password and continue").click()

    # Mistyped: the error is shown by the field, and the invitation still works for the next try.
    expect(rafa.get_by_text("The two passwords are different. Type the same password twice.")).to_be_visible()
    expect(rafa.get_by_label("Password again")).to_have_attribute("aria-invalid", "true")
    expect(rafa).to_have_url(re.compile(re.escape(invitation_path) + "$"))
    expect(rafa.get_by_text(f"You'll sign in with {RAFA_EMAIL}")).to_be_visible()
    account.refresh_from_db()
    assert not account.has_password
    assert PortalLink.objects.get(account=account, used_at__isnull=True, voided_at__isnull=True)
    assert_accessible(rafa, "the set-password page with an error")
    save_screenshots(rafa, "portal-set-password-error", desktop=False)
    rafa.set_viewport_size(PHONE)  # save_screenshots leaves the page at desktop size; Rafa is on his phone

    rafa.get_by_label(FIRST_PASSWORD).fill(RAFA_PASSWORD)
    rafa.get_by_label("Password again").fill(RAFA_PASSWORD)
    rafa.get_by_role("button", name="Save password and continue").click()

    expect(rafa).to_have_url(re.compile(r"/p/riverside/home/$"))
    expect(rafa.get_by_role("status")).to_contain_text("Your password is set.")
    expect(rafa.get_by_text("You are viewing the profile of")).to_be_visible()
    expect(rafa.get_by_role("heading", level=1)).to_have_text("Max Moreno")
    expect(rafa.get_by_text("You have access as: Legal guardian.")).to_be_visible()
    switcher = rafa.get_by_label("Showing")
    expect(switcher).to_have_count(0)  # only Max is confirmed so far
    expect(rafa.get_by_role("heading", name="Enter your portal PIN")).to_be_visible()
    max_access.refresh_from_db()
    assert max_access.status == AccessStatus.ACTIVE  # the invitation confirmed the link it was sent for

    save_screenshots(rafa, "portal-home-pin", desktop=False)
    rafa.set_viewport_size(PHONE)

    wrong_pin = f"{(int(pin) + 1) % 10**8:08d}"
    rafa.get_by_role("textbox", name="Portal PIN").fill(wrong_pin)
    rafa.get_by_role("button", name="Confirm").click()
    expect(rafa.get_by_text("That PIN didn't match, or it has expired.")).to_be_visible()
    expect(rafa.get_by_role("textbox", name="Portal PIN")).to_have_attribute("aria-invalid", "true")
    expect(rafa.get_by_role("heading", level=1)).to_have_text("Max Moreno")
    mia_access.refresh_from_db()
    assert mia_access.status == AccessStatus.PENDING and mia_access.pin_attempts == 1

    rafa.get_by_role("textbox", name="Portal PIN").fill(pin)
    rafa.get_by_role("button", name="Confirm").click()
    expect(rafa.get_by_role("status")).to_contain_text("Thank you. You can now see Mia's profile.")
    expect(rafa.get_by_role("heading", level=1)).to_have_text("Mia Moreno")
    expect(rafa.get_by_role("heading", name="Enter your portal PIN")).to_have_count(0)
    mia_access.refresh_from_db()
    assert mia_access.status == AccessStatus.ACTIVE

    # The switcher lists both children; choosing one shows that child's profile.
    expect(switcher).to_be_visible()
    expect(switcher.locator("option")).to_have_text(["Max Moreno", "Mia Moreno"])
    expect(switcher).to_have_value(str(mia_access.pk))
    switcher.select_option(label="Max Moreno")  # the change submits the form
    expect(rafa.get_by_role("status")).to_contain_text("Now showing Max.")
    expect(rafa.get_by_role("heading", level=1)).to_have_text("Max Moreno")
    expect(switcher).to_have_value(str(max_access.pk))

    switcher.select_option(label="Mia Moreno")
    expect(rafa.get_by_role("status")).to_contain_text("Now showing Mia.")
    expect(rafa.get_by_role("heading", level=1)).to_have_text("Mia Moreno")
    expect(switcher).to_have_value(str(mia_access.pk))
    assert_accessible(rafa, "the portal home with the profile switcher")
    save_screenshots(rafa, "portal-home-switcher")
    rafa.set_viewport_size(PHONE)

    # The "Switch" button does it too, for people whose browser runs no script: choose, then press it.
    switcher.evaluate("(select, value) => { select.value = value; }", str(max_access.pk))  # no change event
    rafa.get_by_role("button", name="Switch").click()
    expect(rafa.get_by_role("status")).to_contain_text("Now showing Max.")
    expect(rafa.get_by_role("heading", level=1)).to_have_text("Max Moreno")
    expect(switcher).to_have_value(str(max_access.pk))
    expect(rafa.get_by_text("You have access as: Legal guardian.")).to_be_visible()


def test_portal_and_staff_logins_stay_in_their_own_worlds(world: World, open_page: OpenPage) -> None:
    """A portal sign-in does not open staff pages, and a staff sign-in does not open portal pages:
    each is sent to its own sign-in page."""
    gia = open_page()
    gia.goto("/p/riverside/")
    gia.get_by_label("Email").fill(world.gia_account.email)
    gia.get_by_label("Password").fill(PASSWORD)
    gia.get_by_role("button", name="Sign in").click()
    expect(gia).to_have_url(re.compile(r"/p/riverside/home/$"))
    expect(gia.get_by_text("You are viewing the profile of")).to_be_visible()

    gia.goto("/staff/clients/")
    expect(gia).to_have_url(re.compile(r"/staff/login/\?next=/staff/clients/$"))
    expect(gia.get_by_role("heading", level=1, name="Staff sign in")).to_be_visible()
    gia.goto("/p/riverside/home/")  # the portal sign-in itself is untouched
    expect(gia.get_by_text("You are viewing the profile of")).to_be_visible()

    ada = open_page()
    log_in(ada, world.ada.user.email)
    expect(ada).to_have_url(re.compile(r"/staff/"))
    ada.goto("/p/riverside/home/")
    expect(ada).to_have_url(re.compile(r"/p/riverside/\?next=%2Fp%2Friverside%2Fhome%2F$"))
    expect(ada.get_by_role("heading", level=1, name="Sign in to your portal")).to_be_visible()
    ada.goto("/staff/clients/")  # and the staff sign-in is untouched
    expect(ada.get_by_role("heading", level=1, name="Clients")).to_be_visible()
