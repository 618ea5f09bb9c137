"""My Documents (DOC-8, DOC-9): exactly what was shared for the selected profile, served and audited."""

from __future__ import annotations

import datetime
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from haven.audit.models import AuditEvent
from haven.clients.actions import update_contact
from haven.clients.models import Client
from haven.documents.actions import set_recipients, set_type_exceptions, upload_document
from haven.documents.models import Audience, Document, DocumentType, Share
from haven.portal.tests.helpers import select
from haven.portal_access.models import ProfileAccess
from haven.practices.models import StaffMember
from tests.personas import ONE_BLANK_PAGE_PDF, World

pytestmark = pytest.mark.django_db

LIST = "/p/riverside/documents/"
PDF = b"%PDF-1.4\n% a small test document\n%%EOF\n"


def view_url(document: Document) -> str:
    return f"/p/riverside/documents/{document.pk}/"


def download_url(document: Document) -> str:
    return f"/p/riverside/documents/{document.pk}/download/"


def listed_ids(http: HttpClient, url: str = LIST) -> list[int]:
    """The document ids on the My Documents page, in the order shown."""
    response = http.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    return [int(chunk.split('"', 1)[0]) for chunk in body.split('data-document="')[1:]]


def upload(
    by: StaffMember, client: Client, title: str, *, type_name: str = "General Document", data: bytes = PDF
) -> Document:
    return upload_document(
        by=by,
        client=client,
        doc_type=DocumentType.objects.get(practice=by.practice, name=type_name),
        title=title,
        document_date=timezone.localdate(),
        data=data,
    )


def share_with_gia(world: World, document: Document) -> None:
    set_recipients(by=world.ada, document=document, all_authorized=False, client=False, contacts=[world.gia])


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- What is listed -----------------------------------------------------------------------------


def test_a_recipient_sees_exactly_what_was_shared_for_the_selected_profile(world, gia):
    """Shared to Gia as Max's contact: listed under Max, not under Mia; the unshared note never shows."""
    shared = upload(world.ada, world.max, "School letter")
    share_with_gia(world, shared)
    select(gia, world.gia_access_max)
    assert listed_ids(gia) == [shared.pk]
    body = gia.get(LIST).content.decode()
    assert "School letter" in body and "General Document" in body
    assert "Progress note" not in body  # world.progress_note is Max's but not shared
    select(gia, world.gia_access_mia)
    assert listed_ids(gia) == []
    assert "School letter" not in gia.get(LIST).content.decode()


def test_each_card_shows_its_date_and_what_kind_of_file_it_is_and_how_big(world, gia):
    """The card's date as the practice reads it (with its ISO form for machines), and "PDF, 38 bytes"."""
    shared = upload(world.ada, world.max, "School letter")
    Document.objects.filter(pk=shared.pk).update(document_date=datetime.date(2024, 3, 7))
    share_with_gia(world, shared)
    select(gia, world.gia_access_max)
    body = gia.get(LIST).content.decode()
    assert '<time datetime="2024-03-07">Mar 7, 2024</time>' in body
    assert f"· PDF, {len(PDF)}\xa0bytes" in body


def test_all_authorized_reaches_a_contact_with_web_portal(world, gia):
    """All Authorized covers every contact with Web Portal permission, Gia included."""
    set_recipients(by=world.ada, document=world.progress_note, all_authorized=True, client=False, contacts=[])
    select(gia, world.gia_access_max)
    assert listed_ids(gia) == [world.progress_note.pk]


def test_a_share_to_the_client_only_is_not_shown_to_a_contact(world, gia):
    """Audience CLIENT means the client's own login: Gia, a contact, does not see it."""
    set_recipients(by=world.ada, document=world.progress_note, all_authorized=False, client=True, contacts=[])
    assert Share.objects.open().filter(document=world.progress_note, audience=Audience.CLIENT).exists()
    select(gia, world.gia_access_max)
    assert listed_ids(gia) == []
    assert gia.get(view_url(world.progress_note)).status_code == 404


def test_a_contact_who_loses_web_portal_permission_loses_the_document_at_once(world, gia):
    """Staff turn off Gia's Web Portal for Max: in the same live session the document is gone and answers 404."""
    share_with_gia(world, world.progress_note)
    select(gia, world.gia_access_max)
    assert listed_ids(gia) == [world.progress_note.pk]
    data = {
        "first_name": "Gia",
        "last_name": "Moreno",
        "email": "gia@example.com",
        "phone": "",
        "relationship": "parent",
        "web_portal": False,
        "legal_guardian": True,
    }
    update_contact(by=world.ada, contact=world.gia, data=data, expected_version=world.gia.version)
    assert listed_ids(gia) == []
    assert gia.get(view_url(world.progress_note)).status_code == 404
    assert gia.get(download_url(world.progress_note)).status_code == 404


