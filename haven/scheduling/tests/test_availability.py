"""Open slots: weekly hours at local wall-clock time across daylight saving, less time off and appointments with
their buffers; the portal's notice, horizon and online-booking switches; rescheduling frees the appointment's own
time; a constant number of queries however many appointments; ``is_open`` and staff's ``clash``."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from haven.practices.models import StaffMember
from haven.scheduling.availability import Slot, clash, is_open, open_slots
from haven.scheduling.models import (
    Appointment,
    AppointmentStatus,
    ClinicianSchedule,
    SchedulingSettings,
    ServiceType,
    TimeOff,
    Weekday,
    WeeklyHours,
)
from tests.personas import World

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
CHICAGO = ZoneInfo("America/Chicago")  # Riverside's zone
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = datetime.date(2026, 6, 15)  # a Monday in summer, far from any daylight-saving change
LONG_BEFORE = datetime.datetime(2026, 1, 1, tzinfo=UTC)  # "now" for staff, who are bound by no notice or horizon

A_WEEK_BEFORE = datetime.datetime(2026, 6, 8, 12, tzinfo=UTC)  # "now" for the portal: MONDAY is inside its horizon


def at(day: datetime.date, hour: int, minute: int = 0, zone: ZoneInfo = CHICAGO) -> datetime.datetime:
    """A local wall-clock time as a UTC instant."""
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)


def clinician(world: World) -> StaffMember:
    """Theo, fresh from the database with his practice (as a view would load him)."""
    return StaffMember.objects.select_related("practice").get(pk=world.theo.pk)


def service(world: World, minutes: int = 50, **fields: object) -> ServiceType:
    return ServiceType.objects.create(
        practice=world.riverside, name=f"Session {minutes}", duration_minutes=minutes, billing_code="90834", **fields
    )


def hours(member: StaffMember, weekday: int, opens: str, closes: str) -> None:
    WeeklyHours.objects.create(
        staff=member,
        weekday=weekday,
        start=datetime.time.fromisoformat(opens),
        end=datetime.time.fromisoformat(closes),
    )


def practice_settings(world: World, **fields: object) -> SchedulingSettings:
    return SchedulingSettings.objects.create(practice=world.riverside, **fields)


def book(
    world: World,
    member: StaffMember,
    kind: ServiceType,
    starts_at: datetime.datetime,
    status: str = AppointmentStatus.SCHEDULED,
) -> Appointment:
    return Appointment.objects.create(
        practice=world.riverside,
        client=world.ana,
        clinician=member,
        service=kind,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=kind.duration_minutes),
        status=status,
    )


def local_starts(slots: list[Slot], zone: ZoneInfo = CHICAGO) -> list[str]:
    return [slot.starts_at.astimezone(zone).strftime("%a %H:%M") for slot in slots]


def staff_slots(
    member: StaffMember, kind: ServiceType, day: datetime.date = MONDAY, ignore: Appointment | None = None
) -> list[str]:
    """One day's open starts as staff see them (no notice, no horizon), local."""
    return local_starts(open_slots(member, kind, start=day, days=1, now=LONG_BEFORE, for_portal=False, ignore=ignore))


# --- Daylight saving ------------------------------------------------------------------------------------------


def new_york(world: World) -> StaffMember:
    world.riverside.time_zone = "America/New_York"
    world.riverside.save(update_fields=["time_zone"])
    member = clinician(world)
    for weekday in (Weekday.SATURDAY, Weekday.SUNDAY, Weekday.MONDAY):
        hours(member, weekday, "09:00", "12:00")
    return member


