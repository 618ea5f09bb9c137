"""Share to Sign from the staff side (SIGN-1, SIGN-4, SIGN-7): asking, reminding, cancelling, records, statuses."""

from __future__ import annotations

import datetime
import re
from html import unescape
from typing import TYPE_CHECKING

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.core.encryption import read_decrypted
from haven.documents.actions import upload_document
from haven.documents.models import Document, DocumentType, DocumentVersion, VersionSource
from haven.messaging.models import Message, MessageKind
from haven.practices.models import Permission
from haven.signing.answers import decline
from haven.signing.expiry import close_expired_requests
from haven.signing.models import Capacity, RequestStatus, Signature, SignatureRequest
from haven.signing.requests import request_signature
from haven.signing.tests.flow import ORIGIN, sign, treatment_plan, unsaved_request_to_gia
from haven.signing.tests.helpers import document_pdf
from tests.personas import World, give_ana_a_portal_login

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

SHARED_FOR_SIGNATURE = "The document was shared for signature."
CHANGED_WARNING = (
    "The document changed after this request was sent. The signer can't sign it: cancel it and send a new request."
)


def page(response: TestResponse) -> str:
    return unescape(response.content.decode())


def detail_url(document: Document) -> str:
    return reverse("staff:document_detail", kwargs={"client_id": document.client_id, "document_id": document.pk})


def share_to_sign_url(document: Document) -> str:
    return reverse("staff:document_share_to_sign", kwargs={"client_id": document.client_id, "document_id": document.pk})


def request_url(name: str, sign_request: SignatureRequest) -> str:
    document = sign_request.document
    return reverse(
        f"staff:signature_request_{name}",
        kwargs={"client_id": document.client_id, "document_id": document.pk, "request_id": sign_request.pk},
    )


def log_url(world: World) -> str:
    return reverse("staff:activity_log", kwargs={"client_id": world.max.pk})


def log_row(html: str, document: Document) -> str:
    link = f'href="{detail_url(document)}"'
    rows = [row for row in html.split("<tr>") if link in row]
    assert len(rows) == 1
    return rows[0].split("</tr>")[0]


def share_status(html: str, document: Document) -> str:
    found = re.search(r"data-share-status>([^<]*)<", log_row(html, document))
    assert found is not None
    return found.group(1)


def request_block(html: str, sign_request: SignatureRequest) -> str:
    """The signature request's entry in the detail page's Signature requests panel."""
    start = html.index(f'id="signature-request-{sign_request.pk}"')
    return html[start : html.index("</li>", start)]


def guardian_key(world: World) -> str:
    return f"contact-{world.gia.pk}"


def ask_gia(world: World, document: Document) -> SignatureRequest:
    return request_signature(by=world.ada, document=document, signer_key=guardian_key(world))


# --- Share to Sign --------------------------------------------------------------------------------


def test_share_to_sign_asks_the_guardian_puts_a_message_in_her_inbox_and_lists_the_request(
    world: World, login, django_capture_on_commit_callbacks
) -> None:
    plan = treatment_plan(world.ada, world.max)
    http = login(world.ada)
    form = page(http.get(detail_url(plan)))
    assert 'id="share-to-sign"' in form and ">Share to Sign</button>" in form
    assert f"Gia Moreno, legal guardian for {world.max.full_name}, signs in as gia@example.com" in form
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(share_to_sign_url(plan), {"signer": guardian_key(world)}, follow=True)

    html = page(response)
    assert response.status_code == 200
    assert SHARED_FOR_SIGNATURE in html
    sign_request = SignatureRequest.objects.get(document=plan)
    assert (sign_request.capacity, sign_request.contact, sign_request.requested_by) == (
        Capacity.GUARDIAN,
        world.gia,
        world.ada,
    )
    thread = Message.objects.select_related("thread").get(signature_request=sign_request).thread
    assert (thread.account, thread.client, thread.kind) == (world.gia_account, world.max, MessageKind.RECORD_REQUEST)
    block = request_block(html, sign_request)
    assert "Gia Moreno" in block and f"Legal guardian for {world.max.full_name}" in block
    assert "Pending Signature" in block and "Ada Admin" in block and "Version 1" in block
    assert sign_request.expires_at.astimezone(datetime.UTC).date() > timezone.now().date()
    assert "Send reminder" in block and "Cancel request" in block
    # Only one open request: the form gives way to a note pointing at it.
    assert ">Share to Sign</button>" not in html and "Waiting for Gia Moreno to sign" in html
    # The email says a message is waiting, nothing more.
    assert [m.to for m in mail.outbox] == [["gia@example.com"]]
    assert "Max" not in mail.outbox[0].body and "Treatment" not in mail.outbox[0].body


