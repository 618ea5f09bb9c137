"""Many messages at once, for the scale tests and the benchmark: Gia's threads about Max with the practice, half
written to the team (Ada and Fran), half between Gia and Ada by name, each with the same number of messages.

Inserted with ``bulk_create``; every subject and body is one encrypted token (encrypting each would only slow
the seeding, and the inbox never opens a body)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from haven.core.encryption import encrypt_bytes
from haven.messaging.models import Message, MessageKind, Participant, Thread
from haven.messaging.tests.helpers import set_team
from tests.personas import World

BATCH = 2000


def bulk_conversations(world: World, *, messages: int, per_thread: int = 10) -> int:
    """Add ``messages`` messages in threads of ``per_thread``; returns how many threads were made."""
    set_team(world.riverside, world.ada, world.fran)
    count = max(messages // per_thread, 1)
    subject = encrypt_bytes(b"About next week")
    body = encrypt_bytes(b"A message of a few words, as most are.")
    now = timezone.now()
    threads = Thread.objects.bulk_create(
        (
            Thread(
                practice=world.riverside,
                client=world.max,
                account=world.gia_account,
                kind=MessageKind.CONVERSATION,
                subject_encrypted=subject,
                to_team=n % 2 == 0,
                started_by=None if n % 2 == 0 else world.ada,
                created_at=now - datetime.timedelta(minutes=count - n),
                last_message_at=now - datetime.timedelta(minutes=count - n),
            )
            for n in range(count)
        ),
        batch_size=BATCH,
    )
    rows = []
    for n, thread in enumerate(threads):
        moment = thread.last_message_at
        rows.append(Participant(thread=thread, account=world.gia_account, unread=n % 3, last_message_at=moment))
        rows.append(
            Participant(
                thread=thread,
                staff=world.ada,
                via_team=thread.to_team,
                unread=1,
                last_message_at=moment,
                archived_at=moment if n % 5 == 4 else None,  # a fifth of Ada's are archived
            )
        )
        if thread.to_team:
            rows.append(Participant(thread=thread, staff=world.fran, via_team=True, unread=1, last_message_at=moment))
    Participant.objects.bulk_create(rows, batch_size=BATCH)
    # The messages by executemany: a hundred thousand model instances would take longer than the inserts.
    table = connection.ops.quote_name(Message._meta.db_table)
    sql = (
        f"INSERT INTO {table} (thread_id, sent_by_id, sent_by_account_id, body_encrypted, created_at) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s)"
    )
    adapt = connection.ops.adapt_datetimefield_value
    rows_of_messages: list[tuple[Any, ...]] = []
    for thread in threads:
        for k in range(per_thread):
            if len(rows_of_messages) == messages:
                break
            from_portal = k % 2 == 0
            rows_of_messages.append(
                (
                    thread.pk,
                    None if from_portal else world.ada.pk,
                    world.gia_account.pk if from_portal else None,
                    body,
                    adapt(thread.last_message_at - datetime.timedelta(seconds=per_thread - k)),
                )
            )
    with connection.cursor() as cursor:
        for start in range(0, len(rows_of_messages), BATCH * 5):
            cursor.executemany(sql, rows_of_messages[start : start + BATCH * 5])
    return len(threads)
