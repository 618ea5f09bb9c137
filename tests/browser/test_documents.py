"""Documents in a real browser: a therapist writes a clinical note, an administrator shares it to the
portal (to one guardian, to All Authorized, then everything to the client), the guardian downloads its PDF
on her phone, and losing the share takes it off her portal at once; every step is on the audit trail."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Dialog, Locator, Page, expect
from pypdf import PdfReader

from haven.audit.models import AuditEvent
from haven.clients.models import Client
from haven.core.encryption import read_decrypted
from haven.documents.models import Audience, Document, DocumentType, DocumentVersion, Share, VersionSource
from tests.browser.conftest import OpenPage
from tests.browser.helpers import PHONE, assert_accessible, log_in, save_screenshots
from tests.personas import PASSWORD, World

pytestmark = pytest.mark.browser

NOTE_TITLE = "Session 7: sleep routine and school worries"
CONCERNS = "Max reports trouble falling asleep before school days and worries about a spelling test."
PLAN = "Practise the wind-down routine nightly; review the sleep diary next session."
SHARE_ALL_CONFIRM = "Continuing will send all documentation to the Client via their portal account."
GIA_LABEL = "Gia Moreno (Parent, legal guardian)"
SHARE_ALL_DONE = "All documentation successfully portalized for the client."
# How the browser computes the globes' strokes (templates/staff/documents/_globe.html).
GRAY_GLOBE = "rgb(108, 117, 125)"
ORANGE_GLOBE = "rgb(179, 83, 0)"
BLUE_GLOBE = "rgb(31, 111, 181)"


def open_activity_log(page: Page, client: Client) -> None:
    """From anywhere in the staff pages: Clients, the client's chart, then its Documents tab."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    page.get_by_role("link", name=f"{client.last_name}, {client.first_name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(client.first_name)
    page.locator(".chart-tabs").get_by_role("link", name="Documents", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/staff/clients/{client.pk}/documents/$"))
    expect(page.get_by_role("heading", level=2, name="Activity Log")).to_be_visible()


def log_entry(page: Page, title: str) -> Locator:
    """The Activity Log's row for one document."""
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=title, exact=True))
    expect(row).to_have_count(1)
    return row


def share_status(row: Locator) -> Locator:
    """The Share Status cell of an Activity Log row (the last column)."""
    return row.get_by_role("cell").last


def globe_stroke(globe: Locator) -> str:
    stroke: str = globe.evaluate("(svg) => getComputedStyle(svg).stroke")
    return stroke


def expect_entry_globe(row: Locator, colour: str, stroke: str, status: str, label: str | None) -> None:
    """An entry's globe colour (as drawn), its Share Status and the short label beside it."""
    cell = share_status(row)
    globe = cell.locator("svg[data-globe]")
    expect(globe).to_have_attribute("data-globe", colour)
    assert globe_stroke(globe) == stroke
    expect(cell.locator("span.text-body")).to_have_text(status)
    if label is None:
        expect(cell.locator("span.text-body-secondary")).to_have_count(0)
    else:
        expect(cell.locator("span.text-body-secondary")).to_have_text(f"· {label}")


def log_globe(page: Page) -> Locator:
    """The Activity Log's own globe, beside its heading."""
    return page.get_by_role("heading", level=2, name="Activity Log").locator("xpath=..").locator("svg[data-globe]")


def open_entry(page: Page, title: str) -> None:
    log_entry(page, title).get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=2, name=title)).to_be_visible()


def save_sharing(page: Page, *, gia: bool, all_authorized: bool) -> None:
    """In the share dialog of the open document: set Gia's and All Authorized's boxes, then save."""
    dialog = page.get_by_role("region", name="Share to the portal")
    dialog.get_by_role("checkbox", name=re.compile(r"^Gia Moreno")).set_checked(gia)
    dialog.get_by_role("checkbox", name="All Authorized").set_checked(all_authorized)
    dialog.get_by_role("button", name="Save sharing").click()
    expect(page.get_by_role("status")).to_contain_text("Sharing updated.")


