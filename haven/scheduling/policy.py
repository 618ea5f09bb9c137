"""Who may see and do what with appointments and appointment requests (see ``haven.core.policy``).

- Staff with Scheduling see the practice's whole calendar and requests, and book, move, cancel and answer
  requests; they are not bound by the cancellation window or the booking notice. Staff without it see none.
- A portal login sees the appointments and requests of its selected profile's client, in this practice, while
  that profile's access is in effect (the session checks it on every request). A guardian whose access ended,
  or a contact who lost Web Portal permission, sees nothing more.
- Only a profile that may act for the client (the client, or a legal guardian in the Client Contact Network)
  requests, books, cancels or reschedules; other contacts with Web Portal permission only see.
- A portal user cancels or reschedules until the practice's cancellation window; inside it the practice
  chose either to refuse (call the practice) or to allow it as a Late cancellation (rescheduling is then
  refused: a late move is a call to the practice).
"""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.audit.denials import not_found
from haven.core.policy import Reason, Viewer
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import Permission, StaffMember
from haven.practices.viewers import StaffViewer
from haven.scheduling.models import (
    Appointment,
    AppointmentRequest,
    AppointmentStatus,
    ClinicianSchedule,
    LateCancellation,
    RequestStatus,
    SchedulingSettings,
)

APPOINTMENT_TYPE = "scheduling.appointment"
REQUEST_TYPE = "scheduling.appointmentrequest"


class SchedulingVerb(StrEnum):
    MANAGE = "manage"  # staff: book, move, cancel, answer requests
    REQUEST = "request"  # portal: ask for an appointment
    BOOK = "book"  # portal: book an open time
    CANCEL = "cancel"  # portal or staff
    RESCHEDULE = "reschedule"  # portal or staff
    WITHDRAW = "withdraw"  # portal: take back a request


class SchedulingReason(Reason):
    NO_PERMISSION = "no_permission"
    MAY_NOT_ACT = "may_not_act"
    REQUESTS_OFF = "requests_off"
    SELF_BOOKING_OFF = "self_booking_off"
    NOT_SCHEDULED = "not_scheduled"
    PAST = "past"
    INSIDE_WINDOW = "inside_window"
    NOT_PENDING = "not_pending"

    def words(self, subject: Any = None) -> str:
        if self is SchedulingReason.INSIDE_WINDOW:
            hours = subject if isinstance(subject, int) else 24
            return _(
                "Appointments can't be changed online less than %(hours)s hours before they start. "
                "Please call the practice."
            ) % {"hours": hours}
        return {
            SchedulingReason.NO_PERMISSION: _("Your account doesn't have the Scheduling permission."),
            SchedulingReason.MAY_NOT_ACT: _(
                "Only the client or a legal guardian can make or change appointments in the portal."
            ),
            SchedulingReason.REQUESTS_OFF: _("The practice takes appointment requests by phone. Please call them."),
            SchedulingReason.SELF_BOOKING_OFF: _("The practice doesn't offer online booking. You can send a request."),
            SchedulingReason.NOT_SCHEDULED: _("This appointment is no longer scheduled."),
            SchedulingReason.PAST: _("This appointment has already started."),
            SchedulingReason.NOT_PENDING: _("This request has already been answered."),
        }[self]


def settings_of(practice_id: int) -> SchedulingSettings:
    """The practice's scheduling settings (the defaults, unsaved, when it never changed them)."""
    found = SchedulingSettings.objects.filter(practice_id=practice_id).first()
    return found if found is not None else SchedulingSettings(practice_id=practice_id)


def schedule_of(member: StaffMember) -> ClinicianSchedule:
    """The clinician's own choices (the defaults, unsaved, when never changed)."""
    found = ClinicianSchedule.objects.filter(staff_id=member.pk).first()
    return found if found is not None else ClinicianSchedule(staff=member)


def may_schedule(member: StaffMember) -> bool:
    return member.has_permission(Permission.SCHEDULING)


def clinicians(practice_id: int) -> QuerySet[StaffMember]:
    """Whom appointments may be booked with: the practice's staff whose login works and who see clients
    (administrators and therapists), by name."""
    return (
        StaffMember.objects.filter(
            practice_id=practice_id, user__is_active=True, role__in=["administrator", "therapist"]
        )
        .select_related("user")
        .order_by("user__full_name", "pk")
    )


# --- what each viewer sees ------------------------------------------------------------------------------------


def portal_client(viewer: Viewer) -> int | None:
    """The client a portal viewer acts for (its selected profile's, in this practice), or None: staff, no profile."""
    if not isinstance(viewer, PortalViewer) or viewer.profile is None:
        return None
    profile = viewer.profile
    if profile.account_id != viewer.account.pk or profile.practice_id != viewer.practice_id:
        return None
    return profile.client_id


def visible_to(viewer: Viewer) -> QuerySet[Appointment]:
    """The appointments this viewer may see."""
    if isinstance(viewer, StaffViewer):
        if not may_schedule(viewer.member):
            return Appointment.objects.none()
        return Appointment.objects.filter(practice_id=viewer.practice_id)
    client_id = portal_client(viewer)
    if client_id is None:
        return Appointment.objects.none()
    return Appointment.objects.filter(practice_id=viewer.practice_id, client_id=client_id)


