"""Putting a signature on the pages: the drawn image, and the signature certificate page.

These run before the seal (haven.signing.seal), which must be the last change to a file.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.utils import timezone
from PIL import Image
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import (
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
)

from haven.core.pdf import logo_data_uri, write_pdf
from haven.practices.models import Practice

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_IMAGE_BYTES = 2_000_000
MAX_IMAGE_SIDE = 4000
MIN_IMAGE_SIDE = 8
DEFAULT_BOX_SIZE = (200.0, 70.0)  # points: about 7 x 2.5 cm
DEFAULT_BOX_OFFSET = (54.0, 72.0)  # from the page's lower left corner: inside the margins, above the footer
IMAGE_NAME = "/HavenSignature"
SIGNATURE_AREA_ID = "haven-signature-area"  # the id of the element a document signs in

CERTIFICATE_FIELDS = (
    "practice",
    "signer_name",
    "signer_email",
    "capacity",
    "method",
    "signed_at",
    "ip_address",
    "user_agent",
    "sha256_before",
    "sha256_after",
    "disclosure_version",
    "request_id",
    "signature_id",
)
CAPACITIES = ("self", "guardian")
METHODS = ("drawn", "typed")


class InvalidSignatureImage(ValueError):
    """The drawn signature is not a PNG Haven accepts."""


class UnreadablePdf(ValueError):
    """The bytes given as a PDF could not be read as one."""


@dataclass(frozen=True)
class SignatureArea:
    """Where a document asks to be signed: a zero-based page index and a box in PDF points."""

    page: int
    box: tuple[float, float, float, float]


def find_signature_area(pdf: bytes) -> SignatureArea | None:
    """The document's own signature area, if it has one: the named destination SIGNATURE_AREA_ID.

    Haven's PDFs mark it with an element of that id (WeasyPrint writes a named destination for
    every id); the box starts at its top left corner and keeps inside the page.
    """
    try:
        reader = PdfReader(BytesIO(pdf))
        destination = reader.named_destinations.get(SIGNATURE_AREA_ID)
        if destination is None:
            return None
        index = reader.get_destination_page_number(destination)
        corner = (destination.left, destination.top)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if index is None or not 0 <= index < len(reader.pages) or corner[0] is None or corner[1] is None:
        return None
    left, top = float(corner[0]), float(corner[1])
    media = reader.pages[index].cropbox
    right, bottom = float(media.right), float(media.bottom)
    x2, y1 = min(right, left + DEFAULT_BOX_SIZE[0]), max(bottom, top - DEFAULT_BOX_SIZE[1])
    if not (float(media.left) <= left < x2 and y1 < top <= float(media.top)):
        return None
    return SignatureArea(page=index, box=(left, y1, x2, top))


def stamp_signature(
    pdf: bytes,
    *,
    image_png: bytes,
    page: int | None = None,
    box: tuple[float, float, float, float] | None = None,
) -> bytes:
    """Draw the signature image on a page (default: the last one, bottom left) and return the new PDF.

    ``page`` is a zero-based index (negative counts from the end); ``box`` is (x1, y1, x2, y2)
    in PDF points from the page's lower left corner. The image keeps its proportions inside the
    box, anchored at its lower left; transparent parts stay transparent.
    """
    rgb, alpha = load_signature_image(image_png)
    writer = _writer(pdf)
    count = len(writer.pages)
    index = count - 1 if page is None else page
    if not -count <= index < count:
        raise ValueError(f"The PDF has {count} page(s); there is no page {page}.")
    target = writer.pages[index]
    media = target.cropbox
    left, bottom, right, top = float(media.left), float(media.bottom), float(media.right), float(media.top)
    if box is None:
        x1, y1 = left + DEFAULT_BOX_OFFSET[0], bottom + DEFAULT_BOX_OFFSET[1]
        box = (x1, y1, min(right, x1 + DEFAULT_BOX_SIZE[0]), min(top, y1 + DEFAULT_BOX_SIZE[1]))
    x1, y1, x2, y2 = box
    if not (left <= x1 < x2 <= right and bottom <= y1 < y2 <= top):
        raise ValueError("The signature box must lie within the page.")
    scale = min((x2 - x1) / rgb.width, (y2 - y1) / rgb.height)
    width, height = rgb.width * scale, rgb.height * scale

    overlay = PageObject.create_blank_page(writer, width=right, height=top)
    image_ref = _image_xobject(writer, rgb, alpha)
    overlay[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject(IMAGE_NAME): image_ref})}
    )
    content = DecodedStreamObject()
    content.set_data(f"q {width:.3f} 0 0 {height:.3f} {x1:.3f} {y1:.3f} cm {IMAGE_NAME} Do Q".encode("ascii"))
    overlay[NameObject("/Contents")] = writer._add_object(content)
    _own_resources(target)
    target.merge_page(overlay)
    return _write(writer)


def _own_resources(page: PageObject) -> None:
    """Give the page its own resource dictionaries, so the image is not added to pages that share them."""
    resources = page.get("/Resources")
    own = DictionaryObject()
    if resources is not None:
        for key, value in resources.get_object().items():
            resolved = value.get_object()
            is_plain_dict = isinstance(resolved, DictionaryObject) and not isinstance(resolved, StreamObject)
            own[NameObject(key)] = DictionaryObject(resolved) if is_plain_dict else value
    page[NameObject("/Resources")] = own


def append_certificate_page(pdf: bytes, certificate_pdf: bytes) -> bytes:
    """The document with the signature certificate's pages appended at the end."""
    writer = _writer(pdf)
    try:
        writer.append(PdfReader(BytesIO(certificate_pdf)))
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise UnreadablePdf("The signature certificate is not a readable PDF.") from exc
    return _write(writer)


