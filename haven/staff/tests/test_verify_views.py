"""Checking a PDF's seal from the staff side (SIGN-5): a stored version, or any uploaded file."""

from __future__ import annotations

from html import unescape
from typing import TYPE_CHECKING

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.core.encryption import read_decrypted
from haven.documents.models import Document, DocumentVersion
from haven.signing.models import Signature
from haven.signing.requests import request_signature
from haven.signing.tests.flow import sign, treatment_plan
from tests.personas import World

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

VERIFY_URL = "/staff/verify/"


def page(response: TestResponse) -> str:
    return unescape(response.content.decode())


def version_verify_url(document: Document, version: DocumentVersion | int) -> str:
    version_id = version if isinstance(version, int) else version.pk
    return reverse(
        "staff:document_version_verify",
        kwargs={"client_id": document.client_id, "document_id": document.pk, "version_id": version_id},
    )


@pytest.fixture
def signed(world: World, django_capture_on_commit_callbacks) -> Signature:
    """Max's treatment plan, signed by Gia, with its sealed signed version built."""
    plan = treatment_plan(world.ada, world.max, pages=1)
    sign_request = request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(sign_request, world.gia_account, world.gia_access_max)
    signature.refresh_from_db()
    assert signature.signed_version is not None
    return signature


def upload(http: HttpClient, name: str, data: bytes, content_type: str = "application/pdf") -> TestResponse:
    return http.post(VERIFY_URL, {"file": SimpleUploadedFile(name, data, content_type=content_type)})


def test_the_url_is_the_staff_verify_page() -> None:
    assert reverse("staff:verify") == VERIFY_URL


def test_check_seal_of_a_signed_version_says_intact_and_names_document_version_and_signature(
    world: World, login, signed: Signature
) -> None:
    version = signed.signed_version
    assert version is not None
    http = login(world.theo)  # any staff member of the practice
    detail = page(
        http.get(
            reverse("staff:document_detail", kwargs={"client_id": world.max.pk, "document_id": signed.document_id})
        )
    )
    assert f'href="{version_verify_url(signed.document, version)}"' in detail

    response = http.get(version_verify_url(signed.document, version))

    html = page(response)
    assert response.status_code == 200
    assert 'data-seal="valid"' in html
    assert "Seal intact and valid — sealed by" in html and "Riverside Counseling" in html
    assert "Treatment plan" in html and "Version 2" in html
    assert "Gia Moreno (legal guardian for Max Moreno)" in html
    assert f"#signature-request-{signed.request_id}" in html
    event = AuditEvent.objects.filter(action="signature.verified").get()
    assert event.actor_id == world.theo.user.pk and event.client_id == world.max.pk
    assert event.details["intact"] is True and event.details["version"] == version.pk


def test_check_seal_of_an_unsigned_version_says_it_carries_no_seal(world: World, login, signed: Signature) -> None:
    original = signed.request.version

    html = page(login(world.ada).get(version_verify_url(signed.document, original)))

    assert 'data-seal="none"' in html and "The file carries no digital seal." in html
    assert "Version 1" in html and "Seal intact" not in html


def test_uploading_the_signed_pdf_names_the_stored_document(world: World, login, signed: Signature) -> None:
    assert signed.signed_version is not None
    pdf = read_decrypted(signed.signed_version.storage_name)

    response = upload(login(world.theo), "signed.pdf", pdf)

    html = page(response)
    assert response.status_code == 200
    assert "Seal intact and valid — sealed by" in html
    detail = reverse("staff:document_detail", kwargs={"client_id": world.max.pk, "document_id": signed.document_id})
    assert f'href="{detail}"' in html and "Version 2" in html and "Gia Moreno" in html
    assert AuditEvent.objects.filter(action="signature.verified", actor_id=world.theo.user.pk).count() == 1


def test_a_signed_pdf_with_one_byte_changed_reads_as_broken_and_unknown(world: World, login, signed: Signature) -> None:
    assert signed.signed_version is not None
    pdf = bytearray(read_decrypted(signed.signed_version.storage_name))
    position = pdf.index(b"/MediaBox") + 2
    pdf[position] = ord("Q") if pdf[position] != ord("Q") else ord("R")

    response = upload(login(world.ada), "signed.pdf", bytes(pdf))

    html = page(response)
    assert response.status_code == 200
    assert 'data-seal="broken"' in html and "Seal broken: " in html
    assert "Seal intact" not in html
    assert "This file is not a version stored in Haven." in html
    event = AuditEvent.objects.filter(action="signature.verified").get()
    assert event.details["intact"] is False and event.details["version"] is None


def test_a_file_that_is_not_a_pdf_is_refused_politely(world: World, login) -> None:
    http = login(world.ada)
    assert http.get(VERIFY_URL).status_code == 200

    response = upload(http, "photo.png", b"\x89PNG\r\n\x1a\nnot really", "image/png")
    empty = http.post(VERIFY_URL, {})

    assert response.status_code == empty.status_code == 400
    assert "Choose a PDF file. Only PDF documents carry a seal." in page(response)
    assert 'aria-invalid="true"' in page(response)
    assert "Choose the PDF to check." in page(empty)
    assert not AuditEvent.objects.filter(action="signature.verified").exists()


def test_a_file_over_the_upload_limit_is_refused(world: World, login, settings) -> None:
    settings.HAVEN_MAX_UPLOAD_BYTES = 1_000_000

    response = upload(login(world.ada), "big.pdf", b"%PDF-1.7\n" + b"0" * 1_000_000)

    assert response.status_code == 400
    assert "That file is larger than 976.6\xa0KB. Choose a smaller PDF." in page(response)
    assert not AuditEvent.objects.filter(action="signature.verified").exists()


def test_a_version_is_checked_only_under_its_own_document(world: World, login, signed: Signature) -> None:
    """Another document's version under this URL, or another practice's staff: 404, audited, nothing checked."""
    assert signed.signed_version is not None
    foreign_version = world.progress_note.current_version_id
    assert isinstance(foreign_version, int)

    assert login(world.ada).get(version_verify_url(signed.document, foreign_version)).status_code == 404
    hana = login(world.hana, HttpClient())
    assert hana.get(version_verify_url(signed.document, signed.signed_version)).status_code == 404

    denied = list(AuditEvent.objects.filter(action="access.denied").order_by("id"))
    assert [event.details["object_type"] for event in denied] == ["documents.documentversion", "clients.client"]
    assert not AuditEvent.objects.filter(action="signature.verified").exists()


def test_another_practice_learns_nothing_from_a_riverside_file(world: World, login, signed: Signature) -> None:
    """Hana uploads Riverside's signed PDF: her practice's seal check finds no stored version and no Riverside names."""
    assert signed.signed_version is not None
    pdf = read_decrypted(signed.signed_version.storage_name)

    html = page(upload(login(world.hana), "signed.pdf", pdf))

    assert "This file is not a version stored in Haven." in html
    assert "Seal intact and valid" not in html
    for private in ("Max Moreno", "Gia Moreno", "Treatment plan"):
        assert private not in html
