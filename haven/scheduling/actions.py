"""What staff and portal users do with appointments and appointment requests (APPT-1, APPT-2).

Every change checks ``policy.why_not`` first, happens in one transaction with its audit event, and
keeps the appointment's reminders in step (``reminders.plan`` for the current time, ``reminders.drop``
when it no longer holds): a moved appointment gets new reminders, a cancelled one none.

Double booking: a staff booking that overlaps the clinician's other appointment is refused in words
(``Overlap``), buffers aside; a portal booking must be one of the open slots (``availability``). Two
bookings racing for one time are settled by the database (the unique start everywhere, the exclusion
constraint over the time range on PostgreSQL): the second gets ``SlotTaken``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.audit.events import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentChanged,
    AppointmentCreated,
    AppointmentRequestApproved,
    AppointmentRequestDeclined,
    AppointmentRequested,
    AppointmentRequestWithdrawn,
    AppointmentRescheduled,
)
from haven.clients.models import Client
from haven.core.email import send_email_on_commit
from haven.core.errors import ApplicationError, ConflictError
from haven.core.policy import Reason, Viewer
from haven.core.timezones import practice_zone
from haven.portal_access.models import ProfileAccess
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import Facility, Practice, StaffMember
from haven.practices.viewers import StaffViewer
from haven.scheduling import availability, policy, reminders
from haven.scheduling.models import (
    Appointment,
    AppointmentRequest,
    AppointmentSeries,
    AppointmentStatus,
    BookedBy,
    Recurrence,
    RequestStatus,
    ServiceType,
)
from haven.scheduling.policy import SchedulingVerb

MAX_OCCURRENCES = 52
MAX_TEXT = 2000


class SlotTaken(ConflictError):
    """Someone booked that time a moment ago."""

    def __init__(self) -> None:
        super().__init__(_("That time was just taken. Please choose another."))


class Overlap(ApplicationError):
    """The clinician already has an appointment then."""


def refuse(reason: Reason | None, settings: object = None) -> None:
    if reason is not None:
        hours = getattr(settings, "cancellation_window_hours", None)
        raise ApplicationError(reason.words(hours))


@dataclass
class AppointmentDetails:
    """What staff choose for an appointment (or a series: ``recurrence`` and ``occurrences``)."""

    client: Client
    clinician: StaffMember
    service: ServiceType
    starts_at: datetime.datetime
    facility: Facility | None = None
    telehealth_url: str = ""
    recurrence: str = Recurrence.NONE
    occurrences: int = 1
    changed: list[str] = field(default_factory=list)


def _staff_viewer(by: StaffMember) -> StaffViewer:
    return StaffViewer(member=by)


def _check_same_practice(details: AppointmentDetails, practice_id: int) -> None:
    parts = [details.client.practice_id, details.clinician.practice_id, details.service.practice_id]
    if details.facility is not None:
        parts.append(details.facility.practice_id)
    if any(part != practice_id for part in parts):
        raise ApplicationError(_("Choose a client, clinician, service and facility of your practice."))
    if not details.service.is_active:
        raise ApplicationError(_("That service type is no longer offered."))


def occurrence_starts(
    starts_at: datetime.datetime, recurrence: str, occurrences: int, zone: datetime.tzinfo
) -> list[datetime.datetime]:
    """The starts of a series at the same local wall-clock time each week or other week (DST-safe)."""
    if recurrence not in (Recurrence.WEEKLY, Recurrence.BIWEEKLY) or occurrences <= 1:
        return [starts_at]
    step = 7 if recurrence == Recurrence.WEEKLY else 14
    local = starts_at.astimezone(zone)
    naive = local.replace(tzinfo=None)
    starts = []
    for n in range(min(occurrences, MAX_OCCURRENCES)):
        wall = naive + datetime.timedelta(days=step * n)
        starts.append(wall.replace(tzinfo=zone).astimezone(datetime.UTC))
    return starts


def _when(moment: datetime.datetime, zone: datetime.tzinfo, shape: str = "M j, Y, P") -> str:
    return format_date(timezone.localtime(moment, zone), shape)


def _refuse_clash(
    clinician: StaffMember, starts_at: datetime.datetime, ends_at: datetime.datetime, *, ignore: Appointment | None
) -> None:
    other = availability.clash(clinician, starts_at, ends_at, ignore=ignore)
    if other is not None:
        zone = practice_zone(clinician.practice)
        raise Overlap(
            _("%(clinician)s already has an appointment then (%(start)s to %(end)s). Please choose another time.")
            % {
                "clinician": clinician.user.full_name,
                "start": _when(other.starts_at, zone),
                "end": _when(other.ends_at, zone, "P"),
            }
        )


def _save(appointment: Appointment) -> None:
    """Insert or update, turning the database's refusal of a double booking into ``SlotTaken``."""
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as error:
        raise SlotTaken() from error


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat()


