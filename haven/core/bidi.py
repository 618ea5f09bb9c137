"""Bidirectional control characters: refused where Haven takes text, taken out wherever it shows text.

U+202E (right-to-left override) and its kin are invisible and reorder what follows them, so
"Plan" + U+202E + "fdp.exe" can read as something else and a name can disguise itself. Haven refuses
them on input (every form, through ``StyledFormMixin``, and the actions that take text without a
form) and, for text that came by another path (older rows, imports, the shell, a PDF's certificate),
removes them from every page, email and PDF it renders (``BidiNeutralizingMiddleware``,
``render_email``, ``write_pdf``). Taking them out keeps the visible characters in their true order.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from haven.core.errors import ApplicationError

BIDI_CONTROLS = frozenset(
    "\u061c"  # Arabic letter mark
    "\u200e\u200f"  # left-to-right and right-to-left marks
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings, pop, overrides
    "\u2066\u2067\u2068\u2069"  # isolates
)
_REMOVE = dict.fromkeys(map(ord, BIDI_CONTROLS))
# The characters as UTF-8 bytes, exactly (UTF-8 is self-synchronising: these bytes in a page are these characters).
# Pages are full of other characters that start with E2 80 (dashes, ellipses), so matching only the lead bytes
# would decode and scan nearly every page; this finds the controls themselves, grouped by their common start.
_UTF8_ARABIC_MARK = "\u061c".encode()
_UTF8_E2_CONTROLS = re.compile(rb"\xe2(?:\x80[\x8e\x8f\xaa-\xae]|\x81[\xa6-\xa9])")

BIDI_MESSAGE = _(
    "This had hidden characters that change the direction of text and can disguise what it says. "
    "They have been taken out: check the text and try again."
)


def has_bidi_controls(text: str) -> bool:
    return not BIDI_CONTROLS.isdisjoint(text)


def strip_bidi_controls(text: str) -> str:
    return text.translate(_REMOVE)


def strip_bidi_controls_utf8(content: bytes) -> bytes:
    """The same for UTF-8 bytes (a page), without decoding when there is nothing to take out."""
    if _UTF8_ARABIC_MARK not in content and (b"\xe2" not in content or not _UTF8_E2_CONTROLS.search(content)):
        return content
    text = content.decode("utf-8", errors="surrogateescape")
    if not has_bidi_controls(text):
        return content
    return strip_bidi_controls(text).encode("utf-8", errors="surrogateescape")


def refuse_bidi_controls(text: str) -> None:
    """For actions that take text without a form: the same refusal, in the same words."""
    if has_bidi_controls(text):
        raise ApplicationError(str(BIDI_MESSAGE))