def test_unsharing_removes_the_document_at_once(world, gia):
    """Taking Gia off the recipients hides the document on the next request, list and file alike."""
    share_with_gia(world, world.progress_note)
    select(gia, world.gia_access_max)
    assert gia.get(view_url(world.progress_note)).status_code == 200
    set_recipients(by=world.ada, document=world.progress_note, all_authorized=False, client=False, contacts=[])
    assert listed_ids(gia) == []
    assert gia.get(view_url(world.progress_note)).status_code == 404
    assert gia.get(download_url(world.progress_note)).status_code == 404


@pytest.mark.parametrize("exception", ["hidden_from_portal", "never_share"])
def test_types_on_the_portal_exception_list_never_show_even_if_shared_before(world, gia, exception):
    """A type made hidden or never-share after sharing disappears from the list and its file answers 404."""
    share_with_gia(world, world.progress_note)
    select(gia, world.gia_access_max)
    assert listed_ids(gia) == [world.progress_note.pk]
    set_type_exceptions(
        by=world.ada,
        doc_type=world.progress_note.type,
        never_share=exception == "never_share",
        hidden_from_portal=exception == "hidden_from_portal",
    )
    assert listed_ids(gia) == []
    assert gia.get(view_url(world.progress_note)).status_code == 404
    assert gia.get(download_url(world.progress_note)).status_code == 404


def test_the_list_is_newest_first_and_paginated_by_twenty(world, gia):
    """25 shared documents: 20 on the first page, newest first, the oldest 5 on the second."""
    documents = bulk_shared(world, 25)
    select(gia, world.gia_access_max)
    first, second = listed_ids(gia), listed_ids(gia, f"{LIST}?page=2")
    newest_first = [document.pk for document in sorted(documents, key=lambda d: d.document_date, reverse=True)]
    assert first == newest_first[:20]
    assert second == newest_first[20:]
    body = gia.get(LIST).content.decode()
    assert "1\u201320 of 25" in body and "?page=2" in body


def test_each_document_offers_view_in_a_new_tab_download_and_a_print_hint(world, gia):
    """View opens the inline file in a new tab, Download saves it; the page says how to print."""
    share_with_gia(world, world.progress_note)
    select(gia, world.gia_access_max)
    body = gia.get(LIST).content.decode()
    assert f'href="{view_url(world.progress_note)}" target="_blank" rel="noopener"' in body
    assert f'href="{download_url(world.progress_note)}"' in body
    assert 'id="print-hint"' in body and "print" in body.split('id="print-hint"', 1)[1].split("</p>", 1)[0]
    assert "Pending Review" not in body  # signing (SIGN-2) comes later


def test_an_empty_list_says_nothing_has_been_shared_yet(world, gia):
    select(gia, world.gia_access_max)
    response = gia.get(LIST)
    assert response.status_code == 200
    assert "Nothing has been shared with you yet." in response.content.decode()


def test_without_a_selected_profile_the_page_explains_instead_of_failing(world, gia):
    """An account linked to no one (here: every link revoked) gets a friendly page, not a 404."""
    ProfileAccess.objects.filter(account=world.gia_account).update(status="revoked")
    response = gia.get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="documents-no-profile"' in body
    assert "Nothing has been shared with you yet." not in body


def test_the_list_query_count_is_flat_from_5_to_1000_documents(world, gia, django_assert_max_num_queries):
    """However many documents are shared, the page runs the same few queries."""
    select(gia, world.gia_access_max)
    gia.get(LIST)  # the "Now showing" message is shown and gone: later requests are alike
    bulk_shared(world, 5)
    with CaptureQueriesContext(connection) as small:
        assert len(listed_ids(gia)) == 5
    bulk_shared(world, 995)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(listed_ids(gia)) == 20


def test_an_anonymous_visitor_is_sent_to_the_portal_sign_in(world, client):
    for url in (LIST, view_url(world.progress_note), download_url(world.progress_note)):
        response = client.get(url)
        assert response.status_code == 302
        location = urlsplit(response["Location"])
        assert location.path == "/p/riverside/"
        assert parse_qs(location.query)["next"] == [url]


# --- Serving the file ---------------------------------------------------------------------------


def test_view_serves_the_uploaded_bytes_inline_and_is_audited(world, gia):
    """View: the decrypted bytes, inline, nosniff and no-store; document.viewed names Gia acting for Max."""
    share_with_gia(world, world.progress_note)
    select(gia, world.gia_access_max)
    response = gia.get(view_url(world.progress_note))
    assert response.status_code == 200
    assert response.content == ONE_BLANK_PAGE_PDF  # the persona's progress note
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    [viewed] = events("document.viewed")
    assert viewed.actor_kind == "portal" and viewed.actor_id == world.gia_account.pk
    assert viewed.acting_for == "Max Moreno"
    assert viewed.practice_id == world.riverside.pk and viewed.client_id == world.max.pk
    assert viewed.object_type == "documents.document" and viewed.object_id == str(world.progress_note.pk)
    assert viewed.details == {"version": 1, "profile": world.gia_access_max.pk}
    assert events("document.downloaded") == []


