"""Changes to how a practice schedules: its scheduling settings and service types (administrators), and each
clinician's weekly hours, time off, buffers and notice (the clinician themself, or an administrator).

Every change is one transaction with its audit event, ``practice.settings_changed`` (the practice's settings
code, as the practice and messaging settings use it): ``changed`` names what changed, ``{"from": ..., "to": ...}``;
a clinician's availability names the clinician as its target.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.audit.events import PracticeSettingsChanged
from haven.core.errors import ApplicationError
from haven.core.policy import Viewer
from haven.practices.models import Permission, StaffMember
from haven.practices.viewers import StaffViewer
from haven.scheduling import policy
from haven.scheduling.models import ClinicianSchedule, SchedulingSettings, ServiceType, TimeOff, WeeklyHours

SETTINGS = (
    "requests_enabled",
    "self_booking_enabled",
    "min_notice_hours",
    "max_horizon_days",
    "slot_minutes",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "cancellation_window_hours",
    "late_cancellation",
    "reminder_hours",
    "quiet_hours_start",
    "quiet_hours_end",
)
SCHEDULE = ("accepts_online_booking", "buffer_before_minutes", "buffer_after_minutes", "min_notice_hours")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return str(value)


def _audit(by: StaffMember, changed: dict[str, dict[str, str]], target: Any) -> None:
    record_event(
        PracticeSettingsChanged(changed=changed),
        actor=StaffViewer(by).actor,
        practice_id=by.practice_id,
        target=target,
    )


def _refuse_invalid(instance: Any, *, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        words = [str(message) for messages in error.message_dict.values() for message in messages]
        raise ApplicationError(" ".join(words)) from None


def _require_admin(by: StaffMember) -> None:
    if not by.has_permission(Permission.ORG_ADMIN):
        raise ApplicationError(_("Only an administrator of the practice can change its scheduling settings."))


# --- The practice's settings and service types ----------------------------------------------------------------------


def save_settings(*, by: StaffMember, values: Mapping[str, Any]) -> SchedulingSettings:
    """An administrator's scheduling choices for the practice (the fields of ``SETTINGS``). Audited."""
    _require_admin(by)
    unknown = set(values) - set(SETTINGS)
    if unknown:
        raise ApplicationError(_("That setting cannot be changed here."))
    with transaction.atomic():
        found, _created = SchedulingSettings.objects.select_for_update().get_or_create(practice_id=by.practice_id)
        changed: dict[str, dict[str, str]] = {}
        for name, value in values.items():
            if getattr(found, name) != value:
                changed[name] = {"from": _text(getattr(found, name)), "to": _text(value)}
                setattr(found, name, value)
        if changed:
            _refuse_invalid(found, exclude=["practice"])
            found.save()
            _audit(by, changed, by.practice)
    return found


def save_service_type(*, by: StaffMember, service: ServiceType | None, values: Mapping[str, Any]) -> ServiceType:
    """Add a service type, or change one (``is_active`` False stops offering it: its appointments keep it)."""
    _require_admin(by)
    fields = ("name", "duration_minutes", "billing_code", "bookable_online", "is_active")
    if set(values) - set(fields):
        raise ApplicationError(_("That cannot be changed here."))
    if service is not None and service.practice_id != by.practice_id:
        raise ApplicationError(_("Choose one of the practice's service types."))
    values = {**values, "name": str(values.get("name", service.name if service else "")).strip()}
    with transaction.atomic():
        if service is None:
            target = ServiceType(practice_id=by.practice_id)
        else:
            target = ServiceType.objects.select_for_update().get(pk=service.pk)
        changed: dict[str, dict[str, str]] = {}
        for name, value in values.items():
            if service is None or getattr(target, name) != value:
                changed[f"service_type.{name}"] = {
                    "from": "" if service is None else _text(getattr(target, name)),
                    "to": _text(value),
                }
                setattr(target, name, value)
        if not changed:
            return target
        _refuse_invalid(target, exclude=["practice"])
        if (
            ServiceType.objects.filter(practice_id=by.practice_id, name__iexact=target.name)
            .exclude(pk=target.pk)
            .exists()
        ):
            raise ApplicationError(
                _("The practice already has a service type called “%(name)s”.") % {"name": target.name}
            )
        try:
            with transaction.atomic():
                target.save()
        except IntegrityError:
            raise ApplicationError(
                _("The practice already has a service type called “%(name)s”.") % {"name": target.name}
            ) from None
        _audit(by, changed, target)
    return target


# --- A clinician's availability -------------------------------------------------------------------------------------


