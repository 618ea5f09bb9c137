"""Upgrading re-chains the existing audit events, one keyed chain per practice; going back restores the old chain."""

from __future__ import annotations

import hashlib

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from haven.audit.actions import record_event
from haven.audit.hashing import GENESIS_HASH, canonical, signing_key
from haven.audit.models import Actor, AuditChainHead, AuditEvent
from haven.audit.selectors import verify_chain
from haven.audit.tests.helpers import marker
from tests.personas import build_world

BEFORE = [("audit", "0002_append_only")]


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_existing_events_are_rechained_per_practice_with_keyed_hashes(committed_db: None) -> None:
    world = build_world()
    record_event(marker("hilltop"), actor=Actor.staff(world.hana.user), practice=world.hilltop)
    record_event(marker("no_practice"), actor=Actor.anonymous(), practice=None)
    written = list(AuditEvent.objects.order_by("id").values_list("id", "practice_id"))
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("audit")
    try:
        _migrate(BEFORE)
        # The previous release's single chain: one sequence for all, unkeyed SHA-256, head row 1.
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, sequence, previous_hash, hash FROM audit_auditevent ORDER BY sequence")
            rows = cursor.fetchall()
            cursor.execute("SELECT id, last_sequence, last_hash FROM audit_auditchainhead")
            heads = cursor.fetchall()
        assert [row[0] for row in rows] == [pk for pk, _practice in written]
        assert [row[1] for row in rows] == list(range(1, len(written) + 1))
        assert rows[0][2] == GENESIS_HASH and all(rows[i][2] == rows[i - 1][3] for i in range(1, len(rows)))
        assert heads == [(1, len(rows), rows[-1][3])]
    finally:
        _migrate(latest)

    assert verify_chain().intact
    key = signing_key()
    for practice_id in {practice for _pk, practice in written}:
        chain = list(AuditEvent.objects.filter(practice_id=practice_id).order_by("sequence"))
        assert [event.pk for event in chain] == [pk for pk, practice in written if practice == practice_id]
        assert [event.sequence for event in chain] == list(range(1, len(chain) + 1))
        assert all(event.key_id == key.id for event in chain)
        unkeyed = hashlib.sha256((chain[0].previous_hash + canonical(chain[0])).encode("utf-8")).hexdigest()
        assert chain[0].hash != unkeyed
        head = AuditChainHead.objects.get(practice_id=practice_id)
        assert (head.last_sequence, head.last_hash) == (chain[-1].sequence, chain[-1].hash)


def test_the_event_table_has_no_index_of_its_own_on_time_action_client_or_practice(db: None) -> None:
    """Each index is written with every event; these four are read by no query (the composite ones serve them)."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, AuditEvent._meta.db_table)
    single = {
        tuple(constraint["columns"])
        for constraint in found.values()
        if constraint["index"] and not constraint["primary_key"] and len(constraint["columns"] or []) == 1
    }
    assert single.isdisjoint({("occurred_at",), ("action",), ("client_id",), ("practice_id",)})
    composite = {tuple(c["columns"]) for c in found.values() if c["index"] and len(c["columns"] or []) > 1}
    assert ("client_id", "practice_id", "sequence") in composite  # a client's history
    assert ("practice_id", "sequence") in composite  # the chain, newest first
