"""What every page's template can read: the staff member and their practice, or the portal's practice and session."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from haven.practices.access import staff_member_of


def haven(request: HttpRequest) -> dict[str, Any]:
    member = staff_member_of(request)
    portal = getattr(request, "portal", None)
    nav_ready = member is not None and (
        not member.practice.require_staff_two_factor or request.user.is_verified()  # type: ignore[union-attr]
    )
    return {
        "staff_member": member,
        "staff_nav_ready": nav_ready,
        "current_practice": member.practice if member is not None else None,
        "haven_env": settings.HAVEN_ENV,
        "demo_outbox": settings.HAVEN_DEMO_OUTBOX,
        # The portal's practice and signed-in session, set by the portal's access decorators.
        "practice": getattr(request, "practice", None),
        "portal": portal,
        "portal_facility": portal.selected.client.facility_name_beside_practice() if portal and portal.selected else "",
    }
