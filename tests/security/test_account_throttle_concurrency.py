"""Many attempts at one account sent at the same moment, from many addresses: the delay still holds."""

from __future__ import annotations

import pytest
from django.db import connection

from haven.accounts.throttle import Turn, take_turn
from tests.concurrency import at_once

pytestmark = pytest.mark.postgres


def test_attempts_sent_at_once_get_no_more_turns_than_one_at_a_time(committed_db, settings):
    """Real concurrency needs PostgreSQL (SQLite serialises writers); deselected on the SQLite run."""
    assert connection.vendor == "postgresql", "run this test on PostgreSQL (the postgres marker)"
    settings.HAVEN_LOGIN_ACCOUNT_FREE_TRIES = 3
    results = at_once(*[lambda: take_turn(world="staff", email="theo@riverside.example")] * 8)
    turns = [result for result in results if isinstance(result, Turn)]
    assert len(turns) == len(results), results
    assert [turn.allowed for turn in turns].count(True) == 3, results  # the free tries; every other attempt must wait