def create_appointment(*, by: StaffMember, details: AppointmentDetails) -> list[Appointment]:
    """Book an appointment (or each of a series) for a client; refused in words when the clinician is busy."""
    refuse(policy.why_not(_staff_viewer(by), SchedulingVerb.MANAGE))
    _check_same_practice(details, by.practice_id)
    zone = practice_zone(by.practice)
    duration = datetime.timedelta(minutes=details.service.duration_minutes)
    starts = occurrence_starts(details.starts_at, details.recurrence, details.occurrences, zone)
    made: list[Appointment] = []
    with transaction.atomic():
        series = None
        if len(starts) > 1:
            series = AppointmentSeries.objects.create(practice_id=by.practice_id, recurrence=details.recurrence)
        for start in starts:
            _refuse_clash(details.clinician, start, start + duration, ignore=None)
            appointment = Appointment(
                practice_id=by.practice_id,
                client=details.client,
                clinician=details.clinician,
                service=details.service,
                starts_at=start,
                ends_at=start + duration,
                facility=details.facility,
                telehealth_url=details.telehealth_url,
                series=series,
                booked_by=BookedBy.STAFF,
            )
            _save(appointment)
            reminders.plan(appointment)
            made.append(appointment)
        record_event(
            AppointmentCreated(
                clinician=details.clinician.pk,
                starts_at=_iso(starts[0]),
                occurrences=len(made) if len(made) > 1 else None,
            ),
            actor=_staff_viewer(by).actor,
            practice_id=by.practice_id,
            client=details.client,
            target=made[0],
        )
    return made


def _locked(appointment: Appointment) -> Appointment:
    """The appointment's row, locked; refused when it changed since the person looked at it."""
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("clinician__user", "clinician__practice", "service", "client")
        .get(pk=appointment.pk)
    )
    if locked.sequence != appointment.sequence or locked.status != appointment.status:
        raise ConflictError(_("Someone changed this appointment a moment ago. Please look at it again."))
    return locked


def _portal_or_staff(viewer: Viewer) -> bool:
    return isinstance(viewer, PortalViewer)


