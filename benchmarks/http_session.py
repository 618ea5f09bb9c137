"""Signing in for real over HTTP with the standard library, keeping the cookies by hand.

Production cookies are ``__Host-`` and Secure: a browser would send them only over HTTPS, but the server
does not know how the bench reached it, so plain HTTP on loopback carries them back unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import re
import struct
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


def totp(key_hex: str, *, at: float | None = None, step_offset: int = 0, digits: int = 6) -> str:
    """The RFC 6238 code (SHA-1, 30 s steps) django-otp's TOTPDevice accepts for this hex key."""
    counter = int((time.time() if at is None else at) // 30) + step_offset
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Session:
    """One signed-in visitor: a cookie jar and the CSRF token the pages carry."""

    base: str
    cookies: dict[str, str] = field(default_factory=dict)

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Response:
        parts = urlsplit(self.base)
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
        headers = {"Host": "127.0.0.1", "Cookie": self.cookie_header(), "User-Agent": "haven-bench"}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://127.0.0.1{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            text = raw.read().decode("utf-8", "replace")
            for header in raw.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, text)
        finally:
            connection.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict[str, str]) -> Response:
        """GET the page for its CSRF token, then POST the form with it."""
        page = self.get(path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if match is None:
            raise RuntimeError(f"No CSRF token on {path} (status {page.status})")
        return self.request("POST", path, {"csrfmiddlewaretoken": match.group(1), **fields})


def sign_in_staff(base: str, *, email: str, password: str, totp_key: str) -> Session:
    """Password, then the two-step code from the seeded device. A code's step works once: if the last
    sign-in used this step, the next step's code (inside django-otp's tolerance of one step) is used."""
    session = Session(base)
    answer = session.post_form("/staff/login/", {"username": email, "password": password})
    if answer.status != 302:
        raise RuntimeError(f"Staff sign-in refused the password (status {answer.status})")
    for _ in range(3):  # both steps may have been used by the sign-ins just before: then wait for a fresh one
        for offset in (0, 1):
            answer = session.post_form("/staff/two-factor/verify/", {"code": totp(totp_key, step_offset=offset)})
            if answer.status == 302 and "two-factor" not in answer.location:
                return session
        time.sleep(30 - time.time() % 30 + 1)
    raise RuntimeError(f"Staff sign-in refused the two-step code (status {answer.status})")


def sign_in_portal(base: str, *, slug: str, email: str, password: str) -> Session:
    session = Session(base)
    answer = session.post_form(f"/p/{slug}/", {"username": email, "password": password})
    if answer.status != 302:
        raise RuntimeError(f"Portal sign-in refused (status {answer.status})")
    return session


def saved_search(session: Session, text: str) -> str:
    """A client search typed by POST: the address of its results, which names the text by a key."""
    answer = session.post_form("/staff/clients/", {"q": text, "status": "", "sort": ""})
    if answer.status not in (302, 303) or "search=" not in answer.location:
        raise RuntimeError(f"The client search did not answer with its address (status {answer.status})")
    location = urlsplit(answer.location)
    return f"{location.path}?{location.query}"


__all__ = ["Response", "Session", "base64", "saved_search", "sign_in_portal", "sign_in_staff", "totp"]
