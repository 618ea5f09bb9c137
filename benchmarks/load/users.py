"""The simulated people: staff who find a client, read the chart and Activity Log, upload a document and
Share it or Share it to Sign; portal users who read their documents and inbox, open a signature request,
sign it with a drawn signature, then download the sealed PDF and check its seal (with pyHanko, and on the
portal's Check seal page). Each runs in its own thread with its own :class:`Browser`.

What each person did that must be in the database afterwards goes into the :class:`Ledger`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import io
import random
import re
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from benchmarks.load.browser import Answer, Browser, Refused, Stopped

DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Mobile Safari/537.36"
)
TITLE_PREFIX = "Load "  # every document the run uploads; the check counts them by it
SEAL_OK = "Seal intact and valid"
LEDGER_KINDS = ("uploads", "shares", "requests", "signatures", "seal_checks")


@dataclass
class Ledger:
    """What the users did and Haven confirmed: the check finds each of these in the database, and no more."""

    uploads: list[dict[str, Any]] = field(default_factory=list)  # client_id, title, kind
    shares: list[dict[str, Any]] = field(default_factory=list)  # client_id, document_id
    requests: list[dict[str, Any]] = field(default_factory=list)  # client_id, document_id
    signatures: list[dict[str, Any]] = field(default_factory=list)  # client_id, document_id, request_id, email
    seal_checks: list[dict[str, Any]] = field(default_factory=list)  # document_id, pyhanko, page
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, what: str, /, **entry: Any) -> None:
        with self._lock:
            getattr(self, what).append(entry)

    def as_dict(self) -> dict[str, list[dict[str, Any]]]:
        with self._lock:
            return {name: [dict(entry) for entry in getattr(self, name)] for name in LEDGER_KINDS}


def totp(key_hex: str, step: int, digits: int = 6) -> str:
    """RFC 6238 / 4226 with SHA-1: the code an authenticator app shows for time step ``step``."""
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"


def input_value(page: Answer, name: str) -> str:
    """The value of the page's ``<input name=...>``, whatever the order of its attributes."""
    for tag in re.findall(r"<input\b[^>]*>", page.text):
        if re.search(rf'\bname="{re.escape(name)}"', tag):
            found = re.search(r'\bvalue="([^"]*)"', tag)
            return html.unescape(found.group(1)) if found else ""
    raise ValueError(f"no input {name!r} on the page")


def option_value(page: Answer, label: str) -> str:
    found = re.search(rf'<option value="(\d+)"[^>]*>\s*{re.escape(label)}\s*</option>', page.text)
    if found is None:
        raise ValueError(f"no option {label!r} on the page")
    return found.group(1)


