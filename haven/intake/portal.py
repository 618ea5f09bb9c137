"""Sent forms as the portal shows them (FORM-3, FORM-5): the Forms list with each packet's progress, how many
forms wait, a submitted form's answers in words, and a blank form downloaded to fill in on paper.

Every read starts from ``haven.intake.policy.visible_to``: the forms addressed to the selected profile.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext_lazy

from haven.audit.actions import record_event
from haven.audit.events import FormPrinted
from haven.core.errors import ApplicationError
from haven.intake.fields import Answer, Field, FieldType, Schema
from haven.intake.models import OPEN_STATUSES, AssignmentStatus, FormAssignment
from haven.intake.policy import IntakeVerb, may_be_addressed, visible_to, why_not
from haven.intake.rendering import ItemKind, kind_of, render_blank_pdf
from haven.portal_access.viewers import PortalViewer

__all__ = [
    "FormsOverview",
    "ListedForm",
    "ListedPacket",
    "ShownAnswer",
    "forms_overview",
    "print_blank_form",
    "shown_answers",
    "waiting_count",
]

DONE_STATUSES = (AssignmentStatus.SUBMITTED, AssignmentStatus.ACKNOWLEDGED)

# The portal's words for where a form stands: the person sees "Submitted" whether or not the practice has
# acknowledged it yet.
PORTAL_STATUS_LABELS = {
    AssignmentStatus.SENT: gettext_lazy("Not started"),
    AssignmentStatus.IN_PROGRESS: gettext_lazy("In progress"),
    AssignmentStatus.RETURNED: gettext_lazy("Sent back"),
    AssignmentStatus.SUBMITTED: gettext_lazy("Submitted"),
    AssignmentStatus.ACKNOWLEDGED: gettext_lazy("Submitted"),
    AssignmentStatus.CANCELLED: gettext_lazy("Withdrawn"),
}

# What a row of the list shows, read as values (no model instances, no questions and no answers).
_LISTED = (
    "pk",
    "packet_id",
    "packet__message",
    "sent_at",
    "version__title",
    "status",
    "return_note",
    "submitted_at",
    "on_paper",
)
type _Row = tuple[int, int | None, str | None, datetime.datetime, str, str, str, datetime.datetime | None, bool]


@dataclass(frozen=True, slots=True)
class ListedForm:
    """One sent form in the Forms list."""

    pk: int
    title: str
    status: str
    return_note: str
    submitted_at: datetime.datetime | None
    on_paper: bool

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_done(self) -> bool:
        return self.status in DONE_STATUSES

    @property
    def is_returned(self) -> bool:
        return self.status == AssignmentStatus.RETURNED

    @property
    def status_label(self) -> str:
        return status_words(self.status)


@dataclass(frozen=True, slots=True)
class ListedPacket:
    """Forms sent together, in their order, with the practice's Intake Forms Message."""

    pk: int
    message: str
    sent_at: datetime.datetime
    forms: tuple[ListedForm, ...]

    @property
    def complete(self) -> int:
        return sum(1 for listed in self.forms if listed.is_done)

    @property
    def total(self) -> int:
        return len(self.forms)

    @property
    def next(self) -> ListedForm | None:
        """The first form of the packet still waiting for answers."""
        return next((listed for listed in self.forms if listed.is_open), None)


@dataclass(frozen=True, slots=True)
class FormsOverview:
    """The Forms page: packets, newest first, then forms sent on their own."""

    packets: tuple[ListedPacket, ...]
    single: tuple[ListedForm, ...]

    @property
    def waiting(self) -> int:
        forms = [*self.single, *(listed for packet in self.packets for listed in packet.forms)]
        return sum(1 for listed in forms if listed.is_open)

    @property
    def empty(self) -> bool:
        return not self.packets and not self.single