def change_appointment(*, by: StaffMember, appointment: Appointment, details: AppointmentDetails) -> Appointment:
    """Staff change an appointment: its time, clinician, service, facility or link. A new time or clinician is a
    reschedule (a new SEQUENCE for calendars, new reminders); the rest is a change."""
    viewer = _staff_viewer(by)
    refuse(policy.why_not(viewer, SchedulingVerb.RESCHEDULE, appointment))
    _check_same_practice(details, by.practice_id)
    if details.client.pk != appointment.client_id:
        raise ApplicationError(_("An appointment stays with its client. Cancel it and book one for the other client."))
    with transaction.atomic():
        locked = _locked(appointment)
        duration = datetime.timedelta(minutes=details.service.duration_minutes)
        new = {
            "clinician_id": details.clinician.pk,
            "service_id": details.service.pk,
            "starts_at": details.starts_at,
            "ends_at": details.starts_at + duration,
            "facility_id": details.facility.pk if details.facility is not None else None,
            "telehealth_url": details.telehealth_url,
        }
        changed = [name.removesuffix("_id") for name, value in new.items() if getattr(locked, name) != value]
        if not changed:
            return locked
        moved = any(name in ("clinician", "starts_at", "ends_at") for name in changed)
        if moved:
            _refuse_clash(details.clinician, new["starts_at"], new["ends_at"], ignore=locked)  # type: ignore[arg-type]
        for name, value in new.items():
            setattr(locked, name, value)
        locked.sequence += 1
        locked.updated_at = timezone.now()
        _save(locked)
        if moved:
            reminders.drop(locked)
            reminders.plan(locked)
            record_event(
                AppointmentRescheduled(starts_at=_iso(locked.starts_at), by_portal=False, sequence=locked.sequence),
                actor=viewer.actor,
                practice_id=locked.practice_id,
                client=locked.client,
                target=locked,
            )
        else:
            record_event(
                AppointmentChanged(fields=changed),
                actor=viewer.actor,
                practice_id=locked.practice_id,
                client=locked.client,
                target=locked,
            )
    return locked


STAFF_STATUSES = (AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW, AppointmentStatus.SCHEDULED)


def set_status(*, by: StaffMember, appointment: Appointment, status: str) -> Appointment:
    """Staff mark an appointment Completed or No-show (or back to Scheduled)."""
    viewer = _staff_viewer(by)
    refuse(policy.why_not(viewer, SchedulingVerb.MANAGE))
    if status not in STAFF_STATUSES:
        raise ApplicationError(_("Choose Scheduled, Completed or No-show."))
    if appointment.is_cancelled:
        raise ApplicationError(_("A cancelled appointment can't be marked. Book a new one."))
    with transaction.atomic():
        locked = _locked(appointment)
        if locked.status == status:
            return locked
        locked.status = status
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "updated_at"])
        if status != AppointmentStatus.SCHEDULED:
            reminders.drop(locked)
        record_event(
            AppointmentChanged(fields=["status"], status=status),
            actor=viewer.actor,
            practice_id=locked.practice_id,
            client=locked.client,
            target=locked,
        )
    return locked


def cancel_appointment(
    *, viewer: Viewer, appointment: Appointment, late: bool | None = None, now: datetime.datetime | None = None
) -> Appointment:
    """Cancel an appointment. A portal user is bound by the practice's window (refused, or marked Late
    cancellation, as the practice chose); staff are not, and say themselves whether it was late."""
    now = now or timezone.now()
    settings = policy.settings_of(viewer.practice_id)
    refuse(policy.why_not(viewer, SchedulingVerb.CANCEL, appointment, settings=settings, now=now), settings)
    by_portal = isinstance(viewer, PortalViewer)
    if by_portal:
        late = policy.cancelling_is_late(appointment, settings, now)
    with transaction.atomic():
        locked = _locked(appointment)
        locked.status = AppointmentStatus.LATE_CANCELLATION if late else AppointmentStatus.CANCELLED
        locked.cancelled_at = now
        locked.sequence += 1
        locked.updated_at = now
        locked.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
        reminders.drop(locked)
        record_event(
            AppointmentCancelled(late=bool(late), by_portal=by_portal),
            actor=viewer.actor,
            practice_id=locked.practice_id,
            client=locked.client,
            target=locked,
            acting_for=viewer.acting_for,
        )
    return locked


