"""Rendering PDFs with WeasyPrint, offline by construction.

Everything a PDF shows travels inside its HTML: images are data: URIs and the URL fetcher
refuses anything else, so rendering never reaches the network or the file system, whatever a
template asks for.
"""

from __future__ import annotations

import base64
import datetime
import re
from typing import Any, Protocol

import segno
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

from haven.core.bidi import strip_bidi_controls
from haven.core.timezones import practice_zone


class Practice(Protocol):
    """A practice, as far as its PDFs go: its logo and its time zone (core names no domain model)."""

    @property
    def time_zone(self) -> str: ...

    @property
    def logo(self) -> Any: ...

    @property
    def logo_content_type(self) -> str: ...


_IMAGE_TYPE = re.compile(r"image/[a-z0-9][a-z0-9.+-]*")


class RefusedURLError(ValueError):
    """A PDF template asked for something other than a data: URI."""


class DataOnlyURLFetcher(URLFetcher):
    """WeasyPrint's fetcher, reading data: URIs only.

    Anything else (http, file, a relative path) is refused; WeasyPrint then logs the failure and
    leaves the resource out, so a mistake in a template never turns into a network request.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if not url.lstrip().lower().startswith("data:"):
            raise RefusedURLError(f"Only data: URIs are allowed in a PDF, not {url[:80]!r}.")
        return super().fetch(url, headers)


def logo_data_uri(practice: Practice) -> str:
    """The practice's logo as a data: URI, or "" when it has none."""
    content_type = (practice.logo_content_type or "").lower()
    if not practice.logo or not _IMAGE_TYPE.fullmatch(content_type):
        return ""
    encoded = base64.b64encode(bytes(practice.logo)).decode("ascii")
    return f"data:{content_type};base64,{encoded}"


def qr_data_uri(url: str) -> str:
    """A QR code for ``url`` as an SVG data URI: vector, so it prints sharp at any size."""
    # A full QR code (never a Micro QR, which phone cameras don't read), with the standard quiet zone.
    code = segno.make_qr(url, error="m")
    return str(code.svg_data_uri(scale=4, border=4, dark="#1f2933", light=None))


def date_in_practice_zone(moment: datetime.datetime | None, practice: Practice) -> datetime.date | None:
    if moment is None:
        return None
    return timezone.localtime(moment, practice_zone(practice)).date()


def write_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    # No bidirectional control characters in a PDF, whatever path the text came by (haven.core.bidi).
    html = strip_bidi_controls(render_to_string(template_name, context))
    document = HTML(string=html, url_fetcher=DataOnlyURLFetcher(), media_type="print")
    pdf = document.write_pdf(pdf_tags=True)
    assert isinstance(pdf, bytes)
    return pdf
