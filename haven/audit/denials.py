"""No access looks exactly like not found: the one place a refused reach is audited and turned into a 404."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import Http404

from haven.audit.actions import record_event
from haven.audit.events import AccessDenied
from haven.core.policy import Viewer


def not_found(viewer: Viewer, *, object_type: str, object_id: object, path: str = "") -> Http404:
    """Audit ``access.denied`` for this viewer and return the 404 to raise."""
    record_event(
        AccessDenied(object_type=object_type, object_id=str(object_id), path=path),
        actor=viewer.actor,
        practice_id=viewer.practice_id,
        acting_for=viewer.acting_for,
    )
    return Http404()


def object_ids(viewer: Viewer, raw_ids: Iterable[str], *, object_type: str, path: str = "") -> list[int]:
    """The ids a request names, each once and in order; a malformed one is refused like a missing object."""
    wanted: dict[int, None] = {}
    for raw in raw_ids:
        try:
            wanted[int(raw)] = None
        except ValueError:
            raise not_found(viewer, object_type=object_type, object_id=raw[:40], path=path) from None
    return list(wanted)