def reschedule(
    *, viewer: Viewer, appointment: Appointment, starts_at: datetime.datetime, now: datetime.datetime | None = None
) -> Appointment:
    """Move an appointment to another start, same clinician and service. A portal user must choose an open slot
    outside the cancellation window; staff may choose any time the clinician is free."""
    now = now or timezone.now()
    settings = policy.settings_of(viewer.practice_id)
    refuse(policy.why_not(viewer, SchedulingVerb.RESCHEDULE, appointment, settings=settings, now=now), settings)
    by_portal = isinstance(viewer, PortalViewer)
    with transaction.atomic():
        locked = _locked(appointment)
        ends_at = starts_at + locked.duration
        if by_portal:
            if not availability.is_open(locked.clinician, locked.service, starts_at, now=now, ignore=locked):
                raise SlotTaken()
        else:
            _refuse_clash(locked.clinician, starts_at, ends_at, ignore=locked)
        locked.starts_at = starts_at
        locked.ends_at = ends_at
        locked.sequence += 1
        locked.updated_at = now
        _save(locked)
        reminders.drop(locked)
        reminders.plan(locked)
        record_event(
            AppointmentRescheduled(starts_at=_iso(starts_at), by_portal=by_portal, sequence=locked.sequence),
            actor=viewer.actor,
            practice_id=locked.practice_id,
            client=locked.client,
            target=locked,
            acting_for=viewer.acting_for,
        )
    return locked


def _portal_profile(viewer: PortalViewer) -> tuple[int, Client]:
    if viewer.profile is None:
        raise ApplicationError(policy.SchedulingReason.MAY_NOT_ACT.words())
    return viewer.profile.client_id, viewer.profile.client


def _check_portal_choice(viewer: PortalViewer, clinician: StaffMember | None, service: ServiceType | None) -> None:
    if clinician is not None and (
        clinician.practice_id != viewer.practice_id
        or not policy.clinicians(viewer.practice_id).filter(pk=clinician.pk).exists()
    ):
        raise ApplicationError(_("Choose one of the practice's clinicians."))
    if service is not None and (service.practice_id != viewer.practice_id or not service.is_active):
        raise ApplicationError(_("Choose one of the practice's services."))


def book(
    *,
    viewer: PortalViewer,
    clinician: StaffMember,
    service: ServiceType,
    starts_at: datetime.datetime,
    now: datetime.datetime | None = None,
) -> Appointment:
    """A portal user books one of the clinician's open slots for the selected profile's client."""
    now = now or timezone.now()
    refuse(policy.why_not(viewer, SchedulingVerb.BOOK))
    _check_portal_choice(viewer, clinician, service)
    _client_id, client = _portal_profile(viewer)
    with transaction.atomic():
        if not availability.is_open(clinician, service, starts_at, now=now):
            raise SlotTaken()
        appointment = Appointment(
            practice_id=viewer.practice_id,
            client=client,
            clinician=clinician,
            service=service,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=service.duration_minutes),
            booked_by=BookedBy.PORTAL,
            booked_by_account=viewer.account,
        )
        _save(appointment)
        reminders.plan(appointment)
        record_event(
            AppointmentBooked(clinician=clinician.pk, starts_at=_iso(starts_at)),
            actor=viewer.actor,
            practice_id=viewer.practice_id,
            client=client,
            target=appointment,
            acting_for=viewer.acting_for,
        )
    return appointment


def _clean_text(text: str, *, label: str, required: bool) -> str:
    text = text.strip()
    if required and not text:
        raise ApplicationError(_("Please write %(what)s.") % {"what": label})
    if len(text) > MAX_TEXT:
        raise ApplicationError(_("Please keep %(what)s under %(max)s characters.") % {"what": label, "max": MAX_TEXT})
    return text


def request_appointment(
    *,
    viewer: PortalViewer,
    clinician: StaffMember | None,
    service: ServiceType | None,
    preferred_times: str,
    note: str,
) -> AppointmentRequest:
    """A portal user asks for an appointment: preferred times in their words and a note, for staff to answer."""
    refuse(policy.why_not(viewer, SchedulingVerb.REQUEST))
    _check_portal_choice(viewer, clinician, service)
    _client_id, client = _portal_profile(viewer)
    preferred_times = _clean_text(preferred_times, label=_("the times that suit you"), required=True)
    note = _clean_text(note, label=_("the note"), required=False)
    with transaction.atomic():
        request = AppointmentRequest(
            practice_id=viewer.practice_id, client=client, account=viewer.account, clinician=clinician, service=service
        )
        request.preferred_times = preferred_times
        request.note = note
        request.save()
        record_event(
            AppointmentRequested(account=viewer.account.pk),
            actor=viewer.actor,
            practice_id=viewer.practice_id,
            client=client,
            target=request,
            acting_for=viewer.acting_for,
        )
    return request


