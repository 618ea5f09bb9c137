"""Share to Sign through the actions (SIGN-1..SIGN-7): request, inbox, sign, sealed signed version."""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import re
from collections.abc import Iterable
from io import BytesIO, StringIO

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.utils import timezone
from pypdf import PdfReader

from haven.audit.models import AuditEvent
from haven.clients.actions import CONTACT_FIELDS, update_contact
from haven.core.encryption import read_decrypted
from haven.core.errors import ApplicationError
from haven.documents.actions import add_version, set_recipients
from haven.documents.models import Audience, Document, DocumentType, DocumentVersion, VersionSource
from haven.documents.notes import write_clinical_note
from haven.messaging import policy as messaging_policy
from haven.messaging.models import Message, MessageKind
from haven.portal_access.models import ProfileAccess
from haven.portal_access.viewers import PortalViewer
from haven.signing.answers import SigningRefused, decline
from haven.signing.eligibility import possible_signers
from haven.signing.models import Capacity, RequestStatus, Signature
from haven.signing.policy import SigningReason, SigningVerb, why_not
from haven.signing.requests import cancel_request, remind, request_signature
from haven.signing.seal import outside_event_loop, verify_pdf
from haven.signing.selectors import portal_documents, staff_signature_status
from haven.signing.stamping import find_signature_area
from haven.signing.tasks import seal_unsealed_signatures
from haven.signing.tests.flow import ORIGIN, sign, treatment_plan
from haven.signing.tests.helpers import document_pdf
from tests.personas import PASSWORD, World, give_ana_a_portal_login

pytestmark = pytest.mark.django_db


def as_portal(access: ProfileAccess) -> PortalViewer:
    return PortalViewer(account=access.account, practice=access.practice, profile=access)


@pytest.fixture
def ana_access(world: World) -> ProfileAccess:
    return give_ana_a_portal_login(world)


def flags(documents: Iterable[Document], document: Document, *names: str) -> list[object]:
    """What a selector put on one document."""
    [row] = [listed for listed in documents if listed.pk == document.pk]
    return [getattr(row, name) for name in names]


