"""The CSRF mask and secret drawn in one read of the system's random source (``haven.core.csrf``): what Django's
middleware draws, equally likely characters of its alphabet, and tokens it still accepts (and forgeries it refuses)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.middleware import csrf as django_csrf
from django.test import Client as HttpClient
from django.test import RequestFactory

from haven.core import csrf
from tests.personas import World

ALPHABET = django_csrf.CSRF_ALLOWED_CHARS


def test_djangos_middleware_draws_its_masks_and_new_secrets_with_havens_function(monkeypatch) -> None:
    drawn = iter([bytes(range(48)), bytes(range(48, 96))])
    monkeypatch.setattr(csrf.secrets, "token_bytes", lambda size: next(drawn))
    request = RequestFactory().get("/")
    token = django_csrf.get_token(request)  # a new cookie's secret (first read), then the mask (second)
    assert request.META["CSRF_COOKIE"] == "".join(ALPHABET[n] for n in range(32))
    assert token[:32] == "".join(ALPHABET[n % 62] for n in range(48, 80))
    assert django_csrf._unmask_cipher_token(token) == request.META["CSRF_COOKIE"]  # type: ignore[attr-defined]


def test_bytes_that_would_favour_some_characters_are_drawn_again(monkeypatch) -> None:
    # 248 to 255 would make the first 8 characters likelier than the rest: refused, and more bytes are read.
    drawn = iter([bytes([255, 248, 0, 249] * 12), bytes(range(100, 148))])
    monkeypatch.setattr(csrf.secrets, "token_bytes", lambda size: next(drawn))
    assert csrf.new_csrf_string() == ALPHABET[0] * 12 + "".join(ALPHABET[n % 62] for n in range(100, 120))


def test_every_character_of_the_alphabet_is_about_equally_likely() -> None:
    counts = Counter("".join(csrf.new_csrf_string() for _ in range(2000)))
    assert set(counts) == set(ALPHABET)
    expected = 2000 * 32 / 62  # about 1,032; the standard deviation is about 32
    assert all(abs(count - expected) < 250 for count in counts.values()), counts
    assert all(len(csrf.new_csrf_string()) == 32 for _ in range(100))


@pytest.mark.django_db
def test_a_token_from_a_page_is_accepted_and_a_forged_one_refused(world: World) -> None:
    http = HttpClient(enforce_csrf_checks=True)
    page = http.get("/staff/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    fields = {"username": world.theo.user.email, "password": "wrong password"}
    assert http.post("/staff/login/", {**fields, "csrfmiddlewaretoken": token.group(1)}).status_code == 200
    assert http.post("/staff/login/", {**fields, "csrfmiddlewaretoken": "x" * 64}).status_code == 403
