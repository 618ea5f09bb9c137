"""Reads of intake forms shaped for the staff chart, each built on ``haven.intake.policy`` and each one query,
however many forms, packets and scores a client has.

- ``sent_forms``: every form sent to a client, newest first, grouped by its packet (``packets_of``);
- ``score_trends``: each scored measure's submitted totals in date order, for the trend charts;
- ``chart_intake_summary``: what the Chart Face says of intake forms: forms pending acknowledgement, an
  unreviewed safety alert, the latest total of each measure;
- ``sendable_forms``: the practice's published intake forms that are not archived;
- ``answers_page``: what the answers page shows beside the assignment: names, the alert, the filed PDF;
- ``record_items``: a submitted form's questions with their answers, as its PDF shows them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import CharField, Count, DateTimeField, F, IntegerField, Subquery
from django.db.models.functions import Coalesce

from haven.clients.models import Client
from haven.core.policy import Viewer
from haven.intake.models import (
    AssignmentStatus,
    FormAssignment,
    FormAssignmentQuerySet,
    FormKind,
    IntakeForm,
    Packet,
    SafetyAlert,
)
from haven.intake.policy import forms_visible_to, visible_to
from haven.intake.rendering import RecordItem, ScoreSummary, record_items_of, score_summary_of
from haven.intake.scoring import MEASURES, Band, Measure, MeasureCode

__all__ = [
    "AnswersPage",
    "IntakeSummary",
    "LatestScore",
    "PacketGroup",
    "ScorePoint",
    "Trend",
    "alert_of",
    "answers_page",
    "chart_intake_summary",
    "packets_of",
    "record_items",
    "score_summary",
    "score_trends",
    "sendable_forms",
    "sent_forms",
]

# A form counts as complete, for a packet's progress, once the person has submitted it.
COMPLETE_STATUSES = (AssignmentStatus.SUBMITTED, AssignmentStatus.ACKNOWLEDGED)
# A measure's total counts for the trend while it stands: submitted or acknowledged, not sent back.
SCORED_STATUSES = COMPLETE_STATUSES


def sent_forms(viewer: Viewer, client: Client) -> list[FormAssignment]:
    """Every form sent to the client, newest first, a packet's forms together and in order.

    Each has ``sender_name`` and ``acknowledger_name`` (who sent and who acknowledged it), ``alert_raised_at`` and
    ``alert_reviewed_at`` (its safety alert, if any) and ``filed_version_id`` (the filed PDF, once the task has made
    it). The answers are not read.
    """
    return list(
        visible_to(viewer)
        .filter(client_id=client.pk)
        .select_related("packet")
        .defer("answers_encrypted", "version__fields", "form__draft_fields", "form__description")
        .annotate(
            sender_name=F("sent_by__user__full_name"),
            acknowledger_name=F("acknowledged_by__user__full_name"),
            alert_raised_at=F("alert__raised_at"),
            alert_reviewed_at=F("alert__reviewed_at"),
            filed_version_id=F("document__current_version_id"),
        )
        .order_by("-sent_at", "-packet_id", "position", "pk")
    )


@dataclass
class PacketGroup:
    """Forms sent together (``packet``), or forms sent one by one (``packet`` is None)."""

    packet: Packet | None
    assignments: list[FormAssignment] = field(default_factory=list)

    @property
    def sent_at(self) -> datetime.datetime:
        return self.assignments[0].sent_at

    @property
    def counted(self) -> list[FormAssignment]:
        """The forms its progress counts: all but the withdrawn."""
        return [a for a in self.assignments if a.status != AssignmentStatus.CANCELLED]

    @property
    def complete(self) -> int:
        return sum(1 for a in self.counted if a.status in COMPLETE_STATUSES)

    @property
    def total(self) -> int:
        return len(self.counted)

    @property
    def open_assignments(self) -> list[FormAssignment]:
        return [a for a in self.assignments if a.is_open]

    @property
    def percent(self) -> int:
        return round(100 * self.complete / self.total) if self.total else 100


def packets_of(assignments: Iterable[FormAssignment]) -> list[PacketGroup]:
    """The forms grouped as they were sent, in the order given (``sent_forms``): one group per packet, and one for
    each run of forms sent on their own between packets."""
    groups: list[PacketGroup] = []
    by_packet: dict[int, PacketGroup] = {}
    for assignment in assignments:
        if assignment.packet_id is None:
            if not groups or groups[-1].packet is not None:
                groups.append(PacketGroup(packet=None))
            groups[-1].assignments.append(assignment)
            continue
        group = by_packet.get(assignment.packet_id)
        if group is None:
            group = by_packet[assignment.packet_id] = PacketGroup(packet=assignment.packet)
            groups.append(group)
        group.assignments.append(assignment)
    return groups


@dataclass(frozen=True)
class ScorePoint:
    """One submitted response of a measure: its total (None: incomplete, no point on the chart)."""

    assignment_id: int
    total: int | None
    band: Band | None
    submitted_at: datetime.datetime


@dataclass(frozen=True)
class Trend:
    """A measure's responses in date order."""

    measure: Measure
    points: tuple[ScorePoint, ...]

    @property
    def scored(self) -> tuple[ScorePoint, ...]:
        """The responses with a total: the chart's points."""
        return tuple(point for point in self.points if point.total is not None)

    @property
    def latest(self) -> ScorePoint | None:
        scored = self.scored
        return scored[-1] if scored else None


