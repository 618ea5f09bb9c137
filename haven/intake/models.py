"""Intake forms (FORM-1..FORM-5): form definitions and their published versions, intake packets, the forms
sent to a client's portal with their answers, and the PHQ-9 item 9 alerts.

A form is edited as a draft and published as a numbered, unchangeable ``FormVersion``; a sent form is
pinned to the version it was sent with, so its answers are always read against the questions that were
asked. Answers are health information: they are kept encrypted (``answers_encrypted``, with the file keys).
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.clients.models import Client, RelatedContact
from haven.core.encryption import decrypt_bytes, encrypt_bytes
from haven.intake.fields import Answers, Schema
from haven.intake.scoring import Band, MeasureCode
from haven.portal_access.models import PortalAccount
from haven.practices.models import Practice, StaffMember
from haven.signing.models import Capacity


class FormKind(models.TextChoices):
    """TheraNest's two kinds: dynamic forms (built by staff with that permission) and intake forms."""

    INTAKE = "intake", _("Intake form")
    DYNAMIC = "dynamic", _("Dynamic form")


class IntakeForm(models.Model):
    """A practice's form: its draft fields, and the version it sends (``current_version``, once published)."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=FormKind.choices, default=FormKind.INTAKE)
    title = models.CharField(_("title"), max_length=200)
    description = models.CharField(_("description"), max_length=400, blank=True)
    measure = models.CharField(_("scored measure"), max_length=8, choices=[(m, m) for m in MeasureCode], blank=True)
    template_key = models.CharField(max_length=40, blank=True, help_text=_("The default form this one began as."))
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    draft_fields = models.JSONField(default=list, blank=True)
    current_version = models.ForeignKey(
        "FormVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["practice", "kind", "archived_at"], name="intake_form_practice_kind")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def draft_schema(self) -> Schema:
        return Schema.from_json(self.draft_fields)

    @property
    def has_unpublished_changes(self) -> bool:
        version = self.current_version
        return version is None or version.fields != self.draft_fields or version.title != self.title


class FormVersion(models.Model):
    """One published form: its title and fields exactly as sent. Never changed once written."""

    form = models.ForeignKey(IntakeForm, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    fields = models.JSONField()
    measure = models.CharField(max_length=8, blank=True)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["form", "-number"]
        constraints = [models.UniqueConstraint(fields=["form", "number"], name="intake_one_number_per_version")]

    def __str__(self) -> str:
        return f"{self.title} (version {self.number})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("A published form version never changes.")
        super().save(*args, **kwargs)

    @cached_property
    def schema(self) -> Schema:
        return Schema.from_json(self.fields)


class Packet(models.Model):
    """Forms sent together, in order, with the Intake Forms Message shown in the portal inbox."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    message = models.TextField(_("Intake Forms Message"), blank=True)
    sent_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    with_invitation = models.BooleanField(default=False)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"Intake packet {self.pk}"


class AssignmentStatus(models.TextChoices):
    SENT = "sent", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    RETURNED = "returned", _("Sent back")
    SUBMITTED = "submitted", _("Pending Acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CANCELLED = "cancelled", _("Withdrawn")


OPEN_STATUSES = (AssignmentStatus.SENT, AssignmentStatus.IN_PROGRESS, AssignmentStatus.RETURNED)


class FormAssignmentQuerySet(models.QuerySet["FormAssignment"]):
    def open(self) -> FormAssignmentQuerySet:
        """Waiting for the portal user: not yet submitted (or sent back to them)."""
        return self.filter(status__in=OPEN_STATUSES)

    def pending_acknowledgement(self) -> FormAssignmentQuerySet:
        return self.filter(status=AssignmentStatus.SUBMITTED)


class FormAssignment(models.Model):
    """One form sent to a client's portal, addressed to the client or to a legal guardian, and its answers."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    packet = models.ForeignKey(Packet, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments")
    position = models.PositiveSmallIntegerField(default=0)
    form = models.ForeignKey(IntakeForm, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    capacity = models.CharField(max_length=16, choices=Capacity.choices)
    contact = models.ForeignKey(RelatedContact, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recipient_name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.SENT)
    answers_encrypted = models.TextField(blank=True, editable=False)
    prefilled = models.JSONField(default=list, blank=True, help_text=_("Keys of the answers taken from the chart."))
    revision = models.PositiveIntegerField(default=0, help_text=_("Raised by every saved draft."))
    sent_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(PortalAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitter_name = models.CharField(max_length=200, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_note = models.TextField(_("note"), blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(default=0)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_paper = models.BooleanField(default=False, help_text=_("Returned as an uploaded paper form (``document``)."))
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # A scored measure's result at submission (no total: incomplete).
    measure = models.CharField(max_length=8, blank=True)
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=20, blank=True, choices=[(b, b.label) for b in Band])

    objects = FormAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["packet_id", "position", "pk"]
        indexes = [
            models.Index(fields=["client", "status"], name="intake_assignment_client"),
            models.Index(
                fields=["client", "measure", "submitted_at"],
                condition=~Q(measure=""),
                name="intake_assignment_scores",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity="self", contact__isnull=True) | Q(capacity="guardian", contact__isnull=False),
                name="intake_assignment_contact_matches_capacity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version.title} for client {self.client_id} ({self.status})"

    @property
    def answers(self) -> Answers:
        if not self.answers_encrypted:
            return {}
        loaded: Answers = json.loads(decrypt_bytes(self.answers_encrypted))
        return loaded

    def keep_answers(self, answers: Answers) -> None:
        self.answers_encrypted = encrypt_bytes(json.dumps(answers, ensure_ascii=False).encode()) if answers else ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def band_label(self) -> str:
        return Band(self.band).label if self.band else ""


class SafetyAlert(models.Model):
    """A PHQ-9 answer above 0 on item 9: flagged on the chart until a clinician marks it reviewed."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    assignment = models.OneToOneField(FormAssignment, on_delete=models.PROTECT, related_name="alert")
    raised_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [
            models.Index(fields=["client"], condition=Q(reviewed_at__isnull=True), name="intake_alert_unreviewed")
        ]

    def __str__(self) -> str:
        return f"Safety alert for client {self.client_id}"
