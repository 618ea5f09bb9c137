"""Clinical notes written in Haven (DOC-1): progress notes, evaluations and treatment plans.

A therapist writes the note as sections of plain text. ``write_clinical_note`` keeps the text
only encrypted (in file storage, never in a database column) and, once the transaction commits,
enqueues ``render_clinical_note``. The task receives ids and the generated storage name, never
the text; it renders the PDF on the practice letterhead, stores it as version 1 of the document,
and deletes the encrypted source text.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.audit.events import DocumentNoteWritten, DocumentRendered
from haven.audit.models import Actor
from haven.clients.models import Client
from haven.core.encryption import delete_stored, read_decrypted, store_encrypted
from haven.core.errors import ApplicationError
from haven.core.pdf import date_in_practice_zone, logo_data_uri, write_pdf
from haven.documents.actions import refuse
from haven.documents.models import Category, Document, DocumentType, DocumentVersion, VersionSource
from haven.documents.policy import DocumentReason, DocumentVerb, why_not
from haven.documents.versions import write_version
from haven.practices.models import Permission, Practice, StaffMember
from haven.practices.viewers import StaffViewer

NOTE_CATEGORIES = (Category.PROGRESS_NOTE, Category.EVALUATION, Category.TREATMENT_PLAN)

# The sections a new note starts with, by category; the writer fills in what applies.
DEFAULT_SECTIONS: dict[str, list[str]] = {
    Category.PROGRESS_NOTE: ["Presenting concerns", "Interventions", "Response to treatment", "Plan"],
    Category.EVALUATION: ["Reason for referral", "History", "Mental status", "Assessment", "Recommendations"],
    Category.TREATMENT_PLAN: ["Problems", "Goals", "Objectives", "Interventions"],
}

MAX_SECTIONS = 40
MAX_HEADING_CHARS = 200
MAX_TITLE_CHARS = 200
MAX_NOTE_CHARS = 200_000  # about 60 pages of text: far beyond any note, short of abuse
SOURCE_FOLDER = "notes"
PDF = "application/pdf"


@dataclass(frozen=True)
class Section:
    heading: str
    text: str


def clean_sections(sections: list[tuple[str, str]]) -> list[Section]:
    """The sections worth keeping: headings trimmed, line endings unified, empty sections left out."""
    kept = []
    for heading, text in sections:
        body = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n").rstrip()
        if body.strip():
            heading = " ".join(heading.split())[:MAX_HEADING_CHARS] or _("Note")
            kept.append(Section(heading=heading, text=body))
    return kept


def _check(by: StaffMember, client: Client, doc_type: DocumentType, title: str, sections: list[Section]) -> None:
    if not by.has_permission(Permission.DYNAMIC_FORMS):
        raise ApplicationError(DocumentReason.NO_NOTE_PERMISSION.words())
    if client.practice_id != by.practice_id:
        raise ApplicationError(_("That client or document type is not part of your practice."))
    refuse(why_not(StaffViewer(by), DocumentVerb.WRITE_NOTE, doc_type), doc_type)
    if doc_type.category not in NOTE_CATEGORIES:
        raise ApplicationError(
            _("%(type)s is not a kind of note. Choose a progress note, evaluation or treatment plan type.")
            % {"type": doc_type.name}
        )
    if not title:
        raise ApplicationError(_("Give the note a title."))
    if len(title) > MAX_TITLE_CHARS:
        raise ApplicationError(_("Keep the title under %(count)d characters.") % {"count": MAX_TITLE_CHARS})
    if not sections:
        raise ApplicationError(_("Write at least one section."))
    if len(sections) > MAX_SECTIONS:
        raise ApplicationError(_("A note can have at most %(count)d sections.") % {"count": MAX_SECTIONS})
    if sum(len(section.text) for section in sections) > MAX_NOTE_CHARS:
        raise ApplicationError(_("This note is too long to save. Split it into two notes."))


@transaction.atomic
def write_clinical_note(
    *,
    by: StaffMember,
    client: Client,
    doc_type: DocumentType,
    title: str,
    document_date: datetime.date,
    sections: list[tuple[str, str]],
) -> Document:
    """Save a clinical note or treatment plan; its PDF is rendered by a task once this commits.

    Allowed to staff with "Can Add, Edit, and Archive Dynamic Forms" (clinicians: the Therapist
    and Administrator roles), for types in the progress note, evaluation and treatment plan
    categories only. The document has no version until the PDF is rendered. The note's text is
    health information: it is stored encrypted, as JSON, under a generated name that only the task
    is told; no database row and no queued task holds it readable.
    """
    title = title.strip()
    kept = clean_sections(sections)
    _check(by, client, doc_type, title, kept)
    payload = json.dumps({"sections": [[section.heading, section.text] for section in kept]}, ensure_ascii=False)
    source_name = store_encrypted(payload.encode("utf-8"), folder=SOURCE_FOLDER)
    try:
        with transaction.atomic():
            document = Document.objects.create(
                practice=by.practice,
                client=client,
                type=doc_type,
                title=title,
                author=by,
                document_date=document_date,
            )
            record_event(
                DocumentNoteWritten(type=doc_type.name, sections=len(kept)),
                actor=Actor.staff(by.user),
                practice=by.practice,
                client=client,
                target=document,
            )
    except Exception:
        # Nothing half-written: the text goes with the rows that would have named it.
        delete_stored(source_name)
        raise
    transaction.on_commit(partial(render_clinical_note.enqueue, document_id=document.pk, source_name=source_name))
    return document


# --- Rendering ----------------------------------------------------------------------------------------


def _contact_lines(practice: Practice) -> list[str]:
    lines = [line.strip() for line in practice.address.splitlines() if line.strip()][:6]
    return lines + [detail for detail in (practice.phone, practice.email) if detail]


def render_note_pdf(document: Document, sections: list[Section]) -> bytes:
    """The note on the practice letterhead, as PDF (WeasyPrint, data: URIs only)."""
    practice = document.practice
    author = document.author
    contact = _contact_lines(practice)
    return write_pdf(
        "pdf/clinical_note.html",
        {
            "practice": practice,
            "portal_url": practice.portal_url,
            "logo_uri": logo_data_uri(practice),
            "practice_contact": contact,
            # The address sits beside the letterhead; keep the letterhead's rule below its last line.
            "letterhead_height_mm": round(max(12.0, 4.1 * len(contact)), 1),
            "document": document,
            "client": document.client,
            "author_name": author.user.full_name,
            "author_title": author.title,
            "written_on": date_in_practice_zone(document.created_at, practice),
            "sections": sections,
            # Plans and consents leave room for the client's or guardian's signature (Share to Sign).
            "client_signs": document.type.category in (Category.TREATMENT_PLAN, Category.CONSENT),
        },
    )


@transaction.atomic
def attach_rendered_note(*, document_id: int, pdf: bytes) -> DocumentVersion | None:
    """Make the rendered PDF the note's first version; None when the note is gone or already has one."""
    document = (
        Document.objects.select_for_update(of=("self",))
        .select_related("practice", "client", "author")
        .filter(pk=document_id)
        .first()
    )
    if document is None or document.current_version_id is not None or document.versions.exists():
        return None

    def record(version: DocumentVersion) -> None:
        record_event(
            DocumentRendered(version=version.number, sha256=version.sha256, size=version.size),
            actor=Actor.system(),
            practice=document.practice,
            client=document.client,
            target=document,
        )

    version = write_version(
        document=document,
        data=pdf,
        content_type=PDF,
        source=VersionSource.RENDERED,
        created_by=document.author,
        record=record,
    )
    return version


def _read_sections(source_name: str) -> list[Section] | None:
    try:
        payload = json.loads(read_decrypted(source_name))
    except FileNotFoundError:
        return None
    return [Section(heading=str(heading), text=str(text)) for heading, text in payload["sections"]]


@task()
def render_clinical_note(*, document_id: int, source_name: str) -> None:
    """Render a written note to PDF, store it as version 1, and delete the encrypted source text.

    Idempotent: a note that already has its version is left alone, so running twice makes one
    version. A note that has vanished, or whose source a previous run already consumed, is skipped.
    """
    document = (
        Document.objects.select_related("practice", "client", "type", "author__user").filter(pk=document_id).first()
    )
    if not source_name.startswith(f"{SOURCE_FOLDER}/"):
        raise ValueError("render_clinical_note reads note sources only.")
    if document is None or document.current_version_id is not None:
        delete_stored(source_name)  # nothing left to render it for
        return
    sections = _read_sections(source_name)
    if sections is None:
        return  # another run rendered it and removed the source
    pdf = render_note_pdf(document, sections)
    attach_rendered_note(document_id=document.pk, pdf=pdf)
    # Whether this run attached the PDF or a concurrent one did, the source is no longer needed.
    delete_stored(source_name)