def forms_overview(viewer: PortalViewer) -> FormsOverview:
    """Every form sent to the selected profile, grouped by packet: one query, whatever the number of forms."""
    rows: Iterable[_Row] = (
        visible_to(viewer)
        .select_related(None)
        .order_by("-sent_at", "-packet_id", "position", "pk")
        .values_list(*_LISTED)
    )
    packets: dict[int, tuple[str, datetime.datetime, list[ListedForm]]] = {}
    single: list[ListedForm] = []
    for pk, packet_id, message, sent_at, title, status, note, submitted_at, on_paper in rows:
        listed = ListedForm(pk, title, status, note, submitted_at, on_paper)
        if packet_id is None:
            single.append(listed)
        else:
            packets.setdefault(packet_id, (message or "", sent_at, []))[2].append(listed)
    return FormsOverview(
        packets=tuple(
            ListedPacket(pk, message, sent_at, tuple(forms)) for pk, (message, sent_at, forms) in packets.items()
        ),
        single=tuple(single),
    )


def waiting_count(viewer: PortalViewer) -> int:
    """How many forms wait for the selected profile's answers (not started, in progress or sent back)."""
    if viewer.profile is None or not may_be_addressed(viewer.profile):
        return 0  # no form can be addressed to this profile: nothing to count
    return visible_to(viewer).select_related(None).filter(status__in=OPEN_STATUSES).count()


# --- A submitted form, read back ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShownAnswer:
    """One field of a submitted form with its answer in the words the person chose."""

    kind: ItemKind
    label: str
    text: str = ""
    choices: tuple[str, ...] = ()
    image: str = ""  # a drawn signature's PNG data URL
    paragraph: bool = False

    @property
    def answered(self) -> bool:
        return bool(self.text or self.choices or self.image)


def shown_answers(schema: Schema, answers: Mapping[str, Answer]) -> list[ShownAnswer]:
    """The fields the answers showed, in order, each with its answer in words."""
    shown: list[ShownAnswer] = []
    for item in schema.visible(answers):
        kind = kind_of(item)
        answer = answers.get(item.key)
        if kind in ("heading", "statement"):
            shown.append(ShownAnswer(kind, item.label))
        elif kind == "signature":
            image = answer.get("image", "") if isinstance(answer, dict) else ""
            shown.append(ShownAnswer(kind, item.label, image=image if image.startswith("data:image/png;") else ""))
        elif item.type == FieldType.MULTIPLE_CHOICE:
            values = answer if isinstance(answer, list) else [answer] if isinstance(answer, str) else []
            shown.append(ShownAnswer(kind, item.label, choices=tuple(item.label_of(value) for value in values)))
        else:
            shown.append(
                ShownAnswer(
                    kind,
                    item.label,
                    text=_answer_text(item, answer),
                    paragraph=item.type == FieldType.PARAGRAPH,
                )
            )
    return shown


def _answer_text(item: Field, answer: Answer | None) -> str:
    if not isinstance(answer, str) or not answer.strip():
        return ""
    if item.type in (FieldType.SINGLE_CHOICE, FieldType.YES_NO):
        return item.label_of(answer)
    if item.type == FieldType.DATE:
        try:
            return format_date(datetime.date.fromisoformat(answer), "F j, Y")
        except ValueError:
            return answer
    return answer


# --- Paper (FORM-5) ---------------------------------------------------------------------------------------


def print_blank_form(*, viewer: PortalViewer, assignment: FormAssignment) -> bytes:
    """The form's version as a blank PDF to fill in by hand, while it waits for answers; audited as form.printed."""
    reason = why_not(viewer, IntakeVerb.FILL, assignment)
    if reason is not None:
        raise ApplicationError(reason.words(assignment))
    version = assignment.version
    pdf = render_blank_pdf(
        practice=assignment.practice, title=version.title, version_number=version.number, schema=version.schema
    )
    # Written once the file is in hand: every copy that leaves is on the record, and nothing else is.
    with transaction.atomic():
        record_event(
            FormPrinted(version=version.number, profile=viewer.profile.pk if viewer.profile is not None else None),
            actor=viewer.actor,
            acting_for=viewer.acting_for,
            practice_id=assignment.practice_id,
            client=assignment.client,
            target=assignment,
        )
    return pdf


def status_words(status: str) -> str:
    """A sent form's status as the portal says it."""
    return str(PORTAL_STATUS_LABELS[AssignmentStatus(status)])
