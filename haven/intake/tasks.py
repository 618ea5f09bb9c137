"""Filing an acknowledged form: its PDF rendered, sealed by the practice and kept as the document's version."""

from __future__ import annotations

from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.audit.events import DocumentRendered
from haven.audit.models import Actor
from haven.core.timezones import practice_zone_active
from haven.documents.models import PDF, Document, DocumentVersion, VersionSource
from haven.documents.versions import write_version
from haven.intake.models import AssignmentStatus, FormAssignment
from haven.intake.rendering import render_answers_pdf
from haven.signing.models import Capacity
from haven.signing.seal import seal_pdf


def answers_pdf(assignment: FormAssignment) -> bytes:
    """The record of a submitted form: the version's questions, the answers, the score and the signatures."""
    client = assignment.client
    acknowledged_by = assignment.acknowledged_by
    return render_answers_pdf(
        practice=assignment.practice,
        title=assignment.version.title,
        version_number=assignment.version.number,
        schema=assignment.version.schema,
        answers=assignment.answers,
        measure=assignment.version.measure,
        client_name=client.full_name,
        client_date_of_birth=client.date_of_birth,
        submitted_by=assignment.submitter_name,
        capacity_label=str(_("Legal guardian")) if assignment.capacity == Capacity.GUARDIAN else str(_("Client")),
        submitted_at=assignment.submitted_at or assignment.sent_at,
        acknowledged_by=acknowledged_by.user.full_name if acknowledged_by is not None else "",
        acknowledged_at=assignment.acknowledged_at or assignment.sent_at,
        prefilled=list(assignment.prefilled),
    )


@transaction.atomic
def attach_form_pdf(*, assignment_id: int, pdf: bytes) -> DocumentVersion | None:
    """Make the sealed PDF the acknowledged form's document's first version; None if it already has one."""
    assignment = FormAssignment.objects.filter(pk=assignment_id).only("document_id").first()
    if assignment is None or assignment.document_id is None:
        return None
    document = (
        Document.objects.select_for_update(of=("self",))
        .select_related("practice", "client", "author")
        .get(pk=assignment.document_id)
    )
    if document.current_version_id is not None or document.versions.exists():
        return None

    def record(version: DocumentVersion) -> None:
        record_event(
            DocumentRendered(version=version.number, sha256=version.sha256, size=version.size),
            actor=Actor.system(),
            practice=document.practice,
            client=document.client,
            target=document,
        )

    return write_version(
        document=document,
        data=pdf,
        content_type=PDF,
        source=VersionSource.RENDERED,
        created_by=document.author,
        record=record,
    )


@task()
def file_acknowledged_form(*, assignment_id: int) -> None:
    """Render and seal an acknowledged form into its General Documents entry. Running twice files it once."""
    assignment = (
        FormAssignment.objects.select_related("version", "client", "practice", "acknowledged_by__user", "document")
        .filter(pk=assignment_id, status=AssignmentStatus.ACKNOWLEDGED)
        .first()
    )
    if assignment is None or assignment.document is None or assignment.document.current_version_id is not None:
        return
    practice = assignment.practice
    with practice_zone_active(practice.time_zone):
        pdf = answers_pdf(assignment)
    sealed = seal_pdf(pdf, practice=practice, reason=str(_("Form acknowledged by the practice")))
    attach_form_pdf(assignment_id=assignment.pk, pdf=sealed)
