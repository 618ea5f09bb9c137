"""The audit trail: append-only events, one chain per practice (and one for events of none),
each event tied to the one before it by a keyed hash (HMAC-SHA256, keys in HAVEN_AUDIT_KEYS)."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from haven.audit.hashing import GENESIS_HASH, AuditKey, canonical, link_hash
from haven.core.actors import Actor

__all__ = ["Actor", "AppendOnlyError", "AuditChainHead", "AuditEvent"]


def _chain(field: str = "practice") -> Coalesce:
    """The chain an event or head belongs to: its practice's id, or 0 for events of no practice."""
    return Coalesce(field, models.Value(0), output_field=models.BigIntegerField())


class AppendOnlyError(Exception):
    """Audit events can be added, never changed or removed."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    sequence = models.PositiveBigIntegerField(editable=False)  # the position in its practice's chain
    # Every page that records an event pays for each index of this table, so it has only those its queries
    # use: the chain's (practice, sequence), a client's history (client, practice, sequence) and the hash.
    # The foreign keys are found through the leading columns of the first two, not indexes of their own.
    occurred_at = models.DateTimeField(editable=False)
    practice = models.ForeignKey(
        "practices.Practice", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    actor_kind = models.CharField(max_length=16)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=254, blank=True)
    acting_for = models.CharField(max_length=254, blank=True)
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    details = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)
    key_id = models.CharField(max_length=16, editable=False)  # which of HAVEN_AUDIT_KEYS made the hash

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            # A client's Access history filters by client and practice: both in the index, so SQLite (without
            # planner statistics) takes it rather than the practice's, which holds every event of the practice.
            models.Index(fields=["client", "practice", "-sequence"], name="audit_client_history"),
            models.Index(fields=["practice", "-sequence"], name="audit_practice_recent"),
        ]
        constraints = [models.UniqueConstraint(_chain(), models.F("sequence"), name="audit_event_chain_sequence")]
        verbose_name = _("audit event")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} by {self.actor_label or self.actor_kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be deleted.")

    def canonical(self) -> str:
        """The event's content as hashed: stable across databases."""
        return canonical(self)

    def compute_hash(self, key: AuditKey) -> str:
        return link_hash(key, self.previous_hash, self.canonical())


class AuditChainHead(models.Model):
    """The end of one practice's chain (practice empty: the chain of events of no practice).

    Locking it orders that chain's writers; other practices' writers never wait on it.
    """

    practice = models.ForeignKey(
        "practices.Practice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        constraints = [models.UniqueConstraint(_chain(), name="audit_one_head_per_chain")]

    def __str__(self) -> str:
        return f"audit chain of practice {self.practice_id or '-'} at #{self.last_sequence}"