def test_the_client_is_offered_once_she_has_her_own_portal_login(world: World, login) -> None:
    """Ana, an adult, can be asked only after she has an active portal login; until then the page says why."""
    consent = treatment_plan(world.ada, world.ana, title="Consent to treatment")
    http = login(world.ada)
    html = page(http.get(detail_url(consent)))
    assert "Invite the client or a legal guardian to the portal first" in html
    assert ">Share to Sign</button>" not in html
    refused = http.post(share_to_sign_url(consent), {"signer": "client"}, follow=True)
    assert "Invite the client or a legal guardian to the portal first" in page(refused)
    assert not SignatureRequest.objects.filter(document=consent).exists()

    give_ana_a_portal_login(world)
    html = page(http.get(detail_url(consent)))
    assert "Ana Alvarez (client), signs in as ana@example.com" in html

    response = http.post(share_to_sign_url(consent), {"signer": "client"}, follow=True)

    assert SHARED_FOR_SIGNATURE in page(response)
    assert SignatureRequest.objects.get(document=consent).capacity == Capacity.SELF


def test_no_signer_chosen_is_a_field_error_and_nothing_is_sent(world: World, login) -> None:
    plan = treatment_plan(world.ada, world.max)
    http = login(world.ada)

    for data in ({}, {"signer": "contact-999999"}):
        response = http.post(share_to_sign_url(plan), data)
        assert response.status_code == 400
        html = page(response)
        assert "Choose who signs." in html or "Choose the client or a legal guardian" in html
        assert 'id="share-to-sign-signer-error"' in html

    assert not SignatureRequest.objects.exists()
    assert not Message.objects.exists()


def test_an_ineligible_type_says_so_and_where_an_administrator_allows_it(world: World, login) -> None:
    letter = upload_document(
        by=world.ada,
        client=world.max,
        doc_type=DocumentType.objects.get(practice=world.riverside, name="General Document"),
        title="School letter",
        document_date=timezone.localdate(),
        data=document_pdf(1),
    )
    http = login(world.ada)
    html = page(http.get(detail_url(letter)))
    assert (
        "General Document documents can't be shared to sign. An administrator can allow it under Document types."
        in html
    )
    assert reverse("staff:admin_document_types") in html
    assert ">Share to Sign</button>" not in html
    assert "#share-to-sign" not in log_row(page(http.get(log_url(world))), letter)

    response = http.post(share_to_sign_url(letter), {"signer": guardian_key(world)}, follow=True)

    assert "can't be shared to sign" in page(response)
    assert not SignatureRequest.objects.exists()


def test_staff_without_web_portal_see_why_and_get_403_on_every_share_to_sign_action(world: World, login) -> None:
    plan = treatment_plan(world.ada, world.max)
    sign_request = ask_gia(world, plan)
    assert not world.theo.has_permission(Permission.WEB_PORTAL)
    http = login(world.theo)

    html = page(http.get(detail_url(plan)))
    assert "Pending Signature" in html  # Theo sees the request...
    assert "Send reminder" not in html and "Cancel request" not in html  # ...but can't act on it

    for url in (share_to_sign_url(plan), request_url("remind", sign_request), request_url("cancel", sign_request)):
        assert http.post(url, {"signer": guardian_key(world)}).status_code == 403
    sign_request.refresh_from_db()
    assert (sign_request.status, sign_request.reminder_count) == (RequestStatus.PENDING, 0)
    assert SignatureRequest.objects.count() == 1
    assert AuditEvent.objects.filter(action="access.forbidden", actor_id=world.theo.user.pk).count() == 3


