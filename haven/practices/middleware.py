"""Staff pages: the signed-in staff member and their second factor, loaded once; times in the practice's zone."""

from __future__ import annotations

import functools
from typing import Any

from django.apps import apps
from django.db.models import Exists, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware, is_verified
from django_otp.models import Device

from haven.core.middleware import Handler
from haven.core.prepared import Prepared
from haven.core.timezones import activate_practice_zone
from haven.practices.access import NO_STAFF_MEMBER, STAFF_CACHE, staff_member_of
from haven.practices.models import StaffMember


def _device_model(persistent_id: str) -> tuple[type[Device], int] | None:
    """The device model and id a session names (django-otp's persistent id, ``app.model/id``), or None."""
    try:
        label, device_id = OTPMiddleware._normalize_persistent_id(persistent_id).rsplit("/", 1)
        model = apps.get_model(label)
        return (model, int(device_id)) if issubclass(model, Device) else None
    except (ValueError, LookupError):
        return None


class StaffSessionMiddleware:
    """Django-otp's ``OTPMiddleware`` for Haven: ``request.user.otp_device`` and ``is_verified()``, and the
    staff member with their practice, in one query per request.

    The device the session was verified with is checked on every request, as django-otp does: it must
    still exist, belong to this login and be confirmed, so removing a device ends its verification at
    once. Its row is loaded only if something reads more than whether it is there.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None:
            request.user = SimpleLazyObject(functools.partial(self._load, request, user))  # type: ignore[assignment]
        return self.get_response(request)

    @staticmethod
    def _load(request: HttpRequest, user: Any) -> Any:
        user.otp_device = None
        user.is_verified = functools.partial(is_verified, user)
        if not user.is_authenticated:
            return _unwrapped(user)
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        device = _device_model(persistent_id) if persistent_id else None
        found = _STAFF_MEMBER(user.pk) if device is None else _staff_member_with_device(device[0])(user.pk, device[1])
        member = found[0] if found else None
        if member is not None:
            member.user = _unwrapped(user)
            device_ok = bool(getattr(member, "haven_device_ok", False))
        else:
            device_ok = device is not None and _confirmed(device, user.pk).exists()
        setattr(request, STAFF_CACHE, member if member is not None else NO_STAFF_MEMBER)
        if device is not None and device_ok:
            model, device_id = device
            user.otp_device = SimpleLazyObject(lambda: model.objects.get(pk=device_id))
        elif persistent_id:
            del request.session[DEVICE_ID_SESSION_KEY]
        return _unwrapped(user)


def _unwrapped(user: Any) -> Any:
    """The user itself rather than Django's lazy stand-in for it (loaded by now): every ``request.user.…`` then goes
    through one stand-in, not two."""
    return user._wrapped if isinstance(user, SimpleLazyObject) else user


_STAFF_MEMBER: Prepared[StaffMember] = Prepared(
    lambda user_id: (
        StaffMember.objects.select_related("practice")
        .defer("practice__logo")
        .filter(user_id=user_id)
        .order_by("pk")[:1]
    ),
    int,
)
_WITH_DEVICE: dict[type[Device], Prepared[StaffMember]] = {}


def _staff_member_with_device(model: type[Device]) -> Prepared[StaffMember]:
    """The staff member, their practice and whether the session's device of this model is theirs and confirmed."""
    prepared = _WITH_DEVICE.get(model)
    if prepared is None:
        prepared = _WITH_DEVICE[model] = Prepared(
            lambda user_id, device_id: (
                StaffMember.objects.select_related("practice")
                .defer("practice__logo")  # every page reads the practice; only the letterhead its logo
                .filter(user_id=user_id)
                .annotate(haven_device_ok=Exists(_confirmed((model, device_id), user_id)))
                .order_by("pk")[:1]
            ),
            int,
            int,
        )
    return prepared


def _confirmed(device: tuple[type[Device], int], user_id: int) -> QuerySet[Device]:
    model, device_id = device
    return model.objects.filter(pk=device_id, user_id=user_id, confirmed=True)


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
