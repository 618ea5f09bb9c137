"""Upgrading turns each message of the one-way inbox into a thread of one message, read or unread as it was, its
subject and body encrypted."""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from haven.messaging import selectors
from haven.messaging.models import Message, MessageKind, Participant, Thread
from haven.messaging.tests.helpers import gia
from tests.personas import build_world

BEFORE = [("messaging", "0002_alter_message_kind")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def test_each_old_message_becomes_a_thread_of_one_read_or_unread_as_it_was(committed_db: None) -> None:
    world = build_world()
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    sent_at = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)
    read_at = sent_at + datetime.timedelta(hours=2)
    try:
        executor = _migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps.get_model("messaging", "Message")
        common = {"practice_id": world.riverside.pk, "client_id": world.max.pk, "account_id": world.gia_account.pk}
        request = old.objects.create(
            **common,
            kind="record_request",
            subject="Please review and sign: Treatment plan",
            body="Your signature is needed.",
            sent_by_id=world.ada.pk,
            created_at=sent_at,
        )
        notice = old.objects.create(
            **common, kind="notice", subject="Office closed Friday", body="", created_at=sent_at, read_at=read_at
        )
    finally:
        _migrate(latest)

    first = Message.objects.select_related("thread").get(pk=request.pk)
    thread = first.thread
    assert (thread.kind, thread.subject, first.body) == (
        MessageKind.RECORD_REQUEST,
        "Please review and sign: Treatment plan",
        "Your signature is needed.",
    )
    assert (thread.practice_id, thread.client_id, thread.account_id) == (
        world.riverside.pk,
        world.max.pk,
        world.gia_account.pk,
    )
    assert thread.started_by_id == world.ada.pk and first.sent_by_id == world.ada.pk
    assert thread.last_message_at == sent_at and first.created_at == sent_at
    assert "Treatment plan" not in Thread.objects.values_list("subject_encrypted", flat=True).get(pk=thread.pk)
    portal = Participant.objects.get(thread=thread, account=world.gia_account)
    assert (portal.unread, portal.read_through, portal.read_at) == (1, 0, None)
    ada = Participant.objects.get(thread=thread, staff=world.ada)
    assert (ada.unread, ada.read_through, ada.via_team) == (0, first.pk, False)

    second = Message.objects.select_related("thread").get(pk=notice.pk)
    assert (second.thread.kind, second.thread.subject, second.body) == ("notice", "Office closed Friday", "")
    assert second.sent_by_id is None and second.thread.started_by_id is None
    [portal] = Participant.objects.filter(thread=second.thread)  # Haven's notice: no staff in it yet
    assert (portal.unread, portal.read_through, portal.read_at) == (0, notice.pk, read_at)

    # The portal's inbox shows both, newest first, one of them unread.
    assert selectors.portal_unread(gia(world)) == 1
    assert {row.thread_id for row in selectors.portal_box(gia(world))} == {thread.pk, second.thread_id}