def open_shares(document: Document) -> set[tuple[str, int | None]]:
    return set(Share.objects.filter(document=document, revoked_at__isnull=True).values_list("audience", "contact_id"))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_therapist_writes_a_note_admin_shares_it_guardian_downloads_it(
    world: World, open_page: OpenPage, new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    """Theo writes a progress note for Max in two sections; he is back on the Activity Log, where the note
    (its PDF rendered) is "Not Shared" under a gray globe and he, without Web Portal, has no share controls.
    Ada shares it with Gia (orange globe, "Shared · Gia Moreno (Parent, legal guardian)"), then with All
    Authorized too (blue), then uses the log's globe to share everything with the client after its
    confirmation, which says with whom and that Max's guardian will not see it (the log's globe turns
    orange, the progress note reads "Shared · Max Moreno (client)"). Gia, on her phone, finds the note in
    Max's My Documents, but not the progress note that was shared with the client only, and downloads the
    real PDF. When Ada unticks Gia and All Authorized, the
    note leaves Gia's portal at once. Writing, rendering, sharing, share all, the download and the unsharing
    are all on the audit trail."""
    # 1. Theo writes the note.
    theo = open_page(bypass_csp=True)
    log_in(theo, world.theo.user.email)
    open_activity_log(theo, world.max)
    expect(theo.get_by_role("link", name="Write a note")).to_be_visible()
    theo.get_by_role("link", name="Write a note").click()
    expect(theo).to_have_url(re.compile(rf"/staff/clients/{world.max.pk}/documents/new-note/$"))
    expect(theo.get_by_role("heading", level=2, name="Write a note")).to_be_visible()

    # Choosing another type swaps in its sections (HTMX) and keeps what was typed; back to Progress Note.
    note_type = theo.get_by_role("combobox", name="Type", exact=True)
    progress_type = DocumentType.objects.get(practice=world.riverside, name="Progress Note")
    expect(note_type).to_have_value(str(progress_type.pk))  # a progress note is what a note usually is
    theo.get_by_label("Presenting concerns", exact=True).fill(CONCERNS)
    with theo.expect_response(lambda r: r.request.method == "POST" and "/new-note/" in r.url):
        note_type.select_option(label="Treatment Plan")
    expect(theo.get_by_label("Goals", exact=True)).to_be_visible()
    expect(theo.get_by_label("Presenting concerns", exact=True)).to_have_value(CONCERNS)  # kept, after the plan's
    with theo.expect_response(lambda r: r.request.method == "POST" and "/new-note/" in r.url):
        note_type.select_option(label="Progress Note")
    expect(theo.get_by_label("Goals", exact=True)).to_have_count(0)
    expect(note_type).to_have_value(str(progress_type.pk))
    expect(theo.get_by_label("Presenting concerns", exact=True)).to_have_value(CONCERNS)

    theo.get_by_label("Title").fill(NOTE_TITLE)
    theo.get_by_label("Plan", exact=True).fill(PLAN)
    assert_accessible(theo, "the note form")
    theo.get_by_role("button", name="Save note").click()

    expect(theo).to_have_url(re.compile(rf"/staff/clients/{world.max.pk}/documents/$"))
    expect(theo.get_by_role("status")).to_contain_text("The note is saved.")
    note = Document.objects.get(client=world.max, title=NOTE_TITLE)
    assert (note.type.name, note.author) == ("Progress Note", world.theo)
    # Tasks run at once in tests: the PDF is rendered by the time the log is shown; reload once if not.
    if theo.get_by_text("PDF being prepared…").count():
        theo.reload()
    row = log_entry(theo, NOTE_TITLE)
    expect(row).not_to_contain_text("PDF being prepared…")
    expect(row.get_by_role("cell").nth(2)).to_have_text("Progress Note")
    expect(row.get_by_role("cell").nth(3)).to_have_text("Theo Therapist")
    expect_entry_globe(row, "gray", GRAY_GLOBE, "Not Shared", None)
    version = DocumentVersion.objects.get(document=note)
    assert version.source == VersionSource.RENDERED and version.content_type == "application/pdf"

    # Theo has no Web Portal permission: no share link on the entry, no Share all button, no dialog.
    expect(share_status(row).get_by_role("link")).to_have_count(0)
    expect(theo.get_by_role("button", name=re.compile(r"Share all"))).to_have_count(0)
    expect(theo.get_by_text("Not all shared", exact=True)).to_be_visible()
    assert globe_stroke(log_globe(theo)) == GRAY_GLOBE
    assert_accessible(theo, "the Activity Log")
    open_entry(theo, NOTE_TITLE)
    expect(theo.get_by_text("Sharing to the portal needs the Web Portal permission.")).to_be_visible()
    expect(theo.get_by_role("checkbox")).to_have_count(0)
    expect(theo.get_by_role("button", name="Save sharing")).to_have_count(0)

    # 2. Ada shares it: with Gia, then with All Authorized too, then everything with the client.
    ada = open_page(bypass_csp=True)
    dialogs: list[str] = []

    def accept(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    ada.on("dialog", accept)
    log_in(ada, world.ada.user.email)
    open_activity_log(ada, world.max)
    expect_entry_globe(log_entry(ada, NOTE_TITLE), "gray", GRAY_GLOBE, "Not Shared", None)
    share_status(log_entry(ada, NOTE_TITLE)).get_by_role("link").click()  # the entry's globe opens the dialog
    expect(ada).to_have_url(re.compile(rf"/staff/clients/{world.max.pk}/documents/{note.pk}/#share$"))
    expect(ada.get_by_role("heading", level=2, name=NOTE_TITLE)).to_be_visible()
    dialog = ada.get_by_role("region", name="Share to the portal")
    expect(dialog).to_contain_text("Not shared: nobody sees this document in the portal.")
    expect(dialog.get_by_role("checkbox")).to_have_count(3)  # All Authorized, Max (client), Gia
    expect(dialog.get_by_role("checkbox", name="Max Moreno · Client")).not_to_be_checked()
    expect(dialog.get_by_role("checkbox", name="Gia Moreno · Parent, legal guardian")).not_to_be_checked()

    save_sharing(ada, gia=True, all_authorized=False)
    expect(dialog).to_contain_text("Shared with: Gia Moreno")
    gia_box = dialog.get_by_role("checkbox", name=re.compile(r"^Gia Moreno"))
    expect(gia_box).to_be_checked()
    expect(gia_box.locator("xpath=ancestor::div[contains(@class,'border')][1]")).to_have_class(
        re.compile(r"recipient-selected")
    )
    assert open_shares(note) == {(Audience.CONTACT, world.gia.pk)}
    ada.get_by_role("link", name="Activity Log", exact=True).click()
    expect_entry_globe(log_entry(ada, NOTE_TITLE), "orange", ORANGE_GLOBE, "Shared", GIA_LABEL)

    open_entry(ada, NOTE_TITLE)
    save_sharing(ada, gia=True, all_authorized=True)
    expect(dialog).to_contain_text("Shared with: All Authorized, Gia Moreno")
    expect(dialog.get_by_role("checkbox", name="All Authorized")).to_be_checked()
    assert open_shares(note) == {(Audience.CONTACT, world.gia.pk), (Audience.ALL_AUTHORIZED, None)}
    assert_accessible(ada, "the document detail with the share dialog")
    save_screenshots(ada, "staff-document-share", phone=False)
    ada.get_by_role("link", name="Activity Log", exact=True).click()
    expect_entry_globe(log_entry(ada, NOTE_TITLE), "blue", BLUE_GLOBE, "Shared", "All Authorized")
    expect_entry_globe(log_entry(ada, world.progress_note.title), "gray", GRAY_GLOBE, "Not Shared", None)

    # The log's own globe: gray while the uploaded progress note is not shared with the client.
    share_all = ada.get_by_role("button", name=re.compile(r"^Share all —"))
    expect(share_all).to_be_visible()
    # Max is a minor without a login of his own: the log warns that Gia won't see it and offers her instead.
    minor = ada.get_by_role("region", name="Share all sends to the client only")
    expect(minor).to_contain_text("their guardian will not see them")
    expect(minor.get_by_role("button", name=f"Share all with {GIA_LABEL}")).to_be_visible()
    save_screenshots(ada, "staff-activity-log-share-all-minor")
    assert globe_stroke(share_all.locator("svg[data-globe]")) == GRAY_GLOBE
    share_all.click()
    expect(ada.get_by_role("status")).to_contain_text(SHARE_ALL_DONE)
    assert len(dialogs) == 1 and dialogs[0].startswith(
        f"{SHARE_ALL_CONFIRM} Who will see it: Max Moreno (client) only."
    )
    assert "Max Moreno is a minor without a portal login of their own" in dialogs[0]
    assert "their guardian will not see it" in dialogs[0]
    all_shared = ada.get_by_role("button", name=re.compile(r"^All shared"))
    expect(all_shared).to_be_visible()
    expect(all_shared.locator("svg[data-globe]")).to_have_attribute("data-globe", "orange")
    assert globe_stroke(all_shared.locator("svg[data-globe]")) == ORANGE_GLOBE
    # Share all is for the client only: the progress note goes to Max, the note keeps its own shares.
    assert open_shares(world.progress_note) == {(Audience.CLIENT, None)}
    assert open_shares(note) == {(Audience.CONTACT, world.gia.pk), (Audience.ALL_AUTHORIZED, None)}
    expect_entry_globe(
        log_entry(ada, world.progress_note.title), "orange", ORANGE_GLOBE, "Shared", "Max Moreno (client)"
    )
    expect_entry_globe(log_entry(ada, NOTE_TITLE), "blue", BLUE_GLOBE, "Shared", "All Authorized")
    assert_accessible(ada, "the Activity Log with shared entries")
    save_screenshots(ada, "staff-activity-log")

    # 3. Gia, on her phone, downloads the note from Max's My Documents.
    gia_context = new_context(base_url=live_server.url, viewport=PHONE, bypass_csp=True)
    gia_context.set_default_timeout(10_000)
    gia = gia_context.new_page()
    gia.goto("/p/riverside/")
    gia.get_by_label("Email").fill(world.gia_account.email)
    gia.get_by_label("Password").fill(PASSWORD)
    gia.get_by_role("button", name="Sign in").click()
    expect(gia).to_have_url(re.compile(r"/p/riverside/home/$"))
    switcher = gia.get_by_label("Showing")
    if switcher.input_value() != str(world.gia_access_max.pk):
        switcher.select_option(label="Max Moreno")
        expect(gia.get_by_role("status")).to_contain_text("Now showing Max.")
    expect(switcher).to_have_value(str(world.gia_access_max.pk))

    gia.get_by_role("navigation", name="Portal").get_by_role("link", name="My Documents").click()
    expect(gia).to_have_url(re.compile(r"/p/riverside/documents/$"))
    expect(gia.get_by_role("heading", level=1, name="My Documents")).to_be_visible()
    expect(gia.get_by_text("Documents shared with you for Max Moreno.")).to_be_visible()
    documents = gia.get_by_role("list", name="Documents").get_by_role("listitem")
    expect(documents).to_have_count(1)
    card = documents.filter(has=gia.get_by_role("heading", name=NOTE_TITLE))
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Progress Note")
    expect(card).to_contain_text("PDF")
    # The uploaded progress note went to the client only: a guardian sees nothing of it, not even by address.
    expect(gia.locator(f'[data-document="{world.progress_note.pk}"]')).to_have_count(0)
    hidden = gia.request.get(f"/p/riverside/documents/{world.progress_note.pk}/download/")
    assert hidden.status == 404
    assert_accessible(gia, "My Documents")
    save_screenshots(gia, "portal-my-documents", desktop=False)
    gia.set_viewport_size(PHONE)  # save_screenshots leaves the page at desktop size; Gia is on her phone

    with gia.expect_download() as download_info:
        card.get_by_role("link", name=re.compile(r"^Download")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert NOTE_TITLE in text
    flowing = " ".join(text.split())
    assert CONCERNS in flowing and PLAN in flowing
    assert "Presenting concerns" in text and "Interventions" not in text  # empty sections are left out
    assert "Max Moreno" in text
    assert pdf == _stored_pdf(note)

    # 4. Ada takes the note back from Gia and from All Authorized: it leaves Gia's portal at once.
    open_entry(ada, NOTE_TITLE)
    save_sharing(ada, gia=False, all_authorized=False)
    expect(dialog).to_contain_text("Not shared: nobody sees this document in the portal.")
    assert open_shares(note) == set()
    ada.get_by_role("link", name="Activity Log", exact=True).click()
    expect_entry_globe(log_entry(ada, NOTE_TITLE), "gray", GRAY_GLOBE, "Not Shared", None)
    # The note is no longer available to the client either, so the log's globe is gray again.
    expect(ada.get_by_role("button", name=re.compile(r"^Share all —"))).to_be_visible()

    gia.reload()
    expect(gia.locator(f'[data-document="{note.pk}"]')).to_have_count(0)
    expect(gia.get_by_text("Nothing has been shared with you yet.")).to_be_visible()
    gone = gia.request.get(f"/p/riverside/documents/{note.pk}/download/")
    assert gone.status == 404

    # 5. The audit trail of Max's documents.
    events = AuditEvent.objects.filter(client=world.max)
    for action in ("document.note_written", "document.rendered", "document.shared", "document.unshared"):
        assert events.filter(action=action, object_id=str(note.pk)).exists(), f"no {action} event for the note"
    assert events.filter(action="document.note_written", actor_kind="staff", actor_id=world.theo.user.pk).exists()
    assert events.filter(action="document.rendered", actor_kind="system").exists()
    shared = events.filter(action="document.shared", object_id=str(note.pk))
    assert {event.details["audience"] for event in shared} == {Audience.CONTACT, Audience.ALL_AUTHORIZED}
    assert {event.actor_id for event in shared} == {world.ada.user.pk}
    unshared = events.filter(action="document.unshared", object_id=str(note.pk))
    assert {event.details["audience"] for event in unshared} == {Audience.CONTACT, Audience.ALL_AUTHORIZED}
    [shared_all] = events.filter(action="document.shared_all")
    assert shared_all.details["documents"] == [world.progress_note.pk]
    assert shared_all.actor_id == world.ada.user.pk
    [downloaded] = events.filter(action="document.downloaded")
    assert (downloaded.actor_kind, downloaded.actor_id) == ("portal", world.gia_account.pk)
    assert downloaded.object_id == str(note.pk)
    assert downloaded.acting_for == "Max Moreno"
    assert downloaded.details["profile"] == world.gia_access_max.pk
    assert downloaded.ip == "127.0.0.1" and "Chrome" in downloaded.user_agent  # from where (DOC-9)


def _stored_pdf(document: Document) -> bytes:
    """The note's current PDF as Haven keeps it, decrypted."""
    document.refresh_from_db()
    assert document.current_version is not None
    return read_decrypted(document.current_version.storage_name)
