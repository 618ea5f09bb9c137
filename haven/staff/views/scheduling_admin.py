"""How the practice schedules: each clinician's availability (weekly hours, time off, buffers, notice, online
booking) and, in Organization Administration, the practice's scheduling settings and service types.

A clinician changes their own availability; an administrator anyone's; other staff with Scheduling see it.
Every change goes through ``haven.scheduling.configuration`` (audited as the practice's settings changing).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.audit.denials import not_found
from haven.core.errors import ApplicationError
from haven.core.forms import HavenForm
from haven.practices.access import StaffRequest, deny, staff_view
from haven.practices.models import Permission, StaffMember
from haven.scheduling import configuration, policy
from haven.scheduling.models import ServiceType, TimeOff, Weekday, WeeklyHours
from haven.staff.forms.scheduling import (
    SETTINGS_FIELDS,
    ClinicianScheduleForm,
    SchedulingSettingsForm,
    ServiceTypeForm,
    TimeOffForm,
    WeeklyHoursForm,
)

SCHEDULING = Permission.SCHEDULING
ADMIN = Permission.ORG_ADMIN

# --- A clinician's availability -------------------------------------------------------------------------------------


def _clinician(request: StaffRequest, member_id: int) -> StaffMember:
    """One of the practice's clinicians, or a 404 (audited) that looks like a missing one."""
    found = policy.clinicians(request.staff.practice_id).filter(pk=member_id).first()
    if found is None:
        raise deny(request.staff, object_type="practices.staffmember", object_id=member_id, path=request.path)
    return found


def _availability_url(clinician: StaffMember) -> str:
    return reverse("staff:availability_of", kwargs={"member_id": clinician.pk})


def _forms(
    request: StaffRequest, clinician: StaffMember, bound: dict[str, HavenForm] | None = None
) -> dict[str, HavenForm]:
    practice_id = request.staff.practice_id
    own = policy.schedule_of(clinician)
    forms: dict[str, HavenForm] = {
        "hours_form": WeeklyHoursForm(prefix="hours"),
        "off_form": TimeOffForm(practice_id=practice_id, prefix="off"),
        "prefs_form": ClinicianScheduleForm(
            initial={name: getattr(own, name) for name in configuration.SCHEDULE},
            practice_settings=policy.settings_of(practice_id),
            prefix="prefs",
        ),
    }
    forms.update(bound or {})
    return forms


def _availability_page(
    request: StaffRequest, clinician: StaffMember, *, bound: dict[str, HavenForm] | None = None, status: int = 200
) -> HttpResponse:
    may_edit = configuration.may_edit_availability(request.viewer, clinician)
    hours = list(WeeklyHours.objects.filter(staff=clinician).order_by("weekday", "start"))
    week = [(label, [h for h in hours if h.weekday == value]) for value, label in Weekday.choices]
    now = timezone.now()
    time_off = list(TimeOff.objects.filter(staff=clinician, ends_at__gt=now).order_by("starts_at")[:100])
    is_admin = request.staff.has_permission(ADMIN)
    others = list(policy.clinicians(request.staff.practice_id)) if is_admin or not may_edit else []
    return render(
        request,
        "staff/calendar/availability.html",
        {
            "nav": "calendar",
            "clinician": clinician,
            "is_self": clinician.pk == request.staff.pk,
            "may_edit": may_edit,
            "week": week,
            "time_off": time_off,
            "others": [(m, _availability_url(m)) for m in others],
            "settings_url": reverse("staff:scheduling_settings") if is_admin else "",
            **(_forms(request, clinician, bound) if may_edit else {}),
        },
        status=status,
    )


def _chosen_row(
    request: StaffRequest, model: type[WeeklyHours] | type[TimeOff], clinician: StaffMember, key: str
) -> Any:
    raw = request.POST.get(key, "")
    found = None
    if raw.isdigit() and raw.isascii():
        found = model.objects.filter(staff=clinician, pk=int(raw)).select_related("staff").first()
    if found is None:
        raise not_found(request.viewer, object_type=model._meta.label_lower, object_id=raw[:40], path=request.path)
    return found


def _done(request: StaffRequest, clinician: StaffMember, words: str) -> HttpResponse:
    messages.success(request, words)
    return redirect(_availability_url(clinician))


def _refused(request: StaffRequest, clinician: StaffMember, key: str, form: HavenForm, error: str = "") -> HttpResponse:
    """The page again with the form as typed, and the action's words above it."""
    if error:
        form.add_error(None, error)
    return _availability_page(request, clinician, bound={key: form}, status=400)


def _add_hours(request: StaffRequest, clinician: StaffMember) -> HttpResponse:
    form = WeeklyHoursForm(request.POST, prefix="hours")
    if not form.is_valid():
        return _refused(request, clinician, "hours_form", form)
    data = form.cleaned_data
    try:
        configuration.add_weekly_hours(
            by=request.staff, clinician=clinician, weekday=data["weekday"], start=data["start"], end=data["end"]
        )
    except ApplicationError as error:
        return _refused(request, clinician, "hours_form", form, error.message)
    return _done(request, clinician, _("Hours added."))


def _remove_hours(request: StaffRequest, clinician: StaffMember) -> HttpResponse:
    hours = _chosen_row(request, WeeklyHours, clinician, "hours_id")
    try:
        configuration.remove_weekly_hours(by=request.staff, hours=hours)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(_availability_url(clinician))
    return _done(request, clinician, _("Hours removed."))


