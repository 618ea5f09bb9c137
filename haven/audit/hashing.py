"""The audit trail's keyed hashes (HMAC-SHA256) and their keys, from HAVEN_AUDIT_KEYS.

The first key signs new events; every key verifies, so putting a new key first rotates it and
the events signed before keep verifying. Each event records the id of the key that signed it:
a value derived from the key one way, which says nothing about the key itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditKey:
    id: str
    secret: bytes = field(repr=False)

    def mac(self, message: str) -> str:
        return hmac.new(self.secret, message.encode("utf-8"), hashlib.sha256).hexdigest()


@lru_cache(maxsize=8)
def _keys(configured: tuple[str, ...]) -> tuple[AuditKey, ...]:
    keys = []
    for value in configured:
        secret = value.encode("utf-8")
        key_id = hmac.new(secret, b"haven audit key id", hashlib.sha256).hexdigest()[:16]
        keys.append(AuditKey(id=key_id, secret=secret))
    return tuple(keys)


def audit_keys() -> tuple[AuditKey, ...]:
    keys = _keys(tuple(getattr(settings, "HAVEN_AUDIT_KEYS", ()) or ()))
    if not keys:
        raise ImproperlyConfigured("Set HAVEN_AUDIT_KEYS: the audit trail cannot be written without a key.")
    return keys


def signing_key() -> AuditKey:
    """The key that signs new events and checkpoints."""
    return audit_keys()[0]


def key_by_id(key_id: str) -> AuditKey | None:
    return next((key for key in audit_keys() if hmac.compare_digest(key.id, key_id)), None)


def canonical(event: Any) -> str:
    """An event's content as hashed: stable across databases (also used by the migrations)."""
    payload = {
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "practice": event.practice_id,
        "actor_kind": event.actor_kind,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "acting_for": event.acting_for,
        "client": event.client_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "details": event.details,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link_hash(key: AuditKey, previous_hash: str, content: str) -> str:
    """The keyed hash that ties an event's content to the one before it in its chain."""
    return key.mac(previous_hash + content)