def test_nine_oclock_stays_nine_oclock_local_across_spring_forward(world: World):
    member = new_york(world)
    slots = open_slots(
        member, service(world), start=datetime.date(2026, 3, 7), days=3, now=LONG_BEFORE, for_portal=False
    )
    # A 50-minute session fits from 09:00 every half hour until 11:00, on each of the three days.
    assert local_starts(slots, NEW_YORK) == [
        f"{day} {time}" for day in ("Sat", "Sun", "Mon") for time in ("09:00", "09:30", "10:00", "10:30", "11:00")
    ]
    first_of_each_day = [slots[0].starts_at, slots[5].starts_at, slots[10].starts_at]
    assert first_of_each_day == [
        datetime.datetime(2026, 3, 7, 14, 0, tzinfo=UTC),  # Saturday: EST, UTC-5
        datetime.datetime(2026, 3, 8, 13, 0, tzinfo=UTC),  # Sunday, the day the clocks go forward: EDT, UTC-4
        datetime.datetime(2026, 3, 9, 13, 0, tzinfo=UTC),
    ]
    assert [slot.starts_at.astimezone(NEW_YORK).utcoffset() for slot in slots[4:6]] == [
        datetime.timedelta(hours=-5),
        datetime.timedelta(hours=-4),
    ]
    assert all(slot.ends_at - slot.starts_at == datetime.timedelta(minutes=50) for slot in slots)


def test_nine_oclock_stays_nine_oclock_local_across_fall_back(world: World):
    member = new_york(world)
    slots = open_slots(
        member, service(world), start=datetime.date(2026, 10, 31), days=3, now=LONG_BEFORE, for_portal=False
    )
    assert local_starts(slots, NEW_YORK) == [
        f"{day} {time}" for day in ("Sat", "Sun", "Mon") for time in ("09:00", "09:30", "10:00", "10:30", "11:00")
    ]
    assert [slots[0].starts_at, slots[5].starts_at, slots[10].starts_at] == [
        datetime.datetime(2026, 10, 31, 13, 0, tzinfo=UTC),  # Saturday: EDT, UTC-4
        datetime.datetime(2026, 11, 1, 14, 0, tzinfo=UTC),  # Sunday, the day the clocks go back: EST, UTC-5
        datetime.datetime(2026, 11, 2, 14, 0, tzinfo=UTC),
    ]


def test_times_the_clocks_skip_are_not_offered_and_the_repeated_hour_is_offered_once(world: World):
    world.riverside.time_zone = "America/New_York"
    world.riverside.save(update_fields=["time_zone"])
    member = clinician(world)
    hours(member, Weekday.SUNDAY, "01:00", "04:00")
    half_hour = service(world, minutes=30)
    practice_settings(world, buffer_after_minutes=0)

    spring = open_slots(member, half_hour, start=datetime.date(2026, 3, 8), days=1, now=LONG_BEFORE, for_portal=False)
    # 02:00 and 02:30 do not exist that night; 01:30 EST is followed by 03:00 EDT, half an hour later.
    assert local_starts(spring, NEW_YORK) == ["Sun 01:00", "Sun 01:30", "Sun 03:00", "Sun 03:30"]
    assert [slot.starts_at.strftime("%H:%M") for slot in spring] == ["06:00", "06:30", "07:00", "07:30"]

    autumn = open_slots(member, half_hour, start=datetime.date(2026, 11, 1), days=1, now=LONG_BEFORE, for_portal=False)
    # 01:00 and 01:30 happen twice; each is offered once, the first time (EDT).
    assert local_starts(autumn, NEW_YORK) == [
        "Sun 01:00",
        "Sun 01:30",
        "Sun 02:00",
        "Sun 02:30",
        "Sun 03:00",
        "Sun 03:30",
    ]
    assert [slot.starts_at.strftime("%H:%M") for slot in autumn] == [
        "05:00",
        "05:30",
        "07:00",
        "07:30",
        "08:00",
        "08:30",
    ]


# --- Buffers, time off, appointments -----------------------------------------------------------------------------


def test_slots_start_every_slot_minutes_and_end_inside_the_hours(world: World):
    member = clinician(world)
    hours(member, Weekday.MONDAY, "09:00", "13:00")
    hours(member, Weekday.MONDAY, "15:00", "16:00")
    hours(member, Weekday.MONDAY, "11:30", "13:00")  # overlapping stretches offer each start once
    assert staff_slots(member, service(world)) == [
        "Mon 09:00",
        "Mon 09:30",
        "Mon 10:00",
        "Mon 10:30",
        "Mon 11:00",
        "Mon 11:30",
        "Mon 12:00",
        "Mon 15:00",
    ]
    # Each stretch counts its steps from its own start: 11:30 is on the hour of none but its own.
    practice_settings(world, slot_minutes=60)
    assert staff_slots(member, service(world, minutes=60)) == [
        "Mon 09:00",
        "Mon 10:00",
        "Mon 11:00",
        "Mon 11:30",
        "Mon 12:00",
        "Mon 15:00",
    ]
    # Tuesday has no hours.
    assert staff_slots(member, service(world, minutes=30), day=MONDAY + datetime.timedelta(days=1)) == []


