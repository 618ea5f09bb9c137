"""Re-chain the existing audit events: one chain per practice, each link a keyed hash (HAVEN_AUDIT_KEYS).

The old single chain is verified first; a broken one stops the migration rather than being
re-signed as if whole. Going back rebuilds the single unkeyed chain in the order the events were
written (their ids), as the previous release expects it.
"""

import hashlib
import importlib

from django.db import migrations

from haven.audit.hashing import GENESIS_HASH, canonical, link_hash, signing_key

_append_only = importlib.import_module("haven.audit.migrations.0002_append_only")


def _execute(schema_editor, statements_by_vendor):
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def _check_old_chain(AuditEvent, AuditChainHead) -> None:
    previous, expected = GENESIS_HASH, 1
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        unkeyed = hashlib.sha256((previous + canonical(event)).encode("utf-8")).hexdigest()
        if event.sequence != expected or event.previous_hash != previous or event.hash != unkeyed:
            raise RuntimeError(
                f"The audit chain is broken at event #{event.sequence}; run verify_audit_chain on the previous "
                "release and resolve it before re-chaining."
            )
        previous, expected = event.hash, expected + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_sequence != expected - 1 or head.last_hash != previous):
        raise RuntimeError(f"Audit events after #{expected - 1} are missing: the chain's head records #{head.last_sequence}.")


def rechain(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    _check_old_chain(AuditEvent, AuditChainHead)
    key = signing_key()
    ends: dict[int | None, tuple[int, str]] = {}
    _execute(schema_editor, {"sqlite": _append_only.SQLITE_REVERSE, "postgresql": _append_only.POSTGRESQL_REVERSE})
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        sequence, previous = ends.get(event.practice_id, (0, GENESIS_HASH))
        event.sequence, event.previous_hash, event.key_id = sequence + 1, previous, key.id
        event.hash = link_hash(key, previous, canonical(event))
        AuditEvent.objects.filter(pk=event.pk).update(
            sequence=event.sequence, previous_hash=event.previous_hash, key_id=event.key_id, hash=event.hash
        )
        ends[event.practice_id] = (event.sequence, event.hash)
    _execute(schema_editor, {"sqlite": _append_only.SQLITE, "postgresql": _append_only.POSTGRESQL})
    AuditChainHead.objects.all().delete()
    AuditChainHead.objects.bulk_create(
        AuditChainHead(practice_id=practice_id, last_sequence=sequence, last_hash=last_hash)
        for practice_id, (sequence, last_hash) in ends.items()
    )


def unchain(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    previous, sequence = GENESIS_HASH, 0
    _execute(schema_editor, {"sqlite": _append_only.SQLITE_REVERSE, "postgresql": _append_only.POSTGRESQL_REVERSE})
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        sequence += 1
        event.sequence, event.previous_hash = sequence, previous
        event.hash = hashlib.sha256((previous + canonical(event)).encode("utf-8")).hexdigest()
        AuditEvent.objects.filter(pk=event.pk).update(
            sequence=event.sequence, previous_hash=event.previous_hash, key_id="", hash=event.hash
        )
        previous = event.hash
    _execute(schema_editor, {"sqlite": _append_only.SQLITE, "postgresql": _append_only.POSTGRESQL})
    AuditChainHead.objects.all().delete()
    if sequence:
        AuditChainHead.objects.create(pk=1, last_sequence=sequence, last_hash=previous)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_per_practice_chains_schema")]

    operations = [migrations.RunPython(rechain, unchain)]
