from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone

from haven.audit.events import AuditDetails
from haven.audit.hashing import GENESIS_HASH, signing_key
from haven.audit.models import Actor, AuditChainHead, AuditEvent
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
    """
    if practice is not None:
        practice_id = practice.pk
    origin = current_origin()
    key = signing_key()
    with transaction.atomic():
        heads = AuditChainHead.objects.select_for_update()
        chain = heads.filter(practice__isnull=True) if practice_id is None else heads.filter(practice_id=practice_id)
        head, _ = chain.get_or_create(
            defaults={"practice_id": practice_id, "last_sequence": 0, "last_hash": GENESIS_HASH}
        )
        stored = AuditEvent(
            sequence=head.last_sequence + 1,
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
            previous_hash=head.last_hash,
            key_id=key.id,
        )
        stored.hash = stored.compute_hash(key)
        stored.save()
        AuditChainHead.objects.filter(pk=head.pk).update(last_sequence=stored.sequence, last_hash=stored.hash)
    return stored