def test_an_appointment_and_the_practices_ten_minutes_after_block_the_slots_they_overlap(world: World):
    member = clinician(world)
    hours(member, Weekday.MONDAY, "09:00", "13:00")
    session = service(world)
    book(world, member, session, at(MONDAY, 10))  # 10:00-10:50; the practice's default buffer after is 10 minutes
    # 09:00-09:50 and its 10 minutes after end exactly when 10:00 starts; 11:00 starts exactly when 10:50 + 10 ends.
    assert staff_slots(member, session) == ["Mon 09:00", "Mon 11:00", "Mon 11:30", "Mon 12:00"]


def test_a_longer_buffer_after_pushes_the_next_slot_out(world: World):
    member = clinician(world)
    hours(member, Weekday.MONDAY, "09:00", "13:00")
    session = service(world)
    book(world, member, session, at(MONDAY, 10))
    practice_settings(world, buffer_after_minutes=11)
    # 10:50 + 11 minutes reaches into 11:00; 09:00-09:50 + 11 minutes reaches into 10:00.
    assert staff_slots(member, session) == ["Mon 11:30", "Mon 12:00"]


def test_the_clinicians_own_buffers_replace_the_practices(world: World):
    member = clinician(world)
    hours(member, Weekday.MONDAY, "09:00", "13:00")
    session = service(world)
    book(world, member, session, at(MONDAY, 10))
    practice_settings(world, buffer_before_minutes=30, buffer_after_minutes=30)
    assert staff_slots(member, session) == ["Mon 12:00"]
    ClinicianSchedule.objects.create(staff=member, buffer_before_minutes=0, buffer_after_minutes=0)
    assert staff_slots(member, session) == ["Mon 09:00", "Mon 11:00", "Mon 11:30", "Mon 12:00"]
    # A buffer before counts as much as one after: 5 before and 6 after reach from 10:50 into 11:00.
    ClinicianSchedule.objects.filter(staff=member).update(buffer_before_minutes=5, buffer_after_minutes=6)
    assert staff_slots(member, session) == ["Mon 11:30", "Mon 12:00"]


def test_time_off_removes_the_slots_it_overlaps_without_buffers(world: World):
    member = clinician(world)
    hours(member, Weekday.MONDAY, "09:00", "13:00")
    session = service(world)
    TimeOff.objects.create(staff=member, starts_at=at(MONDAY, 9, 50), ends_at=at(MONDAY, 11, 30), reason="Dentist")
    assert staff_slots(member, session) == ["Mon 09:00", "Mon 11:30", "Mon 12:00"]
    # A week away takes every day it covers.
    TimeOff.objects.create(
        staff=member,
        starts_at=at(MONDAY, 0) + datetime.timedelta(days=7),
        ends_at=at(MONDAY, 0) + datetime.timedelta(days=12),
    )
    assert staff_slots(member, session, day=MONDAY + datetime.timedelta(days=7)) == []


def test_cancelled_appointments_free_their_time_and_others_hold_it(world: World):
    member = clinician(world)
    hours(member, Weekday.MONDAY, "09:00", "13:00")
    session = service(world)
    every_slot = ["Mon 09:00", "Mon 09:30", "Mon 10:00", "Mon 10:30", "Mon 11:00", "Mon 11:30", "Mon 12:00"]
    book(world, member, session, at(MONDAY, 10), status=AppointmentStatus.CANCELLED)
    book(world, member, session, at(MONDAY, 11), status=AppointmentStatus.LATE_CANCELLATION)
    assert staff_slots(member, session) == every_slot
    for status in (AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW):
        held = book(world, member, session, at(MONDAY, 10), status=status)
        assert staff_slots(member, session) == ["Mon 09:00", "Mon 11:00", "Mon 11:30", "Mon 12:00"]
        held.delete()
    # Another clinician's appointment is not Theo's.
    book(world, world.ada, session, at(MONDAY, 10))
    assert staff_slots(member, session) == every_slot


