"""Checking a seal from the portal (SIGN-5): intact, broken, not a PDF; matches told only for shared documents."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from haven.audit.models import AuditEvent
from haven.core.encryption import read_decrypted
from haven.portal.tests.helpers import select
from haven.signing.models import Signature
from haven.signing.requests import request_signature
from haven.signing.tests.flow import sign, treatment_plan
from haven.signing.tests.helpers import document_pdf
from tests.personas import World

pytestmark = pytest.mark.django_db

VERIFY = "/p/riverside/verify/"
NOT_A_PDF = "Choose a PDF file. Only PDF documents carry a seal."


@pytest.fixture
def signed(world: World, django_capture_on_commit_callbacks) -> Signature:
    """Max's treatment plan, signed by Gia and sealed by the practice."""
    plan = treatment_plan(world.ada, world.max, pages=1)
    request = request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(request, world.gia_account, world.gia_access_max)
    signature.refresh_from_db()
    assert signature.signed_version is not None
    return signature


def signed_pdf(signature: Signature) -> bytes:
    assert signature.signed_version is not None
    return read_decrypted(signature.signed_version.storage_name)


def upload(http: HttpClient, data: bytes, name: str = "plan.pdf", content_type: str = "application/pdf") -> str:
    response = http.post(VERIFY, {"file": SimpleUploadedFile(name, data, content_type=content_type)})
    return f"{response.status_code} {html.unescape(response.content.decode())}"


def test_the_page_offers_a_pdf_upload(world, gia):
    response = gia.get(VERIFY)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'enctype="multipart/form-data"' in body and 'accept="application/pdf,.pdf"' in body


def test_a_signed_pdf_reads_intact_and_valid_and_names_the_shared_document(world, gia, signed):
    select(gia, world.gia_access_max)
    answer = upload(gia, signed_pdf(signed))
    assert answer.startswith("200 ")
    assert "Seal intact and valid — sealed by Riverside Counseling on" in answer
    assert "This file is “Treatment plan”, version 2, shared with you." in answer
    assert "Signed by Gia Moreno on" in answer
    [verified] = AuditEvent.objects.filter(action="signature.verified")
    assert (verified.actor_kind, verified.actor_id, verified.acting_for) == (
        "portal",
        world.gia_account.pk,
        "Max Moreno",
    )
    assert verified.details["intact"] is True and verified.details["valid"] is True


def test_one_changed_byte_reads_as_a_broken_seal(world, gia, signed):
    pdf = bytearray(signed_pdf(signed))
    position = pdf.index(b"/MediaBox") + 2
    pdf[position] = ord("Q") if pdf[position] != ord("Q") else ord("R")
    select(gia, world.gia_access_max)
    answer = upload(gia, bytes(pdf))
    assert answer.startswith("200 ")
    assert "Seal broken: " in answer and "Seal intact" not in answer
    assert "This file is not a document shared with you." in answer


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [(b"GIF89a not a pdf", "picture.pdf", "application/pdf"), (b"Hello", "notes.txt", "text/plain")],
    ids=["disguised", "text"],
)
def test_a_file_that_is_not_a_pdf_is_refused_politely(world, gia, data, name, content_type):
    answer = upload(gia, data, name, content_type)
    assert answer.startswith("400 ") and NOT_A_PDF in answer
    assert not AuditEvent.objects.filter(action="signature.verified").exists()


def test_a_file_over_the_upload_limit_is_refused(world, gia, settings):
    settings.HAVEN_MAX_UPLOAD_BYTES = 1000
    answer = upload(gia, b"%PDF-1.7\n" + b"0" * 2000)
    assert answer.startswith("400 ") and "larger than" in answer


def test_an_unsealed_pdf_says_it_carries_no_seal(world, gia):
    answer = upload(gia, document_pdf(1))
    assert answer.startswith("200 ") and "No seal: The file carries no digital seal." in answer
    assert "Seal intact" not in answer


def test_a_damaged_pdf_reads_as_broken(world, gia):
    answer = upload(gia, b"%PDF-1.4\n% a small test document\n%%EOF\n")
    assert answer.startswith("200 ") and "Seal broken: The file could not be read as a PDF" in answer


def test_the_match_is_not_told_for_a_document_not_shared_with_the_selected_profile(world, gia, signed):
    """With Mia selected, Max's signed plan checks out, but which document it is stays unsaid."""
    select(gia, world.gia_access_mia)
    answer = upload(gia, signed_pdf(signed))
    assert "Seal intact and valid" in answer
    assert "Treatment plan" not in answer and "This file is not a document shared with you." in answer


def test_check_seal_verifies_the_stored_signed_version(world, gia, signed):
    select(gia, world.gia_access_max)
    url = f"/p/riverside/documents/{signed.document_id}/verify/"
    response = gia.get(url)
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert "The stored copy of “Treatment plan”" in body
    assert "Seal intact and valid — sealed by Riverside Counseling on" in body


def test_check_seal_of_another_profiles_document_is_404_and_audited(world, gia, signed):
    select(gia, world.gia_access_mia)
    url = f"/p/riverside/documents/{signed.document_id}/verify/"
    assert gia.get(url).status_code == 404
    [denied] = AuditEvent.objects.filter(action="access.denied")
    assert denied.details == {"object_type": "documents.document", "object_id": str(signed.document_id), "path": url}
    assert not AuditEvent.objects.filter(action="signature.verified").exists()
