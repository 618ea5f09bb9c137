"""Key rotation, the whole way round: every encrypted thing Haven keeps is re-encrypted under a new key,
the old key is retired, and every file, image, secret and seal key still reads and works.

The data is made by the real actions: an uploaded file, a note rendered to PDF and one still waiting for
its render, a drawn and a typed signature (their images), the sealed signed versions and the practice's
sealing key, a secure message with an attachment, and a staff and a portal two-step key.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.core import encrypted
from haven.core.encrypted import EncryptedColumn, EncryptedFiles, registered
from haven.core.encryption import (
    decrypt_bytes,
    encrypt_bytes,
    is_current,
    is_readable,
    raw_stored_bytes,
    read_decrypted,
    rotate_stored,
    store_encrypted,
    stored_names,
)
from haven.documents.models import Document, DocumentType, DocumentVersion
from haven.documents.notes import render_clinical_note, write_clinical_note
from haven.intake.actions import save_draft, send_forms
from haven.intake.models import IntakeForm
from haven.messaging.actions import Upload, write_to_practice
from haven.messaging.models import Attachment
from haven.portal_access import two_factor
from haven.portal_access.models import PortalTwoFactor
from haven.portal_access.viewers import PortalViewer
from haven.scheduling.actions import decline_request, request_appointment
from haven.scheduling.activities import assign_activity, mark_done
from haven.signing.certificates import signing_identity
from haven.signing.models import PracticeSigningCertificate, Signature
from haven.signing.requests import request_signature
from haven.signing.seal import verify_pdf
from haven.signing.tests.flow import sign, treatment_plan
from haven.signing.typed import typed_signature_png
from tests.personas import World

pytestmark = pytest.mark.django_db


def totp_code(key: bytes, *, steps_from_now: int = 0) -> str:
    totp = TOTP(key, step=30, digits=6)
    totp.time = time.time() + 30 * steps_from_now
    return f"{totp.token():06d}"


@dataclass
class EncryptedWorld:
    """Plaintexts kept aside, to compare with what reads back after the rotation."""

    files: dict[str, bytes]
    portal_key: bytes
    staff_device: TOTPDevice
    pending_note: Document
    pending_source: str
    signatures: list[Signature]
    attachment: Attachment


def build_encrypted_world(world: World, capture: Callable[..., Any]) -> EncryptedWorld:
    plan = treatment_plan(world.ada, world.max, pages=1)
    with capture(execute=True):
        drawn_request = request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
        drawn = sign(drawn_request, world.gia_account, world.gia_access_max)
    typed_plan = treatment_plan(world.ada, world.max, pages=1, title="Safety plan")
    with capture(execute=True):
        typed_request = request_signature(by=world.ada, document=typed_plan, signer_key=f"contact-{world.gia.pk}")
        typed = sign(typed_request, world.gia_account, world.gia_access_max, typed_name="Gia Moreno")
    note_type = DocumentType.objects.get(practice=world.riverside, name="Progress Note")

    def note(title: str, plan_text: str) -> Document:
        return write_clinical_note(
            by=world.theo,
            client=world.max,
            doc_type=note_type,
            title=title,
            document_date=plan.document_date,
            sections=[("Plan", plan_text)],
        )

    with capture(execute=True):
        note("Session 12", "Walk each morning.")
    # A note whose render has not run yet: its source text waits, encrypted, in file storage.
    with capture(execute=False) as queued:
        pending = note("Session 13", "Keep walking.")
    [enqueue] = queued
    pending_source = enqueue.keywords["source_name"]

    # Intake answers: a form Gia has begun for Max, its draft kept encrypted in its row.
    gad7 = IntakeForm.objects.get(practice=world.riverside, template_key="gad7")
    (sent,) = send_forms(by=world.ada, client=world.max, forms=[gad7], recipient_key=f"contact-{world.gia.pk}")
    gia = PortalViewer(account=world.gia_account, practice=world.riverside, profile=world.gia_access_max)
    save_draft(viewer=gia, assignment=sent, raw={"gad7_1": "2"})

    two_factor.start_enrolment(account=world.gia_account, practice=world.riverside)
    portal_key = decrypt_bytes(PortalTwoFactor.objects.get(account=world.gia_account).secret_encrypted)
    outcome = two_factor.confirm_enrolment(
        account=world.gia_account, practice=world.riverside, code=totp_code(portal_key, steps_from_now=-1)
    )
    assert outcome == "ok"
    staff_device = TOTPDevice.objects.create(user=world.theo.user, name="app", confirmed=True)

    # A secure message from Gia to the practice: its subject, body and file name in their rows, the file stored.
    assert plan.current_version is not None
    card = read_decrypted(plan.current_version.storage_name)
    with capture(execute=True):
        thread = write_to_practice(
            gia, recipient="team", subject="Insurance card", body="The new card.", files=[Upload("card.pdf", card)]
        )
    attachment = Attachment.objects.get(message__thread=thread)

    # Scheduling: a request's preferred times and note; a Home Activity with its worksheet and the completed one.
    asked = request_appointment(
        viewer=gia, clinician=None, service=None, preferred_times="Weekday mornings", note="After school drop-off."
    )
    decline_request(by=world.ada, request=asked, reason="Mornings are full; please call us.")
    with capture(execute=True):
        activity = assign_activity(
            by=world.ada,
            client=world.max,
            title="Feelings log",
            instructions="Each evening.",
            file=Upload("log.pdf", card),
        )
        activity = mark_done(viewer=gia, activity=activity, file=Upload("done.pdf", card))

    drawn.refresh_from_db()
    typed.refresh_from_db()
    assert drawn.signed_version is not None and typed.signed_version is not None
    assert PracticeSigningCertificate.objects.filter(practice=world.riverside).exclude(private_key_encrypted="")
    files = {version.storage_name: read_decrypted(version.storage_name) for version in DocumentVersion.objects.all()}
    files |= {
        signature.image_storage_name: read_decrypted(signature.image_storage_name) for signature in (drawn, typed)
    }
    files[pending_source] = read_decrypted(pending_source)
    files[attachment.storage_name] = card
    files[activity.file_storage_name] = card
    files[activity.completed_storage_name] = card
    return EncryptedWorld(
        files=files,
        portal_key=portal_key,
        staff_device=staff_device,
        pending_note=pending,
        pending_source=pending_source,
        signatures=[drawn, typed],
        attachment=attachment,
    )


def rotate_and_retire(settings) -> str:
    """Put a new key first, run the command, then keep only the new key. Returns the new key."""
    old_key = settings.HAVEN_FILE_KEYS[0]
    new_key = Fernet.generate_key().decode("ascii")
    settings.HAVEN_FILE_KEYS = [new_key, old_key]
    call_command("rotate_file_keys", verbosity=0)
    settings.HAVEN_FILE_KEYS = [new_key]
    return new_key


def test_after_rotating_and_retiring_the_old_key_everything_reads_signs_seals_and_verifies(
    world: World, settings, django_capture_on_commit_callbacks
) -> None:
    before = build_encrypted_world(world, django_capture_on_commit_callbacks)
    old_certificate = PracticeSigningCertificate.objects.get(practice=world.riverside, retired_at__isnull=True)

    new_key = rotate_and_retire(settings)

    # Every file reads back, byte for byte, and is written under the new key alone.
    for name, plaintext in before.files.items():
        assert read_decrypted(name) == plaintext, name
        Fernet(new_key.encode("ascii")).decrypt(raw_stored_bytes(name))
    typed = before.signatures[1]
    assert read_decrypted(typed.image_storage_name) == typed_signature_png("Gia Moreno")
    for signature in before.signatures:
        assert signature.signed_version is not None
        assert verify_pdf(read_decrypted(signature.signed_version.storage_name), practice=world.riverside).ok

    # The secure message reads as it was written.
    attachment = Attachment.objects.select_related("message__thread").get(pk=before.attachment.pk)
    assert (attachment.message.thread.subject, attachment.message.body, attachment.name) == (
        "Insurance card",
        "The new card.",
        "card.pdf",
    )

    # The practice's sealing key loads, and the same certificate goes on sealing.
    assert signing_identity(world.riverside).record == old_certificate

    # A new Share to Sign is signed, sealed with that key, and verifies.
    plan = treatment_plan(world.ada, world.max, pages=1, title="Discharge plan")
    with django_capture_on_commit_callbacks(execute=True):
        request = request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
        signature = sign(request, world.gia_account, world.gia_access_max)
    signature.refresh_from_db()
    assert signature.signed_version is not None
    assert read_decrypted(signature.image_storage_name)
    assert verify_pdf(read_decrypted(signature.signed_version.storage_name), practice=world.riverside).ok

    # The note waiting for its render still renders.
    render_clinical_note.call(document_id=before.pending_note.pk, source_name=before.pending_source)
    before.pending_note.refresh_from_db()
    assert before.pending_note.current_version is not None
    assert read_decrypted(before.pending_note.current_version.storage_name).startswith(b"%PDF")

    # Two-step codes still verify, for the portal user and for staff.
    assert decrypt_bytes(PortalTwoFactor.objects.get(account=world.gia_account).secret_encrypted) == before.portal_key
    assert (
        two_factor.verify_sign_in(
            account=world.gia_account, practice=world.riverside, code=totp_code(before.portal_key)
        )
        == "ok"
    )
    device = TOTPDevice.objects.get(pk=before.staff_device.pk)
    assert device.verify_token(totp_code(device.bin_key))


# --- The registry covers everything encrypted -------------------------------------------------------------


def text_values() -> Iterator[tuple[str, str, object]]:
    """(model label, field name, value) of every text or binary value in every table."""
    for model in apps.get_models():
        fields = [
            field
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.BinaryField)
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*(field.attname for field in fields)):
            for field, value in zip(fields, row, strict=True):
                if value:
                    yield model._meta.label, field.name, bytes(value) if isinstance(value, memoryview) else value


def encrypted_values() -> tuple[set[str], set[str]]:
    """Where the data holds ciphertext: the columns holding tokens, and the columns naming stored files."""
    stored = set(stored_names())
    columns, file_columns = set(), set()
    for label, field, value in text_values():
        if isinstance(value, str | bytes) and is_readable(value):
            columns.add(f"{label}.{field}")
        if isinstance(value, str) and value in stored:
            file_columns.add(f"{label}.{field}")
    return columns, file_columns


def test_everything_the_data_holds_encrypted_is_in_the_registry(world: World, django_capture_on_commit_callbacks):
    build_encrypted_world(world, django_capture_on_commit_callbacks)
    columns, file_columns = encrypted_values()
    entries = registered()

    assert columns == {entry.key for entry in entries if isinstance(entry, EncryptedColumn)}
    assert file_columns == {entry.key for entry in entries if isinstance(entry, EncryptedFiles)}
    covered = set().union(*(entry.file_names() for entry in entries))
    for name in stored_names():
        assert name in covered, f"{name} is stored but no registered entry covers it, so rotation would miss it"
        assert is_readable(raw_stored_bytes(name)), f"{name} is stored unencrypted"


def test_every_field_named_as_encrypted_is_registered():
    """A column named for ciphertext (``*_encrypted``) or for an encrypted file (``*storage_name``) is registered,
    even where no test writes data into it; and every entry names a real model field."""
    named = {
        f"{model._meta.label}.{field.name}": field.name
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.name.endswith(("_encrypted", "storage_name"))
    }
    entries = {entry.key: entry for entry in registered()}
    for key, name in named.items():
        expected = EncryptedColumn if name.endswith("_encrypted") else EncryptedFiles
        assert isinstance(entries.get(key), expected), f"{key} holds ciphertext but is not registered"
    for entry in entries.values():
        if isinstance(entry, EncryptedColumn | EncryptedFiles):
            entry.model._meta.get_field(entry.field)


def test_after_rotation_nothing_in_the_database_or_storage_needs_the_old_key(
    world: World, settings, django_capture_on_commit_callbacks
) -> None:
    """Independent of the registry: every token in any column and every stored file reads with the new key."""
    build_encrypted_world(world, django_capture_on_commit_callbacks)
    rotate_and_retire(settings)

    tokens = [(f"{label}.{field}", value) for label, field, value in text_values() if isinstance(value, str)]
    assert [key for key, value in tokens if value.startswith("gAAAAA") and not is_current(value)] == []
    assert [name for name in stored_names() if not is_current(raw_stored_bytes(name))] == []


# --- The command --------------------------------------------------------------------------------------------


def test_the_command_reports_each_entry_and_a_second_run_finds_everything_current(
    world: World, settings, django_capture_on_commit_callbacks
) -> None:
    build_encrypted_world(world, django_capture_on_commit_callbacks)
    settings.HAVEN_FILE_KEYS = [Fernet.generate_key().decode("ascii"), *settings.HAVEN_FILE_KEYS]
    with pytest.raises(CommandError, match="still need an older key"):
        call_command("rotate_file_keys", "--check", stdout=StringIO())

    out = StringIO()
    call_command("rotate_file_keys", "--batch-size", "2", stdout=out)
    report = out.getvalue()
    assert "document files (documents.DocumentVersion.storage_name): 6 re-encrypted, 0 already current" in report
    assert "signature images (signing.Signature.image_storage_name): 2 re-encrypted" in report
    assert "practice seal keys (signing.PracticeSigningCertificate.private_key_encrypted): 1 re-encrypted" in report
    assert "portal two-step keys (portal_access.PortalTwoFactor.secret_encrypted): 1 re-encrypted" in report
    assert "clinical notes waiting to be rendered (notes/): 1 re-encrypted" in report

    out = StringIO()
    call_command("rotate_file_keys", "--check", stdout=out)
    assert "Everything is encrypted with the current key." in out.getvalue()
    assert " 0 under an older key" in out.getvalue()


def test_the_command_refuses_to_call_it_done_when_a_key_is_missing(world: World, settings) -> None:
    """Something no configured key reads is reported and fails the run, so nobody retires a key on it."""
    files = DocumentVersion.objects.count()
    assert files  # the personas keep files
    settings.HAVEN_FILE_KEYS = [Fernet.generate_key().decode("ascii")]  # the key that wrote it is gone

    out = StringIO()
    with pytest.raises(CommandError, match="could not be read with any key"):
        call_command("rotate_file_keys", stdout=out)
    assert f"0 already current, {files} unreadable with every configured key" in out.getvalue()


def test_a_secret_written_during_the_rotation_is_not_overwritten_with_the_old_one(world: World, settings, monkeypatch):
    two_factor.start_enrolment(account=world.gia_account, practice=world.riverside)
    settings.HAVEN_FILE_KEYS = [Fernet.generate_key().decode("ascii"), *settings.HAVEN_FILE_KEYS]
    newer = encrypt_bytes(b"a key chosen meanwhile")
    real_rotate_token = encrypted.rotate_token

    def rotate_while_someone_writes(token: str) -> str:
        PortalTwoFactor.objects.filter(account=world.gia_account).update(secret_encrypted=newer)
        return real_rotate_token(token)

    monkeypatch.setattr(encrypted, "rotate_token", rotate_while_someone_writes)
    entry = next(entry for entry in registered() if entry.key == "portal_access.PortalTwoFactor.secret_encrypted")
    counts = entry.rotate()

    assert PortalTwoFactor.objects.get(account=world.gia_account).secret_encrypted == newer
    assert (counts.re_encrypted, counts.current) == (0, 1)


def test_files_are_rewritten_under_their_own_name_on_storage_other_than_a_local_folder(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    name = store_encrypted(b"%PDF-1.7 a file", folder="documents")
    settings.HAVEN_FILE_KEYS = [Fernet.generate_key().decode("ascii"), *settings.HAVEN_FILE_KEYS]

    assert rotate_stored(name) is True
    assert rotate_stored(name) is False  # already current: nothing to do when a run is started again
    settings.HAVEN_FILE_KEYS = settings.HAVEN_FILE_KEYS[:1]
    assert read_decrypted(name) == b"%PDF-1.7 a file"
    assert stored_names() == [name]


def test_only_the_core_module_encrypts():
    """One home for encryption: no other application module holds a cipher of its own, so nothing can be
    encrypted around the registry and the rotation."""
    root = Path(__file__).resolve().parents[2] / "haven"
    home = {root / "core" / "encryption.py", root / "settings.py"}  # settings makes and checks keys only
    elsewhere = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path not in home
        and "tests" not in path.parts
        and re.search(r"cryptography\.fernet|\bFernet\(|_cipher\(", path.read_text(encoding="utf-8"))
    ]
    assert elsewhere == []
