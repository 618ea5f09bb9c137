"""The Inbox link's unread count, on every portal page."""

from __future__ import annotations

from django import template

from haven.messaging.selectors import unread_count

register = template.Library()

CACHE = "_haven_inbox_unread"


@register.simple_tag(takes_context=True)
def inbox_unread(context: template.Context) -> int:
    """Unread messages for the selected profile: one query per request, however often the page asks."""
    request = context.get("request")
    cached = getattr(request, CACHE, None)
    if isinstance(cached, int):
        return cached
    viewer = getattr(request, "viewer", None)
    count = unread_count(viewer) if viewer is not None else 0
    if request is not None:
        setattr(request, CACHE, count)
    return count
