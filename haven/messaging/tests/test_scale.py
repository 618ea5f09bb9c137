"""The inboxes and their counts take as many queries at a hundred thousand messages as at ten: a page of 25
threads is a count and a select, an unread count is one query."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haven.messaging import selectors
from haven.messaging.models import Message
from haven.messaging.selectors import Box
from haven.messaging.tests.bulk import bulk_conversations
from haven.messaging.tests.helpers import gia, staff
from tests.personas import World

pytestmark = pytest.mark.django_db

MANY = 100_000


def shown(row: Any) -> tuple[object, ...]:
    """What an inbox row shows of its thread: everything the selectors promise to have loaded."""
    thread = row.thread
    return (
        thread.subject,
        thread.kind,
        thread.to_team,
        thread.client.full_name,
        thread.account.full_name,
        thread.assigned_to.user.full_name if thread.assigned_to else "",
        thread.started_by.user.full_name if thread.started_by else "",
        row.unread,
        row.last_message_at,
    )


def portal_shown(row: Any) -> tuple[object, ...]:
    return (row.thread.subject, row.thread.kind, row.unread, row.last_message_at, row.archived_at)


def inboxes(world: World) -> dict[str, tuple[int, int]]:
    """Each inbox's first page and each count: (queries, rows shown)."""
    ada = staff(world.ada).member
    viewer = gia(world)
    measured: dict[str, tuple[int, int]] = {}
    for box in Box:
        with CaptureQueriesContext(connection) as queries:
            page = selectors.page_of(selectors.staff_box(ada, box), 1)
            rows = [shown(row) for row in page]
            assert page.paginator.num_pages >= 1
        measured[f"staff {box}"] = (len(queries), len(rows))
    for archived in (False, True):
        with CaptureQueriesContext(connection) as queries:
            page = selectors.page_of(selectors.portal_box(viewer, archived=archived), 1)
            rows = [portal_shown(row) for row in page]
        measured[f"portal archived={archived}"] = (len(queries), len(rows))
    with CaptureQueriesContext(connection) as queries:
        selectors.staff_unread(ada)
    measured["staff unread"] = (len(queries), 1)
    with CaptureQueriesContext(connection) as queries:
        selectors.portal_unread(viewer)
    measured["portal unread"] = (len(queries), 1)
    return measured


def test_the_inboxes_and_counts_take_the_same_queries_at_ten_and_at_a_hundred_thousand_messages(
    world: World,
) -> None:
    bulk_conversations(world, messages=10, per_thread=2)
    few = inboxes(world)
    assert all(rows > 0 for name, (_queries, rows) in few.items() if name != "portal archived=True"), few
    assert few["staff unread"][0] == 1 and few["portal unread"][0] == 1
    assert all(queries <= 2 for queries, _rows in few.values()), few

    started = time.perf_counter()
    bulk_conversations(world, messages=MANY - 10)
    seeded_in = time.perf_counter() - started
    assert Message.objects.count() == MANY
    many = inboxes(world)

    assert {name: queries for name, (queries, _rows) in many.items()} == {
        name: queries for name, (queries, _rows) in few.items()
    }
    assert many["staff mine"][1] == many["staff team"][1] == many["staff archived"][1] == 25
    assert many["portal archived=False"][1] == 25
    assert seeded_in < 60  # bulk inserts: seconds, not minutes
    # The counts are right at scale too.
    ada = staff(world.ada).member
    assert selectors.staff_unread(ada).total == selectors.staff_box(ada, Box.MINE).filter(unread__gt=0).count() + (
        selectors.staff_box(ada, Box.TEAM).filter(unread__gt=0).count()
    )
    assert selectors.portal_unread(gia(world)) == selectors.portal_box(gia(world)).filter(unread__gt=0).count()
