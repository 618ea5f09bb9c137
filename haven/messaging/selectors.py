"""Reads of the portal inbox, built on the messaging policy."""

from __future__ import annotations

from haven.core.policy import Viewer
from haven.messaging import policy


def unread_count(viewer: Viewer) -> int:
    """How many messages the viewer has not opened yet (0 without a query before a profile is chosen)."""
    return policy.visible_to(viewer).filter(read_at__isnull=True).count()