def test_download_serves_the_uploaded_bytes_as_an_attachment_and_is_audited(world, gia):
    """Download: the same bytes as an attachment, nosniff and no-store; document.downloaded is recorded."""
    share_with_gia(world, world.progress_note)
    select(gia, world.gia_access_max)
    response = gia.get(download_url(world.progress_note))
    assert response.status_code == 200
    assert response.content == ONE_BLANK_PAGE_PDF  # the persona's progress note
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    [downloaded] = events("document.downloaded")
    assert downloaded.actor_kind == "portal" and downloaded.actor_id == world.gia_account.pk
    assert downloaded.acting_for == "Max Moreno"
    assert downloaded.client_id == world.max.pk and downloaded.object_id == str(world.progress_note.pk)
    assert downloaded.details == {"version": 1, "profile": world.gia_access_max.pk}
    assert events("document.viewed") == []


def test_an_image_is_shown_inline_with_its_own_bytes(world, gia):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buffer, format="PNG")
    picture = upload(world.ada, world.max, "Drawing", data=buffer.getvalue())
    share_with_gia(world, picture)
    select(gia, world.gia_access_max)
    response = gia.get(view_url(picture))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response.content == buffer.getvalue()


# --- Anything else: 404, audited ----------------------------------------------------------------


def assert_denied(http: HttpClient, world: World, document: Document) -> None:
    """View and download both answer 404, each writing access.denied by Gia's portal login, and serve nothing."""
    for url in (view_url(document), download_url(document)):
        before = AuditEvent.objects.count()
        response = http.get(url)
        assert response.status_code == 404, url
        assert response.content != PDF
        new = list(AuditEvent.objects.order_by("id")[before:])
        assert [event.action for event in new] == ["access.denied"], url
        assert new[0].actor_kind == "portal" and new[0].actor_id == world.gia_account.pk
        assert new[0].details["object_id"] == str(document.pk)
        assert new[0].details["path"] == url
    assert events("document.viewed") == events("document.downloaded") == []


def test_another_clients_document_answers_404_and_is_audited(world, gia):
    """Ana's document, shared with Ana and All Authorized, is not Gia's to see."""
    anas = upload(world.ada, world.ana, "Ana's letter")
    set_recipients(by=world.ada, document=anas, all_authorized=True, client=True, contacts=[])
    select(gia, world.gia_access_max)
    assert_denied(gia, world, anas)


def test_another_profiles_document_answers_404_and_is_audited(world, gia):
    """Mia's document shared with Gia is reachable only while Mia is selected, not under Max."""
    mias = upload(world.ada, world.mia, "Mia's letter")
    set_recipients(by=world.ada, document=mias, all_authorized=False, client=False, contacts=[world.gia_for_mia])
    select(gia, world.gia_access_max)
    assert_denied(gia, world, mias)
    select(gia, world.gia_access_mia)
    assert gia.get(view_url(mias)).status_code == 200


def test_another_practices_document_answers_404_and_is_audited(world, gia):
    """Hilltop's document, shared with All Authorized there, never opens in Riverside's portal."""
    hals = upload(world.hana, world.hal, "Hal's letter")
    set_recipients(by=world.hana, document=hals, all_authorized=True, client=True, contacts=[])
    select(gia, world.gia_access_max)
    assert_denied(gia, world, hals)


def test_an_unshared_document_of_the_selected_client_answers_404_and_is_audited(world, gia):
    select(gia, world.gia_access_max)
    assert_denied(gia, world, world.progress_note)


# --- Helpers ------------------------------------------------------------------------------------


def bulk_shared(world: World, count: int) -> list[Document]:
    """Many of Max's documents shared with Gia, made directly (they all point at one stored version)."""
    version = world.progress_note.current_version
    doc_type = DocumentType.objects.get(practice=world.riverside, name="General Document")
    start = Document.objects.filter(client=world.max).count()
    today = timezone.localdate()
    documents = Document.objects.bulk_create(
        Document(
            practice=world.riverside,
            client=world.max,
            type=doc_type,
            title=f"Letter {start + n}",
            author=world.ada,
            document_date=today - datetime.timedelta(days=start + n),
            current_version=version,
        )
        for n in range(count)
    )
    Share.objects.bulk_create(
        Share(document=document, audience=Audience.CONTACT, contact=world.gia, shared_by=world.ada)
        for document in documents
    )
    return documents