def blank_pdf(pages: int, title: str) -> bytes:
    """A real PDF of blank letter pages, made unique by its title (so no two uploads are the same file)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def drawn_signature(seed: int) -> str:
    """What the signing page's script posts: the pad's canvas as a PNG data URL (transparent, dark ink)."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)  # noqa: S311 - a scribble, not a secret
    image = Image.new("RGBA", (720, 240), (0, 0, 0, 0))
    points = [(30 + i * 55, rng.randint(60, 200)) for i in range(12)]
    ImageDraw.Draw(image).line(points, fill=(20, 32, 90, 255), width=5, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def seal_holds(pdf: bytes) -> bool | None:
    """Check the PDF's last seal with pyHanko: None when it carries none yet (the worker has not sealed it),
    else whether the signature is intact, cryptographically valid and covers the whole file."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_regular_signatures
    if not signatures:
        return None
    embedded = signatures[-1]
    # The seal's own certificate as the only root, nothing fetched: this checks the file against its seal
    # (Haven's Check seal page checks that the certificate is the practice's). A context of its own per
    # check, too: the default one loads the system's roots into state that threads would share.
    context = ValidationContext(trust_roots=[embedded.signer_cert], allow_fetching=False)
    status = validate_pdf_signature(embedded, context)
    return bool(
        status.intact and status.valid and status.bottom_line and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    )


class Person:
    """One simulated person: a loop of what they do, stopping when the run does."""

    label_prefix = ""

    def __init__(self, browser: Browser, *, think: float, seed: int) -> None:
        self.browser = browser
        self.think = think
        self.start_after = 0.0  # seconds into the run: people arrive over the ramp-up, not all at once
        self.rng = random.Random(seed)  # noqa: S311 - choices of a simulated user, not secrets
        self.iterations = 0

    def pause(self) -> None:
        if self.think > 0:
            time.sleep(self.rng.uniform(0, 2 * self.think))

    def get(self, path: str, label: str, **kwargs: Any) -> Answer:
        self.pause()
        return self.browser.get(path, f"{self.label_prefix}{label}", **kwargs)

    def post(self, path: str, label: str, fields: list[tuple[str, str]], **kwargs: Any) -> Answer:
        self.pause()
        return self.browser.post(path, f"{self.label_prefix}{label}", fields, **kwargs)

    def follow(self, answer: Answer, label: str, **kwargs: Any) -> Answer:
        return self.browser.follow(answer, f"{self.label_prefix}{label}", **kwargs)

    def sign_in(self) -> None:
        raise NotImplementedError

    def once(self) -> None:
        raise NotImplementedError

    def run(self) -> None:
        """Sign in, then go round until the run stops; an error is recorded and the next round begins."""
        signed_in = False
        try:
            time.sleep(max(0.0, self.start_after - self.browser.recorder.now()))
            while not self.browser.recorder.stopping():
                try:
                    if not signed_in:
                        self.sign_in()
                        signed_in = True
                    self.once()
                    self.iterations += 1
                except Stopped:
                    raise
                except Refused:
                    signed_in = self.still_signed_in()
                    time.sleep(0.5)
                except Exception as error:  # anything unforeseen is an error of the run, never a silent stop
                    self.browser.recorder.fail(f"{self.label_prefix}unexpected", self.browser.who, repr(error))
                    signed_in = self.still_signed_in()
                    time.sleep(0.5)
        except Stopped:
            pass
        finally:
            self.browser.close()

    def still_signed_in(self) -> bool:
        return False


class StaffMember(Person):
    label_prefix = "staff: "

    def __init__(
        self,
        browser: Browser,
        ledger: Ledger,
        *,
        email: str,
        password: str,
        totp_key: str,
        clients: list[dict[str, Any]],
        think: float,
        seed: int,
    ) -> None:
        super().__init__(browser, think=think, seed=seed)
        self.ledger = ledger
        self.email = email
        self.password = password
        self.totp_key = totp_key
        self.clients = clients
        self.last_step = -1
        self.made = 0

    def _fresh_code(self) -> str:
        """The newest code of a time step this person has not used yet (the device refuses a replay)."""
        while (step := int(time.time()) // 30) <= self.last_step:
            time.sleep(0.5)
        self.last_step = step
        return totp(self.totp_key, step)

    def sign_in(self) -> None:
        self.browser.cookies.clear()
        page = self.get("/staff/login/", "sign-in page")
        answer = self.post(
            "/staff/login/",
            "sign in (password)",
            [
                ("csrfmiddlewaretoken", page.csrf_token()),
                ("username", self.email),
                ("password", self.password),
                ("next", "/staff/"),
            ],
        )
        answer = self.follow(answer, "home (before the code)", expect=(302,))
        if not answer.location.startswith("/staff/two-factor/verify/"):
            self.browser._fail("staff: sign in", f"after the password, {answer.location} instead of the code page")
        page = self.follow(answer, "two-factor page")
        answer = self.post(
            "/staff/two-factor/verify/",
            "sign in (code)",
            [("csrfmiddlewaretoken", page.csrf_token()), ("code", self._fresh_code()), ("next", "/staff/")],
        )
        self.follow(self.follow(answer, "home", expect=(302,)), "client list")

    def once(self) -> None:
        client = self.clients[self.iterations % len(self.clients)]
        client_id = client["client_id"]
        chart = f"/staff/clients/{client_id}/"
        listing = self.follow(self.get("/staff/", "home", expect=(302,)), "client list")
        found = self.post(
            "/staff/clients/",
            "client search",
            [("csrfmiddlewaretoken", listing.csrf_token()), ("q", client["name"]), ("status", ""), ("sort", "name")],
            expect=(303,),
        )
        results = self.follow(found, "client search results")
        if f'href="{chart}"' not in results.text:
            self.browser._fail("staff: client search results", f"{client['name']} not found by the search")
        self.get(chart, "chart")
        self.get(f"{chart}documents/", "activity log")
        # Upload a document, then Share it with the client or Share it to Sign, in turn.
        to_sign = self.made % 2 == 1
        self.made += 1
        form = self.get(f"{chart}documents/upload/", "upload page")
        title = f"{TITLE_PREFIX}{'consent' if to_sign else 'letter'} {self.email.split('@')[0]} #{self.made}"
        answer = self.browser.post_multipart(
            f"{chart}documents/upload/",
            "staff: upload",
            [
                ("csrfmiddlewaretoken", form.csrf_token()),
                ("doc_type", option_value(form, "Consent" if to_sign else "General Document")),
                ("title", title),
                ("document_date", input_value(form, "document_date")),
            ],
            [("file", "document.pdf", "application/pdf", blank_pdf(2, title))],
        )
        self.ledger.add("uploads", client_id=client_id, title=title, kind="sign" if to_sign else "share")
        log = self.follow(answer, "activity log")
        found_id = re.search(rf'href="{chart}documents/(\d+)/">{re.escape(html.escape(title))}</a>', log.text)
        if found_id is None:
            self.browser._fail("staff: activity log", f"the upload {title!r} is not in the Activity Log")
        document = f"{chart}documents/{found_id.group(1)}/"
        detail = self.get(document, "document page")
        if to_sign:
            answer = self.post(
                f"{document}share-to-sign/",
                "share to sign",
                [("csrfmiddlewaretoken", detail.csrf_token()), ("signer", "client")],
            )
            self.ledger.add("requests", client_id=client_id, document_id=int(found_id.group(1)))
            page = self.follow(answer, "document page")
            if "The document was shared for signature." not in page.text:
                self.browser._fail("staff: share to sign", f"no confirmation for {title!r}")
        else:
            answer = self.post(
                f"{document}share/", "share", [("csrfmiddlewaretoken", detail.csrf_token()), ("client", "1")]
            )
            self.ledger.add("shares", client_id=client_id, document_id=int(found_id.group(1)))
            page = self.follow(answer, "document page")
            if "Sharing updated." not in page.text:
                self.browser._fail("staff: share", f"no confirmation for {title!r}")


class PortalUser(Person):
    label_prefix = "portal: "

    def __init__(
        self,
        browser: Browser,
        ledger: Ledger,
        *,
        slug: str,
        email: str,
        password: str,
        client_id: int,
        think: float,
        seed: int,
    ) -> None:
        super().__init__(browser, think=think, seed=seed)
        self.ledger = ledger
        self.base = f"/p/{slug}/"
        self.email = email
        self.password = password
        self.client_id = client_id
        self.signature = drawn_signature(seed)
        self.awaiting_seal: list[int] = []

    def accept_invitation(self, path: str) -> None:
        """The invitation link from the email: choose a password, land in the portal, sign out."""
        page = self.get(path, "invitation page")
        token = page.csrf_token()
        answer = self.post(
            path,
            "accept invitation",
            [("csrfmiddlewaretoken", token), ("password1", self.password), ("password2", self.password)],
        )
        home = self.follow(answer, "home")
        self.sign_out(home)

    def sign_out(self, page: Answer) -> None:
        answer = self.post(f"{self.base}logout/", "sign out", [("csrfmiddlewaretoken", page.csrf_token())])
        self.browser.cookies.pop("__Host-sessionid", None)
        if not answer.location.startswith(self.base):
            self.browser._fail("portal: sign out", f"signed out to {answer.location}")

    def sign_in(self) -> None:
        self.browser.cookies.clear()
        page = self.get(self.base, "sign-in page")
        answer = self.post(
            self.base,
            "sign in",
            [("csrfmiddlewaretoken", page.csrf_token()), ("username", self.email), ("password", self.password)],
        )
        self.follow(answer, "home" if answer.location.endswith("/home/") else "inbox")

    def once(self) -> None:
        self.get(f"{self.base}home/", "home")
        self.get(f"{self.base}inbox/", "inbox")
        listing = self.get(f"{self.base}documents/", "my documents")
        documents = [int(d) for d in re.findall(r'data-document="(\d+)"', listing.text)]
        if documents:
            self.get(f"{self.base}documents/{self.rng.choice(documents)}/", "open document")
        requests = [int(r) for r in re.findall(rf'href="{re.escape(self.base)}sign/(\d+)/"', listing.text)]
        if requests:
            self._sign(requests[0])
        if self.awaiting_seal:
            self._check_seal(self.awaiting_seal[0])

    def _sign(self, request_id: int) -> None:
        path = f"{self.base}sign/{request_id}/"
        page = self.get(path, "signing page")
        opened = re.search(rf'href="{re.escape(self.base)}documents/(\d+)/"[^>]*id="open-document"', page.text)
        if opened is None:
            self.browser._fail("portal: signing page", f"request {request_id}: no link to its document")
        document_id = int(opened.group(1))
        if f"{path}pages/1.png" in page.text:
            self.get(f"{path}pages/1.png", "page image")
        answer = self.post(
            path,
            "sign",
            [
                ("csrfmiddlewaretoken", page.csrf_token()),
                ("disclosure_version", page.hidden("disclosure_version")),
                ("consent", "on"),
                ("method", "drawn"),
                ("signature", self.signature),
                ("typed_name", ""),
                ("password", self.password),
            ],
        )
        self.ledger.add(
            "signatures", client_id=self.client_id, document_id=document_id, request_id=request_id, email=self.email
        )
        self.awaiting_seal.append(document_id)
        done = self.follow(answer, "my documents")
        if "Your signature was recorded." not in done.text:
            self.browser._fail("portal: sign", f"request {request_id}: no confirmation after signing")

    def _check_seal(self, document_id: int) -> None:
        """Download the signed document; once the worker has sealed it, check the seal here and on the portal."""
        pdf = self.get(f"{self.base}documents/{document_id}/download/", "download")
        holds = seal_holds(pdf.body)
        if holds is None:
            return  # not sealed yet: the worker is behind; look again next round
        self.awaiting_seal.remove(document_id)
        page = self.get(f"{self.base}documents/{document_id}/verify/", "check seal")
        on_page = SEAL_OK in page.text
        self.ledger.add("seal_checks", document_id=document_id, pyhanko=holds, page=on_page)
        if not (holds and on_page):
            self.browser._fail(
                "portal: check seal", f"document {document_id}: pyHanko {holds}, Check seal page {on_page}"
            )

    def still_signed_in(self) -> bool:
        return "__Host-sessionid" in self.browser.cookies