def test_ignoring_an_appointment_frees_its_own_time_for_rescheduling_it(world: World):
    member = clinician(world)
    hours(member, Weekday.MONDAY, "09:00", "13:00")
    session = service(world)
    moving = book(world, member, session, at(MONDAY, 10))
    book(world, member, session, at(MONDAY, 12))
    assert staff_slots(member, session) == ["Mon 09:00", "Mon 11:00"]
    assert staff_slots(member, session, ignore=moving) == [
        "Mon 09:00",
        "Mon 09:30",
        "Mon 10:00",
        "Mon 10:30",
        "Mon 11:00",
    ]


# --- The portal's rules ------------------------------------------------------------------------------------------


def weekdays(member: StaffMember) -> None:
    for weekday in (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY):
        hours(member, weekday, "09:00", "11:00")


def test_the_portal_offers_nothing_sooner_than_the_minimum_notice(world: World):
    member = clinician(world)
    weekdays(member)
    session = service(world)
    now = at(MONDAY, 9, 30)

    def portal(days: int = 2) -> list[str]:
        return local_starts(open_slots(member, session, start=MONDAY, days=days, now=now))

    # 24 hours (the default) from Monday 09:30: Tuesday from 09:30.
    assert portal() == ["Tue 09:30", "Tue 10:00"]
    ClinicianSchedule.objects.create(staff=member, min_notice_hours=0)
    assert portal() == ["Mon 09:30", "Mon 10:00", "Tue 09:00", "Tue 09:30", "Tue 10:00"]
    ClinicianSchedule.objects.filter(staff=member).update(min_notice_hours=48)
    assert portal(days=3) == ["Wed 09:30", "Wed 10:00"]
    # Staff are not bound by the notice.
    assert local_starts(open_slots(member, session, start=MONDAY, days=1, now=now, for_portal=False)) == [
        "Mon 09:00",
        "Mon 09:30",
        "Mon 10:00",
    ]


def test_the_portal_offers_nothing_past_the_horizon(world: World):
    member = clinician(world)
    weekdays(member)
    session = service(world)
    practice_settings(world, min_notice_hours=0, max_horizon_days=7)
    now = at(MONDAY, 9, 30)
    next_monday = MONDAY + datetime.timedelta(days=7)
    slots = open_slots(member, session, start=MONDAY, days=14, now=now)
    assert slots[0].starts_at == at(MONDAY, 9, 30)
    assert slots[-1].starts_at == at(next_monday, 9, 30)  # exactly seven days on
    assert len(slots) == 2 + 3 * 4 + 2
    staff = open_slots(member, session, start=MONDAY, days=14, now=now, for_portal=False)
    assert staff[-1].starts_at == at(next_monday + datetime.timedelta(days=4), 10)


def test_a_clinician_who_takes_no_online_bookings_has_no_portal_slots(world: World):
    member = clinician(world)
    weekdays(member)
    session = service(world)
    assert len(open_slots(member, session, start=MONDAY, days=7, now=A_WEEK_BEFORE)) == 15
    ClinicianSchedule.objects.create(staff=member, accepts_online_booking=False)
    assert open_slots(member, session, start=MONDAY, days=7, now=A_WEEK_BEFORE) == []
    assert len(open_slots(member, session, start=MONDAY, days=7, now=LONG_BEFORE, for_portal=False)) == 15


def test_a_service_not_booked_online_or_retired_has_no_portal_slots(world: World):
    member = clinician(world)
    weekdays(member)
    assert open_slots(member, service(world, minutes=60), start=MONDAY, days=7, now=A_WEEK_BEFORE) != []
    for kind in (service(world, bookable_online=False), service(world, minutes=30, is_active=False)):
        assert open_slots(member, kind, start=MONDAY, days=7, now=A_WEEK_BEFORE) == []
        assert open_slots(member, kind, start=MONDAY, days=7, now=LONG_BEFORE, for_portal=False) != []


def test_another_practices_service_has_no_slots(world: World):
    member = clinician(world)
    weekdays(member)
    theirs = ServiceType.objects.create(practice=world.hilltop, name="Intake", duration_minutes=50)
    assert open_slots(member, theirs, start=MONDAY, days=7, now=LONG_BEFORE, for_portal=False) == []


