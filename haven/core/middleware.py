from __future__ import annotations

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
from haven.core.bidi import strip_bidi_controls_utf8
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
    """End a staff session after a period without requests, and at its absolute lifetime.

    The idle check runs on every request, but the last-seen time is stored only when the stored one
    is ``HAVEN_SESSION_TOUCH_SECONDS`` old or more: a page view within that time writes nothing, and
    a session may end up to that much early, never late.
    """

    LAST_SEEN = "haven_last_seen"
    STARTED = "haven_started"

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(timezone.now().timestamp())
            started = int(request.session.setdefault(self.STARTED, now))
            last_seen = int(request.session.get(self.LAST_SEEN, now))
            if now - last_seen > settings.HAVEN_STAFF_IDLE_MINUTES * 60:
                return self._sign_out(
                    request, _("You were signed out after a period of inactivity. Please sign in again.")
                )
            if now - started > settings.SESSION_COOKIE_AGE:
                return self._sign_out(request, _("Your session has ended. Please sign in again."))
            if self.LAST_SEEN not in request.session or now - last_seen >= settings.HAVEN_SESSION_TOUCH_SECONDS:
                request.session[self.LAST_SEEN] = now
        return self.get_response(request)

    def _sign_out(self, request: HttpRequest, message: str) -> HttpResponse:
        logout(request)
        messages.info(request, message)
        return redirect(settings.LOGIN_URL)


class NoStoreMiddleware:
    """Pages may hold health information: never let a browser or proxy keep a copy."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            patch_cache_control(response, no_store=True, private=True)
        return response


class BidiNeutralizingMiddleware:
    """No page carries bidirectional control characters, whatever path the text came by (see haven.core.bidi)."""

    TYPES = ("text/html", "text/plain")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.streaming or not response.get("Content-Type", "").startswith(self.TYPES):
            return response
        content = strip_bidi_controls_utf8(response.content)
        if content is not response.content:
            response.content = content
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(content))
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
