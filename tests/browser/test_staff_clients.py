"""Staff work with client charts in a real browser: adding a client and a guardian, live search."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, Request, expect

from haven.clients.models import Client, RelatedContact, Relationship
from tests.browser.conftest import OpenPage
from tests.browser.helpers import assert_accessible, log_in, save_screenshots
from tests.personas import World

pytestmark = pytest.mark.browser


def test_staff_creates_client_and_adds_guardian_contact(world: World, open_page: OpenPage) -> None:
    """An administrator adds a client (recovering from a missing last name), then a parent with portal
    access and legal guardianship; the contact list and the Chart Face show both people and the badges."""
    page = open_page(bypass_csp=True)
    log_in(page, world.ada.user.email)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    expect(page).to_have_url(re.compile(r"/staff/clients/$"))
    expect(page.get_by_role("heading", level=1, name="Clients")).to_be_visible()
    expect(page.get_by_role("link", name="Alvarez, Ana")).to_be_visible()
    assert_accessible(page, "the client list")

    page.get_by_role("link", name="Add client").click()
    expect(page.get_by_role("heading", level=1, name="Add client")).to_be_visible()
    page.get_by_label("First name").fill("Nora")
    page.get_by_label("Date of birth").fill("2014-05-17")
    page.get_by_label("Email").fill("nora.quinn@example.com")
    page.get_by_role("button", name="Add client").click()

    # The last name was left empty: the form comes back with the error and keeps what was typed.
    expect(page.get_by_text("Enter the client's last name.")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("Nora")
    expect(page.get_by_label("Email")).to_have_value("nora.quinn@example.com")
    expect(page.get_by_label("Last name")).to_have_attribute("aria-invalid", "true")
    assert not Client.objects.filter(first_name="Nora").exists()
    assert_accessible(page, "the add-client form with a validation error")

    page.get_by_label("Last name").fill("Quinn")
    page.get_by_role("button", name="Add client").click()

    expect(page.get_by_role("heading", level=1, name="Nora Quinn")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Nora Quinn was added.")
    client = Client.objects.get(practice=world.riverside, first_name="Nora", last_name="Quinn")
    expect(page).to_have_url(re.compile(rf"/staff/clients/{client.pk}/$"))
    assert client.email == "nora.quinn@example.com"
    assert client.date_of_birth.isoformat() == "2014-05-17"
    details = page.get_by_role("region", name="Details")
    expect(details).to_contain_text("nora.quinn@example.com")
    expect(page.get_by_role("region", name="Related contacts")).to_contain_text("No related contacts yet.")
    assert_accessible(page, "the new client's chart")

    tabs = page.locator(".chart-tabs")
    tabs.get_by_role("link", name="Contacts", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/staff/clients/{client.pk}/contacts/$"))
    expect(page.get_by_text("No related contacts yet. Add a parent, guardian or other contact.")).to_be_visible()

    page.get_by_role("link", name="Add contact").click()
    expect(page.get_by_role("heading", level=1, name="Add contact")).to_be_visible()
    expect(page.get_by_label("Existing client")).to_have_value("")  # a new person, not an existing client
    page.get_by_label("First name").fill("Lena")
    page.get_by_label("Last name").fill("Quinn")
    page.get_by_label("Email").fill("lena.quinn@example.com")
    page.get_by_label("Relationship").select_option(label="Parent")
    page.get_by_label("Web Portal", exact=True).check()
    page.get_by_label("Legal guardian (Client Contact Network)").check()
    page.get_by_role("button", name="Add contact").click()

    expect(page).to_have_url(re.compile(rf"/staff/clients/{client.pk}/contacts/$"))
    expect(page.get_by_role("status")).to_contain_text("Lena Quinn was added as a contact.")
    row = page.get_by_role("row").filter(has_text="Lena Quinn")
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(1)).to_have_text("Parent")
    expect(row.get_by_role("cell").nth(2)).to_have_text("lena.quinn@example.com")
    expect(row.locator(".badge", has_text="Web Portal")).to_be_visible()
    expect(row.locator(".badge", has_text="Legal guardian")).to_be_visible()
    contact = RelatedContact.objects.get(client=client)
    assert (contact.first_name, contact.last_name, contact.email) == ("Lena", "Quinn", "lena.quinn@example.com")
    assert contact.relationship == Relationship.PARENT
    assert contact.web_portal and contact.legal_guardian
    assert contact.linked_client is None
    assert_accessible(page, "the contacts page")

    tabs.get_by_role("link", name="Chart Face").click()
    expect(page).to_have_url(re.compile(rf"/staff/clients/{client.pk}/$"))
    expect(page.get_by_role("heading", level=1, name="Nora Quinn")).to_be_visible()
    related = page.get_by_role("region", name="Related contacts")
    entry = related.get_by_role("listitem").filter(has_text="Lena Quinn")
    expect(entry).to_contain_text("Parent")
    expect(entry.locator(".badge", has_text="Web Portal")).to_be_visible()
    expect(entry.locator(".badge", has_text="Legal guardian")).to_be_visible()
    save_screenshots(page, "staff-client-chart")


def test_client_list_search_updates_results_as_staff_types(world: World, open_page: OpenPage) -> None:
    """Typing in the client search box narrows the results through HTMX, under the real CSP, without
    reloading the page; the address bar names the search by a key, never by what was typed, and clearing the
    box brings everyone back."""
    page = open_page()  # Haven's own Content-Security-Policy stays on: HTMX must work under it
    csp_errors: list[str] = []

    def note_csp_error(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            csp_errors.append(message.text)

    page.on("console", note_csp_error)
    log_in(page, world.theo.user.email)
    expect(page).to_have_url(re.compile(r"/staff/clients/$"))

    results = page.locator("#client-results")
    names = results.get_by_role("row").filter(has=page.get_by_role("cell"))
    expect(names).to_have_count(4)  # Ana, Ben, Max and Mia; Hilltop's client is never listed
    page.evaluate("() => { window.__havenSamePage = true; }")
    loads: list[str] = []
    page.on("load", lambda _page: loads.append(page.url))

    def is_htmx_search(request: Request) -> bool:
        posted = request.method == "POST" and "q=bro" in (request.post_data or "")
        return request.headers.get("hx-request") == "true" and posted

    search = page.get_by_role("searchbox", name="Search clients")
    with page.expect_request(is_htmx_search):
        search.press_sequentially("bro", delay=60)

    expect(names).to_have_count(1)
    expect(names.first.get_by_role("link")).to_have_text("Brooks, Ben")
    expect(results).not_to_contain_text("Alvarez")
    expect(page).to_have_url(re.compile(r"/staff/clients/\?search=[\w-]+$"))
    assert "bro" not in page.url
    assert page.evaluate("() => window.__havenSamePage === true"), "the page was reloaded"
    assert loads == [], f"a full page load happened: {loads}"
    expect(search).to_be_focused()  # the person can keep typing

    search.fill("")
    expect(names).to_have_count(4)
    search.press_sequentially("zzz", delay=60)
    expect(results).to_contain_text("No clients match your search.")
    assert page.evaluate("() => window.__havenSamePage === true"), "the page was reloaded"
    assert loads == []
    assert csp_errors == [], f"CSP blocked something: {csp_errors}"
    # No page HTMX pushed to the history is kept in the browser: htmx read historyCacheSize 0 from the page.
    assert page.evaluate("() => htmx.config.historyCacheSize") == 0
    cache = "'htmx-history-cache'"
    kept = page.evaluate(f"() => [sessionStorage.getItem({cache}), localStorage.getItem({cache})]")
    assert kept == [None, None]


def test_access_history_reads_in_words_on_a_phone(world: World, open_page: OpenPage) -> None:
    """The administrator reads Max's Access history: what happened to which document, who by name and role."""
    from haven.audit.actions import record_event
    from haven.audit.events import DocumentDownloaded
    from haven.portal_access.actions import portal_actor

    record_event(
        DocumentDownloaded(version=1),
        actor=portal_actor(world.gia_account),
        acting_for=world.max.full_name,
        practice=world.riverside,
        client=world.max,
        target=world.progress_note,
    )
    page = open_page(bypass_csp=True)
    log_in(page, world.ada.user.email)
    page.goto(f"/staff/clients/{world.max.pk}/")
    page.goto(f"/staff/clients/{world.max.pk}/access-history/")
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("Viewed the chart")
    expect(rows.first).to_contain_text("Ada Admin · Administrator")
    expect(page.locator("tbody")).to_contain_text("Downloaded “Progress note”")
    expect(page.locator("tbody")).to_contain_text("Gia Moreno · Legal guardian")
    expect(page.locator("tbody")).to_contain_text("for Max Moreno")
    assert_accessible(page, "the access history")
    save_screenshots(page, "staff-access-history")


def test_a_pasted_direction_override_is_explained_and_the_name_can_be_sent_again(
    world: World, open_page: OpenPage
) -> None:
    """A name pasted with a hidden U+202E comes back without it, with a message; sending again adds the client."""
    page = open_page(bypass_csp=True)
    log_in(page, world.fran.user.email)
    page.goto("/staff/clients/new/")
    page.get_by_label("First name").fill("Nora\u202e")
    page.get_by_label("Last name").fill("Quinn")
    page.get_by_label("Date of birth").fill("2014-05-17")
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_text("hidden characters that change the direction of text")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("Nora")
    expect(page.get_by_label("First name")).to_have_attribute("aria-invalid", "true")
    assert not Client.objects.filter(last_name="Quinn").exists()
    assert_accessible(page, "the add-client form refusing a direction override")
    save_screenshots(page, "staff-client-bidi-refused", desktop=False)
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("heading", level=1, name="Nora Quinn")).to_be_visible()
    assert Client.objects.get(last_name="Quinn").first_name == "Nora"
