"""Who did something, as the audit trail records it: a staff login, a portal login, Haven itself, or someone unknown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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

    @classmethod
    def portal(cls, account: Any) -> Actor:
        return cls(kind="portal", id=account.pk, label=account.email)
