"""The read replica, against a real streaming standby whose replay the tests pause.

While replay is paused the replica lacks every later commit, so what a page shows tells where it read:
the old value is the replica's, the new one the primary's.
"""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from haven.clients.models import Client
from haven.core.replica import PIN_COOKIE, REPLICA
from haven.portal_access.actions.guardianship import revoke_access
from haven.practices.models import StaffMember
from tests.personas import PASSWORD, World, build_world
from tests.scale_db.conftest import REPLICA_DATABASES, Standby

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, databases=REPLICA_DATABASES)]

CHART = "/staff/clients/{}/"


@pytest.fixture
def world_on_replica(replica: Standby) -> World:
    world = build_world()
    replica.catch_up()
    return world


def _staff(member: StaffMember) -> HttpClient:
    http = HttpClient()
    assert http.post("/staff/login/", {"username": member.user.email, "password": PASSWORD}).status_code == 302
    return http


def _rename_on_the_primary(client: Client, first_name: str) -> None:
    Client.objects.filter(pk=client.pk).update(first_name=first_name)


def _on_replica(client: Client) -> str:
    return Client.objects.using(REPLICA).get(pk=client.pk).first_name


def test_a_staff_page_that_only_reads_reads_the_replica(world_on_replica: World, replica: Standby) -> None:
    http = _staff(world_on_replica.ada)
    ana = world_on_replica.ana
    replica.pause()
    _rename_on_the_primary(ana, "Anabel")  # by someone else: this user is not pinned

    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        page = http.get(CHART.format(ana.pk)).content.decode()
    assert "Anabel" not in page and ana.first_name in page  # the replica's (lagging) chart
    assert any("clients_client" in query["sql"] for query in on_replica.captured_queries)
    replica.resume()
    assert "Anabel" in http.get(CHART.format(ana.pk)).content.decode()


def test_after_a_write_the_user_reads_the_primary_until_the_pin_expires(
    world_on_replica: World, replica: Standby, settings
) -> None:
    settings.HAVEN_REPLICA_PIN_SECONDS = 2
    http = _staff(world_on_replica.fran)
    ana = world_on_replica.ana
    edit = f"/staff/clients/{ana.pk}/edit/"
    form = http.get(edit).context["form"]
    replica.pause()

    posted = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
    response = http.post(edit, {**posted, "first_name": "Anita"})
    assert response.status_code == 302, response.content.decode()
    assert PIN_COOKIE in response.cookies
    assert _on_replica(ana) == "Ana"  # replay is paused: the replica has not got the write

    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        page = http.get(CHART.format(ana.pk)).content.decode()
    assert "Anita" in page  # the writer sees their own write, from the primary
    assert on_replica.captured_queries == []

    other = _staff(world_on_replica.theo)  # someone who did not write still reads the replica
    assert "Anita" not in other.get(CHART.format(ana.pk)).content.decode()

    time.sleep(settings.HAVEN_REPLICA_PIN_SECONDS + 0.2)
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        page = http.get(CHART.format(ana.pk)).content.decode()
    assert "Anita" not in page  # the pin has run out: back to the (still paused) replica
    assert on_replica.captured_queries


def test_a_staff_login_ended_on_the_primary_is_refused_though_the_replica_still_has_it(
    world_on_replica: World, replica: Standby
) -> None:
    http = _staff(world_on_replica.theo)
    chart = CHART.format(world_on_replica.ana.pk)
    assert http.get(chart).status_code == 200
    replica.pause()
    User = get_user_model()
    User.objects.filter(pk=world_on_replica.theo.user_id).update(is_active=False)
    assert User.objects.using(REPLICA).get(pk=world_on_replica.theo.user_id).is_active  # still active there

    response = http.get(chart)
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")


def test_a_revoked_profile_access_ends_at_once_and_portal_pages_never_read_the_replica(
    world_on_replica: World, replica: Standby
) -> None:
    world = world_on_replica
    http = HttpClient()
    assert http.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD}).status_code == 302
    assert http.post("/p/riverside/switch/", {"profile": world.gia_access_mia.pk}).status_code == 302
    replica.catch_up()
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert "Mia Moreno" in http.get("/p/riverside/home/").content.decode()
    assert on_replica.captured_queries == []

    replica.pause()
    revoke_access(by=world.ada, access=world.gia_access_mia)
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert "Mia Moreno" not in http.get("/p/riverside/home/").content.decode()
    assert on_replica.captured_queries == []
