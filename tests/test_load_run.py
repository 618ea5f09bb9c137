"""The pieces of `make load` that can be shown without the load itself: the percentiles and the summary, the
stop at a time limit or a request count, the authenticator codes, the browser's cookies over loopback HTTP,
the mail server Haven's SMTP backend talks to, and the accounting on a tiny world."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.mail import EmailMessage
from django.utils import timezone

from benchmarks.load.browser import Browser, Refused, Stopped
from benchmarks.load.check import account
from benchmarks.load.report import Recorder, Sample, percentile, summarise, text_table
from benchmarks.load.smtp import MailServer
from benchmarks.load.users import TITLE_PREFIX, Ledger, Person, blank_pdf, seal_holds, totp
from haven.core.encryption import read_decrypted
from haven.documents.actions import set_recipients, upload_document
from haven.documents.models import DocumentType
from haven.signing.models import Signature
from haven.signing.requests import request_signature
from haven.signing.tests.flow import sign
from tests.personas import World, give_ana_a_portal_login


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.50) == 50
    assert percentile(values, 0.95) == 95
    assert percentile(values, 0.99) == 99
    assert percentile(values, 1.0) == 100
    assert percentile([7.0], 0.99) == 7
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2  # order of arrival does not matter
    assert math.isnan(percentile([], 0.5))


def test_summary_counts_requests_errors_and_throughput_per_label_then_in_total() -> None:
    samples = [Sample("a", 1, 0.010, True), Sample("a", 2, 0.030, False), Sample("b", 3, 0.020, True)]
    rows = summarise(samples, seconds=2.0)
    assert [(r.label, r.requests, r.errors, r.per_second) for r in rows] == [
        ("a", 2, 1, 1.0),
        ("b", 1, 0, 0.5),
        ("all", 3, 1, 1.5),
    ]
    assert rows[-1].p50_ms == pytest.approx(20) and rows[-1].max_ms == pytest.approx(30)
    table = text_table(rows).splitlines()
    assert table[0].split()[:3] == ["request", "count", "errors"] and table[-1].split()[:3] == ["all", "3", "1"]


def test_the_run_stops_at_its_request_count_or_its_time_limit() -> None:
    counted = Recorder(duration=3600, max_requests=3)
    assert [counted.take_turn() for _ in range(5)] == [True, True, True, False, False]
    assert counted.issued == 3 and counted.stopping()
    timed = Recorder(duration=0, max_requests=100)
    assert not timed.take_turn() and timed.issued == 0


def test_codes_are_those_of_an_authenticator_app() -> None:
    """RFC 6238's SHA-1 test key at T=59 s (step 1) and T=1111111109 s, six digits as django-otp asks."""
    key = b"12345678901234567890".hex()
    assert totp(key, 59 // 30) == "287082"
    assert totp(key, 1111111109 // 30) == "081804"


class _Site(BaseHTTPRequestHandler):
    """Sets a production-style session cookie (``__Host-``, Secure) and shows the cookies it gets back."""

    def do_GET(self) -> None:
        if self.path == "/set":
            self.send_response(200)
            self.send_header("Set-Cookie", "__Host-sessionid=abc123; HttpOnly; Path=/; SameSite=Lax; Secure")
        elif self.path == "/clear":
            self.send_response(200)
            self.send_header(
                "Set-Cookie", '__Host-sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; Secure'
            )
        else:
            self.send_response(404)
        body = (self.headers.get("Cookie") or "-").encode()
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_browser_keeps_secure_cookies_over_loopback_http_and_records_each_answer(site: str) -> None:
    recorder = Recorder(duration=60, max_requests=4)
    browser = Browser(site, recorder, who="tester", user_agent="test")
    assert browser.get("/set", "set").text == "-"
    assert browser.get("/clear", "clear").text == "__Host-sessionid=abc123"  # sent back although Secure
    with pytest.raises(Refused):
        browser.get("/missing", "missing")
    assert browser.cookies == {}
    with pytest.raises(Refused):  # the cookie was cleared, and a 404 is not what was expected
        browser.get("/missing", "missing")
    with pytest.raises(Stopped):
        browser.get("/set", "set")
    browser.close()
    assert [(s.label, s.ok) for s in recorder.samples] == [
        ("set", True),
        ("clear", True),
        ("missing", False),
        ("missing", False),
    ]
    assert [f.label for f in recorder.failures] == ["missing", "missing"]
    assert "404" in recorder.failures[0].problem


class _Clumsy(Person):
    """Signs in with one request; every other round breaks in an unforeseen way before a request."""

    def sign_in(self) -> None:
        self.browser.get("/set", "sign in")

    def once(self) -> None:
        if self.iterations % 2 == 0:
            self.iterations += 1
            raise RuntimeError("unforeseen")
        self.browser.get("/clear", "round")


def test_a_person_stops_with_the_run_and_an_unforeseen_exception_is_an_error(site: str) -> None:
    recorder = Recorder(duration=60, max_requests=3)
    person = _Clumsy(Browser(site, recorder, who="clumsy", user_agent="test"), think=0, seed=1)
    finished = threading.Thread(target=person.run, daemon=True)
    finished.start()
    finished.join(timeout=30)
    assert not finished.is_alive(), "the person kept going after the run's last request"
    assert recorder.issued == 3
    assert {f.label for f in recorder.failures} == {"unexpected"}
    assert "unforeseen" in recorder.failures[0].problem


def test_the_browser_speaks_only_to_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        Browser("http://example.com", Recorder(duration=1, max_requests=1), who="x", user_agent="x")


def test_the_mail_server_keeps_what_djangos_smtp_backend_sends(settings: Any) -> None:
    server = MailServer().start()
    try:
        # As production configures it (haven/settings.py), pointed at the mail server.
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": server.port, "username": "", "password": "", "use_tls": False},
            }
        }
        message = EmailMessage(
            subject="Invitation",
            body="Follow https://127.0.0.1/p/riverbend/invitation/abc-123/ to begin.\n",
            from_email="haven@example.com",
            to=["someone@example.com"],
        )
        assert message.send() == 1
        mails = server.received()
        assert len(mails) == 1
        assert mails[0].recipients == ("someone@example.com",)
        assert "/p/riverbend/invitation/abc-123/" in mails[0].text
    finally:
        server.stop()


