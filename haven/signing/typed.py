"""Typed signatures: the signer's name, typed, drawn as an image in a handwriting font (SIGN-3).

For everyone who cannot or would rather not draw: with a keyboard alone, a screen reader or a
switch. The image is made here, on the server, from the name that was typed, so the signed PDF
shows exactly what the signer saw in the page's preview (the same vendored font, Dancing Script,
under the SIL Open Font License). Letters the handwriting font lacks are drawn in DejaVu Sans,
which Haven needs anyway for its PDFs; a name with letters neither has is refused, in words.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from PIL import Image, ImageDraw, ImageFont

from haven.core.bidi import refuse_bidi_controls
from haven.core.errors import ApplicationError

MAX_TYPED_NAME = 100
FONT_SIZE = 96  # pixels: sharp at the size the signature box prints
PADDING = 24
INK = (20, 32, 90, 255)  # the signature pad's pen colour
HANDWRITING_FILES = ("dancing-script-latin-400-normal.woff2", "dancing-script-latin-ext-400-normal.woff2")
FALLBACK_FONT = "DejaVuSans.ttf"  # found in the system's font folders, as WeasyPrint finds it

_FREETYPE = threading.Lock()  # one FreeType face is shared by the server's threads; one drawer at a time


@dataclass(frozen=True)
class _Font:
    face: ImageFont.FreeTypeFont
    characters: frozenset[int]


@cache
def _fonts() -> tuple[_Font, ...]:
    """The handwriting font's files, then the fallback, each with the characters it can draw."""
    folder = Path(settings.BASE_DIR) / "static" / "vendor" / "dancing-script"
    faces = [ImageFont.truetype(str(folder / name), FONT_SIZE) for name in HANDWRITING_FILES]
    faces.append(ImageFont.truetype(FALLBACK_FONT, round(FONT_SIZE * 0.8)))
    fonts = []
    for face in faces:
        with TTFont(face.path, lazy=True) as font_file:
            characters = frozenset(font_file.getBestCmap())
        fonts.append(_Font(face=face, characters=characters))
    return tuple(fonts)


def clean_typed_name(name: str) -> str:
    """The name as it will be signed: spaces tidied, and refused in words if it can't be a signature."""
    refuse_bidi_controls(name)
    cleaned = " ".join(unicodedata.normalize("NFC", name).split())
    if not cleaned:
        raise ApplicationError(_("Type your name to sign."))
    if len(cleaned) > MAX_TYPED_NAME:
        message = _("Keep your typed signature to %(limit)d characters or fewer.")
        raise ApplicationError(message % {"limit": MAX_TYPED_NAME})
    if not any(character.isalpha() for character in cleaned):
        raise ApplicationError(_("Type your name with letters, as you would sign it."))
    if any(unicodedata.category(character).startswith("C") for character in cleaned):
        raise ApplicationError(_("Type your name with letters, as you would sign it."))
    if any(_font_for(character) is None for character in cleaned):
        raise ApplicationError(_("Your name has letters this signature style can't show. Draw your signature instead."))
    return cleaned


def _font_for(character: str) -> ImageFont.FreeTypeFont | None:
    if character == " ":
        return _fonts()[0].face
    return next((font.face for font in _fonts() if ord(character) in font.characters), None)


def _runs(name: str) -> list[tuple[ImageFont.FreeTypeFont, str]]:
    """The name cut into pieces that one font draws, in order."""
    runs: list[tuple[ImageFont.FreeTypeFont, str]] = []
    for character in name:
        face = _font_for(character)
        assert face is not None  # clean_typed_name refused the rest
        if runs and runs[-1][0] is face:
            runs[-1] = (face, runs[-1][1] + character)
        else:
            runs.append((face, character))
    return runs


def typed_signature_png(name: str) -> bytes:
    """The typed name as a PNG: ink on a transparent background, like a drawn signature."""
    runs = _runs(clean_typed_name(name))
    with _FREETYPE:
        image = _draw(runs)
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _draw(runs: list[tuple[ImageFont.FreeTypeFont, str]]) -> Image.Image:
    # Every run sits on one baseline; the image is as wide as the pieces and as tall as the tallest.
    boxes = [face.getbbox(text, anchor="ls") for face, text in runs]
    advances = [face.getlength(text) for face, text in runs]
    top = min(box[1] for box in boxes)
    bottom = max(box[3] for box in boxes)
    width = round(sum(advances[:-1]) + boxes[-1][2]) + 2 * PADDING
    height = round(bottom - top) + 2 * PADDING
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    x, baseline = float(PADDING), PADDING - top
    for (face, text), advance in zip(runs, advances, strict=True):
        draw.text((x, baseline), text, font=face, fill=INK, anchor="ls")
        x += advance
    return image