def test_another_practices_staff_get_404_on_every_new_url(world: World, login) -> None:
    """Hana (Hilltop, every permission) gets 404, audited, for Riverside's requests, versions and files."""
    plan = treatment_plan(world.ada, world.max)
    sign_request = ask_gia(world, plan)
    version_id = plan.current_version_id
    hana = login(world.hana, HttpClient())
    posts = [share_to_sign_url(plan), request_url("remind", sign_request), request_url("cancel", sign_request)]
    document_kwargs = {"client_id": world.max.pk, "document_id": plan.pk}
    gets = [
        reverse("staff:document_version_verify", kwargs={**document_kwargs, "version_id": version_id}),
        reverse("staff:document_file", kwargs=document_kwargs) + f"?version={version_id}",
    ]
    for url in posts:
        assert hana.post(url, {"signer": guardian_key(world)}).status_code == 404, url
    for url in gets:
        assert hana.get(url).status_code == 404, url
    assert AuditEvent.objects.filter(action="access.denied", actor_id=world.hana.user.pk).count() == 5
    sign_request.refresh_from_db()
    assert sign_request.status == RequestStatus.PENDING and SignatureRequest.objects.count() == 1
    assert not AuditEvent.objects.filter(action="signature.verified").exists()


def test_a_request_named_under_another_document_answers_404(world: World, login) -> None:
    plan = treatment_plan(world.ada, world.max)
    sign_request = ask_gia(world, plan)
    url = reverse(
        "staff:signature_request_cancel",
        kwargs={"client_id": world.max.pk, "document_id": world.progress_note.pk, "request_id": sign_request.pk},
    )

    assert login(world.ada).post(url).status_code == 404

    sign_request.refresh_from_db()
    assert sign_request.status == RequestStatus.PENDING
    denied = AuditEvent.objects.filter(action="access.denied").get()
    assert denied.details["object_type"] == "signing.signaturerequest"


# --- Remind and cancel ---------------------------------------------------------------------------


def test_send_reminder_emails_the_signer_once_a_day_without_health_information(
    world: World, login, django_capture_on_commit_callbacks
) -> None:
    plan = treatment_plan(world.ada, world.max)
    sign_request = ask_gia(world, plan)
    http = login(world.ada)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(request_url("remind", sign_request), follow=True)

    assert "A reminder was sent to Gia Moreno." in page(response)
    assert [m.to for m in mail.outbox] == [["gia@example.com"]]
    email = mail.outbox[0]
    for private in ("Max", "Moreno", "Treatment", "plan"):
        assert private not in f"{email.subject}{email.body}"
    block = request_block(page(response), sign_request)
    assert re.search(r"Reminders sent</dt>\s*<dd[^>]*>1 · last on", block)

    again = http.post(request_url("remind", sign_request), follow=True)

    assert "A reminder was already sent today. You can send another tomorrow." in page(again)
    assert len(mail.outbox) == 1
    sign_request.refresh_from_db()
    assert sign_request.reminder_count == 1


def test_cancel_request_asks_first_withdraws_it_and_offers_share_to_sign_again(world: World, login) -> None:
    plan = treatment_plan(world.ada, world.max)
    sign_request = ask_gia(world, plan)
    http = login(world.ada)
    before = page(http.get(detail_url(plan)))
    cancel_form = re.search(rf'<form[^>]*action="{request_url("cancel", sign_request)}"[^>]*>', before)
    assert cancel_form is not None and "data-confirm=" in cancel_form.group(0)

    response = http.post(request_url("cancel", sign_request), follow=True)

    html = page(response)
    assert "The signature request to Gia Moreno was cancelled." in html
    sign_request.refresh_from_db()
    assert (sign_request.status, sign_request.cancelled_by) == (RequestStatus.CANCELLED, world.ada)
    block = request_block(html, sign_request)
    assert "Cancelled" in block and "Ada Admin" in block
    assert "Send reminder" not in block and "Cancel request" not in block
    assert ">Share to Sign</button>" in html
    again = http.post(request_url("cancel", sign_request), follow=True)
    assert "This request was already cancelled." in page(again)