def _add_time_off(request: StaffRequest, clinician: StaffMember) -> HttpResponse:
    form = TimeOffForm(request.POST, practice_id=request.staff.practice_id, prefix="off")
    if not form.is_valid():
        return _refused(request, clinician, "off_form", form)
    data = form.cleaned_data
    try:
        configuration.add_time_off(
            by=request.staff,
            clinician=clinician,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            reason=data.get("reason") or "",
        )
    except ApplicationError as error:
        return _refused(request, clinician, "off_form", form, error.message)
    return _done(
        request, clinician, _("Time off added. Appointments already booked then stay booked: move them if needed.")
    )


def _remove_time_off(request: StaffRequest, clinician: StaffMember) -> HttpResponse:
    time_off = _chosen_row(request, TimeOff, clinician, "time_off_id")
    try:
        configuration.remove_time_off(by=request.staff, time_off=time_off)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(_availability_url(clinician))
    return _done(request, clinician, _("Time off removed."))


def _save_preferences(request: StaffRequest, clinician: StaffMember) -> HttpResponse:
    form = ClinicianScheduleForm(
        request.POST, practice_settings=policy.settings_of(request.staff.practice_id), prefix="prefs"
    )
    if not form.is_valid():
        return _refused(request, clinician, "prefs_form", form)
    try:
        configuration.save_clinician_schedule(
            by=request.staff,
            clinician=clinician,
            values={name: form.cleaned_data[name] for name in configuration.SCHEDULE},
        )
    except ApplicationError as error:
        return _refused(request, clinician, "prefs_form", form, error.message)
    return _done(request, clinician, _("Booking preferences saved."))


_CHANGES = {
    "hours": _add_hours,
    "remove_hours": _remove_hours,
    "time_off": _add_time_off,
    "remove_time_off": _remove_time_off,
    "preferences": _save_preferences,
}


def _availability_post(request: StaffRequest, clinician: StaffMember) -> HttpResponse:
    """One change per POST, named by ``op``: add or remove hours or time off, or save the booking preferences."""
    if not configuration.may_edit_availability(request.viewer, clinician):
        messages.error(request, _("Only the clinician or an administrator can change these hours."))
        return _availability_page(request, clinician, status=403)
    change = _CHANGES.get(request.POST.get("op", ""))
    if change is None:
        messages.error(request, _("Choose what to change."))
        return _availability_page(request, clinician, status=400)
    return change(request, clinician)


@staff_view(SCHEDULING)
def availability(request: StaffRequest) -> HttpResponse:
    """The signed-in clinician's own availability; staff who take no appointments choose a clinician."""
    own = policy.clinicians(request.staff.practice_id).filter(pk=request.staff.pk).first()
    if own is None:
        others = list(policy.clinicians(request.staff.practice_id))
        return render(
            request,
            "staff/calendar/availability_choose.html",
            {"nav": "calendar", "others": [(m, _availability_url(m)) for m in others]},
            status=400 if request.method == "POST" else 200,
        )
    if request.method == "POST":
        return _availability_post(request, own)
    return _availability_page(request, own)


@staff_view(SCHEDULING)
def availability_of(request: StaffRequest, member_id: int) -> HttpResponse:
    """A clinician's availability: theirs and administrators' to change, the rest of the staff's to see."""
    clinician = _clinician(request, member_id)
    if request.method == "POST":
        return _availability_post(request, clinician)
    return _availability_page(request, clinician)


# --- The practice's scheduling settings and service types -----------------------------------------------------------


def _admin_context(**extra: object) -> dict[str, object]:
    return {"nav": "admin", "section": "scheduling", **extra}


@staff_view(ADMIN)
def scheduling_settings(request: StaffRequest) -> HttpResponse:
    """Organization Administration: requests and self-booking, notice, horizon, slots, buffers, the cancellation
    window and what happens inside it, reminders and quiet hours; and the service types."""
    practice_id = request.staff.practice_id
    current = policy.settings_of(practice_id)
    form = SchedulingSettingsForm(request.POST or None, initial=SchedulingSettingsForm.initial_of(current))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                configuration.save_settings(
                    by=request.staff, values={name: form.cleaned_data[name] for name in SETTINGS_FIELDS}
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Scheduling settings saved."))
                return redirect("staff:scheduling_settings")
    services = list(ServiceType.objects.filter(practice_id=practice_id).order_by("-is_active", "name", "pk"))
    return render(
        request,
        "staff/calendar/settings.html",
        _admin_context(form=form, services=services, clinicians=list(policy.clinicians(practice_id))),
        status=status,
    )


def _service_type(request: StaffRequest, service_type_id: int) -> ServiceType:
    found = ServiceType.objects.filter(practice_id=request.staff.practice_id, pk=service_type_id).first()
    if found is None:
        raise deny(request.staff, object_type="scheduling.servicetype", object_id=service_type_id, path=request.path)
    return found


def _service_page(request: StaffRequest, service: ServiceType | None) -> HttpResponse:
    initial: dict[str, Any] = (
        {
            "name": service.name,
            "duration_minutes": service.duration_minutes,
            "billing_code": service.billing_code,
            "bookable_online": service.bookable_online,
            "is_active": service.is_active,
        }
        if service is not None
        else {"duration_minutes": 50, "bookable_online": True, "is_active": True}
    )
    form = ServiceTypeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = configuration.save_service_type(by=request.staff, service=service, values=form.cleaned_data)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Service type “%(name)s” saved.") % {"name": saved.name})
                return redirect("staff:scheduling_settings")
    return render(
        request, "staff/calendar/service_type_form.html", _admin_context(form=form, service=service), status=status
    )


@staff_view(ADMIN)
def service_type_new(request: StaffRequest) -> HttpResponse:
    return _service_page(request, None)


@staff_view(ADMIN)
def service_type_edit(request: StaffRequest, service_type_id: int) -> HttpResponse:
    """Change a service type, or stop offering it (its appointments keep it)."""
    return _service_page(request, _service_type(request, service_type_id))
