"""A stateless web tier: two web processes behind one address serve the same signed-in people in turn.

Two real granian processes run Haven on the test run's database. A round-robin forwarder on one loopback
address hands each connection to the next of them, and a client with one cookie jar (a new connection per
request, as a browser behind a load balancer may get) signs in as staff and as a portal user. Every step is
answered by the other process than the step before: the CSRF token one process put in a form is accepted by
the other, the session one started is the other's too, and a message set on a POST answered by one is shown
by the other, once.

It runs twice: embedded (local files, each process its own in-memory cache: nothing Haven relies on is in
it) and in scale mode, with files in an S3 bucket and the cache on Redis, where what one process caches the
other reads.
"""

from __future__ import annotations

import contextlib
import html
import itertools
import os
import re
import socket
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from haven.documents.models import Document, DocumentType
from tests.personas import PASSWORD, World, build_world
from tests.scale.conftest import ROOT, Bucket, Process, answers_http, free_port, start_process

FERNET_TOKEN = re.compile(rb"gAAAAA[A-Za-z0-9_\-]+=*")
MARKER = b"Quillfeather-4412 intake"
PDF = b"%PDF-1.4\n% " + MARKER + b"\n%%EOF\n"


# --- One address in front of two processes -----------------------------------------------------------------------


class RoundRobin:
    """A TCP forwarder on 127.0.0.1: each new connection goes to the next backend in turn."""

    def __init__(self, backends: list[tuple[str, int]]) -> None:
        self.backends = backends
        self.served: list[int] = []  # which backend took each connection, in order
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, name="round-robin", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                downstream, _address = self.listener.accept()
            except OSError:  # closed: the test is over
                return
            with self._lock:
                index = len(self.served) % len(self.backends)
                self.served.append(index)
            threading.Thread(target=self._forward, args=(downstream, index), daemon=True).start()

    def _forward(self, downstream: socket.socket, index: int) -> None:
        with downstream, socket.create_connection(self.backends[index], timeout=60) as upstream:
            answer = threading.Thread(target=_pipe, args=(upstream, downstream), daemon=True)
            answer.start()
            _pipe(downstream, upstream)
            answer.join(timeout=60)

    def close(self) -> None:
        self.listener.close()
        self._thread.join(timeout=10)


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)


# --- A browser: one cookie jar, redirects seen, not followed -------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Page:
    status: int
    headers: Message
    body: bytes
    served_by: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def csrf_token(self) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.text)
        assert match, "the page holds no form token"
        return match.group(1)


@dataclass
class Browser:
    port: int
    forwarder: RoundRobin
    cookies: CookieJar = field(default_factory=CookieJar)

    def __post_init__(self) -> None:
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects())

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str) -> Page:
        return self._send(urllib.request.Request(self.origin + path))  # noqa: S310 - our loopback address

    def post(self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes, str]] | None = None) -> Page:
        if files:
            boundary = uuid.uuid4().hex
            body, content_type = _multipart(fields, files, boundary), f"multipart/form-data; boundary={boundary}"
        else:
            body, content_type = urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
        request = urllib.request.Request(  # noqa: S310 - our loopback address
            self.origin + path, data=body, headers={"Content-Type": content_type, "Origin": self.origin}
        )
        return self._send(request)

    def _send(self, request: urllib.request.Request) -> Page:
        before = len(self.forwarder.served)
        try:
            with self._opener.open(request, timeout=60) as response:
                status, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:  # 3xx (not followed) and 4xx/5xx: still an answer
            status, headers, body = error.code, error.headers, error.read()
        assert len(self.forwarder.served) == before + 1, "one request, one connection"
        return Page(status, headers, body, served_by="AB"[self.forwarder.served[before]])

    def follow(self, page: Page) -> Page:
        assert page.status == 302, f"expected a redirect, got {page.status}: {page.text[:500]}"
        return self.get(urllib.parse.urlsplit(page.headers["Location"])._replace(scheme="", netloc="").geturl())


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]], boundary: str) -> bytes:
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data, content_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def in_turn(*pages: Page) -> None:
    """Each step was answered by the other process than the step before."""
    for earlier, later in itertools.pairwise(pages):
        assert earlier.served_by != later.served_by, [page.served_by for page in pages]