def test_an_expired_request_reads_expired_and_a_new_one_can_be_sent(world: World, login) -> None:
    plan = treatment_plan(world.ada, world.max)
    sign_request = ask_gia(world, plan)
    SignatureRequest.objects.filter(pk=sign_request.pk).update(expires_at=timezone.now() - datetime.timedelta(hours=1))
    http = login(world.ada)

    html = page(http.get(detail_url(plan)))

    block = request_block(html, sign_request)
    assert 'data-request-status="expired"' in block and "Expired" in block
    assert "Send reminder" not in block
    assert ">Share to Sign</button>" in html
    assert share_status(page(http.get(log_url(world))), plan) == "Shared"


def test_a_request_closed_by_the_daily_tasks_reads_expired_with_its_date(world: World, login) -> None:
    plan = treatment_plan(world.ada, world.max)
    sign_request = ask_gia(world, plan)
    SignatureRequest.objects.filter(pk=sign_request.pk).update(expires_at=timezone.now() - datetime.timedelta(hours=1))
    assert close_expired_requests() == 1

    html = page(login(world.ada).get(detail_url(plan)))

    block = request_block(html, sign_request)
    assert 'data-request-status="expired"' in block
    assert "not signed in time; send a new request to ask again" in block
    assert ">Share to Sign</button>" in html


# --- Amendments and the changed-document warning (SIGN-7) ------------------------------------------


def test_a_new_version_makes_the_open_request_unsignable_and_the_page_warns(world: World, login) -> None:
    plan = treatment_plan(world.ada, world.max)
    sign_request = ask_gia(world, plan)
    http = login(world.ada)
    before = page(http.get(detail_url(plan)))
    assert CHANGED_WARNING not in before
    assert "Gia Moreno was asked to sign the current version." in before  # said before uploading

    response = http.post(
        reverse("staff:document_version_add", kwargs={"client_id": world.max.pk, "document_id": plan.pk}),
        {"file": SimpleUploadedFile("amended.pdf", document_pdf(1), content_type="application/pdf")},
        follow=True,
    )

    html = page(response)
    assert "Version 2 was added and is now the current version." in html
    plan.refresh_from_db()
    assert plan.current_version is not None and plan.current_version.number == 2
    block = request_block(html, sign_request)
    assert CHANGED_WARNING in block
    assert "Send reminder" not in block and "Cancel request" in block
    assert share_status(page(http.get(log_url(world))), plan) == "Signature request outdated"


def test_a_new_version_that_is_not_accepted_keeps_the_page_and_says_why(world: World, login) -> None:
    plan = treatment_plan(world.ada, world.max)
    http = login(world.ada)
    url = reverse("staff:document_version_add", kwargs={"client_id": world.max.pk, "document_id": plan.pk})

    missing = http.post(url, {})
    wrong = http.post(url, {"file": SimpleUploadedFile("notes.txt", b"plain words", content_type="text/plain")})

    assert missing.status_code == wrong.status_code == 400
    assert "Choose the file of the new version." in page(missing)
    assert "Haven accepts PDF, PNG and JPEG files." in page(wrong)
    assert 'aria-invalid="true"' in page(wrong)
    assert DocumentVersion.objects.filter(document=plan).count() == 1
    assert login(world.bill, HttpClient()).post(url, {}).status_code == 403  # billing can't upload


# --- Signed and declined (SIGN-4) -------------------------------------------------------------------


def test_a_signed_request_shows_the_signature_record_and_the_log_says_shared_and_signed(
    world: World, login, django_capture_on_commit_callbacks
) -> None:
    plan = treatment_plan(world.ada, world.max)
    sign_request = ask_gia(world, plan)
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(sign_request, world.gia_account, world.gia_access_max)
    signature.refresh_from_db()
    assert signature.signed_version is not None
    http = login(world.ada)

    html = page(http.get(detail_url(plan)))

    block = request_block(html, sign_request)
    assert 'data-request-status="signed"' in block
    for expected in (
        "Signature record",
        "Gia Moreno · gia@example.com",
        f"Legal guardian for {world.max.full_name}",
        "Drawn by hand",
        str(ORIGIN.ip),
        signature.device,
        signature.disclosure_version,
        signature.sha256_before,
        signature.sha256_signed,
        "Version 2, sealed by the practice",
        f"?version={signature.signed_version.pk}",
        'href="{}"'.format(
            reverse("staff:document_version_verify", args=[world.max.pk, plan.pk, signature.signed_version.pk])
        ),
    ):
        assert expected in block, expected
    assert re.search(r"\d{2}:\d{2}:\d{2} C[DS]T", block), "the time shows in the practice's zone (Chicago)"
    assert "The signed PDF is being prepared" not in block
    # Versions: the signed one is current and marked so.
    versions = html[html.index('id="versions"') :]
    assert re.search(
        r'data-version="2">\s*<td[^>]*>Version 2 <span[^>]*>Current</span> <span[^>]*>Signed</span>', versions
    )
    assert versions.count(">Check seal</a>") == 2
    # The Activity Log: Shared and Signed, with the orange globe of a selected recipient.
    log = page(http.get(log_url(world)))
    assert share_status(log, plan) == "Shared and Signed"
    assert 'data-globe="orange"' in log_row(log, plan)


