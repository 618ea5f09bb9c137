"""Key rotation, the whole way round: every encrypted thing Haven keeps is re-encrypted under a new key,
the old key is retired, and every file, image, secret and seal key still reads and works.

The data is made by the real actions: an uploaded file, a note rendered to PDF and one still waiting for
its render, a drawn and a typed signature (their images), the sealed signed versions and the practice's
sealing key, and a staff and a portal two-step key.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.core.encryption import decrypt_bytes, raw_stored_bytes, read_decrypted
from haven.documents.models import Document, DocumentType, DocumentVersion
from haven.documents.notes import render_clinical_note, write_clinical_note
from haven.portal_access import two_factor
from haven.portal_access.models import PortalTwoFactor
from haven.signing.actions import request_signature
from haven.signing.certificates import signing_identity
from haven.signing.models import PracticeSigningCertificate, Signature
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

    two_factor.start_enrolment(account=world.gia_account, practice=world.riverside)
    portal_key = decrypt_bytes(PortalTwoFactor.objects.get(account=world.gia_account).secret_encrypted)
    outcome = two_factor.confirm_enrolment(
        account=world.gia_account, practice=world.riverside, code=totp_code(portal_key, steps_from_now=-1)
    )
    assert outcome == "ok"
    staff_device = TOTPDevice.objects.create(user=world.theo.user, name="app", confirmed=True)

    drawn.refresh_from_db()
    typed.refresh_from_db()
    assert drawn.signed_version is not None and typed.signed_version is not None
    assert PracticeSigningCertificate.objects.filter(practice=world.riverside).exclude(private_key_encrypted="")
    files = {version.storage_name: read_decrypted(version.storage_name) for version in DocumentVersion.objects.all()}
    files |= {
        signature.image_storage_name: read_decrypted(signature.image_storage_name) for signature in (drawn, typed)
    }
    files[pending_source] = read_decrypted(pending_source)
    return EncryptedWorld(
        files=files,
        portal_key=portal_key,
        staff_device=staff_device,
        pending_note=pending,
        pending_source=pending_source,
        signatures=[drawn, typed],
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
