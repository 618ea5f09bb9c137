"""The Inbox link's unread count on every portal page."""

from __future__ import annotations

from django import template

from haven.messaging.selectors import portal_unread

register = template.Library()

CACHE = "_haven_inbox_unread"


@register.simple_tag(takes_context=True)
def inbox_unread(context: template.Context) -> int:
    """Threads of the selected profile with unread messages: one query per request, however often the page asks.

    Asked while the page is drawn, so a thread just opened (and marked read by its view) is already not counted.
    """
    request = context.get("request")
    cached = getattr(request, CACHE, None)
    if isinstance(cached, int):
        return cached
    viewer = getattr(request, "viewer", None)
    count = portal_unread(viewer) if viewer is not None else 0
    if request is not None:
        setattr(request, CACHE, count)
    return count
