"""Login lockout (django-axes): five wrong passwords lock one account at one address, for a cool-off only.

Attempts are stored as ``axes.models.AccessAttempt`` rows (the database handler); time is moved by
ageing those rows, never by sleeping.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from axes.helpers import get_cool_off
from axes.models import AccessAttempt, AccessAttemptExpiration
from django.conf import settings
from django.db.models import F
from django.test import Client as HttpClient

from haven.audit.models import AuditEvent
from haven.practices.models import StaffMember
from tests.personas import PASSWORD

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

LOGIN = "/staff/login/"
LOCKOUT_TEMPLATE = "staff/auth/locked_out.html"
ATTACKER = "203.0.113.5"
ELSEWHERE = "198.51.100.7"
PROXY = "10.0.0.1"


def attempt(http: HttpClient, member: StaffMember, password: str, address: str, **meta: Any) -> TestResponse:
    return http.post(LOGIN, {"username": member.user.email, "password": password}, REMOTE_ADDR=address, **meta)


def fail_until_locked(http: HttpClient, member: StaffMember, address: str, **meta: Any) -> TestResponse:
    """Type the wrong password as many times as the limit allows; return the last answer."""
    response = None
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = attempt(http, member, "not the password", address, **meta)
    assert response is not None
    return response


def is_lockout_page(response: TestResponse) -> bool:
    return response.status_code == 429 and LOCKOUT_TEMPLATE in [t.name for t in response.templates]


def logged_in(http: HttpClient) -> bool:
    return "_auth_user_id" in http.session


def age_attempts(by: timedelta) -> None:
    """Move every recorded attempt back in time, as if ``by`` had passed."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - by)
    AccessAttemptExpiration.objects.update(expires_at=F("expires_at") - by)


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_lockout_settings_match_the_security_bar():
    """Five failures per (account, address) pair, with a cool-off rather than a permanent lock."""
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    cool_off = get_cool_off()
    assert cool_off is not None and timedelta(minutes=1) <= cool_off <= timedelta(hours=1)


def test_sixth_attempt_is_refused_with_the_lockout_page_even_with_the_right_password(world):
    """After five wrong passwords the right one is refused too (lockout page, not logged in), and audited."""
    http = HttpClient()
    fifth = fail_until_locked(http, world.theo, ATTACKER)
    assert is_lockout_page(fifth)
    sixth = attempt(http, world.theo, PASSWORD, ATTACKER)
    assert is_lockout_page(sixth), f"right password after lockout answered {sixth.status_code}"
    assert "Too many attempts" in sixth.content.decode()
    assert not logged_in(http)
    assert http.get("/staff/clients/").status_code == 302
    recorded = actions()
    assert recorded.count("auth.login_failed") == 6, recorded
    assert "auth.login" not in recorded
    locked = AuditEvent.objects.filter(action="auth.locked_out").first()
    assert locked is not None and locked.details == {"email": world.theo.user.email}


def test_failures_for_different_accounts_at_one_address_are_counted_apart(world):
    """Four wrong passwords each for Theo and Fran from one office address lock neither account."""
    http = HttpClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        for member in (world.theo, world.fran):
            response = attempt(http, member, "not the password", ATTACKER)
            assert response.status_code == 200, f"{member.user.email} was locked by someone else's failures"
            assert not is_lockout_page(response)
    for member in (world.theo, world.fran):
        response = attempt(HttpClient(), member, PASSWORD, ATTACKER)
        assert response.status_code == 302, f"{member.user.email} could not log in"


def test_a_lockout_at_one_address_does_not_stop_the_account_elsewhere(world):
    """An attacker locking Theo's account from their address cannot keep Theo out from his own."""
    fifth = fail_until_locked(HttpClient(), world.theo, ATTACKER)
    assert is_lockout_page(fifth)
    theo = HttpClient()
    response = attempt(theo, world.theo, PASSWORD, ELSEWHERE)
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert logged_in(theo)


def test_the_lock_lifts_after_the_cool_off(world):
    """Still locked just before the cool-off ends; the right password works once it has passed."""
    cool_off = get_cool_off()
    assert cool_off is not None
    http = HttpClient()
    fail_until_locked(http, world.theo, ATTACKER)
    age_attempts(cool_off - timedelta(minutes=1))
    still_locked = attempt(http, world.theo, PASSWORD, ATTACKER)
    assert is_lockout_page(still_locked), f"right password one minute early answered {still_locked.status_code}"
    assert not logged_in(http)
    age_attempts(cool_off + timedelta(seconds=1))
    response = attempt(http, world.theo, PASSWORD, ATTACKER)
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert logged_in(http)


def test_every_attempt_is_audited_with_who_and_where(world):
    """Each wrong password writes auth.login_failed (typed email, address, no password); success auth.login."""
    http = HttpClient()
    for _ in range(3):
        attempt(http, world.theo, "not the password", ATTACKER, HTTP_USER_AGENT="probe/1.0")
    attempt(http, world.theo, PASSWORD, ATTACKER, HTTP_USER_AGENT="probe/1.0")
    events = list(AuditEvent.objects.filter(action__startswith="auth.").order_by("id"))
    assert [event.action for event in events] == ["auth.login_failed"] * 3 + ["auth.login"]
    for failed in events[:3]:
        assert failed.actor_kind == "anonymous"
        assert failed.details == {"email": world.theo.user.email}
        assert failed.ip == ATTACKER and failed.user_agent == "probe/1.0"
        assert "not the password" not in failed.canonical()
    success = events[3]
    assert success.actor_kind == "staff" and success.actor_id == world.theo.user.pk
    assert success.practice_id == world.riverside.pk and success.ip == ATTACKER


def test_behind_a_trusted_proxy_the_lockout_keys_on_the_forwarded_address(world, settings):
    """With one trusted proxy, the lock applies to the attacker's forwarded address, not the proxy's.

    Otherwise every user shares the proxy's address, and anyone can lock any account out.
    """
    settings.HAVEN_TRUSTED_PROXIES = 1
    fail_until_locked(HttpClient(), world.theo, PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    attacker = attempt(HttpClient(), world.theo, PASSWORD, PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert is_lockout_page(attacker), f"the attacker's address is not locked (answered {attacker.status_code})"
    theo = HttpClient()
    response = attempt(theo, world.theo, PASSWORD, PROXY, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert response.status_code == 302, "Theo, behind the same proxy, was locked out by the attacker"
    assert logged_in(theo)
    failed_from = set(AuditEvent.objects.filter(action="auth.login_failed").values_list("ip", flat=True))
    assert failed_from == {ATTACKER}
