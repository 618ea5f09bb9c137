"""The portal's appointments (APPT-2): the selected profile's upcoming and past appointments and its requests,
booking an open time, cancelling or moving an appointment under the practice's cancellation window, and asking
the practice for an appointment.

Every appointment and request is reached through ``haven.scheduling.policy`` for the selected profile
(``get_appointment`` / ``get_request``: anything else answers 404 and is audited). What the person may do is the
policy's ``why_not``: the pages offer only what it allows and say its words for the rest; a post it refuses
answers 403 (the profile may only look, or the practice does not take it online) or 409 (the appointment or
request is no longer in a state for it), in words, with nothing changed. The scheduling actions check again,
change, audit and keep reminders in step; these views turn what was posted into their arguments.

Times are shown in the practice's zone (activated per request by ``portal_view``), with the zone's name.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from haven.core.errors import ApplicationError
from haven.core.policy import Reason
from haven.core.templatetags.haven_time import when
from haven.portal.access import PortalRequest, portal_view, require_profile
from haven.portal.forms_appointments import BookForm, BookingChoiceForm, RequestForm, TimeForm
from haven.portal.links import RowLink, row_link
from haven.portal.templatetags.portal_urls import portal_url
from haven.practices.models import StaffMember
from haven.scheduling import actions, availability, policy, selectors
from haven.scheduling.availability import Slot
from haven.scheduling.models import (
    Appointment,
    AppointmentRequest,
    AppointmentStatus,
    RequestStatus,
    SchedulingSettings,
    ServiceType,
)
from haven.scheduling.policy import SchedulingReason, SchedulingVerb

PAGE_SIZE = 25
WEEK = 7
# A declined request stays in the list this long, with the practice's words, then only in the practice's records.
DECLINED_SHOWN_FOR = datetime.timedelta(days=30)

# Refusals that are about who asks or what the practice offers (403), rather than about the appointment's state
# now (409).
_FORBIDDEN = {
    SchedulingReason.MAY_NOT_ACT,
    SchedulingReason.NO_PERMISSION,
    SchedulingReason.REQUESTS_OFF,
    SchedulingReason.SELF_BOOKING_OFF,
}


def _status(reason: Reason) -> int:
    return 403 if reason in _FORBIDDEN else 409


def _words(reason: Reason, settings: SchedulingSettings) -> str:
    return policy.window_words(reason, settings)


# --- The list -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Links:
    """Each appointment's and request's links, worked out once per page."""

    detail: RowLink
    cancel: RowLink
    reschedule: RowLink
    ics: RowLink
    withdraw: RowLink

    @classmethod
    def of(cls, slug: str) -> _Links:
        return cls(
            detail=row_link("portal:appointment", slug=slug, id_kwarg="appointment_id"),
            cancel=row_link("portal:appointment_cancel", slug=slug, id_kwarg="appointment_id"),
            reschedule=row_link("portal:appointment_reschedule", slug=slug, id_kwarg="appointment_id"),
            ics=row_link("portal:appointment_ics", slug=slug, id_kwarg="appointment_id"),
            withdraw=row_link("portal:appointment_request_withdraw", slug=slug, id_kwarg="appointment_request_id"),
        )


@dataclass(frozen=True)
class _Row:
    """One appointment as the list shows it; a link is "" where the viewer may not do that."""

    appointment: Appointment
    url: str
    status: str
    upcoming: bool = False
    ics_url: str = ""
    cancel_url: str = ""
    reschedule_url: str = ""


@dataclass(frozen=True)
class _RequestRow:
    request: AppointmentRequest
    withdraw_url: str = ""


@dataclass
class _Verbs:
    """What this viewer may do, asked of the policy once per page for the page's settings and moment."""

    request: PortalRequest
    settings: SchedulingSettings
    now: datetime.datetime

    def why_not(
        self, verb: SchedulingVerb, appointment: Appointment | None = None, asked: AppointmentRequest | None = None
    ) -> Reason | None:
        return policy.why_not(
            self.request.viewer, verb, appointment, request=asked, settings=self.settings, now=self.now
        )

    def may(self, verb: SchedulingVerb, appointment: Appointment | None = None) -> bool:
        return self.why_not(verb, appointment) is None


def _status_words(appointment: Appointment, now: datetime.datetime) -> str:
    """The status in words; none for an appointment still scheduled that is over (the practice has not marked it)."""
    if appointment.status == AppointmentStatus.SCHEDULED and appointment.ends_at <= now:
        return ""
    return str(appointment.get_status_display())