def _run_on_a_tiny_world(world: World, capture: Any, *, worker_runs: bool = True) -> Ledger:
    """What the users of a load run do, through the same actions, and the ledger they would keep."""
    access = give_ana_a_portal_login(world)
    ledger = Ledger()
    types = {t.name: t for t in DocumentType.objects.filter(practice=world.riverside)}
    letter_title, consent_title = f"{TITLE_PREFIX}letter 1", f"{TITLE_PREFIX}consent 1"
    letter, consent = (
        upload_document(
            by=world.ada,
            client=world.ana,
            doc_type=types[name],
            title=title,
            document_date=timezone.localdate(),
            data=blank_pdf(1, title),
        )
        for name, title in (("General Document", letter_title), ("Consent", consent_title))
    )
    set_recipients(by=world.ada, document=letter, all_authorized=False, client=True, contacts=[])
    with capture(execute=worker_runs):  # the seal task runs once the signature commits
        request = request_signature(by=world.ada, document=consent, signer_key="client")
        sign(request, access.account, access)
    for title in (letter_title, consent_title):
        ledger.add("uploads", client_id=world.ana.pk, title=title, kind="load")
    ledger.add("shares", client_id=world.ana.pk, document_id=letter.pk)
    ledger.add("requests", client_id=world.ana.pk, document_id=consent.pk)
    ledger.add(
        "signatures",
        client_id=world.ana.pk,
        document_id=consent.pk,
        request_id=request.pk,
        email=access.account.email,
    )
    return ledger


def test_accounting_finds_everything_the_users_did(world: World, django_capture_on_commit_callbacks: Any) -> None:
    ledger = _run_on_a_tiny_world(world, django_capture_on_commit_callbacks)
    result = account(ledger.as_dict(), practice_slug="riverside")
    assert result.problems == []
    assert result.counts["uploads"] == 2
    assert result.counts["shares"] == 2  # the letter's, and the consent's (Share to Sign shares it)
    assert result.counts["signature requests"] == 1
    assert result.counts["signatures"] == 1
    assert result.counts["sealed and verified"] == 1
    sealed = Signature.objects.get().signed_version
    assert sealed is not None and seal_holds(read_decrypted(sealed.storage_name)) is True


def test_accounting_reports_what_is_missing_and_what_no_user_made(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    ledger = _run_on_a_tiny_world(world, django_capture_on_commit_callbacks).as_dict()
    ledger["uploads"].append({"client_id": world.ana.pk, "title": f"{TITLE_PREFIX}never stored", "kind": "load"})
    ledger["shares"].append({"client_id": world.ana.pk, "document_id": ledger["requests"][0]["document_id"] + 99})
    ledger["signatures"].clear()  # a signature in the database that no user saw confirmed
    problems = account(ledger, practice_slug="riverside").problems
    assert any("never stored" in p and "0 in the database" in p for p in problems)
    assert any(p.startswith("share of document") and "missing" in p for p in problems)
    assert any("no user saw it confirmed" in p for p in problems)
    assert len(problems) == 3


def test_accounting_reports_a_signature_without_its_sealed_pdf(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    ledger = _run_on_a_tiny_world(world, django_capture_on_commit_callbacks, worker_runs=False)
    problems = account(ledger.as_dict(), practice_slug="riverside").problems
    assert len(problems) == 1 and "has no sealed PDF" in problems[0]
