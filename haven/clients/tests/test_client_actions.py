"""Creating and changing client charts: validation, scope, audit, and no lost updates."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.clients.actions import create_client, update_client
from haven.core.errors import ApplicationError, ConflictError
from tests.personas import years_ago

pytestmark = pytest.mark.django_db


def test_create_client_belongs_to_the_staff_members_practice_and_is_audited(world):
    client = create_client(
        by=world.fran, data={"first_name": "Cora", "last_name": "Diaz", "date_of_birth": years_ago(30)}
    )
    assert client.practice == world.riverside
    event = AuditEvent.objects.get(action="client.created", client=client)
    assert event.actor_label == world.fran.user.email
    assert event.practice == world.riverside


def test_create_client_refuses_fields_staff_may_not_set(world):
    with pytest.raises(ApplicationError):
        create_client(
            by=world.fran,
            data={"first_name": "Cora", "last_name": "Diaz", "date_of_birth": years_ago(30), "practice": world.hilltop},
        )


def test_create_client_refuses_another_practices_facility(world):
    from haven.practices.models import Facility

    foreign = Facility.objects.create(practice=world.hilltop, name="Hilltop East")
    with pytest.raises(ApplicationError, match="facilities"):
        create_client(
            by=world.fran,
            data={"first_name": "Cora", "last_name": "Diaz", "date_of_birth": years_ago(30), "facility": foreign},
        )


def test_date_of_birth_in_the_future_is_refused(world):
    with pytest.raises(ApplicationError, match="future"):
        create_client(
            by=world.fran,
            data={
                "first_name": "Cora",
                "last_name": "Diaz",
                "date_of_birth": timezone.localdate() + datetime.timedelta(days=2),
            },
        )


def test_update_client_records_changed_field_names_not_values(world):
    update_client(by=world.theo, client=world.ana, data={"phone": "555-0100"}, expected_version=world.ana.version)
    event = AuditEvent.objects.get(action="client.changed", client=world.ana)
    assert event.details == {"fields": ["phone"]}
    assert "555-0100" not in event.canonical()


def test_update_client_raises_the_version(world):
    updated = update_client(by=world.theo, client=world.ana, data={"phone": "555-0100"}, expected_version=1)
    assert updated.version == 2


def test_update_based_on_an_older_version_is_refused_not_lost(world):
    """Two staff edit the same chart: the second save is refused, the first is kept."""
    loaded_version = world.ana.version
    update_client(by=world.theo, client=world.ana, data={"phone": "555-0001"}, expected_version=loaded_version)
    with pytest.raises(ConflictError):
        update_client(by=world.fran, client=world.ana, data={"phone": "555-0002"}, expected_version=loaded_version)
    world.ana.refresh_from_db()
    assert world.ana.phone == "555-0001"


def test_update_without_changes_writes_nothing(world):
    before = AuditEvent.objects.count()
    update_client(by=world.theo, client=world.ana, data={"first_name": "Ana"}, expected_version=1)
    assert AuditEvent.objects.count() == before
    world.ana.refresh_from_db()
    assert world.ana.version == 1


def test_staff_cannot_update_another_practices_client(world):
    from haven.clients.models import Client

    with pytest.raises(Client.DoesNotExist):
        update_client(by=world.theo, client=world.hal, data={"phone": "1"}, expected_version=1)


def test_minor_status_follows_the_practices_age_of_majority(world):
    today = timezone.localdate()
    nineteen = create_client(
        by=world.fran, data={"first_name": "Nia", "last_name": "Ng", "date_of_birth": years_ago(19, days=10)}
    )
    assert world.max.is_minor_on(today)
    assert not nineteen.is_minor_on(today)
    world.riverside.age_of_majority = 21
    world.riverside.save()
    nineteen.refresh_from_db()
    assert nineteen.is_minor_on(today)


def test_age_turns_on_the_birthday(world):
    birthday = world.max.date_of_birth
    assert world.max.age_on(birthday.replace(year=birthday.year + 18)) == 18
    assert world.max.age_on(birthday.replace(year=birthday.year + 18) - datetime.timedelta(days=1)) == 17
