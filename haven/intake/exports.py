"""Exporting a submitted form's answers as a FHIR R4 QuestionnaireResponse: built, checked and audited here."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.audit.events import IntakeExported
from haven.core.errors import ApplicationError
from haven.core.policy import Viewer
from haven.intake.fhir import questionnaire_response_json
from haven.intake.fields import SchemaError
from haven.intake.models import AssignmentStatus, FormAssignment, FormVersion
from haven.intake.policy import IntakeReason, visible_to

__all__ = ["ExportedResponse", "export_response", "questionnaire_url"]

EXPORTABLE = (AssignmentStatus.SUBMITTED, AssignmentStatus.ACKNOWLEDGED)


@dataclass(frozen=True)
class ExportedResponse:
    """The JSON of a QuestionnaireResponse, and a file name that says nothing of the client."""

    filename: str
    content: bytes


def questionnaire_url(version: FormVersion) -> str:
    """The canonical address of the Questionnaire a form version is, with its version (``url|version``)."""
    return f"{settings.HAVEN_BASE_URL}/fhir/Questionnaire/intake-form-{version.form_id}|{version.number}"


@transaction.atomic
def export_response(*, viewer: Viewer, assignment: FormAssignment) -> ExportedResponse:
    """The submitted answers as a QuestionnaireResponse (status ``completed``), the export audited.

    A form not yet submitted, or returned on paper (its answers are the uploaded document), has none to export.
    """
    if not visible_to(viewer).filter(pk=assignment.pk).exists():
        raise ApplicationError(IntakeReason.WRONG_PERSON.words(assignment))
    if assignment.on_paper:
        raise ApplicationError(
            _("This form was returned on paper: its answers are in the uploaded document in General Documents.")
        )
    if assignment.status not in EXPORTABLE:
        raise ApplicationError(IntakeReason.NOT_SUBMITTED.words(assignment))
    version = assignment.version
    try:
        resource = questionnaire_response_json(
            questionnaire_url=questionnaire_url(version),
            schema=version.schema,
            answers=assignment.answers,
            status="completed",
            authored=assignment.submitted_at,
            subject_display=assignment.client.full_name,
            measure=version.measure,
        )
    except SchemaError as error:
        raise ApplicationError(str(error)) from None
    record_event(
        IntakeExported(version=version.number),
        actor=viewer.actor,
        acting_for=viewer.acting_for,
        practice_id=assignment.practice_id,
        client=assignment.client,
        target=assignment,
    )
    content = json.dumps(resource, ensure_ascii=False, indent=2).encode()
    return ExportedResponse(f"questionnaire-response-{assignment.pk}.json", content)
