"""What an uploaded file is, judged from its content, never from its name or the browser's word."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from haven.core.bidi import refuse_bidi_controls
from haven.core.errors import ApplicationError

ACCEPTED = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


def detect_content_type(data: bytes) -> str:
    """The media type of an upload, from its first bytes; anything but PDF, PNG or JPEG is refused politely."""
    if len(data) > settings.HAVEN_MAX_UPLOAD_BYTES:
        raise ApplicationError(
            _("That file is too large. Please upload a file under %(size)d MB.")
            % {"size": settings.HAVEN_MAX_UPLOAD_BYTES // 1_000_000}
        )
    if not data:
        raise ApplicationError(_("That file is empty. Please choose the file again."))
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        try:
            with Image.open(io.BytesIO(data)) as image:
                image_format = image.format
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            image_format = None
        if image_format in ("PNG", "JPEG"):
            return "image/png" if image_format == "PNG" else "image/jpeg"
    raise ApplicationError(_("Haven accepts PDF, PNG and JPEG files. That file is none of these, so it was not saved."))


@dataclass(frozen=True)
class Upload:
    """A file someone chose: the name they gave it and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class CheckedFile:
    """An upload judged from its content, under a name safe to show."""

    name: str
    data: bytes
    content_type: str


def check_upload(upload: Upload, *, fallback_name: str, limit: int, too_large: str, refused: str) -> CheckedFile:
    """An upload within ``limit`` bytes and judged PDF, PNG or JPEG from its content, or refused in the caller's words:
    ``too_large`` with %(name)s and %(size)s (megabytes), ``refused`` with %(name)s and %(reason)s."""
    name = " ".join((upload.name or "").split())[:200] or fallback_name
    refuse_bidi_controls(name)
    if len(upload.data) > limit:
        raise ApplicationError(too_large % {"name": name, "size": f"{limit / 1_000_000:g}"})
    try:
        content_type = detect_content_type(upload.data)
    except ApplicationError as error:
        raise ApplicationError(refused % {"name": name, "reason": error.message}) from None
    return CheckedFile(name=name, data=upload.data, content_type=content_type)


def safe_filename(title: str, content_type: str) -> str:
    """A download name made from the document's title, never from the uploaded name."""
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "", title).strip(" .").replace(" ", "-")[:80] or "document"
    return f"{stem}.{ACCEPTED[content_type]}"
