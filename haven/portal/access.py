"""Who may reach a portal page: the practice comes from the address, the person from the session."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from haven.core.access import AccessRule, declare_access
from haven.core.prepared import Prepared
from haven.core.timezones import activate_practice_zone
from haven.portal_access.session import PortalSession, load_portal_session
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import Practice


class PortalRequest(HttpRequest):
    practice: Practice
    portal: PortalSession
    viewer: PortalViewer


def _practice(slug: str) -> Practice:
    """The practice whose portal this is; its time zone is the one every time on the page is shown in."""
    found = _PRACTICE(slug)
    if not found:
        raise Http404
    practice = found[0]
    activate_practice_zone(practice)
    return practice


# Every portal page reads its practice; only the logo's own address and the letterhead read the logo's bytes.
_PRACTICE: Prepared[Practice] = Prepared(lambda slug: Practice.objects.filter(slug=slug).defer("logo"), str)


def portal_public_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of a practice's portal that needs no sign-in (sign in, register, links from emails)."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        request.practice = _practice(slug)  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return declare_access(wrapper, AccessRule(audience="public"))


def portal_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for a signed-in portal user of this practice. Staff logins never reach it."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        practice = _practice(slug)
        session, reason = load_portal_session(request, practice)
        if session is None:
            query = {"next": request.get_full_path()}
            if reason == "idle":
                query["ended"] = "1"
            return redirect(f"{reverse('portal:login', kwargs={'slug': practice.slug})}?{urlencode(query)}")
        request.practice = practice  # type: ignore[attr-defined]
        request.portal = session  # type: ignore[attr-defined]
        request.viewer = PortalViewer(  # type: ignore[attr-defined]
            account=session.account, practice=practice, profile=session.selected
        )
        return view(request, *args, **kwargs)

    return declare_access(wrapper, AccessRule(audience="portal"))


def require_profile(request: PortalRequest) -> None:
    """Pages about a client need a selected profile; without one there is nothing to show."""
    if request.portal.selected is None:
        raise Http404
