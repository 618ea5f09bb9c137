"""A client's appointments, from the chart: coming and earlier ones with their status, in the same queries however
many there are; only staff with Scheduling, and only their practice's clients."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.scheduling.models import AppointmentStatus
from haven.scheduling.tests.factories import appointment, service
from tests.personas import World

pytestmark = pytest.mark.django_db


def book(world: World, count: int, *, days_from_now: int) -> None:
    therapy = service(world.riverside)
    start = (timezone.now() + datetime.timedelta(days=days_from_now)).replace(microsecond=0)
    for n in range(count):
        appointment(
            world.riverside,
            client=world.max,
            clinician=world.theo,
            service_type=therapy,
            starts_at=start + datetime.timedelta(hours=n),
        )


@pytest.mark.parametrize("count", [2, 40])
def test_the_clients_appointments_read_the_same_queries_however_many(
    world: World, login, django_assert_max_num_queries, count: int
) -> None:
    book(world, count, days_from_now=3)
    book(world, count, days_from_now=-30)
    fran = login(world.fran, HttpClient())
    url = reverse("staff:client_appointments", args=[world.max.pk])
    fran.get(url)
    with django_assert_max_num_queries(14):
        html = fran.get(url).content.decode()
    assert html.count('data-status="scheduled"') == min(count, 25) * 2


def test_the_chart_face_leads_to_the_appointments_and_a_new_one_for_the_client(world: World, login) -> None:
    fran = login(world.fran, HttpClient())
    html = fran.get(reverse("staff:client_chart", args=[world.max.pk])).content.decode()
    assert reverse("staff:client_appointments", args=[world.max.pk]) in html
    assert f"{reverse('staff:appointment_new')}?client={world.max.pk}" in html
    billing = login(world.bill, HttpClient())
    assert "face-appointments" not in billing.get(reverse("staff:client_chart", args=[world.max.pk])).content.decode()


def test_a_cancelled_appointment_shows_its_status(world: World, login) -> None:
    book(world, 1, days_from_now=3)
    world.max.appointments.update(status=AppointmentStatus.LATE_CANCELLATION)
    html = login(world.fran, HttpClient()).get(reverse("staff:client_appointments", args=[world.max.pk])).content
    assert b"Late cancellation" in html


def test_another_practices_client_is_a_404_audited_and_billing_is_forbidden(world: World, login) -> None:
    hana = login(world.hana, HttpClient())
    assert hana.get(reverse("staff:client_appointments", args=[world.max.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied").exists()
    bill = login(world.bill, HttpClient())
    assert bill.get(reverse("staff:client_appointments", args=[world.max.pk])).status_code == 403
