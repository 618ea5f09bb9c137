from __future__ import annotations

import datetime
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from django.db import connection, transaction
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from haven.audit.checkpoints import ChainCheckpoint, CheckpointError, furthest_checkpoints
from haven.audit.hashing import GENESIS_HASH, key_by_id
from haven.audit.models import AuditChainHead, AuditEvent
from haven.core.prepared import Prepared


@dataclass(frozen=True)
class ChainReport:
    """One practice's chain (practice_id None: the chain of events of no practice)."""

    practice_id: int | None
    checked: int
    first_broken: AuditEvent | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.first_broken is None and not self.reason


@dataclass(frozen=True)
class TrailReport:
    """Every chain's report; ``problem`` when the checkpoints themselves cannot be trusted."""

    chains: tuple[ChainReport, ...]
    problem: str = ""

    @property
    def broken(self) -> list[ChainReport]:
        return [chain for chain in self.chains if not chain.intact]

    @property
    def intact(self) -> bool:
        return not self.problem and not self.broken

    @property
    def checked(self) -> int:
        return sum(chain.checked for chain in self.chains)

    @property
    def first_broken(self) -> AuditEvent | None:
        return next((chain.first_broken for chain in self.broken if chain.first_broken is not None), None)

    @property
    def reason(self) -> str:
        return self.problem or next((chain.reason for chain in self.broken), "")

    def chain(self, practice_id: int | None) -> ChainReport | None:
        return next((chain for chain in self.chains if chain.practice_id == practice_id), None)


def _events_of(practice_id: int | None, batch_size: int = 2000) -> Iterator[AuditEvent]:
    if practice_id is None:
        events = AuditEvent.objects.filter(practice__isnull=True)
    else:
        events = AuditEvent.objects.filter(practice_id=practice_id)
    return events.order_by("sequence").iterator(chunk_size=batch_size)


def _verify_one(
    practice_id: int | None, head: AuditChainHead | None, checkpoint: ChainCheckpoint | None
) -> ChainReport:
    """Recompute one chain's keyed hashes; compare its end with its head and its furthest checkpoint."""
    previous_hash = GENESIS_HASH
    checked = 0
    for event in _events_of(practice_id):
        expected = checked + 1
        if event.sequence != expected:
            return ChainReport(practice_id, checked, event, f"expected event #{expected}, found #{event.sequence}")
        if event.previous_hash != previous_hash:
            return ChainReport(practice_id, checked, event, "its link to the previous event does not match")
        key = key_by_id(event.key_id)
        if key is None:
            return ChainReport(practice_id, checked, event, "its hash was made with a key not in HAVEN_AUDIT_KEYS")
        if not hmac.compare_digest(event.compute_hash(key), event.hash):
            return ChainReport(practice_id, checked, event, "its content does not match its hash")
        if checkpoint is not None and event.sequence == checkpoint.sequence and event.hash != checkpoint.hash:
            return ChainReport(practice_id, checked, event, f"it does not match the checkpoint of {_when(checkpoint)}")
        previous_hash = event.hash
        checked += 1
    if head is None and checked:
        return ChainReport(practice_id, checked, None, "the chain's head is missing")
    if head is not None and head.last_sequence > checked:
        return ChainReport(
            practice_id,
            checked,
            None,
            f"events after #{checked} are missing: the chain's head records #{head.last_sequence}",
        )
    if head is not None and head.last_sequence < checked:
        return ChainReport(
            practice_id, checked, None, f"the chain's head was wound back to #{head.last_sequence} of #{checked}"
        )
    if head is not None and head.last_hash != previous_hash:
        return ChainReport(practice_id, checked, None, "the chain's head does not match its last event")
    if checkpoint is not None and checkpoint.sequence > checked:
        return ChainReport(
            practice_id,
            checked,
            None,
            f"events after #{checked} are missing: the checkpoint of {_when(checkpoint)} "
            f"recorded #{checkpoint.sequence}",
        )
    return ChainReport(practice_id, checked)


