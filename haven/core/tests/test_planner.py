"""SQLite's planner statistics are refreshed after migrate and daily, so it picks the narrow index."""

from __future__ import annotations

import pytest
from django.db import connection

from haven.core.planner import refresh_planner_statistics
from tests.personas import World


def _statistics_of(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = %s", [table])
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_refreshing_gives_sqlite_statistics_for_the_indexes_of_a_table_with_rows(world: World) -> None:
    if connection.vendor == "postgresql":  # autovacuum keeps PostgreSQL's statistics: nothing to run
        assert refresh_planner_statistics() is False
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1")
    assert refresh_planner_statistics() is True
    indexed = _statistics_of("clients_relatedcontact")
    assert any("client_id" in name for name in indexed)
    assert any("practice_id" in name for name in indexed)
