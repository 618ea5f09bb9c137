"""The printable PDFs: the instruction sheet with its one-time PIN (ACC-7) and the portal handout (ACC-12)."""

from __future__ import annotations

import datetime
import io
import logging

import pytest
import segno
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject, NumberObject

from haven.core.pdf import DataOnlyURLFetcher, RefusedURLError
from haven.portal_access.documents import render_instruction_sheet, render_portal_handout
from haven.portal_access.models import AccessKind, AccessStatus, PortalAccount, ProfileAccess

PIN = "48151623"


@pytest.fixture
def access(world) -> ProfileAccess:
    account = PortalAccount.objects.create(email="gia.moreno@example.net", full_name="Gia Moreno")
    access = ProfileAccess(
        account=account,
        kind=AccessKind.CONTACT,
        contact=world.gia,
        practice=world.riverside,
        client=world.max,
        status=AccessStatus.PENDING,
    )
    access.set_pin(PIN)
    access.save()
    return access


@pytest.fixture(autouse=True)
def _no_weasyprint_warnings(caplog):
    """A refused URL, a broken image or a CSS mistake shows up as a WeasyPrint warning: none allowed."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    yield
    records = caplog.get_records("call")
    warnings = [r.getMessage() for r in records if r.name.startswith("weasyprint") and r.levelno >= logging.WARNING]
    assert warnings == []


def small_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 12), "#2f6f73").save(buffer, "PNG")
    return buffer.getvalue()


def give_logo(practice) -> None:
    practice.logo = small_png()
    practice.logo_content_type = "image/png"
    practice.save()


def read(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in read(pdf).pages)


def image_xobjects(pdf: bytes) -> list[tuple[int, int]]:
    """The size of each image XObject on page 1."""
    resources = read(pdf).pages[0]["/Resources"].get_object()
    assert isinstance(resources, DictionaryObject)
    xobjects = resources.get("/XObject", DictionaryObject()).get_object()
    assert isinstance(xobjects, DictionaryObject)
    sizes = []
    for reference in xobjects.values():
        xobject = reference.get_object()
        assert isinstance(xobject, DictionaryObject)
        if xobject["/Subtype"] == "/Image":
            width, height = xobject["/Width"], xobject["/Height"]
            assert isinstance(width, NumberObject) and isinstance(height, NumberObject)
            sizes.append((int(width), int(height)))
    return sizes


def title_of(pdf: bytes) -> str | None:
    metadata = read(pdf).metadata
    assert metadata is not None
    return metadata.title


def qr_runs_drawn(pdf: bytes) -> set[tuple[float, float, float]]:
    """The QR code's dark runs as drawn on page 1 (segno draws each run as one line), moved to the origin."""
    reader = read(pdf)
    operations = ContentStream(reader.pages[0].get_contents(), reader).operations
    runs = set()
    for (start, op1), (end, op2), (_, op3) in zip(operations, operations[1:], operations[2:], strict=False):
        if op1 == b"m" and op2 == b"l" and op3 not in (b"l", b"c") and start[1] == end[1]:
            runs.add((float(start[0]), float(start[1]), float(end[0])))
    if not runs:
        return set()
    left, top = min(r[0] for r in runs), min(r[1] for r in runs)
    return {(x1 - left, y - top, x2 - left) for x1, y, x2 in runs}


def qr_runs_expected(url: str, error: str) -> set[tuple[float, float, float]]:
    matrix = segno.make_qr(url, error=error, boost_error=False).matrix
    runs = set()
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.add((float(start), float(y), float(x)))
            else:
                x += 1
    return runs


def assert_qr_code_for(pdf: bytes, url: str) -> None:
    drawn = qr_runs_drawn(pdf)
    assert len(drawn) > 50, "no QR code drawn on the page"
    assert any(drawn == qr_runs_expected(url, level) for level in "lmqh"), "the QR code does not encode the URL"


# The instruction sheet (ACC-7)


def test_instruction_sheet_has_everything_needed_to_sign_in(access, world):
    pdf = render_instruction_sheet(access, pin=PIN)
    text = text_of(pdf)

    assert len(read(pdf).pages) == 1
    assert PIN in text
    assert "gia.moreno@example.net" in text
    assert world.riverside.portal_url in text
    assert "Riverside Counseling" in text
    assert "Profile Max Moreno" in text
    assert "Your role Legal guardian" in text
    assert "Forgot Password" in text
    assert title_of(pdf) == "Portal access instructions · Riverside Counseling"


def test_instruction_sheet_without_pin_says_none_is_needed(access):
    access.status = AccessStatus.ACTIVE
    access.pin_hash = ""
    access.save()

    text = text_of(render_instruction_sheet(access, pin=""))

    assert PIN not in text
    assert "already confirmed" in text
    assert "Enter your portal PIN" not in text


def test_instruction_sheet_for_a_pending_link_without_pin_sends_them_to_the_practice(access):
    text = text_of(render_instruction_sheet(access, pin=""))

    assert PIN not in text
    assert "already confirmed" not in text
    assert "Ask us for a portal PIN" in text


