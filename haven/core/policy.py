"""The questions of access every kind of object answers in one place: who is asking, and why not.

Each domain app keeps the rules for its own objects in ``<app>/policy.py``, in three shapes:

- ``visible_to(viewer)``: the queryset of what this viewer may see, the one rule every list,
  count, lookup and notification is built on;
- ``why_not(viewer, verb, obj)``: ``None`` when the viewer may do this, else a ``Reason``
  whose ``words`` a person can read;
- ``get_<thing>(viewer, id, path=...)``: the object, or a 404 that looks exactly like a
  missing one and is audited as ``access.denied`` (``haven.audit.denials.not_found``).

Views, actions, notifications and the URL walk ask these; templates get the answers as values.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from enum import StrEnum
from typing import Any

from haven.core.actors import Actor


class ViewerKind(StrEnum):
    STAFF = "staff"
    PORTAL = "portal"


class Viewer(ABC):
    """Someone asking to see or do something: a staff member, or a portal login acting for one profile."""

    kind: ViewerKind

    @property
    @abstractmethod
    def practice_id(self) -> int:
        """The one practice whose data this viewer may ever reach."""

    @property
    @abstractmethod
    def actor(self) -> Actor:
        """Who the audit trail names for what this viewer does."""

    @property
    def acting_for(self) -> str:
        """Whose profile a portal login is acting for, as the audit trail records it ("" for staff)."""
        return ""

    @property
    def client_id(self) -> int | None:
        """The one client a portal login acts for (its selected profile's); None for staff and before a choice."""
        return None


class Reason(StrEnum):
    """Why a viewer may not do something: a stable code for tests and audit, and words for people.

    Subclasses list their members and implement ``words``, given the object asked about
    (some words name it: "Consent documents can't be shared to sign.").
    """

    def words(self, subject: Any = None) -> str:
        raise NotImplementedError
