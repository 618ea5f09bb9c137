"""The audit trail is append-only and hash-chained; tampering is found and named."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from haven.audit.actions import record_event
from haven.audit.models import Actor, AppendOnlyError, AuditEvent
from haven.audit.selectors import verify_chain

pytestmark = pytest.mark.django_db

TRIGGERS = {
    "sqlite": ["audit_event_no_update", "audit_event_no_delete"],
    "postgresql": ["audit_event_append_only"],
}


def _drop_append_only_triggers() -> None:
    """Stand in for an attacker with database access (inside the test's transaction, so it is undone)."""
    with connection.cursor() as cursor:
        for name in TRIGGERS[connection.vendor]:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER {name} ON audit_auditevent")
            else:
                cursor.execute(f"DROP TRIGGER {name}")


def _three_events(world) -> list[AuditEvent]:
    actor = Actor.staff(world.ada.user)
    return [
        record_event(action=f"test.event{i}", actor=actor, practice=world.riverside, client=world.ana) for i in range(3)
    ]


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
    assert "Audit chain intact" in capsys.readouterr().out


def test_verify_command_fails_naming_the_broken_event(world):
    _first, second, _third = _three_events(world)
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET details = '{\"x\": 1}' WHERE id = %s", [second.pk])
    with pytest.raises(CommandError, match=f"#{second.sequence}"):
        call_command("verify_audit_chain")


def test_event_rolled_back_with_its_transaction_leaves_no_gap(world):
    actor = Actor.staff(world.ada.user)
    record_event(action="test.kept", actor=actor, practice=world.riverside)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(action="test.rolled_back", actor=actor, practice=world.riverside)
        raise RuntimeError("the action failed midway")
    record_event(action="test.after", actor=actor, practice=world.riverside)
    assert not AuditEvent.objects.filter(action="test.rolled_back").exists()
    assert verify_chain().intact


def test_removed_last_events_are_detected_from_the_chain_head(world):
    _first, _second, third = _three_events(world)
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [third.pk])
    report = verify_chain()
    assert not report.intact
    assert "missing" in report.reason


def test_an_emptied_audit_table_is_detected(world):
    _three_events(world)
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    with pytest.raises(CommandError, match="missing"):
        call_command("verify_audit_chain")