def guardian_key(world: World) -> str:
    return f"contact-{world.gia.pk}"


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_whole_flow_guardian_signs_for_a_minor_and_the_sealed_signed_pdf_becomes_current(
    world: World, django_capture_on_commit_callbacks
) -> None:
    plan = treatment_plan(world.ada, world.max)
    original = plan.current_version
    assert original is not None
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        request = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))

    # The request names the guardian, fixes the version sent, and shares the document with her.
    assert (request.capacity, request.contact, request.status) == (Capacity.GUARDIAN, world.gia, RequestStatus.PENDING)
    assert request.sha256 == original.sha256
    assert plan.shares.open().filter(audience=Audience.CONTACT, contact=world.gia).exists()
    # Inbox: one record-request message, for Gia's login and Max's profile only.
    thread = messaging_policy.visible_to(as_portal(world.gia_access_max)).get()
    message = thread.messages.get()
    assert (thread.kind, message.document, message.signature_request) == (MessageKind.RECORD_REQUEST, plan, request)
    assert not messaging_policy.visible_to(as_portal(world.gia_access_mia)).exists()
    # Email: says a message is waiting; no name, no title, no health information.
    assert [m.to for m in mail.outbox] == [["gia@example.com"]]
    email = mail.outbox[0]
    assert isinstance(email, EmailMultiAlternatives)
    html = email.alternatives[0][0]
    assert isinstance(html, str)
    text = f"{email.subject}{email.body}{html}"
    assert "new message" in text
    for private in ("Max", "Moreno", "Treatment", "plan", "sign"):
        assert private not in text
    # My Documents: Pending Review for the signer.
    assert flags(portal_documents(world.gia_access_max), plan, "pending_review", "signed") == [True, False]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(request, world.gia_account, world.gia_access_max)

    # Ada, who asked, hears that it was signed: a link into Haven, no names or title.
    [told] = mail.outbox
    assert told.to == [world.ada.user.email] and "was signed" in told.body
    assert f"/staff/clients/{world.max.pk}/documents/{plan.pk}/" in told.body
    for private in ("Max", "Gia", "Treatment plan"):
        assert private not in f"{told.subject}{told.body}"
    request.refresh_from_db()
    plan.refresh_from_db()
    signature.refresh_from_db()
    assert request.status == RequestStatus.SIGNED
    signed = plan.current_version
    assert signed is not None and signed.source == VersionSource.SIGNED and signed.number == 2
    assert signature.signed_version == signed
    assert (signature.signer_name, signature.signer_email) == ("Gia Moreno", "gia@example.com")
    assert (signature.capacity, signature.on_behalf_of) == (Capacity.GUARDIAN, world.max.full_name)
    assert signature.device == "Mobile Safari 17 on iOS 17.5, iPhone"
    assert str(signature.ip_address) == ORIGIN.ip
    # The signed PDF: sealed by the practice, hash on record, one page longer (the certificate).
    pdf = read_decrypted(signed.storage_name)
    assert hashlib.sha256(pdf).hexdigest() == signed.sha256
    report = verify_pdf(pdf, practice=world.riverside)
    assert report.ok, report.problem
    assert len(PdfReader(BytesIO(pdf)).pages) == 3
    # The version the signer saw is still there, unchanged.
    assert hashlib.sha256(read_decrypted(original.storage_name)).hexdigest() == original.sha256
    # Tags and statuses.
    assert flags(portal_documents(world.gia_access_max), plan, "pending_review", "signed") == [False, True]
    staff_row = flags(
        staff_signature_status(list(Document.objects.all())), plan, "signed", "pending_signature", "last_request_status"
    )
    assert staff_row == [True, False, RequestStatus.SIGNED]
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="signature.").order_by("id")] == [
        "signature.requested",
        "signature.consented",
        "signature.signed",
        "signature.sealed",
    ]
    signed_event = events("signature.signed")[0]
    assert (signed_event.ip, signed_event.acting_for) == (ORIGIN.ip, world.max.full_name)


def test_the_certificate_page_holds_every_field(world: World, django_capture_on_commit_callbacks) -> None:
    plan = treatment_plan(world.ada, world.max, pages=1)
    request = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(request, world.gia_account, world.gia_access_max)
    signature.refresh_from_db()
    assert signature.signed_version is not None
    pdf = read_decrypted(signature.signed_version.storage_name)
    page = re.sub(r"\s+", " ", PdfReader(BytesIO(pdf)).pages[-1].extract_text())
    for expected in (
        "Gia Moreno",
        "gia@example.com",
        f"Legal guardian, for {world.max.full_name}",
        "203.0.113.7",
        "Mobile Safari 17 on iOS 17.5, iPhone",
        signature.sha256_before,
        signature.sha256_signed,
        signature.disclosure_version,
        f"R-{request.pk}",
        f"S-{signature.pk}",
        "UTC",
    ):
        assert expected.replace(" ", "") in page.replace(" ", ""), expected
    assert "portal account name" not in page  # the same name as the chart's: said once
    assert signature.sha256_signed != signature.sha256_before


def test_the_certificate_names_the_signer_as_the_practice_knows_them_with_a_different_account_name_beside(
    world: World, django_capture_on_commit_callbacks
) -> None:
    """A portal account's own name is whatever was typed when it was made; the chart's name is what counts."""
    world.gia_account.full_name = "Someone Else"
    world.gia_account.save(update_fields=["full_name"])
    plan = treatment_plan(world.ada, world.max, pages=1)
    request = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(request, world.gia_account, world.gia_access_max)
    signature.refresh_from_db()
    assert (signature.signer_name, signature.account_name) == ("Gia Moreno", "Someone Else")
    assert signature.signed_version is not None
    pdf = read_decrypted(signature.signed_version.storage_name)
    page = re.sub(r"\s+", " ", PdfReader(BytesIO(pdf)).pages[-1].extract_text())
    assert "Gia Moreno (portal account name: Someone Else)" in page
    report = verify_pdf(pdf, practice=world.riverside)
    assert report.ok and "Signed electronically by Gia Moreno (guardian of Max Moreno)" in str(report.reason)