def _tell_requester(request: AppointmentRequest, practice: Practice) -> None:
    """Email the portal login that asked, once the practice answered: only that something is waiting, with a link;
    nothing to someone whose access to the client ended."""
    if not request.account.is_active:
        return
    if not ProfileAccess.objects.effective(practice).filter(account=request.account, client_id=request.client_id):
        return
    send_email_on_commit(
        to=request.account.email,
        template="portal_new_document",
        context={
            "sender": practice.name,
            "portal": settings.HAVEN_BASE_URL + reverse("portal:appointments", kwargs={"slug": practice.slug}),
        },
        practice=practice,
    )


def _locked_request(request: AppointmentRequest) -> AppointmentRequest:
    locked = AppointmentRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != RequestStatus.REQUESTED:
        raise ConflictError(policy.SchedulingReason.NOT_PENDING.words())
    return locked


def approve_request(*, by: StaffMember, request: AppointmentRequest, details: AppointmentDetails) -> Appointment:
    """Staff approve a request by booking it; the portal user sees the appointment in place of the request."""
    viewer = _staff_viewer(by)
    refuse(policy.why_not(viewer, SchedulingVerb.MANAGE, request=request))
    if details.client.pk != request.client_id:
        raise ApplicationError(_("The appointment must be for the client who asked."))
    details.recurrence, details.occurrences = Recurrence.NONE, 1
    with transaction.atomic():
        locked = _locked_request(request)
        appointment = create_appointment(by=by, details=details)[0]
        appointment.booked_by = BookedBy.REQUEST
        appointment.save(update_fields=["booked_by"])
        locked.status = RequestStatus.APPROVED
        locked.appointment = appointment
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "appointment", "decided_by", "decided_at"])
        record_event(
            AppointmentRequestApproved(appointment=appointment.pk),
            actor=viewer.actor,
            practice_id=by.practice_id,
            client=details.client,
            target=locked,
        )
        _tell_requester(request, by.practice)
    return appointment


def decline_request(*, by: StaffMember, request: AppointmentRequest, reason: str) -> AppointmentRequest:
    """Staff decline a request, with words the portal user reads."""
    viewer = _staff_viewer(by)
    refuse(policy.why_not(viewer, SchedulingVerb.MANAGE, request=request))
    reason = _clean_text(reason, label=_("a reason for the client"), required=True)
    with transaction.atomic():
        locked = _locked_request(request)
        locked.status = RequestStatus.DECLINED
        locked.decline_reason = reason
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decline_reason_encrypted", "decided_by", "decided_at"])
        record_event(
            AppointmentRequestDeclined(),
            actor=viewer.actor,
            practice_id=by.practice_id,
            client=request.client,
            target=locked,
        )
        _tell_requester(request, by.practice)
    return locked


def withdraw_request(*, viewer: PortalViewer, request: AppointmentRequest) -> AppointmentRequest:
    """The portal user takes back a request staff haven't answered."""
    refuse(policy.why_not(viewer, SchedulingVerb.WITHDRAW, request=request))
    with transaction.atomic():
        locked = _locked_request(request)
        locked.status = RequestStatus.WITHDRAWN
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at"])
        record_event(
            AppointmentRequestWithdrawn(),
            actor=viewer.actor,
            practice_id=viewer.practice_id,
            client=request.client,
            target=locked,
            acting_for=viewer.acting_for,
        )
    return locked
