from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from haven.audit.models import Actor, AuditChainHead, AuditEvent
from haven.core.request_context import current_origin

if TYPE_CHECKING:
    from haven.clients.models import Client
    from haven.practices.models import Practice

GENESIS_HASH = "0" * 64


def record_event(
    *,
    action: str,
    actor: Actor,
    practice: Practice | None = None,
    client: Client | None = None,
    target: models.Model | None = None,
    acting_for: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction when there is one."""
    origin = current_origin()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_sequence": 0, "last_hash": GENESIS_HASH}
        )
        event = AuditEvent(
            sequence=head.last_sequence + 1,
            occurred_at=timezone.now(),
            practice=practice,
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
        )
        event.hash = event.compute_hash()
        event.save()
        AuditChainHead.objects.filter(pk=head.pk).update(last_sequence=event.sequence, last_hash=event.hash)
    return event
