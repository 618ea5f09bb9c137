"""Clinical notes written in Haven (DOC-1): kept encrypted, rendered to PDF by a task after commit."""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
from collections.abc import Iterator

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from pypdf import PdfReader

from haven.audit.models import AuditEvent
from haven.core import encryption
from haven.core.errors import ApplicationError
from haven.documents.models import Document, DocumentType, DocumentVersion, VersionSource
from haven.documents.notes import render_clinical_note, write_clinical_note
from haven.practices.models import Practice
from tests.personas import build_world

# Words that appear nowhere but in the note's text, so finding them anywhere means the text leaked.
SECRET_CONCERN = "Reports panic near the Quillfeather bridge"
SECRET_PLAN = "Practise box breathing before Zanzibar-7319 meetings"
DAY = datetime.date(2026, 3, 3)


@pytest.fixture(autouse=True)
def _no_weasyprint_warnings(caplog):
    """A refused URL, a broken image or a CSS mistake shows up as a WeasyPrint warning: none allowed."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    yield
    records = caplog.get_records("call")
    warnings = [r.getMessage() for r in records if r.name.startswith("weasyprint") and r.levelno >= logging.WARNING]
    assert warnings == []


def note_type(practice: Practice, name: str = "Progress Note") -> DocumentType:
    return DocumentType.objects.get(practice=practice, name=name)


def write(world, **overrides) -> Document:
    fields = {
        "by": world.theo,
        "client": world.max,
        "doc_type": note_type(world.riverside),
        "title": "Session 12",
        "document_date": DAY,
        "sections": [
            ("Presenting concerns", f"{SECRET_CONCERN}.\nSleep is better <most> nights & mornings."),
            ("Interventions", ""),
            ("Plan", SECRET_PLAN),
        ],
    }
    return write_clinical_note(**{**fields, **overrides})


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def database_rows() -> Iterator[tuple[str, str]]:
    """Every row of every table, as text (bytes decoded leniently)."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from introspection)
            for row in cursor.fetchall():
                values = (
                    bytes(v).decode("utf-8", "replace") if isinstance(v, bytes | memoryview) else str(v) for v in row
                )
                yield table, " | ".join(values)


def assert_nothing_readable_in_the_database() -> None:
    rows = list(database_rows())
    assert any("Session 12" in row for _table, row in rows), "the search sees the note's title, so it would see text"
    for table, row in rows:
        for secret in (SECRET_CONCERN, SECRET_PLAN, "Quillfeather", "Zanzibar-7319"):
            assert secret not in row, f"note text found in {table}"


def stored_files(folder) -> list:
    return sorted(folder.rglob("*")) if folder.exists() else []


# --- The action and the task ---------------------------------------------------------------------------


