"""The Activity Log from the staff side: globes, Share Status, sharing, uploads, file serving, exceptions."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.documents.actions import set_recipients, upload_document
from haven.documents.models import Audience, Document, DocumentType, DocumentVersion, Share
from haven.documents.policy import visible_to_profile
from haven.practices.models import Permission
from tests.personas import ONE_BLANK_PAGE_PDF, World

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a small test document\n%%EOF\n"
SHARE_ALL_CONFIRMATION = "Continuing will send all documentation to the Client via their portal account."
SHARE_ALL_DONE = "All documentation successfully portalized for the client."
EXCEPTION_EXPLAINED = "This document type is on the portal exception list and can't be shared."


def doc_type(world: World, name: str) -> DocumentType:
    return DocumentType.objects.get(practice=world.riverside, name=name)


def add_document(world: World, title: str, type_name: str = "General Document") -> Document:
    return upload_document(
        by=world.ada,
        client=world.max,
        doc_type=doc_type(world, type_name),
        title=title,
        document_date=timezone.localdate(),
        data=PDF,
    )


def log_url(world: World) -> str:
    return reverse("staff:activity_log", kwargs={"client_id": world.max.pk})


def share_url(world: World, document: Document) -> str:
    return reverse("staff:document_share", kwargs={"client_id": world.max.pk, "document_id": document.pk})


def share_all_url(world: World) -> str:
    return reverse("staff:document_share_all", kwargs={"client_id": world.max.pk})


def detail_url(world: World, document: Document) -> str:
    return reverse("staff:document_detail", kwargs={"client_id": world.max.pk, "document_id": document.pk})


def upload_url(world: World) -> str:
    return reverse("staff:document_upload", kwargs={"client_id": world.max.pk})


def row_for(html: str, document: Document) -> str:
    """The Activity Log's table row naming this document."""
    url = reverse("staff:document_detail", kwargs={"client_id": document.client_id, "document_id": document.pk})
    link = f'href="{url}"'
    rows = [row for row in html.split("<tr>") if link in row]
    assert len(rows) == 1, f"expected one row for {document.title!r}"
    return rows[0].split("</tr>")[0]


def entry_globe(html: str, document: Document) -> str | None:
    found = re.search(r'data-globe="(\w+)"', row_for(html, document))
    return found.group(1) if found else None


def log_globe(html: str, world: World) -> str:
    """The colour of the Activity Log's own globe (DOC-5), in the share-all form or the read-only state."""
    header = html.split('id="document-type-filter"')[0]
    globes = re.findall(r'data-globe="(\w+)"', header)
    assert len(globes) == 1, "the log has exactly one globe of its own above the list"
    return globes[0]


def open_shares(document: Document) -> set[tuple[str, int | None]]:
    return set(Share.objects.open().filter(document=document).values_list("audience", "contact_id"))


