"""Staff pages show times in the staff member's practice zone (``haven.core.timezones``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from haven.core.middleware import Handler
from haven.core.timezones import activate_practice_zone
from haven.practices.access import staff_member_of


class PracticeTimezoneMiddleware:
    """Show times in the staff member's practice time zone; no zone carries over from an earlier request."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.deactivate()
        member = staff_member_of(request)
        if member is not None:
            activate_practice_zone(member.practice)
        # Portal pages activate their practice's zone in the portal's access decorators.
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