def requests_visible_to(viewer: Viewer) -> QuerySet[AppointmentRequest]:
    """The appointment requests this viewer may see."""
    if isinstance(viewer, StaffViewer):
        if not may_schedule(viewer.member):
            return AppointmentRequest.objects.none()
        return AppointmentRequest.objects.filter(practice_id=viewer.practice_id)
    client_id = portal_client(viewer)
    if client_id is None:
        return AppointmentRequest.objects.none()
    return AppointmentRequest.objects.filter(practice_id=viewer.practice_id, client_id=client_id)


def get_appointment(viewer: Viewer, appointment_id: int, *, path: str = "") -> Appointment:
    """An appointment this viewer may see, or a 404 audited as access.denied."""
    found = (
        visible_to(viewer)
        .filter(pk=appointment_id)
        .select_related("client", "clinician__user", "service", "facility")
        .first()
    )
    if found is None:
        raise not_found(viewer, object_type=APPOINTMENT_TYPE, object_id=appointment_id, path=path)
    return found


def get_request(viewer: Viewer, request_id: int, *, path: str = "") -> AppointmentRequest:
    """An appointment request this viewer may see, or a 404 audited as access.denied."""
    found = (
        requests_visible_to(viewer)
        .filter(pk=request_id)
        .select_related("client", "account", "clinician__user", "service", "appointment")
        .first()
    )
    if found is None:
        raise not_found(viewer, object_type=REQUEST_TYPE, object_id=request_id, path=path)
    return found


# --- what each viewer may do -----------------------------------------------------------------------------------


def inside_window(appointment: Appointment, settings: SchedulingSettings, now: datetime.datetime) -> bool:
    """Whether it is now less than the practice's cancellation window before the appointment."""
    return appointment.starts_at - now < datetime.timedelta(hours=settings.cancellation_window_hours)


def cancelling_is_late(appointment: Appointment, settings: SchedulingSettings, now: datetime.datetime) -> bool:
    """Whether a portal cancellation now is recorded as a Late cancellation: inside the window, where the practice
    allows it so (where it refuses, ``why_not`` says so instead)."""
    return settings.late_cancellation == LateCancellation.MARK_LATE and inside_window(appointment, settings, now)


def why_not(
    viewer: Viewer,
    verb: SchedulingVerb,
    appointment: Appointment | None = None,
    *,
    request: AppointmentRequest | None = None,
    settings: SchedulingSettings | None = None,
    now: datetime.datetime | None = None,
) -> Reason | None:
    """None when the viewer may do this (to an appointment or request they can see: ``get_*`` checked that)."""
    now = now or timezone.now()
    if isinstance(viewer, StaffViewer):
        if not may_schedule(viewer.member):
            return SchedulingReason.NO_PERMISSION
        changing = verb in (SchedulingVerb.CANCEL, SchedulingVerb.RESCHEDULE)
        if changing and appointment is not None and appointment.status != AppointmentStatus.SCHEDULED:
            return SchedulingReason.NOT_SCHEDULED
        if request is not None and request.status != RequestStatus.REQUESTED:
            return SchedulingReason.NOT_PENDING
        return None
    if not isinstance(viewer, PortalViewer) or viewer.profile is None:
        return SchedulingReason.MAY_NOT_ACT
    if not viewer.profile.may_act_for_client:
        return SchedulingReason.MAY_NOT_ACT
    settings = settings or settings_of(viewer.practice_id)
    if verb is SchedulingVerb.REQUEST:
        return None if settings.requests_enabled else SchedulingReason.REQUESTS_OFF
    if verb is SchedulingVerb.BOOK:
        return None if settings.self_booking_enabled else SchedulingReason.SELF_BOOKING_OFF
    if verb is SchedulingVerb.WITHDRAW:
        if request is None or request.status != RequestStatus.REQUESTED:
            return SchedulingReason.NOT_PENDING
        return None
    if verb in (SchedulingVerb.CANCEL, SchedulingVerb.RESCHEDULE):
        if appointment is None or appointment.status != AppointmentStatus.SCHEDULED:
            return SchedulingReason.NOT_SCHEDULED
        if appointment.starts_at <= now:
            return SchedulingReason.PAST
        if verb is SchedulingVerb.RESCHEDULE and not settings.self_booking_enabled:
            return SchedulingReason.SELF_BOOKING_OFF
        refused_late = verb is SchedulingVerb.RESCHEDULE or settings.late_cancellation == LateCancellation.REFUSE
        if refused_late and inside_window(appointment, settings, now):
            return SchedulingReason.INSIDE_WINDOW
        return None
    return SchedulingReason.NO_PERMISSION


def window_words(reason: Reason, settings: SchedulingSettings) -> str:
    """A reason's words, with the practice's window for INSIDE_WINDOW."""
    return reason.words(settings.cancellation_window_hours)