def share_to_sign_section(html: str) -> str:
    start = html.index('id="share-to-sign"')
    return html[start : html.index("</section>", start)]


def test_share_to_sign_on_a_signed_document_says_who_signed_when_and_preselects_nobody(
    world: World, login, django_capture_on_commit_callbacks
) -> None:
    """Shared and Signed: the dialog says so (by whom, when) and what a new request would mean, and does
    not tick the only possible signer for the staff member."""
    plan = treatment_plan(world.ada, world.max)
    with django_capture_on_commit_callbacks(execute=True):
        sign(ask_gia(world, plan), world.gia_account, world.gia_access_max)
    http = login(world.ada)

    section = share_to_sign_section(page(http.get(detail_url(plan))))

    assert re.search(r"Already signed: Gia Moreno signed it on \d{4}-\d{2}-\d{2} \d{2}:\d{2} C[DS]T\.", section)
    assert "A new request asks for a new signature on the signed version" in section
    assert 'name="signer"' in section and " checked" not in section
    # Still possible, on purpose: the choice is made, not made for them.
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(share_to_sign_url(plan), {"signer": guardian_key(world)}, follow=True)
    assert SHARED_FOR_SIGNATURE in page(response)
    latest = SignatureRequest.objects.filter(document=plan).first()
    assert latest is not None and latest.status == RequestStatus.PENDING
    assert latest.version.source == VersionSource.SIGNED


def test_share_to_sign_on_an_unsigned_document_still_preselects_the_only_signer(world: World, login) -> None:
    plan = treatment_plan(world.ada, world.max)
    section = share_to_sign_section(page(login(world.ada).get(detail_url(plan))))
    assert "Already signed" not in section and " checked" in section


def test_a_typed_signatures_record_shows_the_name_as_typed(world: World, login) -> None:
    plan = treatment_plan(world.ada, world.max)
    sign_request = ask_gia(world, plan)
    sign(sign_request, world.gia_account, world.gia_access_max, typed_name="Gia Moreno")

    block = request_block(page(login(world.ada).get(detail_url(plan))), sign_request)

    assert "Typed: “Gia Moreno”" in block and "Drawn by hand" not in block


def test_while_the_signed_pdf_is_prepared_the_record_says_so(
    world: World, login, django_capture_on_commit_callbacks
) -> None:
    plan = treatment_plan(world.ada, world.max)
    sign_request = ask_gia(world, plan)
    with django_capture_on_commit_callbacks(execute=False):
        sign(sign_request, world.gia_account, world.gia_access_max)
    assert Signature.objects.get().signed_version is None

    html = page(login(world.ada).get(detail_url(plan)))

    block = request_block(html, sign_request)
    assert "The signed PDF is being prepared." in block
    assert 'data-request-status="signed"' in block


def test_a_declined_request_shows_the_reason_and_the_log_says_signature_declined(world: World, login) -> None:
    plan = treatment_plan(world.ada, world.max)
    sign_request = ask_gia(world, plan)
    http = login(world.ada)
    assert share_status(page(http.get(log_url(world))), plan) == "Pending Signature"

    decline(
        account=world.gia_account,
        access=world.gia_access_max,
        request=sign_request,
        reason="The goals on page 2 are not what we agreed <b>at all</b>.",
    )

    html = page(http.get(detail_url(plan)))
    block = request_block(html, sign_request)
    assert 'data-request-status="declined"' in block and "Declined" in block
    raw = http.get(detail_url(plan)).content.decode()
    assert "agreed &lt;b&gt;at all&lt;/b&gt;." in raw and "<b>at all</b>" not in raw  # shown, never as markup
    assert ">Share to Sign</button>" in html  # a new request can be sent
    assert share_status(page(http.get(log_url(world))), plan) == "Signature declined"


