"""``{% forms_waiting as count %}``: how many forms wait for the selected profile's answers (the home page's card)."""

from __future__ import annotations

from django import template

from haven.intake.portal import waiting_count
from haven.portal_access.viewers import PortalViewer

register = template.Library()


@register.simple_tag(takes_context=True)
def forms_waiting(context: template.Context) -> int:
    """Forms not started, in progress or sent back: one query, none for a profile no form can be addressed to."""
    viewer = getattr(context.get("request"), "viewer", None)
    return waiting_count(viewer) if isinstance(viewer, PortalViewer) else 0
