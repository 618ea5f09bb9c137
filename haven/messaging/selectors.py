"""Reads of the portal inbox, built on the messaging policy."""

from __future__ import annotations

from django.db.models import Count

from haven.core.policy import Viewer
from haven.core.prepared import Prepared
from haven.messaging import policy

# How many of a login's messages about a client are unread: one row, or none when there are none.
_UNREAD: Prepared[int] = Prepared(
    lambda account_id, client_id, practice_id: (
        policy.addressed_to(account_id, client_id, practice_id)
        .filter(read_at__isnull=True)
        .order_by()
        .values("account_id")
        .annotate(unread=Count("pk"))
        .values_list("unread", flat=True)
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
