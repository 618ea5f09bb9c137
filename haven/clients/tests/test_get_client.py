"""A staff member's client: read with its facility, its practice the staff member's own; another practice's is a 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from haven.clients.policy import get_client
from haven.practices.models import StaffMember
from haven.practices.viewers import StaffViewer
from tests.personas import World

pytestmark = pytest.mark.django_db


def test_the_clients_practice_is_the_staff_members_own_not_read_again(
    world: World, django_assert_num_queries: Any
) -> None:
    member = StaffMember.objects.select_related("practice").get(pk=world.ada.pk)
    with django_assert_num_queries(1):
        client = get_client(StaffViewer(member), world.ana.pk)
        assert client.practice is member.practice
        assert client.practice.name == world.riverside.name
        assert client.facility_id == world.ana.facility_id
        assert client.facility == world.ana.facility  # read with it (no query: within the one counted)


def test_without_the_staff_members_practice_at_hand_the_client_brings_its_own(
    world: World, django_assert_num_queries: Any
) -> None:
    member = StaffMember.objects.get(pk=world.ada.pk)  # its practice not read
    with django_assert_num_queries(1):
        client = get_client(StaffViewer(member), world.ana.pk)
        assert client.practice.name == world.riverside.name


def test_a_client_of_another_practice_is_not_found(world: World) -> None:
    member = StaffMember.objects.select_related("practice").get(pk=world.ada.pk)
    with pytest.raises(Http404):
        get_client(StaffViewer(member), world.hal.pk)
