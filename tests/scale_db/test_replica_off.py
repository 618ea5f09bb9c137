"""Without HAVEN_REPLICA_DATABASE_URL nothing is routed: one database, no router, no pin cookie."""

from __future__ import annotations

from django.conf import settings
from django.db import connections

from haven.core.replica import PIN_COOKIE, REPLICA


def test_without_a_replica_setting_every_query_goes_to_the_one_database() -> None:
    assert REPLICA not in connections.settings
    assert settings.DATABASE_ROUTERS == []


def test_without_a_replica_a_write_sets_no_pin_cookie(world, login) -> None:
    http = login(world.fran)
    response = http.post(f"/staff/clients/{world.ana.pk}/edit/", {})
    assert PIN_COOKIE not in response.cookies
