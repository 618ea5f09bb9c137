from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from haven.audit.actions import GENESIS_HASH
from haven.audit.models import AuditChainHead, AuditEvent
from haven.clients.models import Client


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken: AuditEvent | None
    reason: str

    @property
    def intact(self) -> bool:
        return self.first_broken is None and not self.reason


def _events_in_order(batch_size: int = 2000) -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("sequence").iterator(chunk_size=batch_size)


def verify_chain() -> ChainReport:
    """Recompute every hash; name the first event that does not match its content or its predecessor."""
    previous_hash = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for event in _events_in_order():
        if event.sequence != expected_sequence:
            return ChainReport(checked, event, f"expected event #{expected_sequence}, found #{event.sequence}")
        if event.previous_hash != previous_hash:
            return ChainReport(checked, event, "its link to the previous event does not match")
        if event.compute_hash() != event.hash:
            return ChainReport(checked, event, "its content does not match its hash")
        previous_hash = event.hash
        expected_sequence += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_sequence != checked or head.last_hash != previous_hash):
        return ChainReport(
            checked, None, f"events after #{checked} are missing: the chain's head records #{head.last_sequence}"
        )
    return ChainReport(checked, None, "")


def events_for_client(client: Client) -> QuerySet[AuditEvent]:
    """The client's access history, newest first. The caller has already checked access to the client."""
    return AuditEvent.objects.filter(client=client, practice_id=client.practice_id).order_by("-sequence")