# --- The Activity Log -----------------------------------------------------------------------------


def test_the_log_offers_share_to_sign_for_eligible_pdfs_only(world: World, login) -> None:
    plan = treatment_plan(world.ada, world.max)
    asked = treatment_plan(world.ada, world.max, title="Second plan")
    ask_gia(world, asked)
    ada_log = page(login(world.ada).get(log_url(world)))
    theo_log = page(login(world.theo, HttpClient()).get(log_url(world)))

    assert f'href="{detail_url(plan)}#share-to-sign"' in log_row(ada_log, plan)
    assert "#share-to-sign" not in log_row(ada_log, asked)  # already waiting
    assert share_status(ada_log, asked) == "Pending Signature"
    assert "#share-to-sign" not in log_row(theo_log, plan)  # no Web Portal permission
    assert reverse("staff:verify") in ada_log


def bulk_requested_documents(world: World, count: int) -> None:
    """Many signable entries, each with up to three requests: pending, declined and cancelled."""
    version = world.progress_note.current_version
    assert version is not None
    plan_type = DocumentType.objects.get(practice=world.riverside, name="Treatment Plan")
    documents = Document.objects.bulk_create(
        Document(
            practice=world.riverside,
            client=world.max,
            type=plan_type,
            title=f"Plan {index}",
            author=world.ada,
            current_version=version,
        )
        for index in range(count)
    )
    now = timezone.now()
    statuses = [RequestStatus.PENDING, RequestStatus.DECLINED, RequestStatus.CANCELLED]
    SignatureRequest.objects.bulk_create(
        unsaved_request_to_gia(world, document, status=status, requested_at=now - datetime.timedelta(minutes=offset))
        for index, document in enumerate(documents)
        for offset, status in enumerate(statuses[index % 3 :])
    )


def test_activity_log_query_count_does_not_grow_with_signature_requests(
    world: World, login, django_assert_max_num_queries
) -> None:
    http = login(world.ada)
    http.get(log_url(world))
    bulk_requested_documents(world, 3)
    with CaptureQueriesContext(connection) as few:
        response = http.get(log_url(world))
    assert page(response).count('data-label="Share Status"') == 4

    bulk_requested_documents(world, 120)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = http.get(log_url(world))
    html = page(response)
    assert html.count('data-label="Share Status"') == 25
    assert "Pending Signature" in html and "Signature declined" in html


def test_a_signed_version_shows_in_the_log_title_as_signed_when_not_shared(
    world: World, login, django_capture_on_commit_callbacks
) -> None:
    """Unsharing a signed document keeps its signed state visible: Not Shared · Signed."""
    from haven.documents.actions import set_recipients

    plan = treatment_plan(world.ada, world.max)
    sign_request = ask_gia(world, plan)
    with django_capture_on_commit_callbacks(execute=True):
        sign(sign_request, world.gia_account, world.gia_access_max)
    plan.refresh_from_db()
    assert plan.current_version is not None and plan.current_version.source == VersionSource.SIGNED
    set_recipients(by=world.ada, document=plan, all_authorized=False, client=False, contacts=[])

    row = log_row(page(login(world.ada).get(log_url(world))), plan)

    assert "Not Shared" in row and "· Signed" in row


# --- Files of one version, and Document types ----------------------------------------------------