def score_trends(viewer: Viewer, client: Client) -> list[Trend]:
    """Each measure the client has submitted responses for, in ``MEASURES`` order, its responses oldest first."""
    rows = (
        visible_to(viewer)
        .filter(client_id=client.pk, status__in=SCORED_STATUSES, submitted_at__isnull=False)
        .exclude(measure="")
        .order_by("submitted_at", "pk")
        .values_list("pk", "measure", "total", "band", "submitted_at")
    )
    points: dict[str, list[ScorePoint]] = {}
    for pk, measure, total, band, submitted_at in rows:
        if submitted_at is not None:
            points.setdefault(measure, []).append(ScorePoint(pk, total, Band(band) if band else None, submitted_at))
    return [Trend(measure, tuple(points[code])) for code, measure in MEASURES.items() if code in points]


@dataclass(frozen=True)
class LatestScore:
    """A measure's latest total, for the Chart Face: "PHQ-9: 12 (Moderate), 3 Dec"."""

    measure: Measure
    total: int
    band: Band | None
    submitted_at: datetime.datetime


@dataclass(frozen=True)
class IntakeSummary:
    """What the Chart Face says of the client's intake forms."""

    pending: int  # forms Pending Acknowledgement
    alert_assignment_id: int | None  # the form of the oldest safety alert not yet reviewed
    alerts: int  # safety alerts not yet reviewed
    latest: tuple[LatestScore, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.pending or self.alerts or self.latest)


def chart_intake_summary(viewer: Viewer, client: Client) -> IntakeSummary:
    """Forms pending acknowledgement, unreviewed safety alerts and each measure's latest total: one query."""
    mine = visible_to(viewer).filter(client_id=client.pk).order_by()

    def counted(forms: FormAssignmentQuerySet) -> Coalesce:
        per_client = forms.values("client_id").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(per_client[:1], output_field=IntegerField()), 0)

    unreviewed = mine.filter(alert__raised_at__isnull=False, alert__reviewed_at__isnull=True)
    columns: dict[str, object] = {
        "pending": counted(mine.pending_acknowledgement()),
        "alerts": counted(unreviewed),
        "alert_assignment": Subquery(unreviewed.order_by("alert__raised_at", "pk").values("pk")[:1]),
    }
    for code in MEASURES:
        latest = mine.filter(measure=code, status__in=SCORED_STATUSES, total__isnull=False).order_by(
            "-submitted_at", "-pk"
        )
        columns[f"{code}_total"] = Subquery(latest.values("total")[:1], output_field=IntegerField())
        columns[f"{code}_band"] = Subquery(latest.values("band")[:1], output_field=CharField())
        columns[f"{code}_at"] = Subquery(latest.values("submitted_at")[:1], output_field=DateTimeField())
    row = Client.objects.filter(pk=client.pk).annotate(**columns).values(*columns).first()
    if row is None:
        return IntakeSummary(0, None, 0, ())
    latest_scores = tuple(
        LatestScore(
            measure,
            row[f"{code}_total"],
            Band(row[f"{code}_band"]) if row[f"{code}_band"] else None,
            row[f"{code}_at"],
        )
        for code, measure in MEASURES.items()
        if row[f"{code}_total"] is not None and row[f"{code}_at"] is not None
    )
    return IntakeSummary(row["pending"], row["alert_assignment"], row["alerts"], latest_scores)


