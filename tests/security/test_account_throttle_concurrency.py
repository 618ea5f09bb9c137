"""Many attempts at one account sent at the same moment, from many addresses: the delay still holds."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from haven.core.throttle import take_turn

pytestmark = pytest.mark.postgres


def test_attempts_sent_at_once_get_no_more_turns_than_one_at_a_time(committed_db, settings):
    """Real concurrency needs PostgreSQL (SQLite serialises writers); deselected on the SQLite run."""
    assert connection.vendor == "postgresql", "run this test on PostgreSQL (the postgres marker)"
    settings.HAVEN_LOGIN_ACCOUNT_FREE_TRIES = 3
    workers = 8
    barrier = threading.Barrier(workers)
    allowed: list[bool] = []

    def attempt() -> None:
        try:
            barrier.wait(timeout=10)
            allowed.append(take_turn(world="staff", email="theo@riverside.example").allowed)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(allowed) == workers
    assert allowed.count(True) == 3, allowed  # the free tries; every other attempt must wait
