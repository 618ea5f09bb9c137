"""The drawn signature on the page and the signature certificate page (PRODUCT.md SIGN-5)."""

from __future__ import annotations

import datetime
import hashlib
import re
from io import BytesIO

import pytest
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from weasyprint import HTML  # type: ignore[import-untyped]

from haven.core.pdf import DataOnlyURLFetcher
from haven.signing.seal import seal_pdf, verify_pdf
from haven.signing.stamping import (
    CERTIFICATE_FIELDS,
    SIGNATURE_AREA_ID,
    InvalidSignatureImage,
    UnreadablePdf,
    append_certificate_page,
    find_signature_area,
    render_signature_certificate,
    stamp_signature,
)
from haven.signing.tests.helpers import document_pdf, page_images, signature_png


def _certificate_context(world) -> dict:
    return {
        "practice": world.riverside,
        "signer_name": "Gia Moreno",
        "signer_email": "gia@example.com",
        "capacity": "guardian",
        "on_behalf_of": "Max Moreno",
        "method": "drawn",
        "signed_at": datetime.datetime(2026, 3, 4, 15, 6, 7, tzinfo=datetime.UTC),
        "ip_address": "203.0.113.42",
        "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) Safari/604.1",
        "sha256_before": hashlib.sha256(b"before").hexdigest(),
        "sha256_after": hashlib.sha256(b"after").hexdigest(),
        "disclosure_version": "2026-01",
        "request_id": "SR-000123",
        "signature_id": "SG-000456",
    }


def _text(pdf: bytes, index: int = -1) -> str:
    """The page's text with all whitespace removed, so wrapped values still match."""
    return re.sub(r"\s+", "", PdfReader(BytesIO(pdf)).pages[index].extract_text())


def test_stamping_puts_an_image_on_the_last_page_and_keeps_the_page_count():
    pdf = document_pdf(2)
    stamped = stamp_signature(pdf, image_png=signature_png())
    assert len(PdfReader(BytesIO(stamped)).pages) == 2
    images = page_images(stamped, -1)
    assert len(images) == 1
    image = images[0]
    assert (image["/Width"], image["/Height"]) == (400, 120)
    assert image["/ColorSpace"] == "/DeviceRGB"
    mask = image["/SMask"].get_object()
    assert isinstance(mask, DictionaryObject)
    assert mask["/ColorSpace"] == "/DeviceGray"  # transparency kept
    assert page_images(stamped, 0) == []
    assert _text(stamped, 0) == _text(pdf, 0)


def test_stamping_a_chosen_page_and_box(world):
    stamped = stamp_signature(document_pdf(2), image_png=signature_png(), page=0, box=(300, 100, 500, 160))
    assert len(page_images(stamped, 0)) == 1 and page_images(stamped, 1) == []
    content = PdfReader(BytesIO(stamped)).pages[0].get_contents()
    assert content is not None
    # 400 x 120 scaled into 200 x 60: the box's width and height both bind.
    assert b"200 0 0 60 300 100 cm" in content.get_data()


@pytest.mark.parametrize("mode", ["1", "L", "P", "RGB"])
def test_one_bit_and_other_pngs_are_converted_to_rgb(mode):
    stamped = stamp_signature(document_pdf(1), image_png=signature_png(mode))
    (image,) = page_images(stamped, -1)
    assert image["/ColorSpace"] == "/DeviceRGB" and image["/BitsPerComponent"] == 8
    assert "/SMask" not in image


def test_signature_images_that_are_not_sensible_pngs_are_refused():
    jpeg = BytesIO()
    Image.new("RGB", (100, 40), "white").save(jpeg, format="JPEG")
    pdf = document_pdf(1)
    for data in (
        jpeg.getvalue(),
        b"\x89PNG\r\n\x1a\nbroken",
        signature_png(size=(5000, 100)),
        signature_png(size=(4, 4)),
    ):
        with pytest.raises(InvalidSignatureImage):
            stamp_signature(pdf, image_png=data)


def test_stamping_outside_the_page_or_on_a_missing_page_is_refused():
    pdf = document_pdf(1)
    with pytest.raises(ValueError, match="within the page"):
        stamp_signature(pdf, image_png=signature_png(), box=(500, 100, 900, 160))
    with pytest.raises(ValueError, match="no page 3"):
        stamp_signature(pdf, image_png=signature_png(), page=3)
    with pytest.raises(UnreadablePdf):
        stamp_signature(b"nope", image_png=signature_png())