def _rows(appointments: list[Appointment], links: _Links, verbs: _Verbs) -> list[_Row]:
    rows = []
    for appointment in appointments:
        pk = appointment.pk
        upcoming = appointment.status == AppointmentStatus.SCHEDULED and appointment.ends_at > verbs.now
        rows.append(
            _Row(
                appointment=appointment,
                url=links.detail(pk),
                status=_status_words(appointment, verbs.now),
                upcoming=upcoming,
                ics_url=links.ics(pk) if upcoming else "",
                cancel_url=links.cancel(pk) if verbs.may(SchedulingVerb.CANCEL, appointment) else "",
                reschedule_url=links.reschedule(pk) if verbs.may(SchedulingVerb.RESCHEDULE, appointment) else "",
            )
        )
    return rows


def _requests_shown(request: PortalRequest, now: datetime.datetime) -> QuerySet[AppointmentRequest]:
    """Requests waiting for an answer, and those declined lately (with the practice's words), newest first."""
    recent = Q(status=RequestStatus.REQUESTED) | Q(
        status=RequestStatus.DECLINED, decided_at__gte=now - DECLINED_SHOWN_FOR
    )
    return selectors.portal_requests(request.viewer).filter(recent)[:PAGE_SIZE]


def _page(rows: QuerySet[Appointment], number: str | None) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(number)


@portal_view
@require_safe
def appointments(request: PortalRequest) -> HttpResponse:
    """Upcoming (with requests waiting or declined) and past appointments, 25 a page each, in a constant number
    of queries however many there are."""
    require_profile(request)
    now = timezone.now()
    settings = policy.settings_of(request.practice.pk)
    verbs = _Verbs(request, settings, now)
    links = _Links.of(request.practice.slug)
    upcoming = _page(selectors.portal_upcoming(request.viewer, now), request.GET.get("upcoming"))
    past = _page(selectors.portal_past(request.viewer, now), request.GET.get("page"))
    requests = [
        _RequestRow(
            request=asked,
            withdraw_url=links.withdraw(asked.pk)
            if verbs.why_not(SchedulingVerb.WITHDRAW, asked=asked) is None
            else "",
        )
        for asked in _requests_shown(request, now)
    ]
    act_reason = verbs.why_not(SchedulingVerb.REQUEST)
    context = {
        "upcoming": upcoming,
        "upcoming_rows": _rows(list(upcoming.object_list), links, verbs),
        "past": past,
        "past_rows": _rows(list(past.object_list), links, verbs),
        "requests": requests if upcoming.number == 1 else [],
        "may_book": verbs.may(SchedulingVerb.BOOK),
        "may_request": act_reason is None,
        "view_only": act_reason is SchedulingReason.MAY_NOT_ACT,
        "view_only_words": SchedulingReason.MAY_NOT_ACT.words(),
    }
    return render(request, "portal/appointments/list.html", context)


# --- Open times: book one, or move an appointment to one ---------------------------------------------------------


@dataclass(frozen=True)
class _Day:
    day: datetime.date
    slots: list[Slot]


@dataclass
class _Week:
    """One week of open times and the way to the weeks around it (``?week=0`` is the one starting today)."""

    number: int
    count: int
    first: datetime.date
    last: datetime.date
    days: list[_Day] = field(default_factory=list)

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 0 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number + 1 < self.count else None


def _week_number(raw: str | None) -> int:
    """The week asked for (``?week=``); out of range is the nearest week offered (``_open_week``)."""
    try:
        return int(raw or 0)
    except ValueError:
        return 0


def _week_of(moment: datetime.datetime) -> int:
    """The week (from today) a time falls in: the week shown again when that time was just taken."""
    return (timezone.localtime(moment).date() - timezone.localdate()).days // WEEK