def test_a_written_note_becomes_a_pdf_version_on_the_letterhead(world, django_capture_on_commit_callbacks, tmp_path):
    """The task renders the note (letterhead, client, author, each section) as version 1 and removes the source."""
    world.riverside.address = "12 River Street\nSpringfield, IL 62701"
    world.riverside.phone = "(555) 010-0100"
    world.riverside.save()
    world.theo.title = "LCSW"
    world.theo.save()
    with django_capture_on_commit_callbacks(execute=True):
        document = write(world)
    document.refresh_from_db()
    version = document.current_version
    assert version is not None
    assert (version.number, version.source, version.content_type) == (1, VersionSource.RENDERED, "application/pdf")
    assert version.created_by == world.theo
    assert version.filename == "Session-12.pdf"
    assert document.author == world.theo and document.document_date == DAY
    pdf = encryption.read_decrypted(version.storage_name)
    assert pdf.startswith(b"%PDF")
    assert version.sha256 == hashlib.sha256(pdf).hexdigest() and version.size == len(pdf)
    text = pdf_text(pdf)
    for expected in (
        "Riverside Counseling",
        "12 River Street",
        "(555) 010-0100",
        "Max Moreno",
        world.max.date_of_birth.strftime("%Y-%m-%d"),
        "Progress Note",
        "Session 12",
        "March 3, 2026",
        "Theo Therapist, LCSW",
        "Presenting concerns",
        SECRET_CONCERN,
        "Sleep is better <most> nights & mornings.",
        "Plan",
        SECRET_PLAN,
        "Electronically written by Theo Therapist, LCSW on",
    ):
        assert expected in text, expected
    assert "Interventions" not in text  # an empty section is left out
    actions = list(
        AuditEvent.objects.filter(object_type="documents.document", object_id=str(document.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == ["document.note_written", "document.rendered"]
    assert stored_files(tmp_path / "notes") == []  # the encrypted source text is gone once rendered


def test_the_document_has_no_version_until_the_task_has_run(world, django_capture_on_commit_callbacks):
    """Before commit nothing is queued; the document waits without a version, its text only encrypted."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = write(world)
    document.refresh_from_db()
    assert document.current_version is None
    assert not document.versions.exists()
    assert len(callbacks) == 1
    # The queued call carries ids and a generated storage name, never the text.
    queued = callbacks[0].keywords
    assert set(queued) == {"document_id", "source_name"}
    assert queued["document_id"] == document.pk
    raw = encryption.raw_stored_bytes(queued["source_name"])
    assert b"Quillfeather" not in raw and b"sections" not in raw
    assert b"Quillfeather" in encryption.read_decrypted(queued["source_name"])


def test_nothing_of_the_note_is_readable_in_the_database_or_on_disk(
    world, django_capture_on_commit_callbacks, tmp_path
):
    """Every column of every table, and every stored file, is searched for the note's words: none are found."""
    with django_capture_on_commit_callbacks(execute=True):
        document = write(world)
    assert_nothing_readable_in_the_database()
    files = [path for path in stored_files(tmp_path) if path.is_file()]
    assert files, "the rendered PDF is stored"
    for path in files:
        raw = encryption.raw_stored_bytes(str(path.relative_to(tmp_path)))
        assert b"Quillfeather" not in raw and b"Zanzibar" not in raw and b"%PDF" not in raw
    document.refresh_from_db()
    assert document.current_version is not None


def test_running_the_task_twice_makes_one_version(world, django_capture_on_commit_callbacks):
    """A retried or duplicated task finds the version already there and leaves it alone."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = write(world)
    callbacks[0]()
    callbacks[0]()
    assert DocumentVersion.objects.filter(document=document).count() == 1
    # Even with a source still present (two workers racing), a second run adds nothing and cleans up.
    stray = encryption.store_encrypted(b'{"sections": [["Plan", "again"]]}', folder="notes")
    render_clinical_note.call(document_id=document.pk, source_name=stray)
    assert DocumentVersion.objects.filter(document=document).count() == 1
    with pytest.raises(FileNotFoundError):
        encryption.raw_stored_bytes(stray)


def test_the_task_is_safe_when_the_document_vanished(world, django_capture_on_commit_callbacks, tmp_path):
    """If the note is gone before the task runs, the task does nothing but delete the orphaned text."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = write(world)
    Document.objects.filter(pk=document.pk).delete()
    callbacks[0]()
    assert not DocumentVersion.objects.filter(document_id=document.pk).exists()
    assert stored_files(tmp_path / "notes") == []


def test_the_task_reads_only_note_sources(world, django_capture_on_commit_callbacks):
    """A storage name outside the notes folder is refused, so the task can't be pointed at a document file."""
    with django_capture_on_commit_callbacks(execute=True):
        document = write(world)
    document.refresh_from_db()
    assert document.current_version is not None
    with pytest.raises(ValueError, match="note sources"):
        render_clinical_note.call(document_id=document.pk, source_name=document.current_version.storage_name)
    assert encryption.read_decrypted(document.current_version.storage_name).startswith(b"%PDF")


def test_staff_without_either_permission_cannot_write_notes(world, tmp_path):
    """Billing staff have neither Dynamic Forms nor Upload Documents."""
    with pytest.raises(ApplicationError, match="permission"):
        write(world, by=world.bill)
    assert stored_files(tmp_path / "notes") == []


def test_upload_permission_alone_does_not_let_staff_write_notes(world):
    """Front desk staff upload documents but do not write clinical notes: the action and the page agree."""
    before = Document.objects.count()
    with pytest.raises(ApplicationError, match="permission"):
        write(world, by=world.fran)
    assert Document.objects.count() == before


@pytest.mark.parametrize("name", ["Consent", "General Document", "Superbill"])
def test_a_type_outside_the_note_categories_is_refused(world, name, tmp_path):
    """Only progress notes, evaluations and treatment plans are written in Haven."""
    before = Document.objects.count()
    with pytest.raises(ApplicationError, match="not a kind of note"):
        write(world, doc_type=note_type(world.riverside, name))
    assert Document.objects.count() == before
    assert stored_files(tmp_path / "notes") == []


def test_another_practices_client_or_type_is_refused(world):
    with pytest.raises(ApplicationError, match="not part of your practice"):
        write(world, client=world.hal)
    with pytest.raises(ApplicationError, match="not part of your practice"):
        write(world, doc_type=note_type(world.hilltop))


def test_a_note_with_nothing_written_is_refused(world):
    with pytest.raises(ApplicationError, match="Write at least one section"):
        write(world, sections=[("Presenting concerns", "  \n "), ("Plan", "")])


def test_a_failure_midway_leaves_neither_rows_nor_text(world, monkeypatch, tmp_path):
    before = Document.objects.count()

    def fail(*args, **kwargs):
        raise RuntimeError("the audit write failed")

    monkeypatch.setattr("haven.documents.notes.record_event", fail)
    with pytest.raises(RuntimeError):
        write(world)
    assert Document.objects.count() == before
    assert stored_files(tmp_path / "notes") == []


# --- With the real database queue -----------------------------------------------------------------


@pytest.fixture
def queued_world(settings, committed_db):
    """The real database queue; the worker commits and closes connections, so the test database must commit too."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    return build_world()


def test_the_task_queue_holds_no_note_text(queued_world):
    """Queued and after the worker has run, the task results table names only ids and a storage name."""
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        document = write(queued_world)
    queued = DBTaskResult.objects.get(task_path="haven.documents.notes.render_clinical_note")
    assert set(queued.args_kwargs["kwargs"]) == {"document_id", "source_name"}
    assert_nothing_readable_in_the_database()
    assert Document.objects.get(pk=document.pk).current_version is None
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert Document.objects.get(pk=document.pk).current_version is not None
    assert_nothing_readable_in_the_database()


# --- The page ---------------------------------------------------------------------------------------


def note_url(client_id: int) -> str:
    return reverse("staff:note_create", kwargs={"client_id": client_id})


def posted(world, **overrides) -> dict[str, str]:
    data = {
        "type": str(note_type(world.riverside).pk),
        "title": "Session 12",
        "document_date": "2026-03-03",
        "section_0_heading": "Presenting concerns",
        "section_0": SECRET_CONCERN,
        "section_1_heading": "Interventions",
        "section_1": "",
        "section_2_heading": "Response to treatment",
        "section_2": "",
        "section_3_heading": "Plan",
        "section_3": SECRET_PLAN,
    }
    return {**data, **overrides}


def test_staff_without_the_permission_get_403(world, login):
    """Billing staff lack Dynamic Forms: the page is forbidden, to look at and to post to."""
    http = login(world.bill)
    assert http.get(note_url(world.max.pk)).status_code == 403
    assert http.post(note_url(world.max.pk), posted(world)).status_code == 403
    assert not Document.objects.filter(title="Session 12").exists()


def test_the_page_is_scoped_to_the_practice(world, login):
    """Another practice's client answers exactly like a missing one."""
    http = login(world.theo)
    assert http.get(note_url(world.hal.pk)).status_code == 404
    assert http.post(note_url(world.hal.pk), posted(world)).status_code == 404
    assert http.get(note_url(999_999)).status_code == 404
    assert not Document.objects.filter(client=world.hal).exists()


def test_the_page_offers_note_types_and_their_usual_sections(world, login):
    http = login(world.theo)
    response = http.get(note_url(world.max.pk))
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("Progress Note", "Complete Evaluation", "Treatment Plan"):
        assert f">{name}</option>" in page
    for name in ("Consent", "Superbill", "General Document"):
        assert f">{name}</option>" not in page
    for number, heading in enumerate(["Presenting concerns", "Interventions", "Response to treatment", "Plan"]):
        assert f'<label class="form-label fw-semibold" for="id_section_{number}">{heading}</label>' in page
        assert f'name="section_{number}_heading" value="{heading}"' in page
    evaluation = note_type(world.riverside, "Complete Evaluation")
    page = http.get(note_url(world.max.pk), {"type": evaluation.pk}).content.decode()
    for heading in ("Reason for referral", "History", "Mental status", "Assessment", "Recommendations"):
        assert f'value="{heading}"' in page


def test_saving_renders_the_note_and_returns_to_the_activity_log(world, login, django_capture_on_commit_callbacks):
    http = login(world.theo)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(note_url(world.max.pk), posted(world))
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:activity_log", kwargs={"client_id": world.max.pk})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The note is saved. Its PDF will appear in the Activity Log in a moment."
    ]
    document = Document.objects.get(client=world.max, title="Session 12")
    assert document.author == world.theo and document.document_date == DAY
    assert document.current_version is not None
    text = pdf_text(encryption.read_decrypted(document.current_version.storage_name))
    assert SECRET_CONCERN in text and SECRET_PLAN in text and "Response to treatment" not in text


def test_the_form_keeps_everything_typed_on_error(world, login):
    """A missing title or an empty note is explained, and nothing written is lost."""
    http = login(world.theo)
    response = http.post(note_url(world.max.pk), posted(world, title="", section_0="Line one\nLine <two> & more"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Give the note a title." in page
    assert "Line one\nLine &lt;two&gt; &amp; more</textarea>" in page
    assert SECRET_PLAN in page
    assert 'value="2026-03-03"' in page
    response = http.post(note_url(world.max.pk), posted(world, section_0="", section_3="   "))
    page = response.content.decode()
    assert "Write at least one section." in page
    assert 'name="title" value="Session 12"' in page
    assert not Document.objects.filter(client=world.max, title="Session 12").exists()


def test_the_form_refuses_a_type_outside_the_note_categories(world, login):
    http = login(world.theo)
    consent = note_type(world.riverside, "Consent")
    response = http.post(note_url(world.max.pk), posted(world, type=str(consent.pk)))
    assert response.status_code == 200
    assert "Choose a note type from the list." in response.content.decode()
    assert not Document.objects.filter(type=consent, title="Session 12").exists()


def test_changing_the_type_shows_its_sections_and_keeps_what_was_written(world, login):
    """The type select posts back (HTMX) for the new type's sections; typed text is carried over, unjudged."""
    http = login(world.theo)
    evaluation = note_type(world.riverside, "Complete Evaluation")
    response = http.post(
        note_url(world.max.pk),
        posted(world, type=str(evaluation.pk), refresh="1", title=""),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<fieldset id="note-sections"')  # only the sections, for HTMX to swap
    for heading in ("Reason for referral", "History", "Mental status", "Assessment", "Recommendations"):
        assert f'value="{heading}"' in page
    assert 'value="Presenting concerns"' in page and SECRET_CONCERN in page  # typed text kept under its heading
    assert 'value="Response to treatment"' not in page  # empty sections of the old type go
    # Without JavaScript the button posts the whole form: the whole page comes back, nothing judged yet.
    response = http.post(note_url(world.max.pk), posted(world, type=str(evaluation.pk), refresh="1", title="Eval"))
    page = response.content.decode()
    assert 'name="title" value="Eval"' in page and SECRET_PLAN in page and 'value="Recommendations"' in page
    assert "alert-danger" not in page and "is-invalid" not in page
    assert not Document.objects.filter(client=world.max).exclude(pk=world.progress_note.pk).exists()
