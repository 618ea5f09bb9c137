"""The group note's client picker in a real browser (DOC-7), under Haven's own CSP: Ada types part of a
name, adds Ana with the mouse and Ben with the keyboard alone, removes a client she added by mistake and
saves; the page never reloads until she does."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, FilePayload, expect

from haven.documents.models import GroupNote
from tests.browser.conftest import OpenPage
from tests.browser.helpers import DESKTOP, assert_accessible, log_in, save_screenshots
from tests.personas import ONE_BLANK_PAGE_PDF, World

pytestmark = pytest.mark.browser

TITLE = "Tuesday coping skills group"


def test_ada_picks_two_clients_by_typing_and_saves_the_group_note(world: World, open_page: OpenPage) -> None:
    page = open_page()
    csp_errors: list[str] = []

    def note_csp_error(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            csp_errors.append(message.text)

    page.on("console", note_csp_error)
    log_in(page, world.ada.user.email)
    page.goto("/staff/general-log/new/")
    page.get_by_label("Title").fill(TITLE)
    handout: FilePayload = {"name": "group.pdf", "mimeType": "application/pdf", "buffer": ONE_BLANK_PAGE_PDF}
    page.get_by_label("File").set_input_files(files=handout)
    page.evaluate("() => { window.__havenSamePage = true; }")
    addresses: list[str] = []
    searches: list[str] = []
    page.on("request", lambda request: addresses.append(request.url))
    page.on("request", lambda request: searches.append(request.method) if "/new/clients/" in request.url else None)
    picker = page.get_by_role("group", name="Clients")
    chosen = picker.get_by_role("list", name="Chosen clients").get_by_role("listitem")
    found = picker.get_by_role("list", name="Clients found").get_by_role("button")
    search = picker.get_by_role("searchbox", name="Find clients")
    expect(picker).to_contain_text("No clients chosen yet.")

    # With the mouse: type part of the name, click the one result.
    search.press_sequentially("alv", delay=60)
    expect(found).to_have_count(1)
    found.first.click()
    expect(chosen).to_have_count(1)
    expect(chosen.first).to_contain_text("Ana Alvarez")
    expect(picker.get_by_role("status")).to_contain_text("Ana Alvarez")

    # A mistake, undone: Mia added, then removed with her chip's button.
    search.fill("")
    search.press_sequentially("mia", delay=60)
    expect(found).to_have_count(1)
    found.first.click()
    expect(chosen).to_have_count(2)
    picker.get_by_role("button", name=re.compile(r"^Remove Mia Moreno")).click()
    expect(chosen).to_have_count(1)
    expect(search).to_be_focused()

    # With the keyboard alone: type, Enter searches, Tab reaches the result, Enter adds it.
    search.fill("")
    search.press_sequentially("brooks", delay=40)
    search.press("Enter")
    expect(found).to_have_count(1)
    expect(found.first).to_have_accessible_name(re.compile(r"^Ben Brooks · .* Add$"))
    page.keyboard.press("Tab")  # past the Search button
    page.keyboard.press("Tab")
    expect(found.first).to_be_focused()
    page.keyboard.press("Enter")
    expect(chosen).to_have_count(2)
    expect(chosen.nth(1)).to_contain_text("Ben Brooks")
    assert page.evaluate("() => window.__havenSamePage === true"), "the page was reloaded"

    search.fill("mor")
    expect(found).to_have_count(2)  # Max and Mia still offered; Ana and Ben are chosen
    save_screenshots(page, "general-log-client-picker")
    assert csp_errors == [], f"CSP blocked something: {csp_errors}"
    # What was typed went by POST: it is in no address the browser asked for (nor in any access log).
    assert searches and set(searches) == {"POST"}
    typed = ("alv", "mia", "brooks", "mor")
    assert [url for url in addresses if any(text in url.lower() for text in typed)] == []

    page.get_by_role("button", name="Save group note").click()
    expect(page.get_by_role("status")).to_contain_text("was added to the Activity Logs of 2 clients")
    note = GroupNote.objects.get()
    assert set(note.copies.values_list("client_id", flat=True)) == {world.ana.pk, world.ben.pk}


def test_the_picker_passes_axe_with_results_and_chips(world: World, open_page: OpenPage) -> None:
    page = open_page(bypass_csp=True)
    log_in(page, world.ada.user.email)
    page.goto("/staff/general-log/new/")
    search = page.get_by_role("searchbox", name="Find clients")
    search.press_sequentially("mor", delay=40)
    found = page.get_by_role("list", name="Clients found").get_by_role("button")
    expect(found).to_have_count(2)
    found.first.click()
    expect(page.get_by_role("list", name="Chosen clients").get_by_role("listitem")).to_have_count(1)
    assert_accessible(page, "the group note's client picker")


def test_without_javascript_the_picker_searches_and_adds_by_posting_back(
    world: World, new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    context = new_context(base_url=live_server.url, viewport=DESKTOP, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, world.ada.user.email)
    page.goto("/staff/general-log/new/")
    page.get_by_label("Title").fill(TITLE)
    chosen = page.get_by_role("list", name="Chosen clients").get_by_role("listitem")
    for query, name in (("alv", "Ana Alvarez"), ("brooks", "Ben Brooks")):
        page.get_by_role("searchbox", name="Find clients").fill(query)
        page.get_by_role("button", name="Search", exact=True).click()
        page.get_by_role("button", name=re.compile(rf"^{name} · .* Add$")).click()
        expect(chosen.filter(has_text=name)).to_have_count(1)
    expect(chosen).to_have_count(2)
    expect(page.get_by_label("Title")).to_have_value(TITLE)
    handout: FilePayload = {"name": "group.pdf", "mimeType": "application/pdf", "buffer": ONE_BLANK_PAGE_PDF}
    page.get_by_label("File").set_input_files(files=handout)
    page.get_by_role("button", name="Save group note").click()
    expect(page.get_by_role("status")).to_contain_text("was added to the Activity Logs of 2 clients")
    assert set(GroupNote.objects.get().copies.values_list("client_id", flat=True)) == {world.ana.pk, world.ben.pk}
