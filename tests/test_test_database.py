"""The test database behaves like the one in use: each thread its own connection, commits seen by all.

Browser tests need this: the live server answers a page's parallel requests (its page images, say) on
several threads. On Django's in-memory SQLite those threads would share one connection and break each
other's transactions, so the SQLite test database is a file (settings ``DATABASES["default"]["TEST"]``).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

from haven.practices.models import Practice


def test_the_test_database_is_never_the_shared_in_memory_sqlite(db: None) -> None:
    default = connections["default"]
    if default.vendor == "sqlite":
        assert isinstance(default, SQLiteDatabaseWrapper)
        assert not default.is_in_memory_db()


def test_threads_write_and_read_on_their_own_connections(committed_db: None) -> None:
    Practice.objects.create(name="Lakeside Counseling", slug="lakeside")

    def in_another_thread(slug: str) -> tuple[bool, list[str]]:
        try:
            Practice.objects.create(name=f"Practice {slug}", slug=slug)
            own = connections["default"] is not connection_in_test_thread
            return own, sorted(Practice.objects.values_list("slug", flat=True))
        finally:
            connections.close_all()

    connection_in_test_thread = connections["default"]
    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(in_another_thread, ["one", "two", "three"]))

    assert all(own for own, _slugs in answers)
    assert all("lakeside" in slugs for _own, slugs in answers)  # each saw what this thread committed
    assert sorted(Practice.objects.values_list("slug", flat=True)) == ["lakeside", "one", "three", "two"]
