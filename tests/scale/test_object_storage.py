"""Files on S3-compatible object storage: the storage and encryption tests again, against a real S3 API.

Every test here runs with Haven's file storage in a fresh bucket on moto's S3 server (started on loopback
by ``tests/scale/conftest.py``), configured as ``HAVEN_S3_*`` configure it. The tests imported below are
the local-folder tests themselves, collected again here: uploads and downloads through the real staff and
portal views, note sources written and deleted by the render task, and key rotation with
``rotate_file_keys`` and its ``--check``. The tests written here read the bucket directly, past Haven, to
show that nothing in it is readable.
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from haven.core.encryption import (
    is_current,
    is_readable,
    raw_stored_bytes,
    read_decrypted,
    rotate_stored,
    store_encrypted,
)
from haven.documents.models import Document, DocumentType, DocumentVersion
from haven.documents.tests.test_document_actions import (
    test_a_file_under_an_unknown_key_is_reported_not_served,
    test_key_rotation_keeps_old_files_readable,
    test_stored_bytes_are_not_the_plaintext,
)
from haven.documents.tests.test_notes import (
    test_running_the_task_twice_makes_one_version,
    test_the_document_has_no_version_until_the_task_has_run,
)
from haven.documents.tests.test_staff_documents import (
    test_document_file_is_served_safely_and_every_view_and_download_is_audited,
    test_upload_stores_the_document_and_returns_to_the_log,
)
from haven.portal.tests.conftest import gia
from haven.portal.tests.test_my_documents import (
    test_download_serves_the_uploaded_bytes_as_an_attachment_and_is_audited,
    test_view_serves_the_uploaded_bytes_inline_and_is_audited,
)
from tests.personas import World
from tests.scale.conftest import Bucket
from tests.security.test_key_rotation import (
    build_encrypted_world,
    test_after_rotating_and_retiring_the_old_key_everything_reads_signs_seals_and_verifies,
    test_after_rotation_nothing_in_the_database_or_storage_needs_the_old_key,
    test_everything_the_data_holds_encrypted_is_in_the_registry,
    test_the_command_refuses_to_call_it_done_when_a_key_is_missing,
    test_the_command_reports_each_entry_and_a_second_run_finds_everything_current,
)

pytestmark = pytest.mark.django_db

REUSED = [  # collected here again, on S3
    gia,
    test_a_file_under_an_unknown_key_is_reported_not_served,
    test_key_rotation_keeps_old_files_readable,
    test_stored_bytes_are_not_the_plaintext,
    test_running_the_task_twice_makes_one_version,
    test_the_document_has_no_version_until_the_task_has_run,
    test_document_file_is_served_safely_and_every_view_and_download_is_audited,
    test_upload_stores_the_document_and_returns_to_the_log,
    test_download_serves_the_uploaded_bytes_as_an_attachment_and_is_audited,
    test_view_serves_the_uploaded_bytes_inline_and_is_audited,
    test_after_rotating_and_retiring_the_old_key_everything_reads_signs_seals_and_verifies,
    test_after_rotation_nothing_in_the_database_or_storage_needs_the_old_key,
    test_everything_the_data_holds_encrypted_is_in_the_registry,
    test_the_command_refuses_to_call_it_done_when_a_key_is_missing,
    test_the_command_reports_each_entry_and_a_second_run_finds_everything_current,
]

FERNET_TOKEN = re.compile(rb"gAAAAA[A-Za-z0-9_\-]+=*")  # URL-safe base64 of version byte 0x80 and the rest
MARKER = b"Quillfeather-7731 referral"
PDF = b"%PDF-1.4\n% " + MARKER + b"\n%%EOF\n"


@pytest.fixture(autouse=True)
def _files_on_s3(s3_storage: Bucket) -> Bucket:
    """Every test in this module, the imported ones too, keeps its files in a bucket of its own."""
    return s3_storage


def test_the_storage_in_use_is_the_bucket(s3_storage: Bucket) -> None:
    """The tests above really ran on S3: Haven's storage is django-storages' S3 backend on this bucket."""
    storage = storages["default"]
    assert type(storage).__module__ == "storages.backends.s3"
    name = store_encrypted(b"hello", folder="documents")
    assert s3_storage.keys() == [name]


def test_an_upload_through_the_view_leaves_only_ciphertext_in_the_bucket(
    world: World, login, s3_storage: Bucket
) -> None:
    response = login(world.theo).post(
        reverse("staff:document_upload", kwargs={"client_id": world.max.pk}),
        {
            "doc_type": DocumentType.objects.get(practice=world.riverside, name="General Document").pk,
            "title": "Referral letter",
            "document_date": "2025-02-03",
            "file": SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    version = Document.objects.get(title="Referral letter").current_version
    assert version is not None

    keys = s3_storage.keys()
    assert version.storage_name in keys
    assert set(keys) == set(DocumentVersion.objects.values_list("storage_name", flat=True))
    for key in keys:
        stored = s3_storage.object_bytes(key)  # read from the bucket directly, past Haven
        assert MARKER not in stored and b"%PDF" not in stored, key
        assert is_readable(stored) and FERNET_TOKEN.fullmatch(stored), f"{key} is not a token of Haven's keys"
    assert read_decrypted(version.storage_name) == PDF


def test_everything_stored_by_signing_notes_and_rotation_is_ciphertext_in_the_bucket(
    world: World, django_capture_on_commit_callbacks, s3_storage: Bucket
) -> None:
    """Signed and sealed PDFs, signature images and a note's waiting source: each object is a Fernet token."""
    before = build_encrypted_world(world, django_capture_on_commit_callbacks)
    keys = s3_storage.keys()
    assert set(before.files) <= set(keys)
    assert any(key.startswith("notes/") for key in keys) and any(key.startswith("signatures/") for key in keys)
    for key in keys:
        stored = s3_storage.object_bytes(key)
        assert is_readable(stored), key
        assert FERNET_TOKEN.fullmatch(stored), f"{key} holds more than a token"
        if key in before.files:
            assert before.files[key] not in stored


