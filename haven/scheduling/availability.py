"""When a clinician is free: open slots from weekly hours, less time off and appointments with their buffers.

Weekly hours are wall-clock times in the practice's zone, so each day's candidate starts are made as local
times and only then turned into UTC: a clinician's 09:00 stays 09:00 on both daylight-saving days. A local
time that does not exist (inside the spring-forward gap) is skipped; one that happens twice (the fall-back
hour) is taken the first time (``fold=0``).

A candidate start fits when the service ends inside the stretch, it does not overlap the clinician's time off,
and its buffered range ``[start - before, end + after)`` does not overlap the buffered range of any appointment
of the clinician that holds time. Two buffered ranges are apart exactly when the real times are at least
``before + after`` apart, so each appointment blocks its own time widened by that much on both sides.

Portal users (``for_portal``) also meet the minimum notice and the horizon, and only see clinicians who take
online bookings and services that are booked online; staff are bound by none of these, and may book into a
buffer (``clash`` looks at the real times only).

Whatever the range, ``open_slots`` asks the database the same few questions (the settings, the clinician's
hours, time off and appointments in the range) and works the rest out in memory.
"""

from __future__ import annotations

import datetime
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from haven.core.timezones import practice_zone
from haven.practices.models import StaffMember
from haven.scheduling.models import HOLDS_TIME, Appointment, ClinicianSchedule, ServiceType, TimeOff, WeeklyHours
from haven.scheduling.policy import schedule_of, settings_of

UTC = datetime.UTC
# No appointment lasts longer than this (a service lasts at most eight hours): the lower bound on ``starts_at``
# that lets the clinician's (clinician, starts_at) index answer the range query.
LONGEST_APPOINTMENT = datetime.timedelta(days=7)


@dataclass(frozen=True)
class Slot:
    """An open time, in UTC."""

    starts_at: datetime.datetime
    ends_at: datetime.datetime


@dataclass(frozen=True)
class _Rules:
    """The numbers that shape a clinician's slots: the clinician's own where set, else the practice's."""

    step: datetime.timedelta
    before: datetime.timedelta
    after: datetime.timedelta
    notice: datetime.timedelta
    horizon: datetime.timedelta


def _rules(clinician: StaffMember, own: ClinicianSchedule) -> _Rules:
    practice = settings_of(clinician.practice_id)

    def minutes(value: int | None, default: int) -> datetime.timedelta:
        return datetime.timedelta(minutes=default if value is None else value)

    return _Rules(
        step=datetime.timedelta(minutes=practice.slot_minutes),
        before=minutes(own.buffer_before_minutes, practice.buffer_before_minutes),
        after=minutes(own.buffer_after_minutes, practice.buffer_after_minutes),
        notice=datetime.timedelta(
            hours=practice.min_notice_hours if own.min_notice_hours is None else own.min_notice_hours
        ),
        horizon=datetime.timedelta(days=practice.max_horizon_days),
    )


def _utc(local: datetime.datetime, zone: datetime.tzinfo) -> datetime.datetime | None:
    """The UTC instant of a naive local wall-clock time in ``zone``; None when the clocks skip over it."""
    moment = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != local:
        return None
    return moment


def _starts(
    day: datetime.date, opens: datetime.time, closes: datetime.time, step: datetime.timedelta, zone: datetime.tzinfo
) -> Iterator[datetime.datetime]:
    """The candidate starts of one stretch of hours: every ``step`` of wall-clock time from ``opens``, in UTC."""
    local, local_end = datetime.datetime.combine(day, opens), datetime.datetime.combine(day, closes)
    first, last = local.replace(tzinfo=zone), local_end.replace(tzinfo=zone)
    if first.utcoffset() == last.utcoffset() and _utc(local, zone) is not None:
        # The clocks do not change during the stretch (all but two days a year): step through UTC directly.
        begins, until = first.astimezone(UTC), last.astimezone(UTC)
        while begins < until:
            yield begins
            begins += step
        return
    while local < local_end:
        moment = _utc(local, zone)
        if moment is not None:
            yield moment
        local += step


def _midnight(day: datetime.date, zone: datetime.tzinfo) -> datetime.datetime:
    """The first instant of a local day, in UTC (where the clocks jump at midnight, the instant they jump)."""
    return datetime.datetime.combine(day, datetime.time.min).replace(tzinfo=zone).astimezone(UTC)