def test_the_certificate_page_lists_every_field(world):
    context = _certificate_context(world)
    certificate = render_signature_certificate(context)
    assert len(PdfReader(BytesIO(certificate)).pages) == 1
    text = _text(certificate)
    for name in CERTIFICATE_FIELDS:
        if name not in {"practice", "capacity", "method", "signed_at"}:
            assert re.sub(r"\s+", "", context[name]) in text, name
    assert "RiversideCounseling" in text
    assert "Legalguardian,forMaxMoreno" in text
    assert "SignatureDrawnbyhand" in text
    # 15:06:07 UTC is 09:06:07 in Chicago (CST) that day; both are shown, with the zone.
    assert "March4,2026,09:06:07CST(America/Chicago)" in text
    assert "2026-03-0415:06:07UTC" in text


def test_a_certificate_for_oneself_says_self(world):
    context = {**_certificate_context(world), "capacity": "self", "on_behalf_of": ""}
    assert "SignedasSelf" in _text(render_signature_certificate(context))


def test_a_typed_signatures_certificate_shows_the_name_as_typed(world):
    context = {**_certificate_context(world), "method": "typed", "typed_name": "Gia Moreno"}
    assert "SignatureTyped:“GiaMoreno”,showninahandwritingstyle" in _text(render_signature_certificate(context))


def test_the_certificate_refuses_missing_fields(world):
    context = _certificate_context(world)
    del context["ip_address"]
    with pytest.raises(ValueError, match="ip_address"):
        render_signature_certificate(context)
    with pytest.raises(ValueError, match="on_behalf_of"):
        render_signature_certificate({**_certificate_context(world), "on_behalf_of": ""})
    with pytest.raises(ValueError, match="typed_name"):
        render_signature_certificate({**_certificate_context(world), "method": "typed"})
    with pytest.raises(ValueError, match="method"):
        render_signature_certificate({**_certificate_context(world), "method": "stamped"})


def test_drawn_signature_certificate_and_seal_together(world):
    document = document_pdf(2)
    stamped = stamp_signature(document, image_png=signature_png())
    context = {
        **_certificate_context(world),
        "sha256_before": hashlib.sha256(document).hexdigest(),
        "sha256_after": hashlib.sha256(stamped).hexdigest(),
    }
    complete = append_certificate_page(stamped, render_signature_certificate(context))
    reader = PdfReader(BytesIO(complete))
    assert len(reader.pages) == 3
    assert "SG-000456" in _text(complete)
    sealed = seal_pdf(complete, practice=world.riverside, reason="Signed by Gia Moreno for Max Moreno")
    assert verify_pdf(sealed, practice=world.riverside).ok
    assert len(PdfReader(BytesIO(sealed)).pages) == 3
    with pytest.raises(UnreadablePdf):
        append_certificate_page(stamped, b"not a pdf")


def _pdf_with_signature_area() -> bytes:
    """Two pages; the second holds an element with the signature area's id, below its first line."""
    html = (
        "<!doctype html><html lang='en'><head>"
        "<style>@page { size: letter; margin: 72pt } body { margin: 0 }</style></head><body>"
        "<p>Page one.</p><p style='break-before: page'>Sign below.</p>"
        f"<div id='{SIGNATURE_AREA_ID}' style='height: 80pt'></div></body></html>"
    )
    pdf = HTML(string=html, url_fetcher=DataOnlyURLFetcher()).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def test_a_documents_own_signature_area_is_found_by_its_id():
    area = find_signature_area(_pdf_with_signature_area())
    assert area is not None
    assert area.page == 1
    left, bottom, right, top = area.box
    assert left == pytest.approx(72, abs=1)
    assert (right - left, top - bottom) == (200, 70)
    assert 792 - 72 - 40 < top < 792 - 72  # just below the page's first line


def test_a_document_without_a_signature_area_has_none():
    assert find_signature_area(document_pdf(1)) is None
    assert find_signature_area(b"not a pdf") is None


def test_the_signature_goes_into_the_area_it_names():
    pdf = _pdf_with_signature_area()
    area = find_signature_area(pdf)
    assert area is not None
    stamped = stamp_signature(pdf, image_png=signature_png(), page=area.page, box=area.box)
    assert page_images(stamped, 0) == [] and len(page_images(stamped, 1)) == 1
