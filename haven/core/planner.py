"""The query planner's statistics on SQLite.

SQLite keeps no statistics until ``ANALYZE`` runs. Without them, a query filtering on two indexed
columns (``practice_id`` and ``client_id``, say) may take the index that matches every row of the
practice instead of the one that matches a few rows of the client, and a page's cost then grows with
the practice. PostgreSQL gathers its statistics by itself (autovacuum); on SQLite Haven refreshes them
after every ``migrate`` and once a day, sampling at most ``ANALYSIS_LIMIT`` rows per index (milliseconds
at 100,000 clients).
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.tasks import task

ANALYSIS_LIMIT = 1000


def refresh_planner_statistics(using: str = DEFAULT_DB_ALIAS) -> bool:
    """``ANALYZE`` the SQLite database (a sample per index); nothing to do on PostgreSQL. True if it ran."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return True


def after_migrate(*, using: str = DEFAULT_DB_ALIAS, **_: Any) -> None:
    refresh_planner_statistics(using)


@task()
def refresh_planner_statistics_daily() -> str:
    return "yes" if refresh_planner_statistics() else "not needed"
