"""Reads of the portal inbox, built on the messaging policy."""

from __future__ import annotations

from haven.core.policy import Viewer
from haven.core.prepared import Prepared, counting
from haven.messaging import policy
from haven.messaging.models import Message

# How many of a login's messages about a client are unread: one row, or none when there are none.
_UNREAD: Prepared[int] = Prepared(
    lambda account_id, client_id, practice_id: counting(
        policy.addressed_to(account_id, client_id, practice_id).filter(read_at__isnull=True), "account_id"
    ),
    int,
    int,
    int,
)


def unread_count(viewer: Viewer) -> int:
    """How many messages the viewer has not opened yet (0 without a query before a profile is chosen)."""
    found = policy.addressee(viewer)
    if found is None:
        return 0
    counted = _UNREAD(*found)
    return counted[0] if counted else 0


_UNREAD_ABOUT_REQUEST: Prepared[Message] = Prepared(
    lambda account_id, client_id, practice_id, request_id: (
        policy.addressed_to(account_id, client_id, practice_id)
        .filter(signature_request_id=request_id, read_at__isnull=True)
        .order_by("pk")
    ),
    int,
    int,
    int,
    int,
)


def unread_about_request(viewer: Viewer, request_id: int) -> list[Message]:
    """The viewer's unread messages about this signature request (none, without a query, before a profile)."""
    found = policy.addressee(viewer)
    return _UNREAD_ABOUT_REQUEST(*found, request_id) if found is not None else []
