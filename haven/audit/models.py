"""The audit trail: append-only events, each chained to the one before by SHA-256."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Audit events can be added, never changed or removed."""


@dataclass(frozen=True)
class Actor:
    kind: str  # "staff", "portal", "system" or "anonymous"
    id: int | None
    label: str

    @classmethod
    def staff(cls, user: Any) -> Actor:
        return cls(kind="staff", id=user.pk, label=user.email)

    @classmethod
    def anonymous(cls, label: str = "") -> Actor:
        return cls(kind="anonymous", id=None, label=label)

    @classmethod
    def system(cls, label: str = "Haven") -> Actor:
        return cls(kind="system", id=None, label=label)


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(editable=False, db_index=True)
    practice = models.ForeignKey(
        "practices.Practice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_kind = models.CharField(max_length=16)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=254, blank=True)
    acting_for = models.CharField(max_length=254, blank=True)
    client = models.ForeignKey("clients.Client", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    details = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["client", "-sequence"], name="audit_client_recent"),
            models.Index(fields=["practice", "-sequence"], name="audit_practice_recent"),
        ]
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
        payload = {
            "sequence": self.sequence,
            "occurred_at": self.occurred_at.isoformat(timespec="microseconds"),
            "practice": self.practice_id,
            "actor_kind": self.actor_kind,
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "acting_for": self.acting_for,
            "client": self.client_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "ip": self.ip,
            "user_agent": self.user_agent,
            "details": self.details,
        }
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def compute_hash(self) -> str:
        return hashlib.sha256((self.previous_hash + self.canonical()).encode("utf-8")).hexdigest()


class AuditChainHead(models.Model):
    """One row holding the chain's end; locking it orders concurrent writers."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit chain at #{self.last_sequence}"
