"""PDFs and drawn signatures for the signing tests, made the way Haven makes them."""

from __future__ import annotations

from io import BytesIO

from PIL import Image, ImageDraw
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from weasyprint import HTML  # type: ignore[import-untyped]

from haven.core.pdf import DataOnlyURLFetcher


def document_pdf(pages: int) -> bytes:
    """A WeasyPrint-rendered document of ``pages`` letter pages."""
    sections = "".join(
        f'<section style="break-before: {"page" if n else "auto"}"><h1>Consent, part {n + 1}</h1>'
        + "<p>I agree to the terms of treatment described here. " * 8
        + "</p></section>"
        for n in range(pages)
    )
    head = "<head><style>@page { size: letter }</style></head>"
    html = f"<!doctype html><html lang='en'>{head}<body>{sections}</body></html>"
    pdf = HTML(string=html, url_fetcher=DataOnlyURLFetcher()).write_pdf(pdf_tags=True)
    assert isinstance(pdf, bytes)
    return pdf


def signature_png(mode: str = "RGBA", size: tuple[int, int] = (400, 120)) -> bytes:
    """A drawn signature: a dark scribble, on a transparent canvas for RGBA."""
    background: int | tuple[int, ...] = (255, 255, 255, 0) if mode == "RGBA" else 255 if mode in {"1", "L"} else 0
    image = Image.new(mode, size, background)
    ink: int | tuple[int, ...] = (20, 30, 90, 255) if mode == "RGBA" else 0
    ImageDraw.Draw(image).line([(10, 90), (80, 20), (150, 100), (230, 30), (390, 80)], fill=ink, width=6)
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def page_images(pdf: bytes, index: int) -> list[DictionaryObject]:
    """The images drawn on page ``index`` of a PDF."""
    page = PdfReader(BytesIO(pdf)).pages[index]
    resources = page["/Resources"].get_object()
    assert isinstance(resources, DictionaryObject)
    xobjects = resources.get("/XObject")
    found = [xobject.get_object() for xobject in xobjects.get_object().values()] if xobjects is not None else []
    return [xobject for xobject in found if xobject.get("/Subtype") == "/Image"]
