"""Documents at rest and their sharing, through the actions."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from haven.audit.models import AuditEvent
from haven.core import encryption
from haven.core.errors import ApplicationError
from haven.documents.actions import set_recipients, share_all_with_client, upload_document
from haven.documents.models import Audience, Document, DocumentType, DocumentVersion, Share
from haven.documents.selectors import all_shared_with_client, unshared_with_client

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% Haven test\n1 0 obj << >> endobj\n%%EOF\n"


def _upload(world, **overrides) -> Document:
    fields = {
        "by": world.ada,
        "client": world.max,
        "doc_type": DocumentType.objects.get(practice=world.riverside, name="Consent"),
        "title": "Consent for treatment",
        "document_date": world.progress_note.document_date,
        "data": PDF,
    }
    return upload_document(**{**fields, **overrides})


def test_stored_bytes_are_not_the_plaintext(world):
    version = _upload(world).current_version
    assert version is not None
    on_disk = encryption.raw_stored_bytes(version.storage_name)
    assert PDF not in on_disk
    assert b"%PDF" not in on_disk
    assert encryption.read_decrypted(version.storage_name) == PDF


def test_stored_names_are_generated_not_uploaded(world):
    version = _upload(world, title="../../etc/passwd").current_version
    assert version is not None
    assert ".." not in version.storage_name and "passwd" not in version.storage_name
    assert version.filename == "etcpasswd.pdf"


def test_key_rotation_keeps_old_files_readable(world, settings):
    version = _upload(world).current_version
    assert version is not None
    old_key = settings.HAVEN_FILE_KEYS[0]
    settings.HAVEN_FILE_KEYS = [Fernet.generate_key().decode("ascii"), old_key]
    assert encryption.read_decrypted(version.storage_name) == PDF  # old files still read
    call_command("rotate_file_keys", verbosity=0)
    settings.HAVEN_FILE_KEYS = settings.HAVEN_FILE_KEYS[:1]  # the old key retired
    assert encryption.read_decrypted(version.storage_name) == PDF


def test_a_file_under_an_unknown_key_is_reported_not_served(world, settings):
    version = _upload(world).current_version
    assert version is not None
    settings.HAVEN_FILE_KEYS = [Fernet.generate_key().decode("ascii")]
    with pytest.raises(encryption.UnreadableFile):
        encryption.read_decrypted(version.storage_name)


def test_html_named_pdf_is_refused_and_nothing_is_kept(world, tmp_path):
    versions_before = DocumentVersion.objects.count()
    files_before = set((tmp_path / "documents").glob("*"))
    with pytest.raises(ApplicationError, match="PDF, PNG and JPEG"):
        _upload(world, title="report.pdf", data=b"<html><script>alert(1)</script></html>")
    assert DocumentVersion.objects.count() == versions_before
    assert set((tmp_path / "documents").glob("*")) == files_before


def test_a_failure_midway_leaves_neither_rows_nor_files(world, tmp_path, monkeypatch):
    files_before = set((tmp_path / "documents").glob("*"))
    documents_before = Document.objects.count()

    def fail(*args, **kwargs):
        raise RuntimeError("the audit write failed")

    monkeypatch.setattr("haven.documents.actions.record_event", fail)
    with pytest.raises(RuntimeError):
        _upload(world)
    assert Document.objects.count() == documents_before
    assert set((tmp_path / "documents").glob("*")) == files_before


def test_staff_without_upload_permission_cannot_upload(world):
    with pytest.raises(ApplicationError, match="permission"):
        _upload(world, by=world.bill)


def test_sharing_needs_the_web_portal_permission(world):
    with pytest.raises(ApplicationError, match="Web Portal"):
        set_recipients(by=world.theo, document=world.progress_note, all_authorized=True, client=False, contacts=[])


def test_excepted_types_cannot_be_shared(world):
    world.progress_note.type.never_share = True
    world.progress_note.type.save()
    with pytest.raises(ApplicationError, match="exception list"):
        set_recipients(by=world.ada, document=world.progress_note, all_authorized=True, client=False, contacts=[])


def test_share_and_unshare_are_audited(world):
    set_recipients(by=world.ada, document=world.progress_note, all_authorized=False, client=False, contacts=[world.gia])
    set_recipients(by=world.ada, document=world.progress_note, all_authorized=False, client=False, contacts=[])
    actions = list(AuditEvent.objects.filter(target_filter(world.progress_note)).values_list("action", flat=True))
    assert actions[-2:] == ["document.shared", "document.unshared"]
    assert not Share.objects.open().filter(document=world.progress_note).exists()


def target_filter(document: Document):
    from django.db.models import Q

    return Q(object_type="documents.document", object_id=str(document.pk))


def test_a_contact_of_another_client_cannot_be_a_recipient(world):
    with pytest.raises(ApplicationError):
        set_recipients(
            by=world.ada, document=world.progress_note, all_authorized=False, client=False, contacts=[world.gia_for_mia]
        )


def test_share_all_shares_with_the_client_only_and_skips_exceptions(world):
    consent = _upload(world)
    hidden_type = DocumentType.objects.get(practice=world.riverside, name="Superbill")
    hidden_type.never_share = True
    hidden_type.save()
    superbill = _upload(world, doc_type=hidden_type, title="Superbill")
    assert share_all_with_client(by=world.ada, client=world.max) == 2
    shares = Share.objects.open().filter(document__client=world.max)
    assert {share.document_id for share in shares} == {world.progress_note.pk, consent.pk}
    assert {share.audience for share in shares} == {Audience.CLIENT}
    assert not shares.filter(document=superbill).exists()
    assert all_shared_with_client(world.max)
    assert share_all_with_client(by=world.ada, client=world.max) == 0  # nothing new


def test_the_log_globe_turns_gray_again_when_a_document_is_saved(world):
    share_all_with_client(by=world.ada, client=world.max)
    assert all_shared_with_client(world.max)
    _upload(world)
    assert not all_shared_with_client(world.max)


def test_share_all_of_1000_documents_takes_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    version = world.progress_note.current_version
    documents = Document.objects.bulk_create(
        Document(
            practice=world.riverside,
            client=world.max,
            type=world.progress_note.type,
            title=f"Note {n}",
            author=world.ada,
            current_version=version,
        )
        for n in range(1000)
    )
    assert unshared_with_client(world.max).count() == len(documents) + 1
    with django_assert_max_num_queries(20):
        assert share_all_with_client(by=world.ada, client=world.max) == 1001


def test_a_version_never_changes(world):
    version = world.progress_note.current_version
    assert version is not None
    version.title = "changed"
    with pytest.raises(ValueError, match="never change"):
        version.save()


def test_recipients_are_told_by_email_without_health_information(world, django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        set_recipients(
            by=world.ada, document=world.progress_note, all_authorized=False, client=False, contacts=[world.gia]
        )
    assert [message.to for message in mail.outbox] == [["gia@example.com"]]
    message = mail.outbox[0]
    assert "New in your Riverside Counseling portal" in message.subject
    for word in ("Max", "Moreno", "Progress", world.progress_note.title):
        assert word not in str(message.body), word


def test_the_practice_can_turn_the_share_email_off(world, django_capture_on_commit_callbacks):
    from django.core import mail

    world.riverside.notify_portal_shares = False
    world.riverside.save()
    world.progress_note.practice.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        set_recipients(by=world.ada, document=world.progress_note, all_authorized=True, client=False, contacts=[])
    assert mail.outbox == []


def test_a_share_to_the_client_only_emails_nobody_else(world, django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        set_recipients(by=world.ada, document=world.progress_note, all_authorized=False, client=True, contacts=[])
    assert mail.outbox == []  # Max has no portal login of his own; Gia is not "the client"


def test_a_document_without_its_pdf_yet_cannot_be_shared_or_seen(world):
    """A note still being rendered has no file: sharing waits, share all skips it, the portal never lists it."""
    pending = Document.objects.create(
        practice=world.riverside,
        client=world.max,
        type=world.progress_note.type,
        title="Being prepared",
        author=world.ada,
    )
    with pytest.raises(ApplicationError, match="still being prepared"):
        set_recipients(by=world.ada, document=pending, all_authorized=True, client=False, contacts=[])
    share_all_with_client(by=world.ada, client=world.max)
    assert not Share.objects.filter(document=pending).exists()
    from haven.documents.policy import visible_to_profile

    Share.objects.create(document=pending, audience=Audience.ALL_AUTHORIZED, shared_by=world.ada)
    assert pending not in visible_to_profile(world.gia_access_max)
