"""Prepared queries about the selected profile: one per shape of profile, the profile's ids as values.

The portal's rules about a profile (which shares reach it, which requests name it as the signer) build
a query whose shape depends on the kind of access, whether it names a contact, and whether it acts as a
legal guardian; what varies within one shape is only the profile's ids (its own, its contact's, its
client's and its practice's). So a query built from a profile is prepared once per shape, from a stand-in
profile of that shape, and run with the selected profile's ids (``haven.core.prepared``). The rules are
asked as they are, from the stand-in: nothing here restates them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet

from haven.clients.models import RelatedContact
from haven.core.prepared import Prepared
from haven.portal_access.models import AccessKind, ProfileAccess
from haven.practices.models import Practice
from haven.signing import policy as signing_policy


@dataclass(frozen=True, slots=True)
class Shape:
    """What of a profile decides the shape of a query about it (not its ids)."""

    kind: str
    has_contact: bool
    guardian: bool
    # Whether requests can name the profile as the signer (``signing.policy.may_be_named``): a query about the
    # requests of one that can't holds none of their values.
    may_sign: bool

    @classmethod
    def of(cls, profile: ProfileAccess) -> Shape:
        has_contact = profile.contact_id is not None
        guardian = has_contact and profile.is_guardian
        return cls(
            kind=profile.kind, has_contact=has_contact, guardian=guardian, may_sign=signing_policy.may_be_named(profile)
        )

    @property
    def size(self) -> int:
        """How many ids a query of this shape holds (``ids``)."""
        return int(self.kind == AccessKind.PORTAL_USER) + int(self.kind == AccessKind.CONTACT and self.has_contact) + 2

    def ids(self, profile: ProfileAccess) -> tuple[int, ...]:
        """The profile's ids a query of this shape holds: its own (a portal user's shares name the access),
        its contact's (a contact's shares and requests name the contact), its client's and its practice's."""
        own = (profile.pk,) if self.kind == AccessKind.PORTAL_USER else ()
        contact = (profile.contact_id,) if self.kind == AccessKind.CONTACT and self.has_contact else ()
        return (*own, *contact, profile.client_id, profile.practice_id)

    def stand_in(self, ids: tuple[int, ...]) -> ProfileAccess:
        """A profile of this shape with these ids, for building the query (never saved)."""
        values = list(ids)
        own = values.pop(0) if self.kind == AccessKind.PORTAL_USER else None
        contact_id = values.pop(0) if self.kind == AccessKind.CONTACT and self.has_contact else None
        client_id, practice_id = values
        profile = ProfileAccess(pk=own, kind=self.kind, client_id=client_id)
        profile.practice = Practice(pk=practice_id, client_contact_network_enabled=self.guardian)
        if contact_id is not None:
            profile.contact = RelatedContact(pk=contact_id, legal_guardian=self.guardian)
        return profile


class ProfilePrepared[T]:
    """``build(profile, *values)`` prepared once per shape of profile; call it with a profile and the values.

    ``signer_kinds`` name values that only the requests naming a signer hold (a moment a request still waits):
    a shape that can't sign (``Shape.may_sign``) gets None for them, which its query never reads.
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], *kinds: type, signer_kinds: tuple[type, ...] = ()) -> None:
        self._build = build
        self._kinds = kinds
        self._signer_kinds = signer_kinds
        self._by_shape: dict[Shape, Prepared[T]] = {}
        self._lock = threading.Lock()

    def prepared(self, shape: Shape) -> Prepared[T]:
        found = self._by_shape.get(shape)
        if found is not None:
            return found
        with self._lock:
            found = self._by_shape.get(shape)
            if found is None:
                size = shape.size
                unread = () if shape.may_sign else (None,) * len(self._signer_kinds)

                def build(*values: Any) -> QuerySet[Any]:
                    return self._build(shape.stand_in(tuple(values[:size])), *values[size:], *unread)

                signer_kinds = self._signer_kinds if shape.may_sign else ()
                found = self._by_shape[shape] = Prepared(build, *([int] * size), *self._kinds, *signer_kinds)
            return found

    def _values(self, shape: Shape, profile: ProfileAccess, values: tuple[Any, ...]) -> tuple[Any, ...]:
        if len(values) != len(self._kinds) + len(self._signer_kinds):
            raise TypeError("a profile's prepared query takes every value it names")
        return (*shape.ids(profile), *(values if shape.may_sign else values[: len(self._kinds)]))

    def __call__(self, profile: ProfileAccess, *values: Any) -> list[T]:
        shape = Shape.of(profile)
        try:
            return self.prepared(shape)(*self._values(shape, profile, values))
        except EmptyResultSet:  # a rule that gives this shape nothing at all: no query to run, as Django answers
            return []

    def check(self, profile: ProfileAccess, *values: Any) -> None:
        """Raise AssertionError if the prepared rows differ from those of the query built from the profile itself."""
        shape = Shape.of(profile)
        prepared = self.prepared(shape)
        prepared.check(*self._values(shape, profile, values))
        plain = [row.pk if hasattr(row, "pk") else row for row in self._build(profile, *values)]
        mine = [row.pk if hasattr(row, "pk") else row for row in self(profile, *values)]
        if plain != mine:
            raise AssertionError(f"prepared rows {mine!r} differ from the profile's own query's {plain!r}")
