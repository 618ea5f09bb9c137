from __future__ import annotations

from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from haven.audit.events import AuditDetails
from haven.audit.hashing import GENESIS_HASH, signing_key
from haven.audit.models import Actor, AuditChainHead, AuditEvent
from haven.core.prepared import run_statement
from haven.core.request_context import current_origin

__all__ = ["GENESIS_HASH", "record_event"]


def record_event(
    event: AuditDetails,
    *,
    actor: Actor,
    practice: models.Model | None = None,
    practice_id: int | None = None,
    client: models.Model | None = None,
    target: models.Model | None = None,
    acting_for: str = "",
) -> AuditEvent:
    """Append one event to its practice's chain (``practice`` or ``practice_id``), in the caller's transaction if any.

    ``event`` says what happened and carries its typed details (``haven.audit.events``): one class
    per code, so mypy checks every detail of every call.

    Only that practice's chain head is locked, so writers of different practices never wait on
    each other. Lock order: whatever the caller locked, then the head; a caller that locks the
    practice or client row first takes it FOR NO KEY UPDATE, which the event's foreign key check
    (made while the head is held) does not wait on.

    Three statements, no savepoint: an ``UPDATE ... RETURNING`` that locks the head, moves it on one
    and reads the hash to chain to; the event's ``INSERT``; the head's new hash. (The first event of
    a chain makes its head first.) Inside a caller's transaction a failure here fails the caller's
    transaction, as an event that cannot be written must.
    """
    if practice is not None:
        practice_id = practice.pk
    origin = current_origin()
    key = signing_key()
    using = router.db_for_write(AuditEvent)
    connection = connections[using]
    with transaction.atomic(using=using, savepoint=False):
        head_id, sequence, previous_hash = _advance_head(connection, practice_id)
        stored = AuditEvent(
            sequence=sequence,
            occurred_at=timezone.now(),
            practice_id=practice_id,
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_label=actor.label[:254],
            acting_for=acting_for[:254],
            client_id=client.pk if client is not None else None,
            action=str(event.action),
            object_type=target._meta.label_lower if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
            ip=origin.ip,
            user_agent=origin.user_agent,
            details=event.details(),
            previous_hash=previous_hash,
            key_id=key.id,
        )
        stored.hash = stored.compute_hash(key)
        _insert(connection, stored)
        run_statement(connection, _last_hash_sql(connection), [stored.hash, head_id])
    stored._state.adding = False
    stored._state.db = using
    return stored


def _advance_head(connection: BaseDatabaseWrapper, practice_id: int | None) -> tuple[int, int, str]:
    """Lock the chain's head and move it on by one: its id, the new event's sequence and the hash to chain to."""
    head = connection.ops.quote_name(AuditChainHead._meta.db_table)
    chain = "practice_id IS NULL" if practice_id is None else "practice_id = %s"
    rows = run_statement(
        connection,
        f"UPDATE {head} SET last_sequence = last_sequence + 1 WHERE {chain} "  # noqa: S608
        "RETURNING id, last_sequence, last_hash",
        [] if practice_id is None else [practice_id],
    )
    row = rows[0] if rows else None
    if row is not None:
        return int(row[0]), int(row[1]), str(row[2])
    # The chain's first event: make its head (another writer may be making it too), then move it on.
    heads = AuditChainHead.objects.using(connection.alias).select_for_update()
    chain_heads = heads.filter(practice__isnull=True) if practice_id is None else heads.filter(practice_id=practice_id)
    made, _ = chain_heads.get_or_create(
        defaults={"practice_id": practice_id, "last_sequence": 0, "last_hash": GENESIS_HASH}
    )
    AuditChainHead.objects.using(connection.alias).filter(pk=made.pk).update(last_sequence=made.last_sequence + 1)
    return made.pk, made.last_sequence + 1, made.last_hash


_INSERTS: dict[str, str] = {}  # the event's INSERT, by database vendor: worked out once per process
_FIELDS = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]


def _insert_sql(connection: BaseDatabaseWrapper) -> str:
    found = _INSERTS.get(connection.vendor)
    if found is None:
        columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in _FIELDS)
        placeholders = ", ".join(["%s"] * len(_FIELDS))
        table = connection.ops.quote_name(AuditEvent._meta.db_table)
        found = _INSERTS[connection.vendor] = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING id"  # noqa: S608
    return found


def _insert(connection: BaseDatabaseWrapper, stored: AuditEvent) -> None:
    """The event's row, its values prepared by its fields as the ORM would, in one ``INSERT ... RETURNING id``."""
    values = [field.get_db_prep_save(field.pre_save(stored, True), connection) for field in _FIELDS]
    ((stored.pk,),) = run_statement(connection, _insert_sql(connection), values)


def _last_hash_sql(connection: BaseDatabaseWrapper) -> str:
    head = connection.ops.quote_name(AuditChainHead._meta.db_table)
    return f"UPDATE {head} SET last_hash = %s WHERE id = %s"  # noqa: S608
