"""Who may reach a staff page (lookups of staff members and facilities: ``haven.practices.policy``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_otp import user_has_device

from haven.audit.actions import record_event
from haven.audit.denials import not_found
from haven.audit.events import AccessForbidden
from haven.audit.models import Actor
from haven.core.access import AccessRule, declare_access, url_with_next
from haven.practices.models import StaffMember
from haven.practices.viewers import StaffViewer


class StaffRequest(HttpRequest):
    staff: StaffMember
    viewer: StaffViewer


STAFF_CACHE = "_haven_staff"
NO_STAFF_MEMBER = object()  # looked up: this login has no staff membership


def staff_member_of(request: HttpRequest) -> StaffMember | None:
    """The active staff membership of the logged-in user, loaded once per request.

    ``StaffSessionMiddleware`` loads it with the login's second factor in one query; a request that
    did not pass through it (a view called directly) loads it here.
    """
    if not request.user.is_authenticated or not request.user.is_active:
        return None
    cached = getattr(request, STAFF_CACHE, None)
    if cached is None:
        cached = StaffMember.objects.select_related("practice").filter(user=request.user).first()
        if cached is not None:
            cached.user = request.user
        setattr(request, STAFF_CACHE, cached if cached is not None else NO_STAFF_MEMBER)
    return None if cached is NO_STAFF_MEMBER else cached


def second_factor_needed(request: HttpRequest, member: StaffMember) -> bool:
    return member.practice.require_staff_two_factor and not request.user.is_verified()  # type: ignore[union-attr]


def staff_view(
    permission: str | None = None, *, requires_second_factor: bool = True
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Open a view to logged-in staff (after their second factor), optionally needing one permission."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            member = staff_member_of(request)
            if member is None:
                logout(request)
                return redirect_to_login(request.get_full_path())
            if requires_second_factor and second_factor_needed(request, member):
                target = "staff:two_factor_verify" if user_has_device(request.user) else "staff:two_factor_setup"
                return redirect(url_with_next(target, request.get_full_path()))
            if permission is not None and not member.has_permission(permission):
                record_event(
                    AccessForbidden(path=request.path, permission=permission),
                    actor=Actor.staff(member.user),
                    practice=member.practice,
                )
                raise PermissionDenied
            request.staff = member  # type: ignore[attr-defined]
            request.viewer = StaffViewer(member)  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return declare_access(
            wrapper, AccessRule(audience="staff", permission=permission, requires_second_factor=requires_second_factor)
        )

    return decorator


def deny(member: StaffMember, *, object_type: str, object_id: object, path: str = "") -> Http404:
    """Audit a reach outside the practice's scope and return the 404 to raise: no access looks like not found."""
    return not_found(StaffViewer(member), object_type=object_type, object_id=object_id, path=path)
