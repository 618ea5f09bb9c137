"""Benchmarks of availability: run with `make bench`; results go to docs/benchmarks.md.

These measure; they do not pass or fail on time. That open slots take as many queries at 100,000 appointments as
at 10 is asserted in the test suite (haven/scheduling/tests/test_availability.py) and checked again here. Each
time is the best of five, and beside it its ratio to the reference: the portal's Documents page, measured in the
same run.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from functools import partial

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks.results import RESULTS, write_section
from haven.clients.models import Client
from haven.core.timezones import practice_zone
from haven.demo.management.commands import seed_scale
from haven.practices.models import StaffMember
from haven.scheduling.availability import is_open, open_slots
from haven.scheduling.models import (
    Appointment,
    SchedulingSettings,
    ServiceType,
    Weekday,
    WeeklyHours,
)
from tests.personas import PASSWORD, World

pytestmark = pytest.mark.django_db
MANY = 100_000
DAYS = 60
REFERENCE = "/p/riverside/documents/"


def _best(fn: Callable[[], object], repeat: int = 5) -> tuple[float, int]:
    """The best of ``repeat`` runs in milliseconds, and the queries of the last run."""
    best = float("inf")
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - started)
        queries = len(captured)
    return best * 1000, queries


def _fresh(member: StaffMember) -> StaffMember:
    return StaffMember.objects.select_related("practice").get(pk=member.pk)


def _on_the_hour(
    member: StaffMember, service: ServiceType, first: datetime.date, days: int, hours: range
) -> list[Appointment]:
    """Appointments of ``service`` on the hour, in ``hours`` of each local day from ``first``."""
    zone = practice_zone(member.practice)
    client = Client.objects.filter(practice_id=member.practice_id).first()
    made = []
    for day in range(days):
        for hour in hours:
            local = datetime.datetime.combine(first + datetime.timedelta(days=day), datetime.time(hour))
            starts_at = local.replace(tzinfo=zone).astimezone(datetime.UTC)
            made.append(
                Appointment(
                    practice_id=member.practice_id,
                    client=client,
                    clinician=member,
                    service=service,
                    starts_at=starts_at,
                    ends_at=starts_at + datetime.timedelta(minutes=service.duration_minutes),
                )
            )
    return Appointment.objects.bulk_create(made)


def _today(member: StaffMember, now: datetime.datetime) -> datetime.date:
    return timezone.localdate(now, practice_zone(member.practice))


def test_scheduling_benchmarks(world: World, client: HttpClient) -> None:
    portal = client
    assert portal.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD}).status_code == 302
    assert portal.post("/p/riverside/switch/", {"profile": world.gia_access_max.pk}).status_code == 302
    rows: list[tuple[str, float, int, int]] = []

    def get_reference() -> None:
        response = portal.get(REFERENCE)
        assert response.status_code == 200 and b"</html>" in response.content

    reference_ms, reference_queries = _best(get_reference)
    rows.append(("Reference: the portal's Documents page", reference_ms, reference_queries, 0))
    now = timezone.now()

    def measure(label: str, member: StaffMember, service: ServiceType, *, for_portal: bool) -> int:
        find = partial(
            open_slots, member, service, start=_today(member, now), days=DAYS, now=now, for_portal=for_portal
        )
        ms, queries = _best(find)
        found = len(find())
        rows.append((label, ms, queries, found))
        return queries

    # Ada, with weekday hours and ten appointments.
    ada = _fresh(world.ada)
    session = ServiceType.objects.create(practice=world.riverside, name="Psychotherapy", duration_minutes=45)
    WeeklyHours.objects.bulk_create(
        WeeklyHours(staff=ada, weekday=weekday, start=datetime.time(8), end=datetime.time(18))
        for weekday in (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY)
    )
    _on_the_hour(ada, session, _today(ada, now), days=5, hours=range(9, 11))
    few = measure(
        f"Open slots for the portal, {DAYS} days, a clinician with 10 appointments", ada, session, for_portal=True
    )

    # The seeded practice: 100,000 appointments among 20 clinicians, the benched one with about 5,000.
    started = time.perf_counter()
    call_command("seed_scale", clients=1_000, documents=10, messages=0, appointments=MANY, stdout=None)
    seeded_s = time.perf_counter() - started
    scale = StaffMember.objects.select_related("practice").get(user__email="therapist@scale.example")
    assert Appointment.objects.filter(practice=scale.practice).count() == MANY
    theirs = Appointment.objects.filter(clinician=scale).count()
    in_range = Appointment.objects.filter(
        clinician=scale, starts_at__gte=now, starts_at__lt=now + datetime.timedelta(days=DAYS)
    ).count()
    service = ServiceType.objects.get(practice=scale.practice, name=seed_scale.SERVICES[0][0])
    many = measure(
        f"Open slots for the portal, {DAYS} days, a clinician with {theirs:,} appointments ({in_range} in the range)",
        scale,
        service,
        for_portal=True,
    )
    assert few == many, (few, many)
    measure(f"Open slots for staff, {DAYS} days, the same clinician", scale, service, for_portal=False)
    first = open_slots(scale, service, start=_today(scale, now), days=DAYS, now=now)[0]
    ms, queries = _best(partial(is_open, scale, service, first.starts_at, now=now))
    rows.append(("Is one start open (booking's check), the same clinician", ms, queries, 1))

    # A calendar as full as it gets: open every hour of every day, a 20-minute appointment on each hour, a start
    # offered every 10 minutes (8,640 candidates in 60 days, one in six open between the appointments' buffers).
    theo = _fresh(world.theo)
    SchedulingSettings.objects.create(practice=world.riverside, slot_minutes=10)
    short = ServiceType.objects.create(practice=world.riverside, name="Check-in", duration_minutes=20)
    WeeklyHours.objects.bulk_create(
        WeeklyHours(staff=theo, weekday=weekday, start=datetime.time(0), end=datetime.time(23, 50))
        for weekday in Weekday
    )
    dense = _on_the_hour(theo, short, _today(theo, now), days=DAYS + 1, hours=range(24))
    measure(
        f"Open slots for staff, {DAYS} days, open round the clock with {len(dense):,} appointments",
        theo,
        short,
        for_portal=False,
    )

    write_section(
        "Appointments",
        "In-process (test settings, SQLite): `open_slots` for one clinician over the next 60 days, with 100,000 "
        "appointments among 20 clinicians of the seeded practice (`manage.py seed_scale --appointments 100000`, "
        f"weekdays 08:00-18:00 mostly booked on the hour, half past and half to come; {seeded_s:.1f} s with the "
        "practice around them). The last row is a calendar as full as it gets: open round the clock, a 20-minute "
        "appointment on every hour, a start every 10 minutes. Each time is the best of 5; the ratio is to the "
        "reference row, measured in the same run (this machine is small and shared: read the ratios). Open slots "
        "take as many queries at 100,000 appointments as at 10.\n\n"
        "| path | queries | open slots found | time | ratio to reference |\n|---|---|---|---|---|\n"
        + "\n".join(
            f"| {label} | {queries or '—'} | {found or '—'} | {ms:.1f} ms | {ms / reference_ms:.2f} |"
            for label, ms, queries, found in rows
        ),
    )
    print(RESULTS.read_text(encoding="utf-8"))