def render_signature_certificate(context: dict[str, Any]) -> bytes:
    """The signature certificate page (PRODUCT.md SIGN-5) as a PDF, from the fields in CERTIFICATE_FIELDS.

    ``capacity`` is "self" or "guardian"; for a guardian, ``on_behalf_of`` names the person
    signed for. ``method`` is "drawn" or "typed"; a typed signature shows ``typed_name``.
    ``signer_name`` is the name in the chart; ``account_name``, the portal account's own, is shown
    beside it only when it differs.
    ``signed_at`` is an aware datetime, shown in the practice's time zone and in UTC.
    """
    missing = [name for name in CERTIFICATE_FIELDS if context.get(name) in (None, "")]
    if missing:
        raise ValueError(f"The signature certificate needs: {', '.join(missing)}.")
    if context["capacity"] not in CAPACITIES:
        raise ValueError("capacity must be 'self' or 'guardian'.")
    if context["capacity"] == "guardian" and not context.get("on_behalf_of"):
        raise ValueError("A guardian's signature certificate needs on_behalf_of.")
    if context["method"] not in METHODS:
        raise ValueError("method must be 'drawn' or 'typed'.")
    if context["method"] == "typed" and not context.get("typed_name"):
        raise ValueError("A typed signature's certificate needs typed_name.")
    practice: Practice = context["practice"]
    signed_at: datetime.datetime = context["signed_at"]
    if timezone.is_naive(signed_at):
        raise ValueError("signed_at must be an aware datetime.")
    zone = _practice_zone(practice)
    return write_pdf(
        "pdf/signature_certificate.html",
        {
            **context,
            "logo_uri": logo_data_uri(practice),
            "portal_url": practice.portal_url,
            "time_zone": zone,
            "time_zone_name": getattr(zone, "key", str(zone)),
        },
    )


def _practice_zone(practice: Practice) -> datetime.tzinfo:
    """The practice's time zone, or the default one when its name is unknown."""
    try:
        return zoneinfo.ZoneInfo(practice.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def load_signature_image(data: bytes) -> tuple[Image.Image, Image.Image | None]:
    """Check the drawn signature is a sensible PNG; return it as RGB and its alpha channel (or None)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidSignatureImage("The signature image is too large.")
    if not data.startswith(PNG_SIGNATURE):
        raise InvalidSignatureImage("The signature image must be a PNG.")
    try:
        with Image.open(BytesIO(data), formats=["PNG"]) as image:
            width, height = image.size
            if not (MIN_IMAGE_SIDE <= width <= MAX_IMAGE_SIDE and MIN_IMAGE_SIDE <= height <= MAX_IMAGE_SIDE):
                raise InvalidSignatureImage("The signature image is too small or too large.")
            image.load()
            has_alpha = "A" in image.getbands() or "transparency" in image.info
            rgba = image.convert("RGBA")
    except InvalidSignatureImage:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise InvalidSignatureImage("The signature image could not be read.") from exc
    # RGB always: 1-bit and palette images are what PDF tools most often mishandle.
    return rgba.convert("RGB"), rgba.getchannel("A") if has_alpha else None


def _image_xobject(writer: PdfWriter, rgb: Image.Image, alpha: Image.Image | None) -> IndirectObject:
    """Add the image (with its alpha as a soft mask) to the writer as an image XObject."""
    image = _flate_image(rgb, "/DeviceRGB")
    if alpha is not None:
        image[NameObject("/SMask")] = writer._add_object(_flate_image(alpha, "/DeviceGray"))
    return writer._add_object(image)


def _flate_image(picture: Image.Image, color_space: str) -> StreamObject:
    """An 8-bit image XObject stream, Flate-compressed."""
    raw = DecodedStreamObject()
    raw.set_data(picture.tobytes())
    stream = raw.flate_encode(level=6)
    stream.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(picture.width),
            NameObject("/Height"): NumberObject(picture.height),
            NameObject("/ColorSpace"): NameObject(color_space),
            NameObject("/BitsPerComponent"): NumberObject(8),
        }
    )
    return stream


def _writer(pdf: bytes) -> PdfWriter:
    """A writer holding a copy of ``pdf``."""
    try:
        return PdfWriter(clone_from=PdfReader(BytesIO(pdf)))
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise UnreadablePdf("The file is not a readable PDF.") from exc


def _write(writer: PdfWriter) -> bytes:
    """The writer's document as bytes."""
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
