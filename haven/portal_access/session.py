"""The portal's own sign-in, kept apart from staff logins in the same session store.

The session holds the account, a hash that changes with its password, the practice whose
portal it signed in to, and the selected profile. All are re-checked on every request.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import logout as staff_logout
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from haven.accounts.throttle import forget_attempts, take_turn
from haven.audit.actions import record_event
from haven.audit.events import (
    AccessDenied,
    PortalLogin,
    PortalLoginFailed,
    PortalLogout,
    PortalProfileSelected,
    PortalSessionEnded,
)
from haven.audit.models import Actor
from haven.core.prepared import Prepared
from haven.portal_access import policy
from haven.portal_access.actions import portal_actor
from haven.portal_access.models import PortalAccount, ProfileAccess, years_before
from haven.practices.models import Practice

ACCOUNT = "portal_account"
HASH = "portal_hash"
PRACTICE = "portal_practice"
PROFILE = "portal_profile"
LAST_SEEN = "portal_last_seen"
STARTED = "portal_started"
# Half signed in: the password was right, the code from the authenticator app is still to come.
PENDING_TWO_FACTOR = "portal_pending_two_factor"
PENDING_VALID_SECONDS = 5 * 60


@dataclass
class PortalSession:
    account: PortalAccount
    practice: Practice
    profiles: list[ProfileAccess]
    selected: ProfileAccess | None


def _credentials(email: str) -> dict[str, str]:
    # Portal and staff attempts are counted apart, so neither world can lock the other out.
    return {"username": f"portal:{email.strip().lower()}"}


def authenticate_portal(
    request: HttpRequest, *, practice: Practice, email: str, password: str
) -> tuple[PortalAccount | None, str]:
    """Check a portal sign-in: (account, "") or (None, reason): locked, throttled, invalid or unverified.

    Locked: too many failures from this address (django-axes). Throttled: too many attempts at this
    account from anywhere, so this one must wait (``haven.accounts.throttle``); its password is not checked.
    """
    credentials = _credentials(email)
    if AxesProxyHandler.is_locked(request, credentials):
        return None, "locked"
    typed = email.strip().lower()[:254]
    if not take_turn(world="portal", email=typed, practice=practice).allowed:
        return None, "throttled"
    account = PortalAccount.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if account is None:
        make_password(password)  # the same work as a real check, so unknown emails cannot be told apart
    if account is None or not account.check_password(password):
        record_event(PortalLoginFailed(email=typed), actor=Actor.anonymous(typed), practice=practice)
        AxesProxyHandler.user_login_failed(sender=PortalAccount, credentials=credentials, request=request)
        return None, "locked" if getattr(request, "axes_locked_out", False) else "invalid"
    AxesProxyHandler.reset_attempts(
        username=credentials["username"], ip_address=getattr(request, "axes_ip_address", None)
    )
    forget_attempts(world="portal", email=typed)
    if account.email_verified_at is None:
        return None, "unverified"
    return account, ""


def start_portal_session(request: HttpRequest, *, account: PortalAccount, practice: Practice) -> None:
    """Sign in to the portal: a fresh session id, and no staff login riding along in the same browser."""
    if request.user.is_authenticated:
        staff_logout(request)
    request.session.pop(PENDING_TWO_FACTOR, None)
    request.session.cycle_key()
    now = int(timezone.now().timestamp())
    request.session[ACCOUNT] = account.pk
    request.session[HASH] = account.session_hash()
    request.session[PRACTICE] = practice.pk
    request.session[STARTED] = now
    request.session[LAST_SEEN] = now
    request.session.pop(PROFILE, None)
    with transaction.atomic():
        PortalAccount.objects.filter(pk=account.pk).update(last_login_at=timezone.now())
        record_event(PortalLogin(), actor=portal_actor(account), practice=practice)


def begin_two_factor_sign_in(request: HttpRequest, *, account: PortalAccount, practice: Practice) -> None:
    """The password was right and the account asks for a code: remember who, where and when, nothing more.

    No portal key is set, so no portal page opens until ``finish_two_factor_sign_in``.
    """
    if request.user.is_authenticated:
        staff_logout(request)
    for key in (ACCOUNT, HASH, PRACTICE, PROFILE, STARTED, LAST_SEEN):
        request.session.pop(key, None)
    request.session.cycle_key()
    request.session[PENDING_TWO_FACTOR] = {
        "account": account.pk,
        "practice": practice.pk,
        "hash": account.session_hash(),
        "at": int(timezone.now().timestamp()),
    }


def pending_two_factor_account(request: HttpRequest, practice: Practice) -> tuple[PortalAccount | None, str]:
    """The account half signed in to this practice's portal in this session: (account, "") or (None, why).

    Why is "none" (nothing pending here), or "expired" (older than five minutes, or the password changed
    since); an expired state is dropped.
    """
    pending = request.session.get(PENDING_TWO_FACTOR)
    if not isinstance(pending, dict) or pending.get("practice") != practice.pk:
        return None, "none"
    now = int(timezone.now().timestamp())
    account = PortalAccount.objects.filter(pk=int(pending.get("account", 0)), is_active=True).first()
    age = now - int(pending.get("at", 0))
    if account is None or pending.get("hash") != account.session_hash() or not 0 <= age <= PENDING_VALID_SECONDS:
        request.session.pop(PENDING_TWO_FACTOR, None)
        return None, "expired"
    return account, ""


def clear_two_factor_sign_in(request: HttpRequest) -> None:
    request.session.pop(PENDING_TWO_FACTOR, None)


def end_portal_session(request: HttpRequest, *, reason: str = "logout") -> None:
    account_id = request.session.get(ACCOUNT)
    practice_id = request.session.get(PRACTICE)
    if account_id is not None:
        account = PortalAccount.objects.filter(pk=account_id).first()
        if account is not None:
            record_event(
                (PortalLogout(reason=reason) if reason == "logout" else PortalSessionEnded(reason=reason)),
                actor=portal_actor(account),
                practice=Practice.objects.filter(pk=practice_id).first() if practice_id is not None else None,
            )
    request.session.flush()


def load_portal_session(request: HttpRequest, practice: Practice) -> tuple[PortalSession | None, str]:
    """The signed-in portal user for this practice's portal, re-checked now; or (None, why).

    One query, most of the time: the profiles the account may act for now (the portal access policy's answer),
    each with the account if it is active (``_account_and_profiles``); the account alone when it has none. Its
    password must be unchanged since sign-in. The practice is the one the address named, reused on every row.
    The session is written only when something the idle timeout needs has aged (``_touch``).
    """
    session = request.session
    account_id = session.get(ACCOUNT)
    if account_id is None:
        return None, "anonymous"
    if session.get(PRACTICE) != practice.pk:
        return None, "other_practice"
    account, profiles = _account_and_profiles(int(account_id), practice)
    if account is None or session.get(HASH) != account.session_hash():
        end_portal_session(request, reason="invalidated")
        return None, "anonymous"
    now = int(timezone.now().timestamp())
    if now - int(session.get(LAST_SEEN, now)) > settings.HAVEN_PORTAL_IDLE_MINUTES * 60:
        end_portal_session(request, reason="idle")
        return None, "idle"
    if now - int(session.get(STARTED, now)) > settings.SESSION_COOKIE_AGE:
        end_portal_session(request, reason="expired")
        return None, "idle"
    _touch(request, now)
    selected_id = session.get(PROFILE)
    selected = next((profile for profile in profiles if profile.pk == selected_id), None)
    if selected is None and profiles:
        selected = profiles[0]
        session[PROFILE] = selected.pk
    elif selected is None and PROFILE in session:
        del session[PROFILE]
    return PortalSession(account=account, practice=practice, profiles=profiles, selected=selected), ""


def _touch(request: HttpRequest, now: int) -> None:
    """Keep the idle timeout's last-seen time, to ``HAVEN_SESSION_TOUCH_SECONDS``.

    A request within that many seconds of the stored time changes nothing, so the session is not written
    (no write per page view); the idle check above still runs on every request, against the stored time,
    so a session may end up to that many seconds early, never late.
    """
    if now - int(request.session.get(LAST_SEEN, 0)) >= settings.HAVEN_SESSION_TOUCH_SECONDS:
        request.session[LAST_SEEN] = now


def effective_profiles(account: PortalAccount, practice: Practice) -> list[ProfileAccess]:
    """The profiles this login may act for now: the portal access policy's answer, asked on every request.

    One prepared query: each profile with its client (and the client's facility) and contact. The account
    and the practice rows already in hand are set on every profile, so nothing the pages read loads them again.
    """
    today = timezone.localdate()
    profiles = _EFFECTIVE_PROFILES(account.pk, practice.pk, today, years_before(today, practice.age_of_majority))
    for profile in profiles:
        profile.account = account
        profile.practice = practice
        profile.client.practice = practice  # the policy keeps to clients of this practice
    return profiles


def _account_and_profiles(account_id: int, practice: Practice) -> tuple[PortalAccount | None, list[ProfileAccess]]:
    """The account, if active, and the profiles it may act for now (``effective_profiles``), in one query when it
    has any: each profile comes with its account, read only if active; an account without profiles is read alone."""
    today = timezone.localdate()
    profiles = _SESSION_PROFILES(account_id, practice.pk, today, years_before(today, practice.age_of_majority))
    if profiles:
        account: PortalAccount | None = profiles[0].account
    else:
        found = _ACTIVE_ACCOUNT(account_id)
        account = found[0] if found else None
    for profile in profiles:
        profile.account = account  # type: ignore[assignment]  # the same account on every row: the query's filter
        profile.practice = practice
        profile.client.practice = practice  # the policy keeps to clients of this practice
    return account, profiles


def effective_profiles_query(
    account_id: int, practice_id: int, today: datetime.date, majority_cutoff: datetime.date
) -> QuerySet[ProfileAccess]:
    """What ``effective_profiles`` runs, prepared: the policy's profiles of the login, with what the pages show."""
    return (
        policy.portal_profiles(account_id, practice_id, today=today, majority_cutoff=majority_cutoff)
        .select_related("client__facility", "contact")
        .order_by("client__first_name", "client__last_name", "pk")
    )


_EFFECTIVE_PROFILES: Prepared[ProfileAccess] = Prepared(
    effective_profiles_query, int, int, datetime.date, datetime.date
)
_SESSION_PROFILES: Prepared[ProfileAccess] = Prepared(
    lambda account_id, practice_id, today, majority_cutoff: (
        effective_profiles_query(account_id, practice_id, today, majority_cutoff)
        .filter(account__is_active=True)
        .select_related("account")
    ),
    int,
    int,
    datetime.date,
    datetime.date,
)
_ACTIVE_ACCOUNT: Prepared[PortalAccount] = Prepared(
    lambda account_id: PortalAccount.objects.filter(pk=account_id, is_active=True), int
)


def select_profile(request: HttpRequest, session: PortalSession, profile_id: int) -> bool:
    """Switch to another profile this login may act for (``session.profiles``, the policy's answer on this
    request); anything else is refused and audited."""
    chosen = next((profile for profile in session.profiles if profile.pk == profile_id), None)
    if chosen is None:
        record_event(
            AccessDenied(object_type="portal_access.profileaccess", object_id=str(profile_id), path=request.path),
            actor=portal_actor(session.account),
            practice=session.practice,
        )
        return False
    request.session[PROFILE] = chosen.pk
    session.selected = chosen
    record_event(
        PortalProfileSelected(),
        actor=portal_actor(session.account),
        acting_for=chosen.client.full_name,
        practice=session.practice,
        client=chosen.client,
        target=chosen,
    )
    return True