def test_pin_expiry_is_a_date_in_the_practice_time_zone(access):
    # 03:00 UTC on 15 March is still 14 March in Chicago.
    access.pin_expires_at = datetime.datetime(2030, 3, 15, 3, 0, tzinfo=datetime.UTC)
    access.save()

    text = text_of(render_instruction_sheet(access, pin=PIN))

    assert "March 14, 2030" in text
    assert "March 15, 2030" not in text


def test_instruction_sheet_carries_the_qr_code_to_the_portal(access, world):
    assert_qr_code_for(render_instruction_sheet(access, pin=PIN), world.riverside.portal_url)


def test_instruction_sheet_embeds_the_practice_logo(access, world):
    assert image_xobjects(render_instruction_sheet(access, pin=PIN)) == []

    give_logo(world.riverside)
    access.refresh_from_db()

    assert image_xobjects(render_instruction_sheet(access, pin=PIN)) == [(24, 12)]


def test_a_self_access_sheet_names_the_client_as_client(world):
    account = PortalAccount.objects.create(email="ana.portal@example.net", full_name="Ana Alvarez")
    access = ProfileAccess.objects.create(
        account=account, kind=AccessKind.SELF, practice=world.riverside, client=world.ana, status=AccessStatus.ACTIVE
    )

    text = text_of(render_instruction_sheet(access, pin=""))

    assert "Profile Ana Alvarez" in text
    assert "Your role Client" in text


# The portal handout (ACC-12)


def test_handout_describes_the_portal_and_how_to_get_in(world):
    practice = world.riverside
    practice.phone = "(312) 555-0142"
    practice.email = "hello@riverside.example"
    practice.save()

    pdf = render_portal_handout(practice)
    text = text_of(pdf)

    assert len(read(pdf).pages) == 1
    assert title_of(pdf) == "Your online portal · Riverside Counseling"
    assert "Riverside Counseling" in text
    assert practice.portal_url in text
    for offer in ("upcoming appointments", "documents", "intake forms", "secure messages", "payments"):
        assert offer in text
    assert "invitation" in text
    assert "24 hours" in text
    assert "Forgot Password" in text
    assert "(312) 555-0142" in text
    assert "hello@riverside.example" in text
    assert "From Riverside Counseling" not in text  # no text of its own yet


def test_handout_shows_the_practice_text_escaped_with_its_line_breaks(world):
    practice = world.riverside
    practice.portal_handout_text = "Our front desk can help you set up the portal.\n<b>Call us</b> on weekdays."
    practice.save()

    text = text_of(render_portal_handout(practice))
    lines = [line.strip() for line in text.splitlines()]

    assert "From Riverside Counseling" in text
    assert "Our front desk can help you set up the portal." in lines
    assert "<b>Call us</b> on weekdays." in lines


def test_handout_carries_the_qr_code_and_logo(world):
    give_logo(world.riverside)

    pdf = render_portal_handout(world.riverside)

    assert_qr_code_for(pdf, world.riverside.portal_url)
    assert image_xobjects(pdf) == [(24, 12)]


# Nothing is fetched


@pytest.mark.parametrize(
    "url",
    ["https://example.com/logo.png", "http://127.0.0.1:8000/p/riverside/logo/", "file:///etc/passwd", "ftp://x/y"],
)
def test_url_fetcher_refuses_anything_but_data_uris(url):
    fetcher = DataOnlyURLFetcher()
    with pytest.raises(RefusedURLError):
        fetcher(url)
    with pytest.raises(RefusedURLError):
        fetcher.fetch(url)


def test_url_fetcher_reads_data_uris():
    response = DataOnlyURLFetcher()("data:text/plain;base64,SGF2ZW4=")
    try:
        assert response.read() == b"Haven"
    finally:
        response.close()


def test_a_remote_image_in_a_template_is_left_out_not_fetched(access, world, monkeypatch, caplog):
    """Even a logo that is a URL (it never is) costs no request: the fetcher refuses it."""
    monkeypatch.setattr("haven.portal_access.documents.logo_data_uri", lambda practice: "https://example.com/logo.png")
    calls: list[str] = []
    original = DataOnlyURLFetcher.fetch

    def spy(self, url, headers=None):
        calls.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(DataOnlyURLFetcher, "fetch", spy)

    pdf = render_instruction_sheet(access, pin=PIN)

    assert [url for url in calls if not url.startswith("data:")] == ["https://example.com/logo.png"]
    assert image_xobjects(pdf) == []
    assert any("example.com" in r.getMessage() for r in caplog.records)
    caplog.clear()  # the warning is expected here


def test_the_handout_is_rendered_once_until_what_it_shows_changes(world, monkeypatch):
    """Anyone can download the handout: repeated downloads reuse one rendering; a new text makes a new one."""
    from django.core.cache import cache

    import haven.portal_access.documents as documents

    cache.clear()
    renders: list[str] = []
    real = documents.write_pdf

    def counting_write_pdf(template_name, context):
        renders.append(template_name)
        return real(template_name, context)

    monkeypatch.setattr(documents, "write_pdf", counting_write_pdf)
    first = render_portal_handout(world.riverside)
    assert render_portal_handout(world.riverside) == first
    assert len(renders) == 1
    world.riverside.portal_handout_text = "Call us on weekdays."
    assert "Call us on weekdays." in "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(render_portal_handout(world.riverside))).pages
    )
    assert len(renders) == 2
