from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from haven.audit.hashing import GENESIS_HASH, signing_key
from haven.audit.models import Actor, AuditChainHead, AuditEvent
from haven.core.request_context import current_origin

if TYPE_CHECKING:
    from haven.clients.models import Client
    from haven.practices.models import Practice

__all__ = ["GENESIS_HASH", "record_event"]


def record_event(
    *,
    action: str,
    actor: Actor,
    practice: Practice | None = None,
    practice_id: int | None = None,
    client: Client | None = None,
    target: models.Model | None = None,
    acting_for: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to its practice's chain (``practice`` or ``practice_id``), in the caller's transaction if any.

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
        event = AuditEvent(
            sequence=head.last_sequence + 1,
            occurred_at=timezone.now(),
            practice_id=practice_id,
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_label=actor.label[:254],
            acting_for=acting_for[:254],
            client=client,
            action=action,
            object_type=target._meta.label_lower if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
            ip=origin.ip,
            user_agent=origin.user_agent,
            details=details or {},
            previous_hash=head.last_hash,
            key_id=key.id,
        )
        event.hash = event.compute_hash(key)
        event.save()
        AuditChainHead.objects.filter(pk=head.pk).update(last_sequence=event.sequence, last_hash=event.hash)
    return event
