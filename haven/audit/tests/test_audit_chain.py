"""The audit trail is append-only, chained per practice with keyed hashes; tampering is found and named."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from haven.audit.actions import record_event
from haven.audit.checkpoints import checkpoint_dir, write_checkpoint
from haven.audit.hashing import signing_key
from haven.audit.models import Actor, AppendOnlyError, AuditChainHead, AuditEvent
from haven.audit.selectors import verify_chain
from haven.audit.tests.helpers import marker
from tests.personas import World

pytestmark = pytest.mark.django_db

TRIGGERS = {
    "sqlite": ["audit_event_no_update", "audit_event_no_delete", "audit_head_no_delete"],
    "postgresql": ["audit_event_append_only", "audit_head_no_delete"],
}
NEW_KEY = "a-new-audit-key-that-is-long-enough-to-use"


def _drop_append_only_triggers() -> None:
    """Stand in for an attacker with database access (inside the test's transaction, so it is undone)."""
    with connection.cursor() as cursor:
        for name in TRIGGERS[connection.vendor]:
            table = "audit_auditchainhead" if name.startswith("audit_head") else "audit_auditevent"
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER {name} ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER {name}")


def _three_events(world: World) -> list[AuditEvent]:
    actor = Actor.staff(world.ada.user)
    return [
        record_event(marker(f"event{i}"), actor=actor, practice=world.riverside, client=world.ana) for i in range(3)
    ]


def _head(world: World) -> AuditChainHead:
    return AuditChainHead.objects.get(practice=world.riverside)


def test_events_link_to_the_previous_hash(world):
    first, second, third = _three_events(world)
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    assert third.sequence == second.sequence + 1 == first.sequence + 2


def test_chain_verifies_when_untouched(world):
    _three_events(world)
    report = verify_chain()
    assert report.intact
    assert report.checked == AuditEvent.objects.count()


def test_saving_an_existing_event_is_refused(world):
    event = _three_events(world)[0]
    event.action = "something.else"
    with pytest.raises(AppendOnlyError):
        event.save()


def test_deleting_events_is_refused_in_python(world):
    event = _three_events(world)[0]
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")


def test_database_refuses_raw_updates_and_deletes(world):
    event = _three_events(world)[0]
    for statement in (
        "UPDATE audit_auditevent SET action = 'forged' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == event.action


def test_database_refuses_removing_a_chain_head(world):
    _three_events(world)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditchainhead")
    assert AuditChainHead.objects.filter(practice=world.riverside).exists()


@pytest.mark.postgres
def test_database_refuses_truncating_the_audit_trail(world):
    """The row triggers do not fire on TRUNCATE; a statement-level trigger refuses it on both tables."""
    assert connection.vendor == "postgresql", "run this test on PostgreSQL (the postgres marker)"
    _three_events(world)
    before = AuditEvent.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign key checks in the way
    for table in ("audit_auditevent", "audit_auditchainhead"):
        with (
            pytest.raises(DatabaseError, match="cannot be truncated"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"TRUNCATE {table} CASCADE")
    assert AuditEvent.objects.count() == before


def test_tampered_content_is_detected_and_named(world):
    _first, second, _third = _three_events(world)
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_label = 'someone-else' WHERE id = %s", [second.pk])
    report = verify_chain()
    assert not report.intact
    assert report.first_broken is not None
    assert report.first_broken.pk == second.pk
    assert "content" in report.reason


def test_an_edited_event_is_detected_even_with_every_following_hash_recomputed(world):
    """Without Haven's key, recomputing the chain (as the unkeyed SHA-256 chain allowed) does not hide an edit."""
    first, second, third = _three_events(world)
    _drop_append_only_triggers()
    previous = first.hash
    for event in (second, third):
        event = AuditEvent.objects.get(pk=event.pk)
        if event.pk == second.pk:
            event.actor_label = "someone-else"
        event.previous_hash = previous
        forged = hashlib.sha256((previous + event.canonical()).encode("utf-8")).hexdigest()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditevent SET actor_label = %s, previous_hash = %s, hash = %s WHERE id = %s",
                [event.actor_label, previous, forged, event.pk],
            )
        previous = forged
    AuditChainHead.objects.filter(practice=world.riverside).update(last_hash=previous)
    report = verify_chain()
    assert not report.intact
    assert report.first_broken is not None and report.first_broken.pk == second.pk
    assert "content" in report.reason


def test_removed_event_is_detected(world):
    _first, second, third = _three_events(world)
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [second.pk])
    report = verify_chain()
    assert report.first_broken is not None
    assert report.first_broken.pk == third.pk


def test_verify_command_reports_intact_chain(world, capsys):
    _three_events(world)
    call_command("verify_audit_chain")
    assert "Audit trail intact" in capsys.readouterr().out


def test_verify_command_fails_naming_the_chain_and_the_broken_event(world):
    _first, second, _third = _three_events(world)
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET details = '{\"x\": 1}' WHERE id = %s", [second.pk])
    with pytest.raises(CommandError, match=f"practice riverside: broken at event #{second.sequence}"):
        call_command("verify_audit_chain")


def test_event_rolled_back_with_its_transaction_leaves_no_gap(world):
    actor = Actor.staff(world.ada.user)
    record_event(marker("kept"), actor=actor, practice=world.riverside)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(marker("rolled_back"), actor=actor, practice=world.riverside)
        raise RuntimeError("the action failed midway")
    record_event(marker("after"), actor=actor, practice=world.riverside)
    assert not AuditEvent.objects.filter(details__object_id="rolled_back").exists()
    assert verify_chain().intact


def test_removed_last_events_are_detected_from_the_chain_head(world):
    _first, _second, third = _three_events(world)
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [third.pk])
    report = verify_chain()
    assert not report.intact
    assert "missing" in report.reason


