"""Secure messages in real browsers (MSG-1, MSG-2): Gia, on her phone, reads a message from Max's clinician, writes
to the practice team with a file attached (a wrong file first, refused with her words kept); Ada, at her desk, sees
the Messages badge, opens the Team box, reads Gia's message and its attachment, files it into Max's documents and
replies; Gia finds the reply, the badges change on both sides, and the emails said nothing but that a message was
waiting. Every page passes axe-core and is kept as a screenshot."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import BrowserContext, Locator, Page, expect

from haven.documents.models import Document
from haven.messaging import actions
from haven.messaging.models import Attachment, Thread
from tests.browser.conftest import OpenPage
from tests.browser.helpers import assert_accessible, log_in, phone_context, save_screenshots
from tests.browser.test_portal_notices import portal_sign_in
from tests.personas import ONE_BLANK_PAGE_PDF, World

pytestmark = pytest.mark.browser

SUBJECT = "Report card"
WORDS = "Here is the report card you asked for."
REPLY = "Thank you, Gia. We have it and filed it in Max's chart."


def messages_link(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("^Messages"))


def test_a_guardian_and_the_practice_exchange_messages_with_an_attachment_from_a_phone_and_a_desk(
    world: World,
    open_page: OpenPage,
    new_context: Callable[..., BrowserContext],
    live_server: Any,
    tmp_path: Path,
) -> None:
    world.max.clinician = world.theo
    world.max.save(update_fields=["clinician"])
    actions.write_to_client(
        by=world.theo,
        access=world.gia_access_max,
        subject="Before Thursday's session",
        body="Could you send Max's school report? The form is at https://example.org/reports",
    )

    # 1. Gia, on her phone: one unread message; reading it clears the badge, its link opens in a new tab.
    gia = phone_context(new_context, live_server.url).new_page()
    portal_sign_in(gia, world.gia_account.email)
    gia.goto("/p/riverside/inbox/")
    expect(gia.locator("#nav-inbox")).to_contain_text("1 unread")
    expect(gia.get_by_role("listitem").filter(has_text="Before Thursday's session")).to_contain_text("Unread:")
    assert_accessible(gia, "the portal inbox")
    save_screenshots(gia, "messages-portal-inbox", desktop=False)
    gia.get_by_role("link", name=re.compile("Before Thursday")).click()
    expect(gia.get_by_role("link", name="https://example.org/reports")).to_have_attribute("target", "_blank")
    expect(gia.locator("#nav-inbox")).not_to_contain_text("unread")

    # 2. She writes to the team: a text file named .pdf is refused, what she typed is kept; a real PDF goes.
    gia.goto("/p/riverside/inbox/")
    gia.get_by_role("link", name="New message").click()
    expect(gia.locator("#crisis-notice")).to_contain_text("988")
    gia.get_by_label("The practice team").check()
    gia.get_by_label("Subject").fill(SUBJECT)
    gia.get_by_label("Message").fill(WORDS)
    not_a_pdf = tmp_path / "report.pdf"
    not_a_pdf.write_bytes(b"only text, not a PDF\n")
    gia.get_by_label("Attach files (optional)").set_input_files(str(not_a_pdf))
    gia.get_by_role("button", name="Send message").click()
    expect(gia.get_by_role("alert")).to_contain_text("“report.pdf” was not attached")
    expect(gia.get_by_label("Subject")).to_have_value(SUBJECT)
    expect(gia.get_by_label("Message")).to_have_value(WORDS)
    expect(gia.get_by_label("The practice team")).to_be_checked()
    assert_accessible(gia, "compose with a refused file")
    save_screenshots(gia, "messages-portal-compose-refused", desktop=False)
    real = tmp_path / "report-card.pdf"
    real.write_bytes(ONE_BLANK_PAGE_PDF)
    gia.get_by_label("Attach files (optional)").set_input_files(str(real))
    gia.get_by_role("button", name="Send message").click()
    expect(gia.get_by_role("status").filter(has_text="Message sent.")).to_be_visible()
    thread = Thread.objects.get(to_team=True)

    # 3. Ada, on the team (an administrator, while no one is chosen): the badge says one unread in Team.
    ada = open_page(bypass_csp=True)
    log_in(ada, world.ada.user.email)
    expect(ada.get_by_role("navigation", name="Main")).to_contain_text("Messages")
    expect(messages_link(ada)).to_contain_text("1 unread")
    messages_link(ada).click()
    ada.locator("[data-box=team]").click()
    row = ada.locator(f"[data-thread='{thread.pk}']")
    expect(row).to_contain_text(SUBJECT)
    expect(row).to_contain_text("Max")
    assert_accessible(ada, "the staff inbox")
    save_screenshots(ada, "messages-staff-inbox")
    row.get_by_role("link").click()
    expect(ada.get_by_text(WORDS)).to_be_visible()
    expect(messages_link(ada)).not_to_contain_text("unread")
    with ada.expect_download() as download:
        ada.get_by_role("link", name="report-card.pdf").click()
    assert Path(download.value.path()).read_bytes() == ONE_BLANK_PAGE_PDF

    # 4. She files the attachment into Max's documents and replies.
    ada.get_by_text("File to chart").click()
    ada.get_by_role("button", name="File in Documents").click()
    expect(ada.get_by_text("Choose the type of document.")).to_be_visible()
    ada.get_by_label("Type").select_option(label="Academics Report")
    ada.get_by_role("button", name="File in Documents").click()
    attachment = Attachment.objects.get(message__thread=thread)
    expect(ada.get_by_role("link", name="Filed in Documents")).to_be_visible()
    attachment.refresh_from_db()
    filed = attachment.filed_document
    assert filed is not None and filed.client_id == world.max.pk
    assert Document.objects.filter(client=world.max, title=filed.title).count() == 1
    ada.get_by_label("Your reply").fill(REPLY)
    ada.get_by_role("button", name="Send reply").click()
    expect(ada.get_by_text(REPLY)).to_be_visible()
    assert_accessible(ada, "a staff thread")
    save_screenshots(ada, "messages-staff-thread")

    # 5. Gia's badge shows the reply; reading it clears the badge, and Ada then sees it was read.
    gia.goto("/p/riverside/home/")
    expect(gia.locator("#nav-inbox")).to_contain_text("1 unread")
    gia.goto("/p/riverside/inbox/")
    gia.get_by_role("link", name=re.compile(SUBJECT)).click()
    expect(gia.get_by_text(REPLY)).to_be_visible()
    expect(gia.get_by_role("link", name="report-card.pdf")).to_be_visible()
    expect(gia.locator("#nav-inbox")).not_to_contain_text("unread")
    assert_accessible(gia, "a portal thread")
    save_screenshots(gia, "messages-portal-thread", desktop=False)
    ada.reload()
    expect(ada.locator("[data-read-mark]").last).to_contain_text("Read by Gia Moreno")

    # 6. Every email said only that something was waiting.
    assert mail.outbox
    for email in mail.outbox:
        html = "".join(str(part[0]) for part in getattr(email, "alternatives", []))
        text = f"{email.subject}{email.body}{html}{email.extra_headers}"
        for secret in (SUBJECT, WORDS, REPLY, "report-card", "Max", "Before Thursday"):
            assert secret not in text, f"an email said {secret!r}"