def _when(checkpoint: ChainCheckpoint) -> str:
    return f"{checkpoint.written_at:%Y-%m-%d %H:%M} UTC ({checkpoint.file})"


def verify_chain() -> TrailReport:
    """Verify every chain, naming each one's first broken link, against the checkpoints kept outside the database.

    The checkpoints are read first and the database in one snapshot after, so events written
    meanwhile never look like a chain out of step with its head or its checkpoint.
    """
    try:
        checkpoints = furthest_checkpoints()
    except CheckpointError as error:
        return TrailReport((), problem=f"a checkpoint is not to be trusted: {error}")
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        heads = {head.practice_id: head for head in AuditChainHead.objects.all()}
        with_events = set(AuditEvent.objects.order_by().values_list("practice_id", flat=True).distinct())
        chains = sorted(set(heads) | with_events | set(checkpoints), key=lambda pk: pk or 0)
        return TrailReport(
            tuple(
                _verify_one(practice_id, heads.get(practice_id), checkpoints.get(practice_id)) for practice_id in chains
            )
        )


class _Client(Protocol):
    """A client's chart, as far as the audit trail knows one (it names no domain model)."""

    pk: Any
    practice_id: int


class HistoryEvent(NamedTuple):
    """An event as a client's Access history reads it: what, who, for whom, when and from where, without the
    chain's fields (its practice, client, hashes and key), read as plain values rather than a model instance.

    Its details are read as the database keeps them (``details_json``, JSON text) and decoded only when asked for
    (``details``): the page needs them for few events, and decoding a page's worth cost a tenth of it."""

    pk: int
    sequence: int
    occurred_at: datetime.datetime
    actor_kind: str
    actor_id: int | None
    actor_label: str
    acting_for: str
    action: str
    object_type: str
    object_id: str
    ip: str | None
    user_agent: str
    details_json: str | None

    @property
    def details(self) -> Any:
        """The event's details, decoded as the model's ``JSONField`` decodes them."""
        return None if self.details_json is None else json.loads(self.details_json)


_HISTORY_FIELDS = HistoryEvent._fields


def _history_rows(events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent, tuple[Any, ...]]:
    """These events' ``HistoryEvent`` fields, their details as JSON text."""
    return events.annotate(details_json=Cast("details", TextField())).values_list(*_HISTORY_FIELDS)


def history_events(rows: Iterable[tuple[Any, ...]]) -> list[HistoryEvent]:
    """``client_history``'s rows (a page of them) as ``HistoryEvent``s."""
    return [HistoryEvent._make(row) for row in rows]


def events_for_client(client: _Client) -> QuerySet[AuditEvent]:
    """The client's access history, newest first. The caller has already checked access to the client."""
    return AuditEvent.objects.filter(client_id=client.pk, practice_id=client.practice_id).order_by("-sequence")


def client_history(client: _Client) -> QuerySet[AuditEvent, tuple[Any, ...]]:
    """``events_for_client`` as the Access history reads it: rows of ``HistoryEvent``'s fields (``history_events``)."""
    return _history_rows(events_for_client(client))


_HISTORY_FIRST_PAGES: dict[int, Prepared[tuple[Any, ...]]] = {}


def client_history_first_page(client: _Client, *, size: int) -> tuple[list[HistoryEvent], bool]:
    """The first ``size`` events of ``client_history``, and whether there are more, in one prepared query (reading
    one event past the page rather than counting the history)."""
    prepared = _HISTORY_FIRST_PAGES.get(size)
    if prepared is None:
        prepared = _HISTORY_FIRST_PAGES[size] = Prepared(
            lambda client_id, practice_id: _history_rows(
                AuditEvent.objects.filter(client_id=client_id, practice_id=practice_id).order_by("-sequence")
            )[: size + 1],
            int,
            int,
        )
    rows = prepared(client.pk, client.practice_id)
    return history_events(rows[:size]), len(rows) > size