def test_one_changed_byte_in_the_signed_pdf_reads_as_broken(world: World, django_capture_on_commit_callbacks) -> None:
    plan = treatment_plan(world.ada, world.max, pages=1)
    request = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(request, world.gia_account, world.gia_access_max)
    signature.refresh_from_db()
    assert signature.signed_version is not None
    pdf = bytearray(read_decrypted(signature.signed_version.storage_name))
    position = pdf.index(b"/MediaBox") + 2
    pdf[position] = ord("Q") if pdf[position] != ord("Q") else ord("R")
    report = verify_pdf(bytes(pdf), practice=world.riverside)
    assert not report.ok and report.problem


def test_the_client_signs_for_themself(
    world: World, ana_access: ProfileAccess, django_capture_on_commit_callbacks
) -> None:
    consent = treatment_plan(world.ada, world.ana, title="Consent to treatment")
    assert [s.key for s in possible_signers(consent)] == ["client"]
    request = request_signature(by=world.ada, document=consent, signer_key="client")
    assert consent.shares.open().filter(audience=Audience.CLIENT).exists()
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(request, ana_access.account, ana_access)
    assert (signature.capacity, signature.on_behalf_of) == (Capacity.SELF, "")


def test_a_related_contact_without_guardian_capacity_cannot_be_asked_or_sign(world: World) -> None:
    plan = treatment_plan(world.ada, world.max)
    request = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    update_contact(
        by=world.ada,
        contact=world.gia,
        expected_version=world.gia.version,
        data={**{f: getattr(world.gia, f) for f in CONTACT_FIELDS}, "legal_guardian": False},
    )
    world.gia_access_max.contact.refresh_from_db()  # type: ignore[union-attr]
    assert possible_signers(plan) == []
    with pytest.raises(ApplicationError):
        request_signature(by=world.ada, document=treatment_plan(world.ada, world.max), signer_key=guardian_key(world))
    with pytest.raises(SigningRefused) as refused:
        sign(request, world.gia_account, world.gia_access_max)
    assert refused.value.code == "wrong_signer"
    assert not Signature.objects.exists()


def test_another_profiles_request_is_refused_and_audited(world: World) -> None:
    plan = treatment_plan(world.ada, world.max)
    request = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    with pytest.raises(SigningRefused) as refused:
        sign(request, world.gia_account, world.gia_access_mia)  # Gia, but with Mia's profile selected
    assert refused.value.code == "wrong_signer"
    assert "not for the profile" in refused.value.message
    event = events("signature.refused")[-1]
    assert event.details["reason"] == "wrong_signer" and event.actor_label == "gia@example.com"


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"password": "not-the-password"}, "wrong_password", "password is not right"),
        ({"blank": True}, "empty_drawing", "Draw your signature"),
        ({"consented": False}, "no_consent", "tick the box"),
    ],
)
def test_bad_answers_are_refused_with_a_clear_message_and_audited(
    world: World, change: dict[str, object], code: str, words: str
) -> None:
    plan = treatment_plan(world.ada, world.max)
    request = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    with pytest.raises(SigningRefused) as refused:
        sign(
            request,
            world.gia_account,
            world.gia_access_max,
            password=str(change.get("password", PASSWORD)),
            consented=bool(change.get("consented", True)),
            image=blank_png() if change.get("blank") else None,
        )
    assert (refused.value.code, words in refused.value.message) == (code, True)
    assert events("signature.refused")[-1].details["reason"] == code
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING and not Signature.objects.exists()