# --- Queries --------------------------------------------------------------------------------------------------


def many_appointments(world: World, member: StaffMember, kind: ServiceType, count: int) -> None:
    """``count`` appointments of 50 minutes, one every two hours from Monday midnight."""
    start = at(MONDAY, 0)
    Appointment.objects.bulk_create(
        Appointment(
            practice=world.riverside,
            client=world.ana,
            clinician=member,
            service=kind,
            starts_at=start + datetime.timedelta(hours=2 * n),
            ends_at=start + datetime.timedelta(hours=2 * n, minutes=50),
        )
        for n in range(count)
    )


@pytest.mark.parametrize("count", [5, 500])
def test_open_slots_take_the_same_queries_however_many_appointments_and_days(
    world: World, count: int, django_assert_num_queries
):
    member = clinician(world)
    for weekday in Weekday:
        hours(member, weekday, "08:00", "18:00")
    session = service(world)
    many_appointments(world, member, session, count)
    TimeOff.objects.create(staff=member, starts_at=at(MONDAY, 12), ends_at=at(MONDAY, 13))
    for days in (1, 60):
        with django_assert_num_queries(5):  # settings, the clinician's schedule, hours, appointments, time off
            slots = open_slots(member, session, start=MONDAY, days=days, now=LONG_BEFORE, for_portal=False)
        assert slots
    with django_assert_num_queries(5):
        assert open_slots(member, session, start=MONDAY, days=60, now=at(MONDAY, 0))


# --- is_open and clash ----------------------------------------------------------------------------------------


def test_is_open_answers_for_one_exact_start(world: World):
    member = clinician(world)
    hours(member, Weekday.MONDAY, "09:00", "13:00")
    session = service(world)
    taken = book(world, member, session, at(MONDAY, 10))
    now = A_WEEK_BEFORE
    assert is_open(member, session, at(MONDAY, 9), now=now)
    assert is_open(member, session, at(MONDAY, 11), now=now)
    assert not is_open(member, session, at(MONDAY, 9, 15), now=now)  # not on the half hour
    assert not is_open(member, session, at(MONDAY, 10, 30), now=now)  # taken
    assert not is_open(member, session, at(MONDAY, 12, 30), now=now)  # would end after 13:00
    assert not is_open(member, session, at(MONDAY, 11), now=at(MONDAY, 9))  # less than a day's notice
    assert is_open(member, session, at(MONDAY, 11), now=at(MONDAY, 9), for_portal=False)
    assert not is_open(member, session, at(MONDAY, 11), now=LONG_BEFORE)  # past the 60-day horizon
    assert is_open(member, session, at(MONDAY, 10), now=now, ignore=taken)
    # The same instant in another zone is the same start.
    assert is_open(member, session, at(MONDAY, 11).astimezone(NEW_YORK), now=now)
    with pytest.raises(ValueError, match="aware"):
        is_open(member, session, datetime.datetime(2026, 6, 15, 9), now=now)


def test_clash_names_the_overlapping_appointment_buffers_aside(world: World):
    member = clinician(world)
    session = service(world)
    existing = book(world, member, session, at(MONDAY, 10))  # 10:00-10:50

    def span(hour: int, minute: int, minutes: int = 50) -> tuple[datetime.datetime, datetime.datetime]:
        starts = at(MONDAY, hour, minute)
        return starts, starts + datetime.timedelta(minutes=minutes)

    found = clash(member, *span(10, 30))
    assert found == existing
    assert found is not None and found.client.first_name == "Ana" and found.service.name == "Session 50"
    assert clash(member, *span(9, 0, minutes=61)) == existing
    assert clash(member, *span(9, 10)) is None  # ends exactly at 10:00
    assert clash(member, *span(10, 50)) is None  # inside the buffer after: staff may book it
    assert clash(member, *span(10, 30), ignore=existing) is None
    assert clash(world.ada, *span(10, 30)) is None
    existing.status = AppointmentStatus.CANCELLED
    existing.save(update_fields=["status"])
    assert clash(member, *span(10, 30)) is None
