"""A per-account limit on password guessing that does not depend on the address (staff and portal).

django-axes counts failures per account and address, so a guesser spread over many addresses is
never stopped by it. After a few failures for one account, from anywhere, each further attempt must
wait a delay that doubles up to a cap: the guesser gets a handful of tries an hour, while the real
user waits minutes at most, and is never locked out. Time is moved with a clock, never by sleeping.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.core.models import SignInThrottle
from tests.personas import PASSWORD

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

FREE_TRIES = 3
FIRST_DELAY = 5
MAX_DELAY = 60
WORLDS = {
    "staff": ("/staff/login/", "theo@riverside.example", "auth"),
    "portal": ("/p/riverside/", "gia@example.com", "portal"),
}


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now: datetime = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, settings) -> Clock:
    settings.HAVEN_LOGIN_ACCOUNT_FREE_TRIES = FREE_TRIES
    settings.HAVEN_LOGIN_ACCOUNT_FIRST_DELAY_SECONDS = FIRST_DELAY
    settings.HAVEN_LOGIN_ACCOUNT_MAX_DELAY_SECONDS = MAX_DELAY
    return Clock(monkeypatch)


class Guesser:
    """Every attempt from a new address, so the per-address lockout never sees two."""

    def __init__(self, world: str) -> None:
        self.url, self.email, self.prefix = WORLDS[world]
        self.addresses = (f"198.51.100.{n}" for n in range(1, 255))

    def attempt(self, password: str, *, email: str | None = None, http: HttpClient | None = None) -> TestResponse:
        return (http or HttpClient()).post(
            self.url, {"username": email or self.email, "password": password}, REMOTE_ADDR=next(self.addresses)
        )

    def use_free_tries(self) -> None:
        for _ in range(FREE_TRIES):
            response = self.attempt("not the password")
            assert response.status_code == 200 and "match" in response.content.decode()


def signed_in(response: TestResponse) -> bool:
    return response.status_code == 302


def is_refused(response: TestResponse) -> bool:
    return response.status_code == 429 and "too many sign-in attempts for this account" in response.content.decode()


def page_without_tokens(response: TestResponse) -> str:
    page = response.content.decode()
    return re.sub(r'("csrfmiddlewaretoken" value=|"X-CSRFToken": |nonce=)"?[\w-]+"?', "", page)


@pytest.mark.parametrize("world_name", ["staff", "portal"])
def test_a_guesser_using_many_addresses_must_wait_even_with_the_right_password(world_name, world, clock):
    guesser = Guesser(world_name)
    guesser.use_free_tries()
    refused = guesser.attempt(PASSWORD)
    assert is_refused(refused), f"answered {refused.status_code}"
    assert f'value="{guesser.email}"' in refused.content.decode()  # what was typed is kept
    throttled = AuditEvent.objects.filter(action=f"{guesser.prefix}.login_throttled")
    assert [(event.details["email"], event.ip) for event in throttled] == [(guesser.email, "198.51.100.4")]
    assert PASSWORD not in throttled[0].canonical()
    assert not AuditEvent.objects.filter(action=f"{guesser.prefix}.login")
    clock.advance(FIRST_DELAY)
    assert signed_in(guesser.attempt(PASSWORD))


@pytest.mark.parametrize("world_name", ["staff", "portal"])
def test_the_delay_doubles_with_each_failure_up_to_a_cap_so_the_real_user_waits_minutes_at_most(
    world_name, world, clock
):
    guesser = Guesser(world_name)
    guesser.use_free_tries()
    delay = FIRST_DELAY
    for _ in range(6):
        clock.advance(delay - 1)
        assert is_refused(guesser.attempt("not the password"))
        clock.advance(1)
        assert not is_refused(guesser.attempt("not the password"))
        delay = min(delay * 2, MAX_DELAY)
    assert delay == MAX_DELAY
    clock.advance(MAX_DELAY)
    assert signed_in(guesser.attempt(PASSWORD))
    # A success starts the count again.
    guesser.use_free_tries()


@pytest.mark.parametrize("world_name", ["staff", "portal"])
def test_the_refusal_does_not_tell_a_right_password_or_a_known_email_apart(world_name, world, clock):
    guesser = Guesser(world_name)
    guesser.use_free_tries()
    unknown = "nobody@example.com"
    for _ in range(FREE_TRIES):
        guesser.attempt("not the password", email=unknown)
    pages = [
        page_without_tokens(guesser.attempt(PASSWORD)).replace(guesser.email, "EMAIL"),
        page_without_tokens(guesser.attempt("not the password")).replace(guesser.email, "EMAIL"),
        page_without_tokens(guesser.attempt(PASSWORD, email=unknown)).replace(unknown, "EMAIL"),
    ]
    assert "too many sign-in attempts for this account" in pages[0]
    assert pages[0] == pages[1] == pages[2]


def test_failures_are_forgotten_after_a_quiet_window(world, clock, settings):
    settings.HAVEN_LOGIN_ACCOUNT_WINDOW_MINUTES = 60
    guesser = Guesser("staff")
    guesser.use_free_tries()
    clock.advance(61 * 60)
    guesser.use_free_tries()  # no delay: the earlier failures no longer count


def test_staff_and_portal_attempts_for_one_email_are_counted_apart(world, clock):
    """gia@example.com has a portal account; failures there must not slow a staff sign-in, nor the reverse."""
    portal = Guesser("portal")
    portal.use_free_tries()
    staff = Guesser("staff")
    staff.email = portal.email
    staff.use_free_tries()


def test_counts_nobody_added_to_for_a_while_are_removed(world, clock, settings):
    settings.HAVEN_LOGIN_ACCOUNT_WINDOW_MINUTES = 60
    Guesser("staff").attempt("not the password", email="someone@example.com")
    assert SignInThrottle.objects.count() == 1
    clock.advance(2 * 60 * 60)
    Guesser("staff").attempt("not the password", email="someone.else@example.com")
    assert SignInThrottle.objects.count() == 1