def blank_png() -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGBA", (400, 120), (255, 255, 255, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_expired_and_cancelled_requests_are_refused(world: World) -> None:
    plan = treatment_plan(world.ada, world.max)
    request = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    cancel_request(by=world.ada, request=request)
    with pytest.raises(SigningRefused) as refused:
        sign(request, world.gia_account, world.gia_access_max)
    assert refused.value.code == "cancelled"
    assert events("signature.cancelled")

    again = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    again.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    again.save(update_fields=["expires_at"])
    with pytest.raises(SigningRefused) as refused:
        sign(again, world.gia_account, world.gia_access_max)
    assert refused.value.code == "expired"
    # An expired request no longer blocks a new one.
    third = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    again.refresh_from_db()
    assert again.status == RequestStatus.EXPIRED and third.status == RequestStatus.PENDING
    assert [event.object_id for event in events("signature.expired")] == [str(again.pk)]


def test_the_daily_tasks_close_expired_requests_once_and_tell_whoever_asked(
    world: World, django_capture_on_commit_callbacks
) -> None:
    plan = treatment_plan(world.ada, world.max)
    late = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    late.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    late.save(update_fields=["expires_at"])
    waiting = request_signature(
        by=world.ada, document=treatment_plan(world.ada, world.max, title="Still open"), signer_key=guardian_key(world)
    )
    mail.outbox.clear()

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_daily_tasks", now=True, stdout=out)

    assert "Signature requests closed as expired: 1." in out.getvalue()
    late.refresh_from_db()
    waiting.refresh_from_db()
    assert (late.status, waiting.status) == (RequestStatus.EXPIRED, RequestStatus.PENDING)
    assert late.answered_at is not None
    assert [event.object_id for event in events("signature.expired")] == [str(late.pk)]
    [email] = mail.outbox
    assert email.to == [world.ada.user.email]
    assert email.subject == "Riverside Counseling: a signature request expired"
    assert "not signed within 30 days" in email.body
    assert f"/staff/clients/{world.max.pk}/documents/{late.document_id}/" in email.body
    for private in (world.max.full_name, world.gia.full_name, late.document.title):
        assert private not in email.body and private not in email.subject
    reason = why_not(as_portal(world.gia_access_max), SigningVerb.SIGN, late)
    assert (reason, reason and reason.words(late)) == (
        SigningReason.EXPIRED,
        "This signature request has expired. Ask the practice to send a new one.",
    )

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_daily_tasks", now=True, stdout=out)
    assert "Signature requests closed as expired: 0." in out.getvalue()
    assert len(events("signature.expired")) == 1 and len(mail.outbox) == 1


def test_a_signature_is_given_once(world: World, django_capture_on_commit_callbacks) -> None:
    plan = treatment_plan(world.ada, world.max)
    request = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    with django_capture_on_commit_callbacks(execute=True):
        sign(request, world.gia_account, world.gia_access_max)
    with pytest.raises(SigningRefused) as refused:
        sign(request, world.gia_account, world.gia_access_max)
    assert refused.value.code == "already_signed"
    assert Signature.objects.count() == 1 and plan.versions.count() == 2
    with pytest.raises(ValueError):
        Signature.objects.get().save()


def test_signing_is_refused_once_the_document_changed(world: World) -> None:
    plan = treatment_plan(world.ada, world.max)
    request = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    add_version(by=world.ada, document=plan, data=document_pdf(3))
    with pytest.raises(SigningRefused) as refused:
        sign(request, world.gia_account, world.gia_access_max)
    assert refused.value.code == "document_changed"
    assert "send a new request" in refused.value.message
    # The Activity Log tells staff the request is outdated rather than waiting.
    listed = staff_signature_status(list(Document.objects.all()))
    staff_row = flags(listed, plan, "pending_signature", "signature_outdated")
    assert staff_row == [False, True]