def stored_files(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "documents"
    return sorted(folder.iterdir()) if folder.exists() else []


# --- Globes and Share Status (DOC-4, DOC-6) -----------------------------------------------------


def test_each_entry_globe_is_gray_orange_or_blue_with_words_and_a_tooltip(world, login):
    """Gray = not shared, orange = selected recipients, blue = All Authorized; each says so in words too."""
    to_gia = add_document(world, "School letter")
    to_all = add_document(world, "Consent form", "Consent")
    set_recipients(by=world.ada, document=to_gia, all_authorized=False, client=False, contacts=[world.gia])
    set_recipients(by=world.ada, document=to_all, all_authorized=True, client=False, contacts=[])

    html = login(world.ada).get(log_url(world)).content.decode()

    assert entry_globe(html, world.progress_note) == "gray"
    assert entry_globe(html, to_gia) == "orange"
    assert entry_globe(html, to_all) == "blue"
    gray_row, orange_row, blue_row = (row_for(html, doc) for doc in (world.progress_note, to_gia, to_all))
    assert "Not Shared" in gray_row and 'title="Not shared to the portal"' in gray_row
    assert ">Shared<" in orange_row and 'title="Shared with individually selected recipients"' in orange_row
    assert ">Shared<" in blue_row and 'title="Shared to All Authorized"' in blue_row
    for row in (gray_row, orange_row, blue_row):
        assert 'class="visually-hidden"' in row  # the globe's meaning, for screen readers
    assert "Share Status" in html


def test_excepted_type_shows_portal_exception_and_no_globe_action(world, login):
    """An entry whose type is on the exception list says "Portal exception" and offers no share action."""
    DocumentType.objects.filter(pk=world.progress_note.type_id).update(never_share=True)

    html = login(world.ada).get(log_url(world)).content.decode()

    row = row_for(html, world.progress_note)
    assert "Portal exception" in row
    assert "data-globe" not in row
    assert "#share" not in row


def test_log_globe_turns_orange_after_share_all_and_gray_again_after_a_new_upload(world, login):
    """DOC-5: Share all turns the log's globe orange; saving a new document turns it gray again."""
    http = login(world.ada)
    assert log_globe(http.get(log_url(world)).content.decode(), world) == "gray"

    response = http.post(share_all_url(world), follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == log_url(world)
    assert SHARE_ALL_DONE in html
    assert log_globe(html, world) == "orange"

    upload = SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf")
    http.post(
        upload_url(world),
        {
            "doc_type": doc_type(world, "General Document").pk,
            "title": "New letter",
            "document_date": "2025-01-02",
            "file": upload,
        },
    )
    assert log_globe(http.get(log_url(world)).content.decode(), world) == "gray"


def test_share_all_asks_for_the_seed_confirmation_first(world, login):
    """The log's globe is a POST form carrying the exact confirmation words for haven.js's data-confirm."""
    html = login(world.ada).get(log_url(world)).content.decode()

    form = re.search(r'<form method="post" action="([^"]+)" data-confirm="([^"]+)"', html)
    assert form is not None
    assert form.group(1) == share_all_url(world)
    assert unescape(form.group(2)).startswith(f"{SHARE_ALL_CONFIRMATION} Who will see it: Max Moreno (client) only.")


def test_staff_without_web_portal_see_the_log_globe_state_but_no_share_all_button(world, login):
    """Theo (no Web Portal) sees whether everything is shared, but no button and no entry share links."""
    html = login(world.theo).get(log_url(world)).content.decode()

    assert log_globe(html, world) == "gray"
    assert share_all_url(world) not in html
    assert SHARE_ALL_CONFIRMATION not in html
    assert "#share" not in html
    assert reverse("staff:document_upload", kwargs={"client_id": world.max.pk}) in html  # Theo may upload
    assert reverse("staff:note_create", kwargs={"client_id": world.max.pk}) in html


# --- Share all (DOC-5) --------------------------------------------------------------------------


def test_share_all_shares_with_the_client_only_skipping_excepted_and_already_shared(world, login):
    """Only the client gets new shares; excepted, hidden and already visible documents are left alone."""
    already = add_document(world, "Already for everyone", "Consent")
    set_recipients(by=world.ada, document=already, all_authorized=True, client=False, contacts=[])
    excepted = add_document(world, "Superbill March", "Superbill")
    hidden = add_document(world, "Academics", "Academics Report")
    DocumentType.objects.filter(pk=excepted.type_id).update(never_share=True)
    DocumentType.objects.filter(pk=hidden.type_id).update(hidden_from_portal=True)
    http = login(world.ada)

    response = http.post(share_all_url(world), follow=True)

    assert SHARE_ALL_DONE in response.content.decode()
    assert open_shares(world.progress_note) == {(Audience.CLIENT, None)}
    assert open_shares(already) == {(Audience.ALL_AUTHORIZED, None)}
    assert open_shares(excepted) == set() and open_shares(hidden) == set()
    assert not Share.objects.filter(audience=Audience.CONTACT).exists()
    event = AuditEvent.objects.filter(action="document.shared_all").get()
    assert event.details["documents"] == [world.progress_note.pk]

    again = http.post(share_all_url(world), follow=True)

    assert "Everything available was already shared." in again.content.decode()
    assert Share.objects.count() == 2


def test_staff_without_web_portal_get_403_on_share_and_share_all(world, login):
    """Theo lacks Web Portal: both sharing URLs refuse with 403 and nothing is shared."""
    http = login(world.theo)

    assert http.post(share_all_url(world)).status_code == 403
    assert http.post(share_url(world, world.progress_note), {"client": "1"}).status_code == 403
    assert not Share.objects.exists()
    assert AuditEvent.objects.filter(action="access.forbidden", actor_id=world.theo.user.pk).count() == 2


# --- Share a single document (DOC-3) ------------------------------------------------------------


def test_excepted_type_is_refused_with_a_clear_message(world, login):
    """A document of an excepted type cannot be shared: the dialog explains, and a forced POST is refused."""
    DocumentType.objects.filter(pk=world.progress_note.type_id).update(never_share=True)
    http = login(world.ada)

    detail = unescape(http.get(detail_url(world, world.progress_note)).content.decode())
    assert EXCEPTION_EXPLAINED in detail
    assert share_url(world, world.progress_note) not in detail

    response = http.post(share_url(world, world.progress_note), {"client": "1"}, follow=True)

    assert "Progress Note documents are on the portal exception list and can't be shared." in unescape(
        response.content.decode()
    )
    assert not Share.objects.exists()


def test_set_recipients_then_unselecting_gia_removes_her_share_at_once(world, login):
    """Ticking the client and Gia shares with both; saving without Gia takes it off her portal at once."""
    http = login(world.ada)
    document = world.progress_note

    response = http.post(share_url(world, document), {"client": "1", "contact": [str(world.gia.pk)]}, follow=True)

    assert response.redirect_chain[-1][0] == detail_url(world, document)
    html = response.content.decode()
    assert "Sharing updated." in html
    assert open_shares(document) == {(Audience.CLIENT, None), (Audience.CONTACT, world.gia.pk)}
    assert visible_to_profile(world.gia_access_max).filter(pk=document.pk).exists()
    gia_box = re.search(rf'<input[^>]*name="contact" value="{world.gia.pk}"[^>]*>', html)
    assert gia_box is not None and "checked" in gia_box.group(0)
    assert html.count("recipient-selected") == 2  # the client and Gia, highlighted

    response = http.post(share_url(world, document), {"client": "1"}, follow=True)

    assert open_shares(document) == {(Audience.CLIENT, None)}
    assert not visible_to_profile(world.gia_access_max).filter(pk=document.pk).exists()
    revoked = Share.objects.get(document=document, contact=world.gia)
    assert revoked.revoked_at is not None and revoked.revoked_by == world.ada
    gia_box = re.search(rf'<input[^>]*name="contact" value="{world.gia.pk}"[^>]*>', response.content.decode())
    assert gia_box is not None and "checked" not in gia_box.group(0)


def test_share_dialog_offers_all_authorized_the_client_and_web_portal_contacts(world, login):
    """The dialog lists All Authorized, "Max Moreno · Client" and Gia; staff without Web Portal see no form."""
    set_recipients(by=world.ada, document=world.progress_note, all_authorized=True, client=False, contacts=[])

    html = login(world.ada).get(detail_url(world, world.progress_note)).content.decode()

    assert 'name="all_authorized" value="1" id="share-all-authorized" checked' in html
    assert f'{world.max.full_name} <span class="text-body-secondary" data-recipient-role>· Client</span>' in html
    assert f'name="contact" value="{world.gia.pk}"' in html
    assert "Shared with:" in html and "All Authorized" in html

    theo_html = login(world.theo, HttpClient()).get(detail_url(world, world.progress_note)).content.decode()

    assert "Shared with:" in theo_html and "All Authorized" in theo_html
    assert share_url(world, world.progress_note) not in theo_html
    assert "Sharing to the portal needs the Web Portal permission." in theo_html


@pytest.mark.parametrize("intruder", ["hal_contact", "gia_for_mia", "unknown", "not-a-number"])
def test_a_foreign_contact_id_rejects_the_whole_share_request(world, login, intruder):
    """One contact that is not Max's (other practice, other client, missing, garbage) answers 404; nothing changes."""
    bad_id = {
        "hal_contact": lambda: str(world.hal_contact.pk),
        "gia_for_mia": lambda: str(world.gia_for_mia.pk),
        "unknown": lambda: "2000000000",
        "not-a-number": lambda: "1 OR 1=1",
    }[intruder]()
    http = login(world.ada)

    response = http.post(
        share_url(world, world.progress_note), {"all_authorized": "1", "client": "1", "contact": [world.gia.pk, bad_id]}
    )

    assert response.status_code == 404
    assert not Share.objects.exists()
    assert not AuditEvent.objects.filter(action="document.shared").exists()
    assert AuditEvent.objects.filter(
        action="access.denied", actor_id=world.ada.user.pk, details__object_type="clients.relatedcontact"
    ).exists()


# --- Uploading (DOC-1) --------------------------------------------------------------------------


def test_upload_stores_the_document_and_returns_to_the_log(world, login):
    """A real PDF with type, title and date lands in the Activity Log, encrypted at rest."""
    response = login(world.theo).post(
        upload_url(world),
        {
            "doc_type": doc_type(world, "General Document").pk,
            "title": "Referral letter",
            "document_date": "2025-02-03",
            "file": SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == log_url(world)
    assert "“Referral letter” was added to the Activity Log." in response.content.decode()
    document = Document.objects.get(title="Referral letter")
    assert document.author == world.theo and str(document.document_date) == "2025-02-03"
    assert document.current_version is not None and document.current_version.filename == "Referral-letter.pdf"


def test_upload_of_html_named_pdf_is_refused_politely_and_nothing_is_stored(world, login, tmp_path):
    """An HTML page named .pdf and sent as application/pdf is judged by its content and refused; no row, no file."""
    files_before = stored_files(tmp_path)
    documents, versions = Document.objects.count(), DocumentVersion.objects.count()
    created = AuditEvent.objects.filter(action="document.created").count()

    response = login(world.ada).post(
        upload_url(world),
        {
            "doc_type": doc_type(world, "General Document").pk,
            "title": "Totally a PDF",
            "document_date": "2025-02-03",
            "file": SimpleUploadedFile(
                "report.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
            ),
        },
    )

    assert response.status_code == 400
    assert "Haven accepts PDF, PNG and JPEG files. That file is none of these, so it was not saved." in (
        response.content.decode()
    )
    assert (Document.objects.count(), DocumentVersion.objects.count()) == (documents, versions)
    assert stored_files(tmp_path) == files_before
    assert AuditEvent.objects.filter(action="document.created").count() == created


def test_upload_error_sits_on_the_file_field_and_keeps_what_was_typed(world, login, settings):
    """A refused file (here: too large) is explained on the file field; type, title and date stay filled in."""
    settings.HAVEN_MAX_UPLOAD_BYTES = 1_000
    consent = doc_type(world, "Consent")

    response = login(world.ada).post(
        upload_url(world),
        {
            "doc_type": consent.pk,
            "title": "Signed consent",
            "document_date": "2024-05-06",
            "file": SimpleUploadedFile("consent.pdf", PDF + b"0" * 2_000, content_type="application/pdf"),
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    file_error = re.search(r'<div id="id_file_error">(.*?)</div>\s*</div>', html, re.S)
    assert file_error is not None and "That file is too large." in file_error.group(1)
    assert 'value="Signed consent"' in html
    assert 'value="2024-05-06"' in html
    assert f'<option value="{consent.pk}" selected>' in html
    assert not Document.objects.filter(title="Signed consent").exists()


# --- Serving files (DOC-9) ----------------------------------------------------------------------


def test_document_file_is_served_safely_and_every_view_and_download_is_audited(world, login):
    """Inline view and download both carry nosniff, no-store and a disposition, and each writes an audit event."""
    http = login(world.theo)
    url = reverse("staff:document_file", kwargs={"client_id": world.max.pk, "document_id": world.progress_note.pk})

    viewed = http.get(url)
    downloaded = http.get(url, {"download": "1"})

    assert viewed.status_code == downloaded.status_code == 200
    assert viewed.content == ONE_BLANK_PAGE_PDF  # the persona's progress note
    assert viewed["Content-Disposition"] == 'inline; filename="Progress-note.pdf"'
    assert downloaded["Content-Disposition"] == 'attachment; filename="Progress-note.pdf"'
    for response in (viewed, downloaded):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert response["Content-Security-Policy"].startswith("sandbox;")
    events = list(AuditEvent.objects.filter(action__in=["document.viewed", "document.downloaded"]).order_by("id"))
    assert [event.action for event in events] == ["document.viewed", "document.downloaded"]
    for event in events:
        assert event.actor_id == world.theo.user.pk
        assert event.client_id == world.max.pk and event.practice_id == world.riverside.pk
        assert (event.object_type, event.object_id) == ("documents.document", str(world.progress_note.pk))
        assert event.details == {"version": 1}


def test_document_file_of_another_clients_chart_answers_404(world, login):
    """Naming Max's document under Ana's chart is outside scope: 404, audited, nothing served."""
    url = reverse("staff:document_file", kwargs={"client_id": world.ana.pk, "document_id": world.progress_note.pk})

    response = login(world.ada).get(url)

    assert response.status_code == 404
    assert PDF not in response.content
    assert not AuditEvent.objects.filter(action="document.viewed").exists()
    assert AuditEvent.objects.filter(action="access.denied", details__object_type="documents.document").exists()


# --- The Activity Log's list --------------------------------------------------------------------


def bulk_documents(world: World, count: int) -> None:
    """Many log entries fast: bulk rows reusing the progress note's version, a third shared each way."""
    version = world.progress_note.current_version
    types = list(DocumentType.objects.filter(practice=world.riverside))
    documents = Document.objects.bulk_create(
        Document(
            practice=world.riverside,
            client=world.max,
            type=types[index % len(types)],
            title=f"Entry {index}",
            author=world.theo if index % 2 else world.ada,
            current_version=version,
        )
        for index in range(count)
    )
    Share.objects.bulk_create(
        Share(
            document=document,
            audience=Audience.ALL_AUTHORIZED if index % 3 == 1 else Audience.CONTACT,
            contact=None if index % 3 == 1 else world.gia,
            shared_by=world.ada,
        )
        for index, document in enumerate(documents)
        if index % 3
    )


def test_activity_log_runs_the_same_number_of_queries_for_10_and_1000_documents(
    world, login, django_assert_max_num_queries
):
    """Each page costs a fixed number of queries however long the log is: 10 entries or 1,000 (25 a page)."""
    http = login(world.ada)
    http.get(log_url(world))  # the first page view after signing in may touch the session
    bulk_documents(world, 9)
    with CaptureQueriesContext(connection) as ten:
        response = http.get(log_url(world))
    assert response.content.decode().count('data-label="Share Status"') == 10
    bulk_documents(world, 20)
    with CaptureQueriesContext(connection) as thirty_second_page:
        response = http.get(log_url(world), {"page": "2"})
    assert response.content.decode().count('data-label="Share Status"') == 5

    bulk_documents(world, 970)

    with django_assert_max_num_queries(len(ten.captured_queries)) as first:
        response = http.get(log_url(world))
    assert "1\N{EN DASH}25 of 1000" in response.content.decode()
    assert len(first.captured_queries) == len(ten.captured_queries)
    with django_assert_max_num_queries(len(thirty_second_page.captured_queries)) as thousand:
        response = http.get(log_url(world), {"page": "2"})
    html = response.content.decode()
    assert html.count('data-label="Share Status"') == 25
    assert "26\N{EN DASH}50 of 1000" in html
    assert len(thousand.captured_queries) == len(thirty_second_page.captured_queries)
    for colour in ("blue", "orange", "gray"):
        assert f'data-globe="{colour}"' in html


def test_the_first_page_of_the_activity_log_counts_on_to_1000_and_then_says_more(world, login):
    """The first page reads its entries and how many there are at once, as every other page counts them."""
    http = login(world.ada)
    bulk_documents(world, 1000)
    html = http.get(log_url(world)).content.decode()
    assert html.count('data-label="Share Status"') == 25
    assert "1\N{EN DASH}25 of more than 1000" in html
    assert 'page=2">' in html and 'page=0">' not in html


def test_type_filter_keeps_only_the_practices_types(world, login):
    """?type= narrows the list to one of the practice's types; an unknown or foreign type shows everything."""
    add_document(world, "Consent form", "Consent")
    consent = doc_type(world, "Consent")
    foreign = DocumentType.objects.filter(practice=world.hilltop).first()
    assert foreign is not None
    http = login(world.ada)

    filtered = http.get(log_url(world), {"type": consent.pk}).content.decode()
    assert "Consent form" in filtered and "Progress note" not in filtered

    for ignored in ("nonsense", str(foreign.pk), ""):
        html = http.get(log_url(world), {"type": ignored}).content.decode()
        assert "Consent form" in html and "Progress note" in html, ignored


# --- Portal document exceptions (DOC-2) ---------------------------------------------------------


def test_document_type_toggles_are_saved_and_audited(world, login):
    """An administrator puts Superbill on the exception list and hides Academics; each change is audited."""
    http = login(world.ada)
    superbill = doc_type(world, "Superbill")
    page = http.get(reverse("staff:admin_document_types")).content.decode()
    assert "Portal document exception (never share)" in page and "Hidden from the portal" in page

    response = http.post(
        reverse("staff:admin_document_type_update", kwargs={"type_id": superbill.pk}), {"never_share": "1"}, follow=True
    )

    superbill.refresh_from_db()
    assert superbill.never_share and not superbill.hidden_from_portal
    assert "Portal document exceptions saved for Superbill." in response.content.decode()
    event = AuditEvent.objects.filter(action="document_type.exceptions_changed").get()
    assert event.actor_id == world.ada.user.pk and event.object_id == str(superbill.pk)
    assert event.details == {
        "before": {"never_share": False, "hidden_from_portal": False, "share_to_sign": False, "clinical": False},
        "after": {"never_share": True, "hidden_from_portal": False, "share_to_sign": False, "clinical": False},
    }
    checkbox = re.search(rf'<input[^>]*id="never-share-{superbill.pk}"[^>]*>', response.content.decode())
    assert checkbox is not None and "checked" in checkbox.group(0)


def test_document_types_are_for_administrators_of_the_same_practice(world, login):
    """Theo gets 403; Hana (another practice) gets 404 for Riverside's type, audited, and nothing changes."""
    superbill = doc_type(world, "Superbill")
    url = reverse("staff:admin_document_type_update", kwargs={"type_id": superbill.pk})
    assert not world.theo.has_permission(Permission.ORG_ADMIN)

    assert login(world.theo).post(url, {"never_share": "1"}).status_code == 403

    hana = login(world.hana, HttpClient())
    assert hana.post(url, {"never_share": "1"}).status_code == 404
    superbill.refresh_from_db()
    assert not superbill.never_share
    denied = AuditEvent.objects.filter(action="access.denied", actor_id=world.hana.user.pk).get()
    assert denied.details["object_type"] == "documents.documenttype"
