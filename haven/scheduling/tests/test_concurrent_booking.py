"""Twenty people booking one time at the same moment get exactly one appointment; the others are told it was taken."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from haven.portal_access.models import ProfileAccess
from haven.scheduling import actions
from haven.scheduling.actions import SlotTaken
from haven.scheduling.models import Appointment, AppointmentStatus
from haven.scheduling.tests.factories import local, portal_viewer, service, settings, weekly_hours
from tests.concurrency import at_once
from tests.personas import build_world

pytestmark = pytest.mark.postgres

NOW = local(2026, 12, 1, 8)


def test_twenty_bookings_of_one_slot_at_once_leave_exactly_one_appointment(committed_db):
    assert connection.vendor == "postgresql", "run this test on PostgreSQL (the postgres marker)"
    world = build_world()
    settings(world.riverside, self_booking_enabled=True, min_notice_hours=0)
    weekly_hours(world.theo, start="09:00", end="12:00")
    therapy = service(world.riverside)
    slot = local(2026, 12, 3, 9)
    profiles = [world.gia_access_max.pk, world.gia_access_mia.pk]

    def book(index: int):
        access = ProfileAccess.objects.select_related("account", "practice", "client", "contact").get(
            pk=profiles[index % 2]
        )
        return actions.book(
            viewer=portal_viewer(access), clinician=world.theo, service=therapy, starts_at=slot, now=NOW
        )

    results = at_once(*[lambda i=i: book(i) for i in range(20)])
    booked = [r for r in results if isinstance(r, Appointment)]
    taken = [r for r in results if isinstance(r, SlotTaken)]
    assert len(booked) == 1, results
    assert len(taken) == 19, results
    assert Appointment.objects.filter(clinician=world.theo, status=AppointmentStatus.SCHEDULED).count() == 1


def test_the_database_refuses_an_overlap_that_skipped_the_check(committed_db):
    """The exclusion constraint holds even for a write that never asked the actions (a bug, a script)."""
    assert connection.vendor == "postgresql"
    world = build_world()
    therapy = service(world.riverside)
    start = local(2026, 12, 3, 9)
    Appointment.objects.create(
        practice=world.riverside,
        client=world.max,
        clinician=world.theo,
        service=therapy,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=50),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            practice=world.riverside,
            client=world.ana,
            clinician=world.theo,
            service=therapy,
            starts_at=start + datetime.timedelta(minutes=20),
            ends_at=start + datetime.timedelta(minutes=70),
        )
    # A cancelled one holds no time.
    Appointment.objects.create(
        practice=world.riverside,
        client=world.ana,
        clinician=world.theo,
        service=therapy,
        starts_at=start + datetime.timedelta(minutes=20),
        ends_at=start + datetime.timedelta(minutes=70),
        status=AppointmentStatus.CANCELLED,
    )
