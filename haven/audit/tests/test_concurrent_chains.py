"""Each practice has its own audit chain, so audited requests of different practices never wait on one lock.

Real concurrency needs PostgreSQL (SQLite serialises writers); deselected on the SQLite run.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from haven.audit.actions import record_event
from haven.audit.models import Actor
from haven.audit.selectors import verify_chain
from haven.audit.tests.helpers import marker
from tests.personas import build_world

pytestmark = pytest.mark.postgres


def test_writers_of_two_practices_never_wait_on_one_lock(committed_db: None) -> None:
    """While a transaction of one practice holds its chain's head, another practice's event is written at once."""
    assert connection.vendor == "postgresql", "run this test on PostgreSQL (the postgres marker)"
    world = build_world()
    holding, release = threading.Event(), threading.Event()

    def riverside_request() -> None:
        try:
            with transaction.atomic():
                record_event(marker("long_request"), actor=Actor.system(), practice=world.riverside)
                holding.set()
                release.wait(timeout=20)
        finally:
            connection.close()

    thread = threading.Thread(target=riverside_request)
    thread.start()
    try:
        assert holding.wait(timeout=20)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            record_event(marker("meanwhile"), actor=Actor.system(), practice=world.hilltop)
    finally:
        release.set()
        thread.join(timeout=30)
    assert verify_chain().intact
