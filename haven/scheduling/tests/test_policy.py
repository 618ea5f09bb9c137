"""Who sees which appointments and requests: the one answer every scheduling page asks."""

from __future__ import annotations

import pytest
from django.http import Http404

from haven.audit.models import AuditEvent
from haven.core.policy import Viewer
from haven.messaging.tests.helpers import portal_viewer_now, staff
from haven.portal_access.actions.guardianship import revoke_access
from haven.portal_access.viewers import PortalViewer
from haven.scheduling import policy
from haven.scheduling.models import Appointment, AppointmentRequest
from haven.scheduling.policy import SchedulingReason, SchedulingVerb
from haven.scheduling.tests.factories import appointment, local, portal_viewer, service
from tests.personas import World

pytestmark = pytest.mark.django_db


def booked_for(world: World, client) -> Appointment:
    return appointment(
        world.riverside,
        client=client,
        clinician=world.theo,
        service_type=service(world.riverside, name=f"Therapy {client.pk}"),
        starts_at=local(2026, 12, 10, 10 + client.pk % 5),
    )


def requested_for(world: World, client) -> AppointmentRequest:
    request = AppointmentRequest(practice=world.riverside, client=client, account=world.gia_account)
    request.preferred_times = "Mornings"
    request.save()
    return request


def assert_refused(viewer: Viewer, found: Appointment) -> None:
    before = AuditEvent.objects.filter(action="access.denied").count()
    with pytest.raises(Http404):
        policy.get_appointment(viewer, found.pk, path="/appointments/x/")
    denied = AuditEvent.objects.filter(action="access.denied").order_by("-pk")
    assert denied.count() == before + 1
    assert denied[0].details["object_type"] == policy.APPOINTMENT_TYPE
    assert denied[0].details["object_id"] == str(found.pk)
    assert not policy.visible_to(viewer).filter(pk=found.pk).exists()


def test_gia_acting_for_max_sees_maxs_appointments_and_not_mias_or_anas(world: World) -> None:
    maxs, mias, anas = booked_for(world, world.max), booked_for(world, world.mia), booked_for(world, world.ana)
    viewer = portal_viewer(world.gia_access_max)
    assert policy.get_appointment(viewer, maxs.pk) == maxs
    assert_refused(viewer, mias)
    assert_refused(viewer, anas)
    assert policy.get_appointment(portal_viewer(world.gia_access_mia), mias.pk) == mias


def test_a_guardian_whose_access_ended_sees_nothing_more_of_that_client(world: World) -> None:
    maxs = booked_for(world, world.max)
    revoke_access(by=world.ada, access=world.gia_access_max)
    viewer = portal_viewer_now(world.gia_account, world.riverside, world.gia_access_max)
    assert viewer.profile is not None and viewer.profile.pk == world.gia_access_mia.pk
    assert_refused(viewer, maxs)


def test_before_a_profile_is_chosen_nothing_is_visible(world: World) -> None:
    maxs = booked_for(world, world.max)
    assert_refused(PortalViewer(account=world.gia_account, practice=world.riverside, profile=None), maxs)


def test_staff_of_another_practice_and_staff_without_scheduling_get_a_404_audited(world: World) -> None:
    maxs = booked_for(world, world.max)
    assert_refused(staff(world.hana), maxs)
    assert_refused(staff(world.bill), maxs)
    assert policy.get_appointment(staff(world.fran), maxs.pk) == maxs


def test_requests_follow_the_same_rule(world: World) -> None:
    maxs, mias = requested_for(world, world.max), requested_for(world, world.mia)
    viewer = portal_viewer(world.gia_access_max)
    assert policy.get_request(viewer, maxs.pk) == maxs
    with pytest.raises(Http404):
        policy.get_request(viewer, mias.pk)
    with pytest.raises(Http404):
        policy.get_request(staff(world.hana), maxs.pk)
    denied = AuditEvent.objects.filter(action="access.denied")
    assert [e.details["object_type"] for e in denied] == [policy.REQUEST_TYPE] * 2


def test_only_the_client_or_a_legal_guardian_may_act(world: World) -> None:
    world.gia.legal_guardian = False
    world.gia.save(update_fields=["legal_guardian"])
    world.gia_access_max.refresh_from_db()
    viewer = portal_viewer(world.gia_access_max)
    assert policy.why_not(viewer, SchedulingVerb.REQUEST) is SchedulingReason.MAY_NOT_ACT
    # She still sees them.
    maxs = booked_for(world, world.max)
    assert policy.get_appointment(viewer, maxs.pk) == maxs


def test_a_started_appointment_cannot_be_cancelled_online(world: World) -> None:
    maxs = booked_for(world, world.max)
    reason = policy.why_not(portal_viewer(world.gia_access_max), SchedulingVerb.CANCEL, maxs, now=maxs.starts_at)
    assert reason is SchedulingReason.PAST


def test_the_window_words_name_the_practices_hours() -> None:
    assert "36 hours" in SchedulingReason.INSIDE_WINDOW.words(36)