class _Blocks:
    """Busy stretches of time, merged and sorted, to ask whether ``[start, end)`` is clear of them all."""

    def __init__(self, stretches: list[tuple[datetime.datetime, datetime.datetime]]) -> None:
        self.starts: list[datetime.datetime] = []
        self.ends: list[datetime.datetime] = []
        for start, end in sorted(stretches):
            if self.ends and start <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)

    def clear(self, start: datetime.datetime, end: datetime.datetime) -> bool:
        # The first busy stretch that ends after ``start``: the only one that could begin before ``end``.
        index = bisect_right(self.ends, start)
        return index == len(self.ends) or self.starts[index] >= end


def open_slots(
    clinician: StaffMember,
    service: ServiceType,
    *,
    start: datetime.date,
    days: int,
    now: datetime.datetime,
    for_portal: bool = True,
    ignore: Appointment | None = None,
) -> list[Slot]:
    """The clinician's open slots for ``service`` on the ``days`` local days from ``start``, earliest first."""
    if days <= 0 or service.practice_id != clinician.practice_id:
        return []
    own = schedule_of(clinician)
    if for_portal and not (service.bookable_online and service.is_active and own.accepts_online_booking):
        return []
    zone = practice_zone(clinician.practice)
    rules = _rules(clinician, own)
    duration = datetime.timedelta(minutes=service.duration_minutes)
    first, last = _midnight(start, zone), _midnight(start + datetime.timedelta(days=days), zone)
    # Portal users book between the minimum notice and the horizon; staff anywhere in the range.
    earliest, latest = (now + rules.notice, now + rules.horizon) if for_portal else (first, last)

    hours: dict[int, list[tuple[datetime.time, datetime.time]]] = {}
    for weekday, opens, closes in WeeklyHours.objects.filter(staff_id=clinician.pk).values_list(
        "weekday", "start", "end"
    ):
        hours.setdefault(weekday, []).append((opens, closes))
    if not hours:
        return []

    # Each appointment blocks its real time widened by both buffers (see the module's docstring).
    pad = rules.before + rules.after
    appointments = Appointment.objects.filter(
        clinician_id=clinician.pk,
        status__in=HOLDS_TIME,
        starts_at__gte=first - pad - LONGEST_APPOINTMENT,
        starts_at__lt=last + pad,
        ends_at__gt=first - pad,
    )
    if ignore is not None and ignore.pk is not None:
        appointments = appointments.exclude(pk=ignore.pk)
    busy = [(begins - pad, ends + pad) for begins, ends in appointments.values_list("starts_at", "ends_at")]
    busy += TimeOff.objects.filter(staff_id=clinician.pk, starts_at__lt=last, ends_at__gt=first).values_list(
        "starts_at", "ends_at"
    )
    blocks = _Blocks(busy)

    found: set[datetime.datetime] = set()
    for offset in range(days):
        day = start + datetime.timedelta(days=offset)
        for opens, closes in hours.get(day.weekday(), ()):
            stretch_end = datetime.datetime.combine(day, closes).replace(tzinfo=zone).astimezone(UTC)
            for begins in _starts(day, opens, closes, rules.step, zone):
                ends = begins + duration
                if ends <= stretch_end and earliest <= begins <= latest and blocks.clear(begins, ends):
                    found.add(begins)
    return [Slot(starts_at=begins, ends_at=begins + duration) for begins in sorted(found)]


def is_open(
    clinician: StaffMember,
    service: ServiceType,
    starts_at: datetime.datetime,
    *,
    now: datetime.datetime,
    for_portal: bool = True,
    ignore: Appointment | None = None,
) -> bool:
    """Whether ``starts_at`` is exactly one of the open slots of its local day."""
    if starts_at.tzinfo is None:
        raise ValueError("starts_at must be an aware datetime")
    day = starts_at.astimezone(practice_zone(clinician.practice)).date()
    slots = open_slots(clinician, service, start=day, days=1, now=now, for_portal=for_portal, ignore=ignore)
    return any(slot.starts_at == starts_at for slot in slots)


def clash(
    clinician: StaffMember,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    *,
    ignore: Appointment | None = None,
) -> Appointment | None:
    """The clinician's first appointment holding time that overlaps ``[starts_at, ends_at)``, buffers aside
    (staff may book into a buffer), with its client and service loaded to name it."""
    overlapping = Appointment.objects.filter(
        clinician_id=clinician.pk, status__in=HOLDS_TIME, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if ignore is not None and ignore.pk is not None:
        overlapping = overlapping.exclude(pk=ignore.pk)
    return overlapping.select_related("client", "service").order_by("starts_at", "pk").first()


__all__ = ["Slot", "clash", "is_open", "open_slots"]
