"""What the calendar and the portal's appointment pages read: each a constant number of queries."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from haven.core.policy import Viewer
from haven.scheduling import policy
from haven.scheduling.models import Appointment, AppointmentRequest, AppointmentStatus, Reminder, RequestStatus

CALENDAR_ROW = ("client", "clinician__user", "service", "facility")  # what a calendar entry shows


def calendar_appointments(
    practice_id: int, start: datetime.datetime, end: datetime.datetime, clinician_id: int | None = None
) -> list[Appointment]:
    """The practice's appointments that start in [start, end), by time, with what a calendar shows of each."""
    rows = Appointment.objects.filter(practice_id=practice_id, starts_at__gte=start, starts_at__lt=end)
    if clinician_id is not None:
        rows = rows.filter(clinician_id=clinician_id)
    return list(rows.select_related(*CALENDAR_ROW).order_by("starts_at", "pk"))


def pending_requests(practice_id: int) -> QuerySet[AppointmentRequest]:
    """Requests waiting for an answer, oldest first (the queue staff work through)."""
    return (
        AppointmentRequest.objects.filter(practice_id=practice_id, status=RequestStatus.REQUESTED)
        .select_related("client", "account", "clinician__user", "service")
        .order_by("created_at", "pk")
    )


def pending_count(practice_id: int) -> int:
    return AppointmentRequest.objects.filter(practice_id=practice_id, status=RequestStatus.REQUESTED).count()


def portal_upcoming(viewer: Viewer, now: datetime.datetime) -> QuerySet[Appointment]:
    """The selected profile's appointments still to come and scheduled, soonest first."""
    return (
        policy.visible_to(viewer)
        .filter(ends_at__gt=now, status=AppointmentStatus.SCHEDULED)
        .select_related(*CALENDAR_ROW)
        .order_by("starts_at", "pk")
    )


def portal_past(viewer: Viewer, now: datetime.datetime) -> QuerySet[Appointment]:
    """The selected profile's appointments that are over or no longer held, newest first."""
    return (
        policy.visible_to(viewer)
        .filter(Q(ends_at__lte=now) | ~Q(status=AppointmentStatus.SCHEDULED))
        .select_related(*CALENDAR_ROW)
        .order_by("-starts_at", "-pk")
    )


def portal_requests(viewer: Viewer) -> QuerySet[AppointmentRequest]:
    """The selected profile's requests still waiting, and declined ones (with the practice's words)."""
    return (
        policy.requests_visible_to(viewer)
        .filter(status__in=[RequestStatus.REQUESTED, RequestStatus.DECLINED])
        .select_related("clinician__user", "service")
        .order_by("-created_at", "-pk")
    )


def reminders_of(appointment: Appointment) -> list[Reminder]:
    """The reminders of the appointment's current time (a move plans new ones), soonest first, with their login."""
    return list(
        Reminder.objects.filter(appointment=appointment, sequence=appointment.sequence)
        .select_related("account")
        .order_by("due_at", "channel", "pk")
    )