# --- Two web processes -----------------------------------------------------------------------------------------------


@dataclass
class Tier:
    browser_port: int
    forwarder: RoundRobin
    bucket: Bucket | None
    redis: redis.Redis | None

    def browser(self) -> Browser:
        return Browser(port=self.browser_port, forwarder=self.forwarder)


def web_environment(settings: Any, data_dir: Path, extra: dict[str, str]) -> dict[str, str]:
    """Haven's settings from the environment, as in production, sharing the test run's database and keys."""
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("HAVEN_")}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "tests.scale.server_settings",
        "PYTHONPATH": str(ROOT),
        "HAVEN_ENV": "test",
        "HAVEN_DATA_DIR": str(data_dir),
        "HAVEN_TEST_DATABASE_NAME": str(connection.settings_dict["NAME"]),
        "HAVEN_SECRET_KEY": settings.SECRET_KEY,
        "HAVEN_FILE_KEYS": ",".join(settings.HAVEN_FILE_KEYS),
        "HAVEN_AUDIT_KEYS": ",".join(settings.HAVEN_AUDIT_KEYS),
        "HAVEN_AUDIT_CHECKPOINT_DIR": str(data_dir / "audit-checkpoints"),
        **extra,
    }


@pytest.fixture(params=["embedded", "scale"])
def tier(request: pytest.FixtureRequest, committed_db: None, settings: Any, tmp_path: Path) -> Iterator[Tier]:
    bucket: Bucket | None = None
    shared: redis.Redis | None = None
    extra: dict[str, str] = {}
    if request.param == "scale":
        bucket = request.getfixturevalue("s3_bucket")
        shared = request.getfixturevalue("redis_cache")  # this process's cache is the same Redis
        extra = {**bucket.environment(), "HAVEN_REDIS_URL": request.getfixturevalue("redis_url")}
    environment = web_environment(settings, tmp_path / "data", extra)
    servers: list[Process] = []
    ports = [free_port(), free_port()]
    try:
        for name, port in zip("AB", ports, strict=True):
            args = [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)]
            args += ["--workers", "1", "--blocking-threads", "4", "--no-access-log", "haven.wsgi:application"]
            servers.append(start_process(f"web process {name}", args, tmp_path / f"web-{name}.log", env=environment))
        for server, port in zip(servers, ports, strict=True):
            server.wait_until(answers_http(f"http://127.0.0.1:{port}/staff/login/"), timeout=90)
        forwarder = RoundRobin([("127.0.0.1", port) for port in ports])
        try:
            yield Tier(browser_port=forwarder.port, forwarder=forwarder, bucket=bucket, redis=shared)
        finally:
            forwarder.close()
    finally:
        for server in servers:
            server.stop()  # before the database is emptied


@pytest.fixture
def people(tier: Tier) -> World:
    return build_world()


