"""Every login, logout and failed login is an audit event."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from haven.audit.actions import record_event
from haven.audit.events import AuthLockedOut, AuthLogin, AuthLoginFailed, AuthLogout
from haven.audit.models import Actor


@receiver(user_logged_in)
def audit_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    member = getattr(user, "staff_member", None)
    record_event(AuthLogin(), actor=Actor.staff(user), practice=member.practice if member else None)


@receiver(user_locked_out)
def audit_lockout(sender: Any, request: HttpRequest, username: str | None = None, **kwargs: Any) -> None:
    record_event(AuthLockedOut(email=username or ""), actor=Actor.anonymous(username or ""))


@receiver(user_logged_out)
def audit_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    member = getattr(user, "staff_member", None)
    record_event(AuthLogout(), actor=Actor.staff(user), practice=member.practice if member else None)


@receiver(user_login_failed)
def audit_failed_login(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The typed email is kept (not the password) so an administrator can see who was targeted.
    attempted = str(credentials.get("username") or credentials.get("email") or "")[:254]
    record_event(AuthLoginFailed(email=attempted), actor=Actor.anonymous(attempted))
