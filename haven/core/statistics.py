"""The query planner's picture of the data, refreshed daily as it grows.

Client search and the paged lists read indexes only if the planner knows how many rows a practice
holds. PostgreSQL's autovacuum keeps that picture itself; SQLite keeps none until asked, so the
daily run asks (``ANALYZE``: a few seconds at 100,000 clients).
"""

from __future__ import annotations

from django.db import connection
from django.tasks import task


@task()
def refresh_planner_statistics() -> str:
    if connection.vendor != "sqlite":
        return "left to autovacuum"
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return "analysed"