def test_any_version_of_the_document_can_be_viewed_and_each_is_audited(
    world: World, login, django_capture_on_commit_callbacks
) -> None:
    plan = treatment_plan(world.ada, world.max)
    original = plan.current_version
    assert original is not None
    with django_capture_on_commit_callbacks(execute=True):
        sign(ask_gia(world, plan), world.gia_account, world.gia_access_max)
    http = login(world.theo)
    url = reverse("staff:document_file", kwargs={"client_id": world.max.pk, "document_id": plan.pk})

    first = http.get(url, {"version": original.pk, "download": "1"})
    current = http.get(url)

    assert first.status_code == current.status_code == 200
    assert first["Content-Disposition"].startswith("attachment;")
    assert first.content != current.content
    events = list(AuditEvent.objects.filter(action__startswith="document.").exclude(action="document.shared"))
    assert [(e.action, e.details) for e in events][-2:] == [
        ("document.downloaded", {"version": 1}),
        ("document.viewed", {"version": 2}),
    ]
    other = world.progress_note.current_version_id
    for bad in (str(other), "nonsense"):
        assert http.get(url, {"version": bad}).status_code == 404
    assert (
        AuditEvent.objects.filter(action="access.denied", details__object_type="documents.documentversion").count() == 2
    )


def test_an_administrator_allows_share_to_sign_for_a_type(world: World, login) -> None:
    general = DocumentType.objects.get(practice=world.riverside, name="General Document")
    letter = upload_document(
        by=world.ada,
        client=world.max,
        doc_type=general,
        title="School letter",
        document_date=timezone.localdate(),
        data=document_pdf(1),
    )
    http = login(world.ada)
    admin_page = page(http.get(reverse("staff:admin_document_types")))
    assert f'id="share-to-sign-{general.pk}"' in admin_page

    response = http.post(
        reverse("staff:admin_document_type_update", kwargs={"type_id": general.pk}), {"share_to_sign": "1"}, follow=True
    )

    general.refresh_from_db()
    assert general.share_to_sign and not general.never_share
    checkbox = re.search(rf'<input[^>]*id="share-to-sign-{general.pk}"[^>]*>', page(response))
    assert checkbox is not None and "checked" in checkbox.group(0)
    event = AuditEvent.objects.filter(action="document_type.exceptions_changed").get()
    assert event.details["before"]["share_to_sign"] is False and event.details["after"]["share_to_sign"] is True
    assert ">Share to Sign</button>" in page(http.get(detail_url(letter)))


# --- The Chart Face (SIGN-4) ----------------------------------------------------------------------


def chart_url(world: World) -> str:
    return reverse("staff:client_chart", kwargs={"client_id": world.max.pk})


def chart_row(html: str, document: Document) -> str:
    return html.split(f'<tr data-document="{document.pk}">', 1)[1].split("</tr>", 1)[0]


def test_the_chart_face_offers_the_signed_version_as_soon_as_it_is_current(
    world: World, login, django_capture_on_commit_callbacks
) -> None:
    plan = treatment_plan(world.ada, world.max, title="Plan to sign")
    http = login(world.ada)
    sign_request = ask_gia(world, plan)
    assert "Pending Signature" in chart_row(page(http.get(chart_url(world))), plan)

    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(sign_request, world.gia_account, world.gia_access_max)
    signature.refresh_from_db()
    assert signature.signed_version is not None

    row = chart_row(page(http.get(chart_url(world))), plan)
    assert re.search(r"data-share-status>Shared and Signed<", row)
    download = re.search(r'href="([^"]+\?download=1)">Download signed PDF', row)
    assert download is not None
    response = http.get(download.group(1))
    assert response.status_code == 200
    assert response.content == read_decrypted(signature.signed_version.storage_name)


def test_the_chart_face_shows_the_latest_five_documents_in_a_fixed_number_of_queries(
    world: World, login, django_assert_max_num_queries
) -> None:
    http = login(world.ada)
    for number in range(3):
        treatment_plan(world.ada, world.max, pages=1, title=f"Plan {number}")
    # The page's 14 (3 of them its audit event, 1 the intake forms' summary, 1 the secure messages card, 1 the
    # header's unread messages), and the session's first write since sign-in (3: savepoint, update, release).
    with django_assert_max_num_queries(17) as few:
        http.get(chart_url(world))
    for number in range(3, 12):
        treatment_plan(world.ada, world.max, pages=1, title=f"Plan {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = page(http.get(chart_url(world)))
    assert html.count("<tr data-document=") == 5
    assert "Plan 11" in html and "Plan 6" not in html
    assert f'href="{log_url(world)}">All documents<' in html
