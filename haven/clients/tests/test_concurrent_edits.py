"""Two staff saving the same chart at the same moment: one save wins, the other is told, nothing is lost."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from haven.clients.actions import update_client
from haven.clients.models import Client
from haven.core.errors import ConflictError
from tests.personas import build_world

pytestmark = pytest.mark.postgres


def test_simultaneous_saves_of_one_version_yield_exactly_one_change(committed_db):
    """Real concurrency needs PostgreSQL (SQLite serialises writers); deselected on the SQLite run."""
    assert connection.vendor == "postgresql", "run this test on PostgreSQL (the postgres marker)"
    world = build_world()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(member, phone: str) -> None:
        try:
            barrier.wait(timeout=10)
            update_client(by=member, client=world.ana, data={"phone": phone}, expected_version=1)
            outcomes.append(f"saved {phone}")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(world.theo, "555-0001")),
        threading.Thread(target=save, args=(world.fran, "555-0002")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcome.split()[0] for outcome in outcomes) == ["conflict", "saved"]
    saved_phone = next(outcome.split()[1] for outcome in outcomes if outcome.startswith("saved"))
    ana = Client.objects.get(pk=world.ana.pk)
    assert ana.phone == saved_phone
    assert ana.version == 2