def may_edit_availability(viewer: Viewer, clinician: StaffMember) -> bool:
    """The clinician themself (with Scheduling), or an administrator of the practice."""
    if not isinstance(viewer, StaffViewer) or clinician.practice_id != viewer.practice_id:
        return False
    member = viewer.member
    if member.has_permission(Permission.ORG_ADMIN):
        return True
    return member.pk == clinician.pk and policy.may_schedule(member)


def _check_clinician(by: StaffMember, clinician: StaffMember) -> None:
    if not may_edit_availability(StaffViewer(by), clinician):
        raise ApplicationError(_("Only the clinician or an administrator can change these hours."))
    if not policy.clinicians(by.practice_id).filter(pk=clinician.pk).exists():
        raise ApplicationError(_("Only clinicians have hours for appointments."))


def _hours_text(hours: WeeklyHours) -> str:
    return f"{hours.get_weekday_display()} {hours.start:%H:%M}-{hours.end:%H:%M}"


def add_weekly_hours(
    *, by: StaffMember, clinician: StaffMember, weekday: int, start: datetime.time, end: datetime.time
) -> WeeklyHours:
    """One more stretch of the clinician's week; refused in words when it overlaps one they have that day."""
    _check_clinician(by, clinician)
    if end <= start:
        raise ApplicationError(_("The hours must end after they start (on the same day)."))
    with transaction.atomic():
        StaffMember.objects.select_for_update(no_key=True).filter(pk=clinician.pk).first()
        hours = WeeklyHours(staff=clinician, weekday=weekday, start=start, end=end)
        _refuse_invalid(hours, exclude=["staff"])
        clash = (
            WeeklyHours.objects.filter(staff=clinician, weekday=weekday, start__lt=end, end__gt=start)
            .order_by("start")
            .first()
        )
        if clash is not None:
            raise ApplicationError(
                _("These hours overlap %(hours)s. Remove that stretch first, or choose other times.")
                % {"hours": _hours_text(clash)}
            )
        hours.save()
        _audit(by, {"weekly_hours": {"from": "", "to": _hours_text(hours)}}, clinician)
    return hours


def remove_weekly_hours(*, by: StaffMember, hours: WeeklyHours) -> None:
    clinician = hours.staff
    _check_clinician(by, clinician)
    with transaction.atomic():
        deleted, _rows = WeeklyHours.objects.filter(pk=hours.pk, staff=clinician).delete()
        if deleted:
            _audit(by, {"weekly_hours": {"from": _hours_text(hours), "to": ""}}, clinician)


def _time_off_text(off: TimeOff) -> str:
    return f"{off.starts_at.isoformat()}/{off.ends_at.isoformat()}"


def add_time_off(
    *, by: StaffMember, clinician: StaffMember, starts_at: datetime.datetime, ends_at: datetime.datetime, reason: str
) -> TimeOff:
    """Time the clinician takes no appointments (their booked ones stay: staff move them)."""
    _check_clinician(by, clinician)
    if ends_at <= starts_at:
        raise ApplicationError(_("The time off must end after it starts."))
    with transaction.atomic():
        off = TimeOff(staff=clinician, starts_at=starts_at, ends_at=ends_at, reason=reason.strip())
        _refuse_invalid(off, exclude=["staff"])
        off.save()
        _audit(by, {"time_off": {"from": "", "to": _time_off_text(off)}}, clinician)
    return off


def remove_time_off(*, by: StaffMember, time_off: TimeOff) -> None:
    clinician = time_off.staff
    _check_clinician(by, clinician)
    with transaction.atomic():
        deleted, _rows = TimeOff.objects.filter(pk=time_off.pk, staff=clinician).delete()
        if deleted:
            _audit(by, {"time_off": {"from": _time_off_text(time_off), "to": ""}}, clinician)


def save_clinician_schedule(*, by: StaffMember, clinician: StaffMember, values: Mapping[str, Any]) -> ClinicianSchedule:
    """The clinician's own buffers and notice (None: the practice's) and whether clients may book them online."""
    _check_clinician(by, clinician)
    if set(values) - set(SCHEDULE):
        raise ApplicationError(_("That cannot be changed here."))
    with transaction.atomic():
        found, _created = ClinicianSchedule.objects.select_for_update().get_or_create(staff=clinician)
        changed: dict[str, dict[str, str]] = {}
        for name, value in values.items():
            if getattr(found, name) != value:
                changed[f"schedule.{name}"] = {"from": _text(getattr(found, name)), "to": _text(value)}
                setattr(found, name, value)
        if changed:
            _refuse_invalid(found, exclude=["staff"])
            found.save()
            _audit(by, changed, clinician)
    return found