def sendable_forms(viewer: Viewer, *, with_versions: bool = False) -> list[IntakeForm]:
    """The practice's published intake forms that are not archived, in the list's order (by title).

    ``with_versions`` reads each published version's fields too: sending needs them, the page does not.
    """
    forms = (
        forms_visible_to(viewer)
        .filter(kind=FormKind.INTAKE, archived_at__isnull=True, current_version__isnull=False)
        .select_related("current_version")
        .defer("draft_fields")
    )
    if not with_versions:
        forms = forms.defer("draft_fields", "current_version__fields")
    return list(forms.order_by("title", "pk"))


@dataclass(frozen=True)
class AnswersPage:
    """What the answers page shows beside the assignment itself."""

    sender_name: str
    acknowledged_by_name: str
    alert_id: int | None
    alert_raised_at: datetime.datetime | None
    alert_reviewed_at: datetime.datetime | None
    alert_reviewed_by_name: str
    filed_version_id: int | None  # the filed PDF's version, once the task has made it

    @property
    def alert_open(self) -> bool:
        return self.alert_id is not None and self.alert_reviewed_at is None


def answers_page(viewer: Viewer, assignment: FormAssignment) -> AnswersPage:
    """The names, the safety alert and the filed PDF of a sent form the viewer may see: one query."""
    row = (
        visible_to(viewer)
        .filter(pk=assignment.pk)
        .order_by()
        .values_list(
            "sent_by__user__full_name",
            "acknowledged_by__user__full_name",
            "alert__pk",
            "alert__raised_at",
            "alert__reviewed_at",
            "alert__reviewed_by__user__full_name",
            "document__current_version_id",
        )
        .first()
    )
    if row is None:
        return AnswersPage("", "", None, None, None, "", None)
    sender, acknowledger, alert_id, raised, reviewed, reviewer, filed = row
    return AnswersPage(sender or "", acknowledger or "", alert_id, raised, reviewed, reviewer or "", filed)


def alert_of(viewer: Viewer, assignment: FormAssignment) -> SafetyAlert | None:
    """The safety alert a sent form the viewer may see raised, if any."""
    return (
        SafetyAlert.objects.filter(assignment__in=visible_to(viewer).filter(pk=assignment.pk).values("pk"))
        .select_related("assignment", "client")
        .first()
    )


def record_items(assignment: FormAssignment) -> list[RecordItem]:
    """The questions of the form's own version that its answers show, each with its answer in words, as the filed
    PDF shows them: choices by their words, a drawn signature as a PNG data: URI, pre-filled answers marked."""
    return record_items_of(
        practice=assignment.practice,
        schema=assignment.version.schema,
        answers=assignment.answers,
        measure=assignment.version.measure,
        prefilled=assignment.prefilled,
        submitted_at=assignment.submitted_at or assignment.sent_at,
    )


def score_summary(assignment: FormAssignment) -> ScoreSummary | None:
    """A scored form's total and band from its answers (or why there is none); None for a form that is not scored."""
    measure = assignment.version.measure
    if not measure:
        return None
    return score_summary_of(MEASURES[MeasureCode(measure)], assignment.version.schema, assignment.answers)
