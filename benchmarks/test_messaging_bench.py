"""Benchmarks for secure messages: run with `make bench`; results go to docs/benchmarks.md.

These measure; they do not pass or fail on time. That the query counts stay the same from 10 to 100,000 messages
is asserted in the test suite (haven/messaging/tests/test_scale.py) and checked again here. Each time is the best
of five, and beside it its ratio to the reference: the portal's Documents page, measured in the same run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from benchmarks.results import RESULTS, write_section
from haven.messaging import selectors
from haven.messaging.models import Message
from haven.messaging.tests.bulk import bulk_conversations
from haven.messaging.tests.helpers import gia
from haven.practices.models import StaffMember
from tests.personas import PASSWORD, World

pytestmark = pytest.mark.django_db
MANY = 100_000
REFERENCE = "/p/riverside/documents/"
STAFF_INBOX = "/staff/messages/"
PORTAL_INBOX = "/p/riverside/inbox/"


def _best(fn: Callable[[], object], repeat: int = 5) -> tuple[float, int]:
    """The best of ``repeat`` runs in milliseconds, and the queries of the last run."""
    best = float("inf")
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - started)
        queries = len(captured)
    return best * 1000, queries


def _page(http: HttpClient, path: str, marker: str) -> Callable[[], None]:
    def get() -> None:
        response = http.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert marker.encode() in response.content

    return get


def test_messaging_benchmarks(world: World, client: HttpClient) -> None:
    portal = client
    assert portal.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD}).status_code == 302
    assert portal.post("/p/riverside/switch/", {"profile": world.gia_access_max.pk}).status_code == 302
    staff = HttpClient()
    assert staff.post("/staff/login/", {"username": world.ada.user.email, "password": PASSWORD}).status_code == 302
    ada = StaffMember.objects.select_related("user", "practice").get(pk=world.ada.pk)
    rows: list[tuple[str, float, int]] = []

    reference_ms, reference_queries = _best(_page(portal, REFERENCE, "</html>"))
    rows.append(("Reference: the portal's Documents page", reference_ms, reference_queries))

    paths = [
        ("Staff inbox, Mine", STAFF_INBOX, staff),
        ("Staff inbox, Team", STAFF_INBOX + "?box=team", staff),
        ("Staff inbox, Archived", STAFF_INBOX + "?box=archived", staff),
        ("Portal inbox", PORTAL_INBOX, portal),
    ]
    counts: dict[str, dict[int, int]] = {}
    seeded_s = 0.0
    for total in (10, MANY):
        started = time.perf_counter()
        if total == 10:
            bulk_conversations(world, messages=10, per_thread=2)
        else:
            bulk_conversations(world, messages=MANY - 10)
        seeded_s = time.perf_counter() - started
        assert Message.objects.count() == total
        for label, path, http in paths:
            ms, queries = _best(_page(http, path, "</html>"))
            counts.setdefault(label, {})[total] = queries
            rows.append((f"{label} (whole request), {total:,} messages", ms, queries))
        ms, queries = _best(lambda: selectors.staff_unread(ada))
        rows.append((f"Staff unread counts alone, {total:,} messages", ms, queries))
        ms, queries = _best(partial(selectors.portal_unread, gia(world)))
        rows.append((f"Portal unread count alone, {total:,} messages", ms, queries))
    for label, by_total in counts.items():
        assert by_total[10] == by_total[MANY], (label, by_total)

    write_section(
        "Secure messages",
        "In-process (test settings, SQLite), through the views with Django's test client: Ada signed in to the "
        "staff inbox, Gia to the portal's for Max. 100,000 messages in 10,000 threads about Max (half to the team "
        f"of Ada and Fran, half between Gia and Ada by name; bulk inserts, {seeded_s:.1f} s). Each time is the best "
        "of 5; the ratio is to the reference row, measured in the same run (this machine is small and shared: "
        "read the ratios). Each inbox page takes as many queries at 100,000 messages as at 10.\n\n"
        "| path | queries | time | ratio to reference |\n|---|---|---|---|\n"
        + "\n".join(
            f"| {label} | {queries or '—'} | {ms:.1f} ms | {ms / reference_ms:.1f} |" for label, ms, queries in rows
        ),
    )
    print(RESULTS.read_text(encoding="utf-8"))
