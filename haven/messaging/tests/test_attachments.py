"""Attachments: PDF, PNG or JPEG judged from their content, within the size and number limits, refused in words
with nothing stored; kept encrypted like documents, and every download audited. Subjects, bodies and names are
encrypted in their rows, and key rotation re-encrypts all of it."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.core.encryption import raw_stored_bytes, read_decrypted, stored_names
from haven.core.errors import ApplicationError
from haven.documents.models import Document, DocumentType
from haven.messaging import policy
from haven.messaging.actions import (
    Upload,
    download_name,
    file_to_chart,
    open_attachment,
    reply,
    write_to_client,
    write_to_practice,
)
from haven.messaging.models import Attachment, Message, Thread
from haven.messaging.tests.helpers import PDF, PNG, gia, pdf, png, staff
from tests.personas import World

pytestmark = pytest.mark.django_db

JPEG_START = b"\xff\xd8\xff"


def nothing_sent() -> None:
    assert not Message.objects.exists()
    assert not Thread.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_names("messages") == []


def refused_from_the_portal(world: World, files: list[Upload]) -> str:
    with pytest.raises(ApplicationError) as refused:
        write_to_practice(gia(world), recipient="team", subject="Scans", body="Here they are.", files=files)
    nothing_sent()
    return refused.value.message


def test_a_file_that_is_not_a_pdf_png_or_jpeg_is_refused_in_words_naming_it(world: World) -> None:
    words = refused_from_the_portal(world, [pdf(), Upload("notes.docx", b"PK\x03\x04 a word file")])
    assert "“notes.docx” was not attached" in words
    assert "PDF, PNG and JPEG" in words
    # Judged from the content, not the name: a renamed file is refused, a PNG called .pdf is taken as a PNG.
    assert "was not attached" in refused_from_the_portal(world, [Upload("scan.pdf", b"<html>not a pdf</html>")])
    assert "was not attached" in refused_from_the_portal(world, [Upload("photo.jpg", JPEG_START + b"garbage")])
    thread = write_to_practice(gia(world), recipient="team", subject="Photo", body="See.", files=[png("a.pdf")])
    attachment = Attachment.objects.get(message__thread=thread)
    assert attachment.content_type == "image/png" and download_name(attachment) == "a.png"


def test_a_file_too_large_is_refused_in_words_with_the_limit(world: World) -> None:
    with override_settings(HAVEN_MESSAGE_ATTACHMENT_MAX_BYTES=len(PDF) - 1):
        words = refused_from_the_portal(world, [png(), pdf("report.pdf")])
    assert "“report.pdf” is too large" in words and "MB" in words
    with override_settings(HAVEN_MESSAGE_ATTACHMENT_MAX_BYTES=len(PDF)):
        write_to_practice(gia(world), recipient="team", subject="Report", body="Here.", files=[pdf("report.pdf")])
    assert Attachment.objects.count() == 1


def test_an_empty_file_is_refused_in_words(world: World) -> None:
    words = refused_from_the_portal(world, [Upload("blank.pdf", b"")])
    assert "“blank.pdf”" in words and "empty" in words


def test_too_many_files_are_refused_in_words(world: World) -> None:
    with override_settings(HAVEN_MESSAGE_MAX_ATTACHMENTS=2):
        words = refused_from_the_portal(world, [pdf(), png(), pdf("third.pdf")])
    assert "up to 2 files" in words


def test_a_refused_reply_from_staff_stores_nothing_either(world: World) -> None:
    thread = write_to_client(by=world.ada, access=world.gia_access_max, subject="Hello", body="Hi.")
    with pytest.raises(ApplicationError, match="was not attached"):
        reply(staff(world.ada), thread, body="The letter.", files=[pdf(), Upload("letter.txt", b"plain text")])
    assert Message.objects.filter(thread=thread).count() == 1
    assert stored_names("messages") == []


def test_several_attachments_are_stored_encrypted_and_read_back_audited(world: World) -> None:
    thread = write_to_practice(
        gia(world), recipient="team", subject="Scans", body="Both pages.", files=[pdf("page 1.pdf"), png("page 2.png")]
    )
    first, second = Attachment.objects.filter(message__thread=thread)
    assert (first.name, first.content_type, first.size) == ("page 1.pdf", "application/pdf", len(PDF))
    assert (second.name, second.content_type) == ("page 2.png", "image/png")
    for attachment, plaintext in ((first, PDF), (second, PNG)):
        raw = raw_stored_bytes(attachment.storage_name)
        assert raw != plaintext and plaintext not in raw
        assert read_decrypted(attachment.storage_name) == plaintext
    ada = staff(world.ada)
    found = policy.get_attachment(ada, second.pk)
    assert open_attachment(ada, found) == PNG
    event = AuditEvent.objects.filter(action="message.attachment_downloaded").get()
    assert event.details["attachment"] == second.pk and event.client_id == world.max.pk


def test_staff_file_an_attachment_into_the_clients_documents_once(world: World) -> None:
    thread = write_to_practice(gia(world), recipient="team", subject="Insurance", body="My card.", files=[png()])
    attachment = Attachment.objects.get(message__thread=thread)
    doc_type = DocumentType.objects.get(practice=world.riverside, name="Progress Note")
    document = file_to_chart(
        staff(world.ada), attachment, doc_type=doc_type, title="Insurance card", document_date=timezone.localdate()
    )
    assert document.client_id == world.max.pk and document.title == "Insurance card"
    assert document.current_version is not None
    assert read_decrypted(document.current_version.storage_name) == PNG
    assert AuditEvent.objects.filter(action="message.attachment_filed").count() == 1
    with pytest.raises(ApplicationError, match="already in the client's documents"):
        file_to_chart(
            staff(world.ada), attachment, doc_type=doc_type, title="Again", document_date=timezone.localdate()
        )
    assert Document.objects.filter(client=world.max, title="Again").count() == 0
    assert policy.why_not(staff(world.bill), policy.MessagingVerb.FILE, thread) is not None


def test_subjects_bodies_and_names_are_encrypted_in_their_rows(world: World) -> None:
    write_to_practice(
        gia(world), recipient="team", subject="Sleep worries", body="He wakes at night.", files=[pdf("sleep log.pdf")]
    )
    row = Thread.objects.values("subject_encrypted").get()
    assert "Sleep" not in row["subject_encrypted"]
    assert "wakes" not in Message.objects.values_list("body_encrypted", flat=True).get()
    assert "sleep log" not in Attachment.objects.values_list("name_encrypted", flat=True).get()
    fresh = Thread.objects.get()
    assert fresh.subject == "Sleep worries"
    assert Message.objects.get().body == "He wakes at night."
    assert Attachment.objects.get().name == "sleep log.pdf"


def test_key_rotation_re_encrypts_subjects_bodies_names_and_files(world: World, settings) -> None:
    thread = write_to_practice(
        gia(world), recipient="team", subject="Sleep worries", body="He wakes at night.", files=[pdf("log.pdf")]
    )
    reply(staff(world.ada), thread, body="Let's talk Tuesday.", files=[png("plan.png")])
    old_key = settings.HAVEN_FILE_KEYS[0]
    new_key = Fernet.generate_key().decode("ascii")
    settings.HAVEN_FILE_KEYS = [new_key, old_key]
    with pytest.raises(CommandError, match="still need an older key"):
        call_command("rotate_file_keys", "--check", verbosity=0, stdout=None)
    call_command("rotate_file_keys", verbosity=0, stdout=None)
    call_command("rotate_file_keys", "--check", verbosity=0, stdout=None)
    settings.HAVEN_FILE_KEYS = [new_key]  # the old key retired: everything reads with the new one alone

    fresh = Thread.objects.get(pk=thread.pk)
    assert fresh.subject == "Sleep worries"
    assert [m.body for m in Message.objects.filter(thread=thread)] == ["He wakes at night.", "Let's talk Tuesday."]
    attachments = list(Attachment.objects.filter(message__thread=thread))
    assert [a.name for a in attachments] == ["log.pdf", "plan.png"]
    assert [read_decrypted(a.storage_name) for a in attachments] == [PDF, PNG]
    for attachment in attachments:
        Fernet(new_key.encode("ascii")).decrypt(raw_stored_bytes(attachment.storage_name))