def test_signing_is_refused_once_the_document_is_no_longer_shared_with_the_signer(world: World) -> None:
    plan = treatment_plan(world.ada, world.max)
    request = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    set_recipients(by=world.ada, document=plan, all_authorized=False, client=False, contacts=[])
    with pytest.raises(SigningRefused) as refused:
        sign(request, world.gia_account, world.gia_access_max)
    assert refused.value.code == "not_shared"


def test_the_signer_may_decline_with_a_reason_staff_see(world: World, django_capture_on_commit_callbacks) -> None:
    plan = treatment_plan(world.ada, world.max)
    request = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    with pytest.raises(ApplicationError, match="why"):
        decline(account=world.gia_account, access=world.gia_access_max, request=request, reason="  ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decline(account=world.gia_account, access=world.gia_access_max, request=request, reason="The dates are wrong.")
    [told] = mail.outbox
    assert told.to == [world.ada.user.email] and "declined" in told.subject
    assert "dates" not in told.body  # the reason is read in Haven, not in email
    request.refresh_from_db()
    assert (request.status, request.decline_reason) == (RequestStatus.DECLINED, "The dates are wrong.")
    assert events("signature.declined")
    with pytest.raises(SigningRefused) as refused:
        sign(request, world.gia_account, world.gia_access_max)
    assert refused.value.code == "declined"


def test_share_to_sign_needs_an_eligible_type_a_pdf_and_the_web_portal_permission(world: World) -> None:
    plan = treatment_plan(world.ada, world.max)
    with pytest.raises(ApplicationError, match="Web Portal"):
        request_signature(by=world.theo, document=plan, signer_key=guardian_key(world))
    DocumentType.objects.filter(pk=plan.type_id).update(share_to_sign=False)
    plan.type.refresh_from_db()
    with pytest.raises(ApplicationError, match="can't be shared to sign"):
        request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))


def test_share_to_sign_waits_for_a_document_whose_pdf_is_still_being_prepared(world: World) -> None:
    plan = treatment_plan(world.ada, world.max)
    Document.objects.filter(pk=plan.pk).update(current_version=None)
    plan.refresh_from_db()
    with pytest.raises(ApplicationError, match="still being prepared; share it to sign once it appears"):
        request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))


def test_defaults_allow_notes_treatment_plans_and_consents_only(world: World) -> None:
    signable = set(
        DocumentType.objects.filter(practice=world.riverside, share_to_sign=True).values_list("name", flat=True)
    )
    assert signable == {"Progress Note", "Complete Evaluation", "Treatment Plan", "Consent"}


def test_one_pending_request_per_document(world: World) -> None:
    plan = treatment_plan(world.ada, world.max)
    request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    with pytest.raises(ApplicationError, match="already waiting"):
        request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))


def test_a_reminder_emails_the_signer_once_a_day(world: World, django_capture_on_commit_callbacks) -> None:
    plan = treatment_plan(world.ada, world.max)
    request = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        remind(by=world.ada, request=request)
    assert [m.to for m in mail.outbox] == [["gia@example.com"]]
    assert "Max" not in mail.outbox[0].body
    with pytest.raises(ApplicationError, match="tomorrow"):
        remind(by=world.ada, request=request)
    assert len(events("signature.reminded")) == 1


def test_an_out_of_date_request_is_not_reminded(world: World, django_capture_on_commit_callbacks) -> None:
    plan = treatment_plan(world.ada, world.max)
    request = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    add_version(by=world.ada, document=plan, data=document_pdf(3))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError, match="out of date"):
        remind(by=world.ada, request=request)
    assert mail.outbox == []
    assert events("signature.reminded") == []


def test_staff_of_another_practice_cannot_touch_a_request(world: World) -> None:
    plan = treatment_plan(world.ada, world.max)
    request = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    with pytest.raises(ApplicationError):
        cancel_request(by=world.hana, request=request)
    with pytest.raises(ApplicationError):
        request_signature(by=world.hana, document=plan, signer_key=guardian_key(world))
    assert not Message.objects.filter(sent_by=world.hana).exists()


