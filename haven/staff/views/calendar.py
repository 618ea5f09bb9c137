"""The staff calendar (APPT-1): day, week and month views per clinician or for the practice, the appointment window
(new, detail, edit, cancel, mark Completed or No-show) and the queue of portal users' appointment requests.

Views are thin: the scheduling policy finds the appointment or request (a 404, audited, for anyone else's), the
scheduling actions do the work and refuse in words, the page shows what came of it and keeps what was typed.
Times are shown and typed in the practice's zone (activated for the request). A calendar page reads the same
number of queries however many appointments it shows (``selectors.calendar_appointments``).
"""

from __future__ import annotations

import calendar as month_calendar
import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from haven.clients.models import Client
from haven.clients.policy import get_client
from haven.core.errors import ApplicationError
from haven.core.timezones import practice_zone
from haven.portal_access.status import PersonRecord, portal_status
from haven.practices.access import StaffRequest, staff_view
from haven.practices.models import Permission
from haven.scheduling import actions, policy, selectors
from haven.scheduling.models import (
    Appointment,
    AppointmentRequest,
    AppointmentStatus,
    Recurrence,
    RequestStatus,
)
from haven.scheduling.policy import SchedulingVerb
from haven.staff.forms.scheduling import AppointmentForm, CancelForm, DeclineForm, StatusForm
from haven.staff.links import id_link

SCHEDULING = Permission.SCHEDULING
MONTH_ENTRIES = 3  # a month's day shows this many appointments, then "+N more"


def _midnight(day: datetime.date, zone: datetime.tzinfo) -> datetime.datetime:
    """The first instant of a local day."""
    return datetime.datetime.combine(day, datetime.time.min).replace(tzinfo=zone).astimezone(datetime.UTC)


STATUS_BADGES = {
    AppointmentStatus.SCHEDULED: "text-bg-primary",
    AppointmentStatus.COMPLETED: "text-bg-success",
    AppointmentStatus.NO_SHOW: "text-bg-warning",
    AppointmentStatus.CANCELLED: "text-bg-secondary",
    AppointmentStatus.LATE_CANCELLATION: "text-bg-danger",
}


# --- The client's appointments (from the chart) ---------------------------------------------------------------------


def appointments_face(request: StaffRequest, client: Client) -> str:
    """The Chart Face's Appointments card: the way to the client's appointments and to a new one; nothing for staff
    without Scheduling. It asks no query: the chart's queries stay few."""
    if not policy.may_schedule(request.staff):
        return ""
    return render_to_string(
        "staff/calendar/_face.html",
        {"client": client, "new_url": f"{reverse('staff:appointment_new')}?{urlencode({'client': client.pk})}"},
        request=request,
    )


@staff_view(SCHEDULING)
@require_safe
def client_appointments(request: StaffRequest, client_id: int) -> HttpResponse:
    """The client's appointments: the coming ones soonest first, then the earlier ones newest first, 25 a page each,
    in a constant number of queries."""
    client = get_client(request.viewer, client_id, path=request.path)
    now = timezone.now()
    zone = practice_zone(request.staff.practice)
    mine = policy.visible_to(request.viewer).filter(client=client).select_related(*selectors.CALENDAR_ROW)
    upcoming = Paginator(mine.filter(ends_at__gt=now).order_by("starts_at", "pk"), 25).get_page(
        request.GET.get("upcoming")
    )
    past = Paginator(mine.filter(ends_at__lte=now).order_by("-starts_at", "-pk"), 25).get_page(request.GET.get("past"))
    return render(
        request,
        "staff/calendar/client_appointments.html",
        {
            "nav": "clients",
            "client": client,
            "tab": "appointments",  # no tab of the strip: the page is reached from the Chart Face
            "can_see_history": request.staff.has_permission(Permission.ORG_ADMIN),
            "upcoming": upcoming,
            "upcoming_entries": _entries(list(upcoming.object_list), zone),
            "past": past,
            "past_entries": _entries(list(past.object_list), zone),
            "new_url": f"{reverse('staff:appointment_new')}?{urlencode({'client': client.pk})}",
        },
    )


# --- The calendar ---------------------------------------------------------------------------------------------------