def _open_week(
    settings: SchedulingSettings,
    number: int,
    now: datetime.datetime,
    clinician: StaffMember,
    service: ServiceType,
    *,
    ignore: Appointment | None = None,
) -> _Week:
    """Open times of the clinician for the service in one week, by local day, within the practice's horizon."""
    horizon = settings.max_horizon_days + 1  # today and the days up to the horizon
    count = max(1, -(-horizon // WEEK))
    number = min(max(number, 0), count - 1)
    first = timezone.localdate() + datetime.timedelta(days=number * WEEK)
    days = min(WEEK, horizon - number * WEEK)
    slots = availability.open_slots(clinician, service, start=first, days=days, now=now, ignore=ignore)
    by_day: dict[datetime.date, list[Slot]] = {}
    for slot in slots:
        by_day.setdefault(timezone.localtime(slot.starts_at).date(), []).append(slot)
    week = _Week(number=number, count=count, first=first, last=first + datetime.timedelta(days=days - 1))
    week.days = [_Day(day=day, slots=found) for day, found in sorted(by_day.items())]
    return week


def _first_error(form: TimeForm) -> str:
    summary = form.error_summary()
    return summary[0][0] if summary else _("Choose one of the open times.")


def _bookable_clinicians(request: PortalRequest) -> list[StaffMember]:
    """The practice's clinicians who take online bookings (no schedule of their own: they do, by default)."""
    found = list(
        policy.clinicians(request.practice.pk).filter(
            Q(schedule__isnull=True) | Q(schedule__accepts_online_booking=True)
        )
    )
    for member in found:
        member.practice = request.practice  # the practice's zone, without asking again
    return found


def _active_services(request: PortalRequest) -> QuerySet[ServiceType]:
    return ServiceType.objects.filter(practice_id=request.practice.pk, is_active=True).order_by("name", "pk")


def _default_clinician(request: PortalRequest, clinicians: list[StaffMember]) -> StaffMember | None:
    """The client's own clinician when they take online bookings; else the first listed."""
    profile = request.viewer.profile
    own = profile.client.clinician_id if profile is not None else None
    for member in clinicians:
        if member.pk == own:
            return member
    return clinicians[0] if clinicians else None


def _closed(request: PortalRequest, title: str, words: str, *, status: int, back: str = "") -> HttpResponse:
    """A page that says in words why this cannot be done here, and where to go instead."""
    context = {
        "title": title,
        "words": words,
        "back_url": back or portal_url("portal:appointments", request.practice.slug),
    }
    return render(request, "portal/appointments/refused.html", context, status=status)


@portal_view
@require_http_methods(["GET", "HEAD", "POST"])
def appointment_book(request: PortalRequest) -> HttpResponse:
    """Choose a clinician and a type of appointment, then one of their open times, a week at a time; a time taken
    a moment ago by someone else is said so, with the times still open."""
    require_profile(request)
    now = timezone.now()
    settings = policy.settings_of(request.practice.pk)
    reason = policy.why_not(request.viewer, SchedulingVerb.BOOK, settings=settings, now=now)
    if reason is not None:
        return _book_closed(request, reason, settings)
    clinicians = _bookable_clinicians(request)
    services = list(_active_services(request).filter(bookable_online=True))
    problem = ""
    status = 200
    week_number: int | None = None
    if request.method == "POST":
        form = BookForm(request.POST, clinicians=clinicians, services=services)
        if form.is_valid():
            clinician, service = form.cleaned_data["clinician"], form.cleaned_data["service"]
            starts_at = form.cleaned_data["starts_at"]
            try:
                appointment = actions.book(
                    viewer=request.viewer, clinician=clinician, service=service, starts_at=starts_at, now=now
                )
            except ApplicationError as refusal:
                problem, status = refusal.message, 409
                week_number = _week_of(starts_at)
            else:
                messages.success(
                    request,
                    _("Your appointment is booked for %(when)s with %(clinician)s.")
                    % {"when": when(timezone.localtime(appointment.starts_at)), "clinician": clinician.user.full_name},
                )
                return redirect(portal_url("portal:appointment", request.practice.slug, appointment.pk))
        else:
            problem, status = _first_error(form), 400
        data = {"clinician": request.POST.get("clinician", ""), "service": request.POST.get("service", "")}
    else:
        default = _default_clinician(request, clinicians)
        data = {
            "clinician": request.GET.get("clinician") or (str(default.pk) if default else ""),
            "service": request.GET.get("service") or (str(services[0].pk) if services else ""),
        }
    choice = BookingChoiceForm(data, clinicians=clinicians, services=services)
    week, hidden, week_query = None, [], ""
    if clinicians and services and choice.is_valid():
        clinician, service = choice.cleaned_data["clinician"], choice.cleaned_data["service"]
        if week_number is None:
            week_number = _week_number(request.GET.get("week"))
        week = _open_week(settings, week_number, now, clinician, service)
        hidden = [("clinician", clinician.pk), ("service", service.pk)]
        week_query = f"?clinician={clinician.pk}&service={service.pk}&week="
    context = {
        "choice": choice,
        "week": week,
        "hidden": hidden,
        "week_query": week_query,
        "problem": problem,
        "offered": bool(clinicians and services),
        "may_request": policy.why_not(request.viewer, SchedulingVerb.REQUEST, settings=settings) is None,
        "action": portal_url("portal:appointment_book", request.practice.slug),
    }
    return render(request, "portal/appointments/book.html", context, status=status)


def _book_closed(request: PortalRequest, reason: Reason, settings: SchedulingSettings) -> HttpResponse:
    words = _words(reason, settings)
    if reason is SchedulingReason.SELF_BOOKING_OFF and not settings.requests_enabled:
        words = _("%(practice)s doesn't offer online booking. Please call them to make an appointment.") % {
            "practice": request.practice.name
        }
    status = _status(reason) if request.method == "POST" else 200
    return _closed(request, _("Book an appointment"), words, status=status)


# --- One appointment -----------------------------------------------------------------------------------------------


def _appointment(request: PortalRequest, appointment_id: int) -> Appointment:
    # No require_profile here: without a profile the policy sees nothing, and the 404 is audited like any other.
    appointment = policy.get_appointment(request.viewer, appointment_id, path=request.path)
    appointment.clinician.practice = request.practice  # the practice's zone, without asking again
    return appointment


@portal_view
@require_safe
def appointment_detail(request: PortalRequest, appointment_id: int) -> HttpResponse:
    """When, with whom, where or how to join, its status, and Cancel, Reschedule and Add to calendar when allowed;
    when the practice's window has closed on changes, the words say so."""
    appointment = _appointment(request, appointment_id)
    now = timezone.now()
    settings = policy.settings_of(request.practice.pk)
    verbs = _Verbs(request, settings, now)
    cancel_reason = verbs.why_not(SchedulingVerb.CANCEL, appointment)
    reschedule_reason = verbs.why_not(SchedulingVerb.RESCHEDULE, appointment)
    # Say why a change isn't offered when the person could otherwise make it: the window, mostly.
    shown_reason = cancel_reason or reschedule_reason
    problem = ""
    if shown_reason in (SchedulingReason.INSIDE_WINDOW, SchedulingReason.MAY_NOT_ACT):
        problem = _words(shown_reason, settings)
    upcoming = appointment.status == AppointmentStatus.SCHEDULED and appointment.ends_at > now
    context = {
        "appointment": appointment,
        "status": _status_words(appointment, now),
        "may_cancel": cancel_reason is None,
        "may_reschedule": reschedule_reason is None,
        "late": cancel_reason is None and policy.cancelling_is_late(appointment, settings, now),
        "window_hours": settings.cancellation_window_hours,
        "problem": problem,
        "upcoming": upcoming,
    }
    return render(request, "portal/appointments/detail.html", context)


@portal_view
@require_http_methods(["GET", "HEAD", "POST"])
def appointment_cancel(request: PortalRequest, appointment_id: int) -> HttpResponse:
    """GET asks to confirm (warning when it will be recorded as a Late cancellation); POST cancels. Refused in
    words when the practice's window has closed or the profile may only look."""
    appointment = _appointment(request, appointment_id)
    now = timezone.now()
    settings = policy.settings_of(request.practice.pk)
    reason = policy.why_not(request.viewer, SchedulingVerb.CANCEL, appointment, settings=settings, now=now)
    problem = _words(reason, settings) if reason is not None else ""
    status = _status(reason) if reason is not None and request.method == "POST" else 200
    if request.method == "POST" and reason is None:
        try:
            cancelled = actions.cancel_appointment(viewer=request.viewer, appointment=appointment, now=now)
        except ApplicationError as refusal:
            problem, status = refusal.message, 409
        else:
            if cancelled.status == AppointmentStatus.LATE_CANCELLATION:
                messages.warning(request, _("Your appointment is cancelled. It is recorded as a Late cancellation."))
            else:
                messages.success(request, _("Your appointment is cancelled."))
            return redirect(portal_url("portal:appointment", request.practice.slug, appointment.pk))
    context = {
        "appointment": appointment,
        "problem": problem,
        "late": not problem and policy.cancelling_is_late(appointment, settings, now),
        "window_hours": settings.cancellation_window_hours,
    }
    return render(request, "portal/appointments/cancel.html", context, status=status)


@portal_view
@require_http_methods(["GET", "HEAD", "POST"])
def appointment_reschedule(request: PortalRequest, appointment_id: int) -> HttpResponse:
    """The clinician's open times for the same type of appointment (this one's own time counts as free), a week at a
    time; POST moves it to the time chosen."""
    appointment = _appointment(request, appointment_id)
    now = timezone.now()
    settings = policy.settings_of(request.practice.pk)
    reason = policy.why_not(request.viewer, SchedulingVerb.RESCHEDULE, appointment, settings=settings, now=now)
    detail_url = portal_url("portal:appointment", request.practice.slug, appointment.pk)
    if reason is not None:
        status = _status(reason) if request.method == "POST" else 200
        return _closed(request, _("Reschedule"), _words(reason, settings), status=status, back=detail_url)
    problem, status = "", 200
    week_number = _week_number(request.GET.get("week"))
    if request.method == "POST":
        form = TimeForm(request.POST)
        if form.is_valid():
            starts_at = form.cleaned_data["starts_at"]
            try:
                moved = actions.reschedule(viewer=request.viewer, appointment=appointment, starts_at=starts_at, now=now)
            except ApplicationError as refusal:
                problem, status = refusal.message, 409
                week_number = _week_of(starts_at)
            else:
                messages.success(
                    request,
                    _("Your appointment is moved to %(when)s.") % {"when": when(timezone.localtime(moved.starts_at))},
                )
                return redirect(detail_url)
        else:
            problem, status = _first_error(form), 400
    week = _open_week(settings, week_number, now, appointment.clinician, appointment.service, ignore=appointment)
    context = {
        "appointment": appointment,
        "week": week,
        "hidden": [],
        "problem": problem,
        "action": portal_url("portal:appointment_reschedule", request.practice.slug, appointment.pk),
    }
    return render(request, "portal/appointments/reschedule.html", context, status=status)


# --- Requests ---------------------------------------------------------------------------------------------------


@portal_view
@require_http_methods(["GET", "HEAD", "POST"])
def appointment_request(request: PortalRequest) -> HttpResponse:
    """Ask the practice for an appointment: with whom (or anyone), what for, the times that suit and a note. What
    was typed stays on the page when something is wrong."""
    require_profile(request)
    settings = policy.settings_of(request.practice.pk)
    reason = policy.why_not(request.viewer, SchedulingVerb.REQUEST, settings=settings)
    if reason is not None:
        status = _status(reason) if request.method == "POST" else 200
        return _closed(request, _("Request Appointment"), _words(reason, settings), status=status)
    clinicians = list(policy.clinicians(request.practice.pk))
    services = list(_active_services(request))
    if request.method != "POST":
        form = RequestForm(clinicians=clinicians, services=services)
        return render(request, "portal/appointments/request.html", {"form": form})
    form = RequestForm(request.POST, clinicians=clinicians, services=services)
    if form.is_valid():
        try:
            actions.request_appointment(
                viewer=request.viewer,
                clinician=form.cleaned_data["clinician"],
                service=form.cleaned_data["service"],
                preferred_times=form.cleaned_data["preferred_times"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                _("Your request was sent to %(practice)s. They will answer here.")
                % {"practice": request.practice.name},
            )
            return redirect(portal_url("portal:appointments", request.practice.slug))
    return render(request, "portal/appointments/request.html", {"form": form}, status=400)


@portal_view
@require_POST
def appointment_request_withdraw(request: PortalRequest, appointment_request_id: int) -> HttpResponse:
    """Take back a request the practice hasn't answered yet."""
    asked = policy.get_request(request.viewer, appointment_request_id, path=request.path)
    settings = policy.settings_of(request.practice.pk)
    reason = policy.why_not(request.viewer, SchedulingVerb.WITHDRAW, request=asked, settings=settings)
    if reason is not None:
        return _closed(request, _("Withdraw request"), _words(reason, settings), status=_status(reason))
    try:
        actions.withdraw_request(viewer=request.viewer, request=asked)
    except ApplicationError as refusal:
        return _closed(request, _("Withdraw request"), refusal.message, status=409)
    messages.success(request, _("Your request is withdrawn."))
    return redirect(portal_url("portal:appointments", request.practice.slug))
