"""The calendar's week and the portal's appointment lists take as many queries at a hundred thousand
appointments as at ten."""

from __future__ import annotations

import datetime
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from haven.portal.tests.helpers import select
from haven.practices.models import ROLE_TEMPLATES, Role, StaffMember
from haven.scheduling import selectors
from haven.scheduling.models import Appointment
from haven.scheduling.tests.factories import local, portal_viewer, service
from tests.personas import PASSWORD, World

pytestmark = pytest.mark.django_db

MANY = 100_000
NOW = local(2026, 12, 1, 8)


def clinicians(world: World, count: int) -> list[StaffMember]:
    made = [world.theo, world.ada]
    for n in range(count - len(made)):
        user = get_user_model().objects.create_user(email=f"clinician{n}@riverside.example", full_name=f"Clinician {n}")
        made.append(
            StaffMember.objects.create(
                user=user,
                practice=world.riverside,
                role=Role.THERAPIST,
                permissions=sorted(ROLE_TEMPLATES[Role.THERAPIST]),
            )
        )
    return made


def bulk_appointments(world: World, count: int, *, start: int = 0) -> None:
    """``count`` appointments an hour apart per clinician, spread over ten clinicians and four clients, from a year
    before NOW on: a quarter are Max's."""
    staff = (
        clinicians(world, 10)
        if start == 0
        else [world.theo, world.ada, *StaffMember.objects.filter(user__email__startswith="clinician").order_by("pk")]
    )
    therapy = service(world.riverside, name=f"Therapy {start}")
    people = [world.ana, world.ben, world.max, world.mia]
    first = (NOW - datetime.timedelta(days=365)).astimezone(datetime.UTC)
    rows = []
    for i in range(start, start + count):
        begins = first + datetime.timedelta(hours=i // 10)
        rows.append(
            Appointment(
                practice=world.riverside,
                client=people[i % 4],
                clinician=staff[i % 10],
                service=therapy,
                starts_at=begins,
                ends_at=begins + datetime.timedelta(minutes=50),
            )
        )
    Appointment.objects.bulk_create(rows, batch_size=5000)


def measured(world: World) -> dict[str, tuple[int, int]]:
    week = timezone.localtime(NOW).replace(hour=0)
    shown: dict[str, tuple[int, int]] = {}
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.calendar_appointments(world.riverside.pk, week, week + datetime.timedelta(days=7))
        everything = [(a.client.full_name, a.clinician.user.full_name, a.service.name, a.facility) for a in rows]
    shown["week"] = (len(queries), len(everything))
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.calendar_appointments(
            world.riverside.pk, week, week + datetime.timedelta(days=7), clinician_id=world.theo.pk
        )
        labels = [(a.client.full_name, a.service.name) for a in rows]
    shown["week of one clinician"] = (len(queries), len(labels))
    viewer = portal_viewer(world.gia_access_max)
    with CaptureQueriesContext(connection) as queries:
        upcoming = list(selectors.portal_upcoming(viewer, NOW)[:25])
        labels = [(a.clinician.user.full_name, a.service.name) for a in upcoming]
    shown["portal upcoming"] = (len(queries), len(labels))
    with CaptureQueriesContext(connection) as queries:
        page = Paginator(selectors.portal_past(viewer, NOW), 25).get_page(1)
        labels = [(a.clinician.user.full_name, a.service.name) for a in page]
    shown["portal past"] = (len(queries), len(labels))
    return shown


def pages(staff: HttpClient, portal: HttpClient) -> dict[str, int]:
    """The queries of the staff week page and the portal's Appointments page, as their people open them."""
    day = timezone.localtime(NOW).date().isoformat()
    counted = {}
    for name, http, url in (
        ("week page", staff, f"{reverse('staff:calendar')}?view=week&date={day}"),
        ("month page", staff, f"{reverse('staff:calendar')}?view=month&date={day}"),
        ("portal page", portal, "/p/riverside/appointments/"),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert http.get(url).status_code == 200
        counted[name] = len(queries)
    return counted


def test_the_week_and_the_portal_lists_take_the_same_queries_at_ten_and_at_a_hundred_thousand(
    world: World, login, client: HttpClient
) -> None:
    staff = login(world.fran, HttpClient())
    assert client.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD}).status_code == 302
    select(client, world.gia_access_max)
    client.get("/p/riverside/home/")
    bulk_appointments(world, 10)
    # One appointment of Max's to come (the bulk ones of the first ten are all a year ago), with a clinician the bulk
    # never books, so both of the portal's lists have rows at either size.
    soon = timezone.now().replace(microsecond=0) + datetime.timedelta(days=2)
    Appointment.objects.create(
        practice=world.riverside,
        client=world.max,
        clinician=world.fran,
        service=service(world.riverside),
        starts_at=soon,
        ends_at=soon + datetime.timedelta(minutes=50),
    )
    few = measured(world)
    pages(staff, client)  # each session's first request does a little more, once
    few_pages = pages(staff, client)
    assert few["week"][0] == 1 and few["portal upcoming"][0] == 1
    started = time.perf_counter()
    bulk_appointments(world, MANY - 10, start=10)
    seeded_in = time.perf_counter() - started
    assert Appointment.objects.count() == MANY + 1
    many = measured(world)
    assert pages(staff, client) == few_pages
    assert {name: q for name, (q, _rows) in many.items()} == {name: q for name, (q, _rows) in few.items()}
    # Every hour of the week for each of the ten clinicians, and Max's coming one when today falls in that week.
    assert many["week"][1] - 7 * 24 * 10 in (0, 1)
    assert many["portal upcoming"][1] == 25 and many["portal past"][1] == 25
    assert seeded_in < 90
