from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from haven.core.access import access_rule_of
from haven.core.request_context import origin_of, reset_origin, set_origin

Handler = Callable[[HttpRequest], HttpResponse]


class RequestContextMiddleware:
    """Make the request's address and device available to audit events."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_origin(origin_of(request))
        try:
            return self.get_response(request)
        finally:
            reset_origin(token)


class IdleTimeoutMiddleware:
    """Log a staff user out after a period without requests."""

    SESSION_KEY = "haven_last_seen"

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(timezone.now().timestamp())
            last_seen = request.session.get(self.SESSION_KEY)
            idle_limit = settings.HAVEN_STAFF_IDLE_MINUTES * 60
            if last_seen is not None and now - int(last_seen) > idle_limit:
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity. Please sign in again."))
                return redirect(settings.LOGIN_URL)
            request.session[self.SESSION_KEY] = now
        return self.get_response(request)


class PracticeTimezoneMiddleware:
    """Show times in the staff member's practice time zone."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        member = getattr(request.user, "staff_member", None) if request.user.is_authenticated else None
        if member is not None:
            try:
                timezone.activate(zoneinfo.ZoneInfo(member.practice.time_zone))
            except zoneinfo.ZoneInfoNotFoundError:
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages may hold health information: never let a browser or proxy keep a copy."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            patch_cache_control(response, no_store=True, private=True)
        return response


class AccessPolicyMiddleware:
    """Refuse any view that has not declared its access rule."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if access_rule_of(view_func) is None:
            raise Http404
        return None