def test_a_staff_member_is_served_in_turn_by_both_processes_without_losing_session_csrf_or_message(
    tier: Tier, people: World
) -> None:
    web = tier.browser()
    sign_in_form = web.get("/staff/login/")
    signed_in = web.post(
        "/staff/login/",
        {"username": people.theo.user.email, "password": PASSWORD, "csrfmiddlewaretoken": sign_in_form.csrf_token()},
    )
    landing = web.follow(signed_in)  # the staff home sends on to the client list
    home = web.follow(landing)
    assert home.status == 200 and "/staff/logout/" in home.text  # the session the other process started

    upload_path = reverse("staff:document_upload", kwargs={"client_id": people.max.pk})
    form = web.get(upload_path)
    general = DocumentType.objects.get(practice=people.riverside, name="General Document")
    fields = {"doc_type": str(general.pk), "title": "Intake scan", "document_date": "2025-02-03"}
    uploaded = web.post(
        upload_path,
        {**fields, "csrfmiddlewaretoken": form.csrf_token()},  # the token the other process put in the form
        files={"file": ("scan.pdf", PDF, "application/pdf")},
    )
    log = web.follow(uploaded)
    assert log.status == 200
    assert "“Intake scan” was added to the Activity Log." in html.unescape(log.text)  # set by the other process
    again = web.get(urllib.parse.urlsplit(uploaded.headers["Location"]).path)
    assert "was added to the Activity Log" not in html.unescape(again.text)  # shown once, by one of them

    document = Document.objects.get(title="Intake scan")
    file_path = reverse("staff:document_file", kwargs={"client_id": people.max.pk, "document_id": document.pk})
    served = web.get(file_path)
    assert served.status == 200 and served.body == PDF
    refused = web.post(
        upload_path, {**fields, "csrfmiddlewaretoken": "x" * 64}, files={"file": ("a.pdf", PDF, "application/pdf")}
    )
    assert refused.status == 403  # CSRF is checked, on both

    in_turn(sign_in_form, signed_in, landing, home, form, uploaded, log, again, served, refused)
    assert uploaded.served_by != served.served_by  # a file stored by one process is read by the other
    assert Document.objects.filter(title="Intake scan").count() == 1
    if tier.bucket is not None:  # scale mode: the file is in the bucket, encrypted
        version = document.current_version
        assert version is not None and version.storage_name in tier.bucket.keys()  # noqa: SIM118 - a list of keys, not a dict
        stored = tier.bucket.object_bytes(version.storage_name)
        assert FERNET_TOKEN.fullmatch(stored) and MARKER not in stored


def test_a_portal_user_is_served_in_turn_by_both_processes_without_losing_session_csrf_or_message(
    tier: Tier, people: World
) -> None:
    web = tier.browser()
    sign_in_form = web.get("/p/riverside/")
    signed_in = web.post(
        "/p/riverside/",
        {"username": "gia@example.com", "password": PASSWORD, "csrfmiddlewaretoken": sign_in_form.csrf_token()},
    )
    assert signed_in.status == 302, signed_in.text[:500]
    home = web.follow(signed_in)
    assert home.status == 200 and "Sign out" in home.text

    switched = web.post(
        "/p/riverside/switch/", {"profile": str(people.gia_access_max.pk), "csrfmiddlewaretoken": home.csrf_token()}
    )
    shown = web.follow(switched)
    assert "Now showing Max." in html.unescape(shown.text)  # set on a POST the other process answered
    again = web.get("/p/riverside/home/")
    assert again.status == 200 and "Now showing" not in again.text

    refused = web.post("/p/riverside/switch/", {"profile": str(people.gia_access_max.pk)})
    assert refused.status == 403  # no token, no change
    in_turn(sign_in_form, signed_in, home, switched, shown, again, refused)


def test_what_one_process_caches_the_other_reads_on_redis(tier: Tier, people: World) -> None:
    """Scale mode: the portal handout rendered by one process is served from Redis by the other; embedded,
    each renders its own, and both serve it."""
    web = tier.browser()
    first = web.get("/p/riverside/handout.pdf")
    assert first.status == 200 and first.body.startswith(b"%PDF-")
    if tier.redis is None:
        second = web.get("/p/riverside/handout.pdf")
        assert second.status == 200 and second.body.startswith(b"%PDF-")
        in_turn(first, second)
        return

    [key] = tier.redis.keys("haven:1:haven:portal-handout:*")  # written by the process that rendered it
    name = key.decode() if isinstance(key, bytes) else key
    name = name.removeprefix("haven:1:")
    assert cache.get(name) == first.body
    cache.set(name, b"%PDF- the copy in Redis", timeout=60)  # so the other process's answer shows where it read
    second = web.get("/p/riverside/handout.pdf")
    assert second.body == b"%PDF- the copy in Redis"
    in_turn(first, second)