def test_rotation_rewrites_each_object_under_its_own_name(world: World, settings, s3_storage: Bucket) -> None:
    keys = s3_storage.keys()
    assert keys  # the personas keep files
    old = {key: s3_storage.object_bytes(key) for key in keys}
    plaintexts = {key: read_decrypted(key) for key in keys}
    new_key = Fernet.generate_key().decode("ascii")
    settings.HAVEN_FILE_KEYS = [new_key, *settings.HAVEN_FILE_KEYS]

    call_command("rotate_file_keys", verbosity=0)

    assert s3_storage.keys() == keys  # same names, nothing added, nothing lost
    for key in keys:
        rewritten = s3_storage.object_bytes(key)
        assert rewritten != old[key]
        assert Fernet(new_key.encode("ascii")).decrypt(rewritten) == plaintexts[key]
    out = StringIO()
    call_command("rotate_file_keys", "--check", stdout=out)
    assert "Everything is encrypted with the current key." in out.getvalue()


def test_an_object_gone_from_the_bucket_is_reported_missing_by_rotation(
    world: World, settings, s3_storage: Bucket
) -> None:
    version = world.progress_note.current_version
    assert version is not None
    s3_storage.client.delete_object(Bucket=s3_storage.name, Key=version.storage_name)
    settings.HAVEN_FILE_KEYS = [Fernet.generate_key().decode("ascii"), *settings.HAVEN_FILE_KEYS]

    out = StringIO()
    call_command("rotate_file_keys", stdout=out)

    assert "document files (documents.DocumentVersion.storage_name): 0 re-encrypted, 0 already current, 1 missing" in (
        out.getvalue()
    )
    with pytest.raises(FileNotFoundError):
        raw_stored_bytes(version.storage_name)


def test_a_failed_upload_leaves_no_object_behind(world: World, monkeypatch, s3_storage: Bucket) -> None:
    """The audit write fails after the file was stored: the rows roll back and the object is deleted."""
    from haven.documents.actions import upload_document

    keys = s3_storage.keys()

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the audit write failed")

    monkeypatch.setattr("haven.documents.actions.record_event", fail)
    with pytest.raises(RuntimeError):
        upload_document(
            by=world.ada,
            client=world.max,
            doc_type=DocumentType.objects.get(practice=world.riverside, name="Consent"),
            title="Consent for treatment",
            document_date=world.progress_note.document_date,
            data=PDF,
        )
    assert s3_storage.keys() == keys


def test_a_rotated_object_reads_with_the_new_key_alone(settings, s3_storage: Bucket) -> None:
    name = store_encrypted(b"%PDF-1.7 a file", folder="documents")
    settings.HAVEN_FILE_KEYS = [Fernet.generate_key().decode("ascii"), *settings.HAVEN_FILE_KEYS]
    assert not is_current(s3_storage.object_bytes(name))

    assert rotate_stored(name) is True
    assert rotate_stored(name) is False  # already current: a run started again has nothing to do

    settings.HAVEN_FILE_KEYS = settings.HAVEN_FILE_KEYS[:1]
    assert read_decrypted(name) == b"%PDF-1.7 a file"
    assert s3_storage.keys() == [name]