def test_the_database_refuses_to_alter_a_signed_version_or_a_sealed_signature(
    world: World, django_capture_on_commit_callbacks
) -> None:
    plan = treatment_plan(world.ada, world.max, pages=1)
    request = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(request, world.gia_account, world.gia_access_max)
    signature.refresh_from_db()
    assert signature.signed_version is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        DocumentVersion.objects.filter(pk=signature.signed_version.pk).update(sha256="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        Signature.objects.filter(pk=signature.pk).update(signer_name="Someone else")
    with pytest.raises(DatabaseError), transaction.atomic():
        Signature.objects.filter(pk=signature.pk).update(signed_version=None)
    signature.refresh_from_db()
    assert signature.signer_name == "Gia Moreno" and signature.signed_version is not None


def test_the_database_refuses_to_change_the_names_on_a_signature_not_yet_sealed(world: World) -> None:
    plan = treatment_plan(world.ada, world.max, pages=1)
    request = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    signature = sign(request, world.gia_account, world.gia_access_max)  # the sealing task never runs here
    for field in ("account_name", "method"):
        with pytest.raises(DatabaseError), transaction.atomic():
            Signature.objects.filter(pk=signature.pk).update(**{field: "Someone else"})


def test_a_signature_whose_pdf_was_never_built_is_sealed_by_the_daily_tasks(
    world: World, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    plan = treatment_plan(world.ada, world.max, pages=1)
    request = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    with django_capture_on_commit_callbacks(execute=False):  # the worker never ran the sealing task
        signature = sign(request, world.gia_account, world.gia_access_max)
    assert seal_unsealed_signatures.call() == 0  # too recent: the worker may still be on it
    later = timezone.now() + datetime.timedelta(minutes=11)
    monkeypatch.setattr(timezone, "now", lambda: later)
    call_command("run_daily_tasks", now=True, stdout=StringIO())
    signature.refresh_from_db()
    plan.refresh_from_db()
    assert signature.signed_version is not None and plan.current_version == signature.signed_version


def test_pyhanko_calls_made_inside_a_running_event_loop_run_in_a_worker_thread() -> None:
    """pyHanko's synchronous entry points start their own loop, which a running loop forbids (async code,
    or a test driving a browser): seal and check hand such calls to a worker thread instead."""

    def starts_its_own_loop() -> str:
        return asyncio.run(asyncio.sleep(0, result="done"))

    async def inside_a_loop() -> str:
        return outside_event_loop(starts_its_own_loop)

    assert asyncio.run(inside_a_loop()) == "done"
    assert outside_event_loop(starts_its_own_loop) == "done"


def test_a_treatment_plan_written_in_haven_is_signed_in_its_own_signature_area(
    world: World, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        plan = write_clinical_note(
            by=world.ada,
            client=world.max,
            doc_type=DocumentType.objects.get(practice=world.riverside, name="Treatment Plan"),
            title="Treatment plan",
            document_date=timezone.localdate(),
            sections=[("Goals", "Sleep within 30 minutes on school nights.")],
        )
    plan.refresh_from_db()
    assert plan.current_version is not None
    area = find_signature_area(read_decrypted(plan.current_version.storage_name))
    assert area is not None  # rendered with room for the client's or guardian's signature
    request = request_signature(by=world.ada, document=plan, signer_key=guardian_key(world))
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(request, world.gia_account, world.gia_access_max)
    signature.refresh_from_db()
    assert signature.signed_version is not None
    signed = PdfReader(BytesIO(read_decrypted(signature.signed_version.storage_name)))
    content = signed.pages[area.page].get_contents()
    assert content is not None
    left, bottom = area.box[0], area.box[1]
    assert f"{left:.3f} {bottom:.3f} cm\n/HavenSignature Do".encode() in content.get_data()
