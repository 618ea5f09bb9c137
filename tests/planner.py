"""ANALYZE inside a test, without leaving the connection's planner statistics behind for the tests after it.

A test's transaction rolls ``sqlite_stat1`` back, but SQLite keeps the statistics it loaded in the
connection; the next test would plan with them. This puts the rows back and has SQLite read them again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def planner_statistics_kept() -> Iterator[None]:
    """Whatever ANALYZE runs inside, SQLite plans with the statistics of before once it ends."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sqlite_schema")  # makes sqlite_stat1 if it is not there yet
        cursor.execute("SELECT tbl, idx, stat FROM sqlite_stat1")
        kept = cursor.fetchall()
        try:
            yield
        finally:
            cursor.execute("DELETE FROM sqlite_stat1")
            cursor.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (%s, %s, %s)", kept)
            cursor.execute("ANALYZE sqlite_schema")  # read them again
