"""A browser's part of HTTP, over the standard library: one keep-alive connection, cookies kept by hand
(Haven's production cookies are ``__Host-`` and Secure, which a cookie jar would not send over loopback
HTTP), CSRF tokens read from each form, the Origin header a browser sends with a form, and file uploads.

Every request is timed into a :class:`~benchmarks.load.report.Recorder` under a label; an answer with a
status other than the expected one is an error, recorded, and raised as :class:`Refused`.
"""

from __future__ import annotations

import html
import http.client
import re
import secrets
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import NoReturn
from urllib.parse import urlencode, urlsplit

from benchmarks.load.report import Recorder

TIMEOUT_SECONDS = 60.0
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Refused(Exception):
    """An answer the user did not expect (or no answer): recorded as an error already."""


class Stopped(Exception):
    """The run reached its time limit or request count: no new request starts."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        """Where a redirect points, as a path on this server."""
        target = self.headers.get("location", "")
        parts = urlsplit(target)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def csrf_token(self) -> str:
        found = CSRF_INPUT.search(self.text)
        if found is None:
            raise ValueError("no CSRF token on the page")
        return html.unescape(found.group(1))

    def hidden(self, name: str) -> str:
        found = re.search(rf'<input type="hidden" name="{re.escape(name)}" value="([^"]*)"', self.text)
        if found is None:
            raise ValueError(f"no hidden input {name!r} on the page")
        return html.unescape(found.group(1))


class Browser:
    """One person's browser: cookies, one connection, and every request recorded."""

    def __init__(self, base_url: str, recorder: Recorder, who: str, user_agent: str) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
            raise ValueError("the load run speaks only to a server on loopback")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.origin = f"http://{parts.netloc}"
        self.recorder = recorder
        self.who = who
        self.user_agent = user_agent
        self.cookies: dict[str, str] = {}
        self._connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # --- requests -------------------------------------------------------------------------------

    def get(self, path: str, label: str, *, expect: Collection[int] = (200,)) -> Answer:
        return self._request("GET", path, label, expect=expect)

    def post(
        self, path: str, label: str, fields: Sequence[tuple[str, str]], *, expect: Collection[int] = (302,)
    ) -> Answer:
        body = urlencode(list(fields)).encode("ascii")
        return self._request(
            "POST", path, label, body=body, content_type="application/x-www-form-urlencoded", expect=expect
        )

    def post_multipart(
        self,
        path: str,
        label: str,
        fields: Sequence[tuple[str, str]],
        files: Sequence[tuple[str, str, str, bytes]],
        *,
        expect: Collection[int] = (302,),
    ) -> Answer:
        """A form with files: ``files`` holds (field, filename, content type, bytes)."""
        boundary = f"----haven-load-{secrets.token_hex(12)}"
        parts: list[bytes] = []
        for name, value in fields:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, filename, content_type, data in files:
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            )
            parts.append(head.encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self._request(
            "POST",
            path,
            label,
            body=b"".join(parts),
            content_type=f"multipart/form-data; boundary={boundary}",
            expect=expect,
        )

    def follow(self, answer: Answer, label: str, *, expect: Collection[int] = (200,)) -> Answer:
        """GET where a redirect points, as a browser does."""
        if not answer.location:
            self._fail(label, f"a redirect without a Location (status {answer.status})")
        return self.get(answer.location, label, expect=expect)

    def _request(
        self,
        method: str,
        path: str,
        label: str,
        *,
        body: bytes | None = None,
        content_type: str = "",
        expect: Collection[int],
    ) -> Answer:
        if not self.recorder.take_turn():
            raise Stopped
        headers = {
            "Host": f"{self.host}:{self.port}",
            "User-Agent": self.user_agent,
            "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
            "Accept-Language": "en",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = content_type
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        started = time.perf_counter()
        try:
            answer = self._send(method, path, body, headers)
        except (OSError, http.client.HTTPException) as error:
            self.close()
            self.recorder.add(label, time.perf_counter() - started, ok=False)
            self._fail(label, f"{method} {path}: no answer ({type(error).__name__}: {error})")
        seconds = time.perf_counter() - started
        ok = answer.status in expect
        self.recorder.add(label, seconds, ok=ok)
        if not ok:
            where = f" to {answer.location}" if answer.location else ""
            snippet = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.text))[:200] if answer.body else ""
            self._fail(label, f"{method} {path}: {answer.status}{where}, expected {sorted(expect)}. {snippet}")
        return answer

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Answer:
        """Send on the kept connection; a GET on a connection the server closed meanwhile is sent again once."""
        for attempt in (1, 2):
            reused = self._connection is not None
            if self._connection is None:
                self._connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_SECONDS)
            try:
                self._connection.request(method, path, body=body, headers=headers)
                response = self._connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt == 1 and reused and method == "GET":
                    continue
                raise
            answer_headers = {k.lower(): v for k, v in response.getheaders()}
            self._keep_cookies(response.msg.get_all("Set-Cookie") or [])
            if response.will_close:
                self.close()
            return Answer(status=response.status, headers=answer_headers, body=data)
        raise AssertionError("unreachable")

    def _keep_cookies(self, lines: list[str]) -> None:
        for line in lines:
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(line)
            except CookieError:
                continue
            for name, morsel in jar.items():
                expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
                if expired or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def _fail(self, label: str, problem: str) -> NoReturn:
        self.recorder.fail(label, self.who, problem)
        raise Refused(problem)