class CalendarView(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Entry:
    """One appointment as a calendar shows it."""

    pk: int
    url: str
    day: datetime.date
    time: str
    until: str
    starts_iso: str
    client_name: str
    service: str
    clinician_id: int
    clinician: str
    status: str
    status_label: str
    badge: str
    cancelled: bool


@dataclass
class Day:
    date: datetime.date
    url: str  # the day view
    is_today: bool
    in_month: bool = True
    entries: list[Entry] = field(default_factory=list)

    @property
    def held(self) -> int:
        return sum(1 for entry in self.entries if not entry.cancelled)

    @property
    def first_entries(self) -> list[Entry]:
        return self.entries[:MONTH_ENTRIES]

    @property
    def more(self) -> int:
        return max(0, len(self.entries) - MONTH_ENTRIES)


@dataclass
class ClinicianColumn:
    clinician_id: int
    name: str
    entries: list[Entry]
    new_url: str


def _entries(appointments: Sequence[Appointment], zone: datetime.tzinfo) -> list[Entry]:
    detail = id_link("staff:appointment")
    found = []
    for appointment in appointments:
        start, end = appointment.starts_at.astimezone(zone), appointment.ends_at.astimezone(zone)
        status = AppointmentStatus(appointment.status)
        found.append(
            Entry(
                pk=appointment.pk,
                url=detail(appointment.pk),
                day=start.date(),
                time=dateformat.format(start, "g:i A"),
                until=dateformat.format(end, "g:i A"),
                starts_iso=start.isoformat(),
                client_name=appointment.client.full_name,
                service=appointment.service.name,
                clinician_id=appointment.clinician_id,
                clinician=appointment.clinician.user.full_name,
                status=status.value,
                status_label=str(status.label),
                badge=STATUS_BADGES.get(status, "text-bg-light"),
                cancelled=appointment.is_cancelled,
            )
        )
    return found


def _parse_day(raw: str | None, today: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(raw) if raw else today
    except ValueError:
        return today


def _span(view: CalendarView, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first day shown and the day after the last."""
    if view is CalendarView.DAY:
        return day, day + datetime.timedelta(days=1)
    if view is CalendarView.WEEK:
        monday = day - datetime.timedelta(days=day.weekday())
        return monday, monday + datetime.timedelta(days=7)
    first = day.replace(day=1)
    last = day.replace(day=month_calendar.monthrange(day.year, day.month)[1])
    return first - datetime.timedelta(days=first.weekday()), last + datetime.timedelta(days=7 - last.weekday())


def _step(view: CalendarView, day: datetime.date, forward: bool) -> datetime.date:
    sign = 1 if forward else -1
    if view is CalendarView.DAY:
        return day + datetime.timedelta(days=sign)
    if view is CalendarView.WEEK:
        return day + datetime.timedelta(days=7 * sign)
    month = day.month - 1 + sign
    year = day.year + month // 12
    month = month % 12 + 1
    return datetime.date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def calendar_url(view: CalendarView, day: datetime.date, clinician_id: int | None) -> str:
    query = {"view": view.value, "date": day.isoformat()}
    if clinician_id is not None:
        query["clinician"] = str(clinician_id)
    return f"{reverse('staff:calendar')}?{urlencode(query)}"


def _title(view: CalendarView, first: datetime.date, end: datetime.date, day: datetime.date) -> str:
    if view is CalendarView.DAY:
        return dateformat.format(day, "l, F j, Y")
    if view is CalendarView.MONTH:
        return dateformat.format(day, "F Y")
    last = end - datetime.timedelta(days=1)
    if first.year != last.year:
        return f"{dateformat.format(first, 'M j, Y')} \N{EN DASH} {dateformat.format(last, 'M j, Y')}"
    if first.month != last.month:
        return f"{dateformat.format(first, 'M j')} \N{EN DASH} {dateformat.format(last, 'M j, Y')}"
    return f"{dateformat.format(first, 'M j')} \N{EN DASH} {dateformat.format(last, 'j, Y')}"


def _new_url(day: datetime.date | None = None, clinician_id: int | None = None) -> str:
    query = {}
    if day is not None:
        query["date"] = day.isoformat()
    if clinician_id is not None:
        query["clinician"] = str(clinician_id)
    base = reverse("staff:appointment_new")
    return f"{base}?{urlencode(query)}" if query else base


@staff_view(SCHEDULING)
@require_safe
def calendar(request: StaffRequest) -> HttpResponse:
    """``?view=day|week|month&date=YYYY-MM-DD&clinician=<id>`` (empty: the practice's clinicians); the week of today
    by default. The same number of queries however many appointments there are."""
    member = request.staff
    zone = practice_zone(member.practice)
    today = timezone.localdate(timezone=zone)
    try:
        view = CalendarView(request.GET.get("view") or CalendarView.WEEK)
    except ValueError:
        view = CalendarView.WEEK
    day = _parse_day(request.GET.get("date"), today)
    clinicians = list(policy.clinicians(member.practice_id))
    raw_clinician = request.GET.get("clinician", "")
    chosen = next((c for c in clinicians if str(c.pk) == raw_clinician), None)
    clinician_id = chosen.pk if chosen is not None else None

    first, end = _span(view, day)
    entries = _entries(
        selectors.calendar_appointments(member.practice_id, _midnight(first, zone), _midnight(end, zone), clinician_id),
        zone,
    )
    days: dict[datetime.date, Day] = {}
    current = first
    while current < end:
        days[current] = Day(
            date=current,
            url=calendar_url(CalendarView.DAY, current, clinician_id),
            is_today=current == today,
            in_month=view is not CalendarView.MONTH or current.month == day.month,
        )
        current += datetime.timedelta(days=1)
    for entry in entries:
        if entry.day in days:
            days[entry.day].entries.append(entry)

    columns: list[ClinicianColumn] = []
    if view is CalendarView.DAY:
        shown = [chosen] if chosen is not None else clinicians
        by_clinician: dict[int, list[Entry]] = {}
        names: dict[int, str] = {}
        for entry in days[day].entries:
            by_clinician.setdefault(entry.clinician_id, []).append(entry)
            names[entry.clinician_id] = entry.clinician
        order = [c.pk for c in shown] + [pk for pk in by_clinician if pk not in {c.pk for c in shown}]
        all_names = {c.pk: c.user.full_name for c in clinicians} | names
        columns = [
            ClinicianColumn(
                clinician_id=pk, name=all_names.get(pk, ""), entries=by_clinician.get(pk, []), new_url=_new_url(day, pk)
            )
            for pk in order
        ]
    weeks = []
    if view is CalendarView.MONTH:
        ordered = list(days.values())
        weeks = [ordered[index : index + 7] for index in range(0, len(ordered), 7)]

    return render(
        request,
        "staff/calendar/calendar.html",
        {
            "nav": "calendar",
            "view": view.value,
            "title": _title(view, first, end, day),
            "day": day,
            "days": list(days.values()),
            "weeks": weeks,
            "columns": columns,
            "count": sum(1 for entry in entries if not entry.cancelled),
            "clinicians": clinicians,
            "clinician_id": clinician_id,
            "show_clinician": clinician_id is None,
            "views": [
                (v.value, label, calendar_url(v, day, clinician_id))
                for v, label in (
                    (CalendarView.DAY, _("Day")),
                    (CalendarView.WEEK, _("Week")),
                    (CalendarView.MONTH, _("Month")),
                )
            ],
            "previous_url": calendar_url(view, _step(view, day, False), clinician_id),
            "next_url": calendar_url(view, _step(view, day, True), clinician_id),
            "today_url": calendar_url(view, today, clinician_id),
            "new_url": _new_url(day if view is CalendarView.DAY else None, clinician_id),
            "pending": selectors.pending_count(member.practice_id),
            "weekday_names": [dateformat.format(first + datetime.timedelta(days=n), "D") for n in range(7)],
        },
    )


# --- The appointment window -----------------------------------------------------------------------------------------


def _seen_sequence(request: StaffRequest, appointment: Appointment) -> Appointment:
    """The appointment as the person saw it when the page was drawn: a change since then is refused (stale tab)."""
    raw = request.POST.get("sequence", "")
    if raw.isdigit() and raw.isascii():
        appointment.sequence = int(raw)
    return appointment


def _initial_of(appointment: Appointment, zone: datetime.tzinfo) -> dict[str, Any]:
    local = appointment.starts_at.astimezone(zone)
    return {
        "client": appointment.client_id,
        "clinician": appointment.clinician_id,
        "service": appointment.service_id,
        "date": local.date(),
        "start_time": local.time().replace(second=0, microsecond=0),
        "facility": appointment.facility_id,
        "telehealth_url": appointment.telehealth_url,
    }


def _booked_words(made: Sequence[Appointment], recurrence: str, zone: datetime.tzinfo) -> str:
    first = dateformat.format(made[0].starts_at.astimezone(zone), "l, M j, g:i A")
    if len(made) == 1:
        return _("Appointment booked for %(when)s.") % {"when": first}
    how = Recurrence(recurrence).label
    return ngettext(
        "%(count)s appointment booked, %(how)s from %(when)s.",
        "%(count)s appointments booked, %(how)s from %(when)s.",
        len(made),
    ) % {"count": len(made), "how": str(how).lower(), "when": first}


@staff_view(SCHEDULING)
def appointment_new(request: StaffRequest) -> HttpResponse:
    """Book an appointment, or a weekly or every-other-week series; refused in words when the clinician is busy,
    keeping what was typed. ``?client=<id>`` (from a chart), ``?date=`` and ``?clinician=`` fill it in."""
    member = request.staff
    zone = practice_zone(member.practice)
    prefill: Client | None = None
    initial: dict[str, Any] = {"recurrence": Recurrence.NONE, "occurrences": 1}
    raw_client = request.GET.get("client", "")
    if raw_client.isdigit() and raw_client.isascii():
        prefill = get_client(request.viewer, int(raw_client), path=request.path)
        initial["client"] = prefill.pk
        if prefill.clinician_id is not None:
            initial["clinician"] = prefill.clinician_id
        if prefill.facility_id is not None:
            initial["facility"] = prefill.facility_id
    raw_date = request.GET.get("date", "")
    if raw_date:
        initial["date"] = _parse_day(raw_date, timezone.localdate(timezone=zone))
    raw_clinician = request.GET.get("clinician", "")
    if raw_clinician.isdigit() and raw_clinician.isascii():
        initial["clinician"] = int(raw_clinician)
    form = AppointmentForm(
        request.POST or None, initial=initial, practice_id=member.practice_id, include_client=prefill
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            details = form.details()
            try:
                made = actions.create_appointment(by=member, details=details)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _booked_words(made, details.recurrence, zone))
                return redirect("staff:appointment", appointment_id=made[0].pk)
    return render(
        request,
        "staff/calendar/appointment_form.html",
        {"nav": "calendar", "form": form, "appointment": None, "repeats": True, "back_url": reverse("staff:calendar")},
        status=status,
    )


def _detail_context(request: StaffRequest, appointment: Appointment, **extra: Any) -> dict[str, Any]:
    member = request.staff
    client = appointment.client
    series: list[int] = []
    series_label = ""
    if appointment.series_id is not None:
        rows = list(
            Appointment.objects.filter(series_id=appointment.series_id)
            .order_by("starts_at", "pk")
            .values_list("pk", "series__recurrence")
        )
        series = [pk for pk, _recurrence in rows]
        series_label = str(Recurrence(rows[0][1]).label) if rows else ""
    status = AppointmentStatus(appointment.status)
    scheduled = status == AppointmentStatus.SCHEDULED
    return {
        "nav": "calendar",
        "appointment": appointment,
        "client": client,
        "status_label": status.label,
        "badge": STATUS_BADGES.get(status, "text-bg-light"),
        "cancelled": appointment.is_cancelled,
        "portal": portal_status(PersonRecord(client=client)),
        "can_invite": member.has_permission(Permission.INVITE_PORTAL),
        "may_change": policy.why_not(request.viewer, SchedulingVerb.RESCHEDULE, appointment) is None,
        "may_cancel": policy.why_not(request.viewer, SchedulingVerb.CANCEL, appointment) is None,
        "mark_as": (
            [(AppointmentStatus.COMPLETED, _("Mark Completed")), (AppointmentStatus.NO_SHOW, _("Mark No-show"))]
            if scheduled
            else [(AppointmentStatus.SCHEDULED, _("Back to Scheduled"))]
            if status in (AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW)
            else []
        ),
        "series_position": series.index(appointment.pk) + 1 if appointment.pk in series else 0,
        "series_count": len(series),
        "series_label": series_label,
        "reminders": selectors.reminders_of(appointment),
        "cancel_form": extra.pop("cancel_form", None) or CancelForm(),
        "week_url": calendar_url(
            CalendarView.WEEK,
            timezone.localtime(appointment.starts_at, practice_zone(member.practice)).date(),
            appointment.clinician_id,
        ),
        **extra,
    }


def _appointment(request: StaffRequest, appointment_id: int) -> Appointment:
    return policy.get_appointment(request.viewer, appointment_id, path=request.path)


@staff_view(SCHEDULING)
@require_safe
def appointment_detail(request: StaffRequest, appointment_id: int) -> HttpResponse:
    """Everything about one appointment, the client's portal status icon, and what staff may do with it."""
    appointment = _appointment(request, appointment_id)
    return render(request, "staff/calendar/appointment.html", _detail_context(request, appointment))


@staff_view(SCHEDULING)
def appointment_edit(request: StaffRequest, appointment_id: int) -> HttpResponse:
    """Change or reschedule: another time, clinician, service type, facility or link (a new time is a reschedule:
    calendars see a new version and reminders are planned again). Refused in words, keeping what was typed."""
    appointment = _appointment(request, appointment_id)
    member = request.staff
    zone = practice_zone(member.practice)
    form = AppointmentForm(
        request.POST or None,
        initial=_initial_of(appointment, zone),
        practice_id=member.practice_id,
        editing=True,
        fixed_client=appointment.client,
    )
    form.keep_service(appointment.service)
    refusal = policy.why_not(request.viewer, SchedulingVerb.RESCHEDULE, appointment)
    status = 200
    if request.method == "POST":
        status = 400
        if refusal is not None:
            form.add_error(None, refusal.words())
        elif form.is_valid():
            try:
                actions.change_appointment(
                    by=member, appointment=_seen_sequence(request, appointment), details=form.details()
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The appointment was saved."))
                return redirect("staff:appointment", appointment_id=appointment.pk)
    return render(
        request,
        "staff/calendar/appointment_form.html",
        {
            "nav": "calendar",
            "form": form,
            "appointment": appointment,
            "repeats": False,
            "refusal": refusal.words() if refusal is not None else "",
            "back_url": reverse("staff:appointment", args=[appointment.pk]),
        },
        status=status,
    )


@staff_view(SCHEDULING)
@require_POST
def appointment_cancel(request: StaffRequest, appointment_id: int) -> HttpResponse:
    """Cancel, saying whether it was a late cancellation; staff are not bound by the practice's window."""
    appointment = _appointment(request, appointment_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            actions.cancel_appointment(
                viewer=request.viewer, appointment=_seen_sequence(request, appointment), late=form.late
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The appointment was marked Late cancellation.")
                if form.late
                else _("The appointment was cancelled."),
            )
        return redirect("staff:appointment", appointment_id=appointment.pk)
    return render(
        request, "staff/calendar/appointment.html", _detail_context(request, appointment, cancel_form=form), status=400
    )


@staff_view(SCHEDULING)
@require_POST
def appointment_status(request: StaffRequest, appointment_id: int) -> HttpResponse:
    """Mark Completed or No-show (or back to Scheduled)."""
    appointment = _appointment(request, appointment_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose Completed or No-show."))
        return redirect("staff:appointment", appointment_id=appointment.pk)
    try:
        changed = actions.set_status(
            by=request.staff, appointment=_seen_sequence(request, appointment), status=form.cleaned_data["status"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The appointment is marked %(status)s.") % {"status": changed.get_status_display()})
    return redirect("staff:appointment", appointment_id=appointment.pk)


# --- Appointment requests -------------------------------------------------------------------------------------------

ANSWERED_SHOWN = 20


@dataclass(frozen=True)
class RequestRow:
    pk: int
    url: str
    client_name: str
    person: str
    preferred_times: str
    note: str
    requested_at: datetime.datetime
    status: str
    status_label: str
    wish: str  # the clinician and service asked for, if any


def _wish(found: AppointmentRequest) -> str:
    parts = []
    if found.clinician_id is not None:
        parts.append(found.clinician.user.full_name)  # type: ignore[union-attr]
    if found.service_id is not None:
        parts.append(found.service.name)  # type: ignore[union-attr]
    return " · ".join(parts)


def _request_rows(found: Sequence[AppointmentRequest]) -> list[RequestRow]:
    detail = id_link("staff:appointment_request")
    return [
        RequestRow(
            pk=row.pk,
            url=detail(row.pk),
            client_name=row.client.full_name,
            person=row.account.full_name or row.account.email,
            preferred_times=row.preferred_times,
            note=row.note,
            requested_at=row.created_at,
            status=row.status,
            status_label=str(RequestStatus(row.status).label),
            wish=_wish(row),
        )
        for row in found
    ]


@staff_view(SCHEDULING)
@require_safe
def appointment_requests(request: StaffRequest) -> HttpResponse:
    """Requests waiting for an answer, oldest first, then the latest answered ones."""
    practice_id = request.staff.practice_id
    pending = list(selectors.pending_requests(practice_id))
    answered = list(
        policy.requests_visible_to(request.viewer)
        .exclude(status=RequestStatus.REQUESTED)
        .select_related("client", "account", "clinician__user", "service")
        .order_by("-created_at", "-pk")[:ANSWERED_SHOWN]
    )
    return render(
        request,
        "staff/calendar/requests.html",
        {"nav": "calendar", "pending": _request_rows(pending), "answered": _request_rows(answered)},
    )


def _request_context(
    request: StaffRequest,
    found: AppointmentRequest,
    *,
    approve_form: AppointmentForm | None = None,
    decline_form: DeclineForm | None = None,
    refusal: str = "",
) -> dict[str, Any]:
    pending = found.status == RequestStatus.REQUESTED
    if pending and approve_form is None:
        clinicians = {c.pk for c in policy.clinicians(request.staff.practice_id)}
        wanted = found.clinician_id or found.client.clinician_id
        approve_form = AppointmentForm(
            initial={
                "clinician": wanted if wanted in clinicians else None,
                "service": found.service_id,
                "facility": found.client.facility_id,
            },
            practice_id=request.staff.practice_id,
            fixed_client=found.client,
            prefix="approve",
        )
    return {
        "nav": "calendar",
        "found": found,
        "client": found.client,
        "person": found.account.full_name or found.account.email,
        "status_label": RequestStatus(found.status).label,
        "pending": pending,
        "wish": _wish(found),
        "approve_form": approve_form if pending else None,
        "decline_form": (decline_form or DeclineForm(prefix="decline")) if pending else None,
        "refusal": refusal,
    }


def _request(request: StaffRequest, appointment_request_id: int) -> AppointmentRequest:
    return policy.get_request(request.viewer, appointment_request_id, path=request.path)


@staff_view(SCHEDULING)
@require_safe
def appointment_request_detail(request: StaffRequest, appointment_request_id: int) -> HttpResponse:
    """One request: what was asked, and Approve (book it) or Decline (with words the person reads)."""
    found = _request(request, appointment_request_id)
    return render(request, "staff/calendar/request.html", _request_context(request, found))


@staff_view(SCHEDULING)
@require_POST
def appointment_request_approve(request: StaffRequest, appointment_request_id: int) -> HttpResponse:
    """Book the appointment asked for; refused in words (the clinician is busy, it was answered) keeping the form."""
    found = _request(request, appointment_request_id)
    form = AppointmentForm(
        request.POST, practice_id=request.staff.practice_id, fixed_client=found.client, prefix="approve"
    )
    if form.is_valid():
        try:
            appointment = actions.approve_request(by=request.staff, request=found, details=form.details())
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Request approved: %(client)s is booked. The person who asked sees it in the portal.")
                % {"client": found.client.full_name},
            )
            return redirect("staff:appointment", appointment_id=appointment.pk)
    found.refresh_from_db(fields=["status", "decided_at", "appointment"])
    refusal = " ".join(str(error) for error in form.non_field_errors())
    return render(
        request,
        "staff/calendar/request.html",
        _request_context(request, found, approve_form=form, refusal=refusal),
        status=400,
    )


@staff_view(SCHEDULING)
@require_POST
def appointment_request_decline(request: StaffRequest, appointment_request_id: int) -> HttpResponse:
    """Decline, with a reason the portal user reads."""
    found = _request(request, appointment_request_id)
    form = DeclineForm(request.POST, prefix="decline")
    if form.is_valid():
        try:
            actions.decline_request(by=request.staff, request=found, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Request declined. The person who asked sees your reason in the portal."))
            return redirect("staff:appointment_requests")
    found.refresh_from_db(fields=["status", "decided_at", "appointment"])
    refusal = " ".join(str(error) for error in form.non_field_errors())
    return render(
        request,
        "staff/calendar/request.html",
        _request_context(request, found, decline_form=form, refusal=refusal),
        status=400,
    )