def test_a_removed_chain_head_is_detected(world):
    _three_events(world)
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditchainhead WHERE practice_id = %s", [world.riverside.pk])
    report = verify_chain()
    chain = report.chain(world.riverside.pk)
    assert chain is not None and not chain.intact
    assert "head is missing" in chain.reason


def test_a_head_wound_back_over_events_still_there_is_detected(world):
    first, _second, _third = _three_events(world)
    AuditChainHead.objects.filter(practice=world.riverside).update(last_sequence=first.sequence, last_hash=first.hash)
    report = verify_chain()
    assert not report.intact
    assert "wound back" in report.reason


def test_deleting_the_last_events_and_winding_the_head_back_is_detected_by_the_checkpoint(world):
    first, second, third = _three_events(world)
    write_checkpoint()
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", [second.pk, third.pk])
    AuditChainHead.objects.filter(practice=world.riverside).update(last_sequence=first.sequence, last_hash=first.hash)
    report = verify_chain()
    chain = report.chain(world.riverside.pk)
    assert chain is not None and not chain.intact
    assert f"events after #{first.sequence} are missing: the checkpoint of" in chain.reason
    assert f"recorded #{third.sequence}" in chain.reason


def test_an_emptied_audit_trail_is_detected_by_the_checkpoint(world):
    _three_events(world)
    write_checkpoint()
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
        cursor.execute("DELETE FROM audit_auditchainhead")
    with pytest.raises(CommandError, match="missing: the checkpoint of"):
        call_command("verify_audit_chain")


def test_a_changed_checkpoint_file_is_not_trusted(world):
    _three_events(world)
    path = write_checkpoint()
    document = json.loads(path.read_text())
    document["chains"][0]["sequence"] = 1  # an attempt to make the chain look shorter than it was
    path.write_text(json.dumps(document))
    report = verify_chain()
    assert not report.intact
    assert "changed after Haven wrote it" in report.reason


def test_the_checkpoint_command_and_the_daily_tasks_write_every_chain_head(world, capsys):
    _three_events(world)
    record_event(marker("elsewhere"), actor=Actor.staff(world.hana.user), practice=world.hilltop)
    call_command("write_audit_checkpoint")
    call_command("run_daily_tasks", now=True)
    files = sorted(checkpoint_dir().glob("audit-checkpoint-*.json"))
    assert len(files) == 2
    chains = {chain["practice"]: chain for chain in json.loads(files[-1].read_text())["chains"]}
    for practice in (world.riverside, world.hilltop):
        head = AuditChainHead.objects.get(practice=practice)
        assert chains[practice.pk]["sequence"] == head.last_sequence
        assert chains[practice.pk]["hash"] == head.last_hash
    assert "Audit checkpoint written" in capsys.readouterr().out


def test_old_events_keep_verifying_after_the_key_is_rotated(world, settings):
    old = record_event(marker("before_rotation"), actor=Actor.system(), practice=world.riverside)
    settings.HAVEN_AUDIT_KEYS = [NEW_KEY, *settings.HAVEN_AUDIT_KEYS]  # the new key first
    new = record_event(marker("after_rotation"), actor=Actor.system(), practice=world.riverside)
    assert old.key_id != new.key_id == signing_key().id
    assert new.previous_hash == old.hash
    assert verify_chain().intact
    settings.HAVEN_AUDIT_KEYS = [NEW_KEY]  # the old key dropped: its events can no longer be vouched for
    report = verify_chain()
    assert not report.intact
    assert "key not in HAVEN_AUDIT_KEYS" in report.reason


def test_each_practice_has_its_own_chain(world):
    riverside = Actor.staff(world.ada.user)
    hilltop = Actor.staff(world.hana.user)
    events = [
        record_event(marker("one"), actor=riverside, practice=world.riverside),
        record_event(marker("two"), actor=hilltop, practice=world.hilltop),
        record_event(marker("three"), actor=riverside, practice=world.riverside),
        record_event(marker("four"), actor=Actor.anonymous(), practice=None),
    ]
    base = {p: AuditEvent.objects.filter(practice=p).count() for p in (world.riverside, world.hilltop)}
    assert events[2].sequence == events[0].sequence + 1
    assert events[2].previous_hash == events[0].hash
    assert events[1].sequence == base[world.hilltop]
    assert AuditChainHead.objects.get(practice=None).last_hash == events[3].hash
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", [events[0].pk])
    report = verify_chain()
    riverside_chain, hilltop_chain, no_practice = (
        report.chain(world.riverside.pk),
        report.chain(world.hilltop.pk),
        report.chain(None),
    )
    assert riverside_chain is not None and not riverside_chain.intact
    assert hilltop_chain is not None and hilltop_chain.intact and hilltop_chain.checked == base[world.hilltop]
    assert no_practice is not None and no_practice.intact
