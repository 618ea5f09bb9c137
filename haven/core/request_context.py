"""Where the current request came from, for audit events written deep inside actions."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest


@dataclass(frozen=True)
class RequestOrigin:
    ip: str | None
    user_agent: str


NO_ORIGIN = RequestOrigin(ip=None, user_agent="")
_current: ContextVar[RequestOrigin] = ContextVar("haven_request_origin", default=NO_ORIGIN)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting X-Forwarded-For only as far as configured proxies reach."""
    trusted = settings.HAVEN_TRUSTED_PROXIES
    if trusted:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= trusted:
            return forwarded[-trusted]
    return request.META.get("REMOTE_ADDR") or None


def origin_of(request: HttpRequest) -> RequestOrigin:
    return RequestOrigin(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:400])


def current_origin() -> RequestOrigin:
    return _current.get()


def set_origin(origin: RequestOrigin) -> object:
    return _current.set(origin)


def reset_origin(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
