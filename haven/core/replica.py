"""An optional read replica: staff pages that only read may read from it; everything else reads the primary.

Off unless ``HAVEN_REPLICA_DATABASE_URL`` names a replica (a PostgreSQL streaming standby of
``DATABASE_URL``); then ``settings.DATABASES["replica"]`` exists and ``ReplicaRouter`` is installed.
Without it nothing here runs and every query goes to ``default`` as before.

A replica is behind the primary by its replay lag, so a read goes to it only when all of these hold
(``ReplicaRouter.db_for_read``); anything else reads the primary:

1. It happens while ``ReplicaPinMiddleware`` handles a GET or HEAD request to a staff page, and the
   request's thread is the one serving it. Tasks, workers, management commands, threads a request
   starts and every other request read the primary.
2. The browser is not pinned: for ``HAVEN_REPLICA_PIN_SECONDS`` after a request wrote data, that
   user's requests read the primary (a cookie says until when), so they always see their own writes.
   A forged or removed cookie can only send reads to the primary or let a user see their own write a
   moment late: it decides nothing about access.
3. The request has not written anything yet (after its first write, the rest of it reads the primary).
4. No transaction is open on the primary: what a transaction reads, it reads where it writes
   (row locks, the audit chain, "read, check, write" actions).
5. The model is not one whose rows decide who may do what (``ALWAYS_PRIMARY``). These are NEVER read
   from the replica, on any page: sessions and the idle timeout's last-seen time; staff logins, their
   two-step devices, staff memberships, roles and permissions, and the practice; the sign-in lockout
   (axes) and the per-account throttle; one-time links; every portal account, profile access
   (capacity, PIN, guardian dates: re-checked on every request, so a change takes effect at once)
   and portal two-step key; document shares; the audit trail and its chain heads; the task queue.

Portal pages never read the replica: every list a portal user sees is a join over the shares and
profile accesses that decide what they may see, so a revoked share or access must not linger there
for the replica's lag. Staff see everything of their practice their role allows, and their role and
membership are read from the primary on every request (rule 5), so a lagging replica can only show
a staff member a list a moment old, never something their access does not allow.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
REPLICA = "replica"
PIN_COOKIE = "haven_primary_until"

# app_label, or app_label.model_name: read from the primary, always (see rule 5 above).
ALWAYS_PRIMARY = frozenset(
    {
        "sessions",
        "accounts",
        "otp_totp",
        "otp_static",
        "axes",
        "django_tasks_db",
        "audit",
        "portal_access",
        "core.onetimelink",
        "core.signinthrottle",
        "practices.practice",
        "practices.staffmember",
        "practices.staffpasswordlink",
        "documents.share",
    }
)


def always_primary(model: type[Model]) -> bool:
    meta = model._meta
    return meta.app_label in ALWAYS_PRIMARY or f"{meta.app_label}.{meta.model_name}" in ALWAYS_PRIMARY


@dataclass
class _RequestState:
    may_use_replica: bool
    wrote: bool = False


_state: ContextVar[_RequestState | None] = ContextVar("haven_replica_state", default=None)


def replica_configured() -> bool:
    return REPLICA in connections.settings


class ReplicaRouter:
    """Routes reads as the module's words say; every write, and every migration, to the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        state = _state.get()
        if (
            state is None
            or not state.may_use_replica
            or state.wrote
            or always_primary(model)
            or connections[PRIMARY].in_atomic_block
        ):
            return PRIMARY
        return REPLICA

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        state = _state.get()
        if state is not None and not always_primary(model):
            state.wrote = True  # the rest of the request, and the pin, read the primary
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica holds the primary's rows: an object read from either may point at one from the other.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        if db == REPLICA:
            return False  # a standby is read-only: it follows the primary's schema
        return None


def _pinned(request: HttpRequest) -> bool:
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
    except ValueError:
        return True  # not a time we wrote: read the primary, the safe side


class ReplicaPinMiddleware:
    """Lets the router use the replica for this request when it may, and pins a user to the primary after a write.

    Harmless without a replica: it then does nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        state = _RequestState(
            may_use_replica=request.method in ("GET", "HEAD")
            and request.path_info.startswith("/staff/")
            and not _pinned(request)
        )
        token = _state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _state.reset(token)
        if state.wrote:
            seconds = settings.HAVEN_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{time.time() + seconds:.3f}",
                max_age=seconds,
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
        return response
