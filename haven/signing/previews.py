"""Pages of a PDF as images, so a signer can read the document on the signing page itself (SIGN-3).

Rendered by PDFium (pypdfium2) from the stored version that was sent, one page per request, and
never stored: each image is made when asked for and sent with the same no-store headers as files.

PDFium is not thread-safe, not even across different documents: two threads in it at once can
fail or corrupt the process. The web server answers requests on several threads (a signing page
asks for all its page images at once), so every PDFium call here runs under one process-wide lock.
Only the PNG encoding, which no longer touches PDFium, runs outside it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from io import BytesIO

import pypdfium2 as pdfium  # type: ignore[import-untyped]

PAGE_WIDTH_PX = 900  # sharp on a phone, light enough to send
MAX_PREVIEW_PAGES = 40  # longer documents are read in the viewer instead

_PDFIUM = threading.Lock()


class PageOutOfRange(LookupError):
    """The document has no such page."""


def page_count(pdf: bytes) -> int:
    with _PDFIUM:
        document = pdfium.PdfDocument(pdf)
        try:
            return len(document)
        finally:
            document.close()


_COUNTS: OrderedDict[str, int] = OrderedDict()  # stored file name -> pages, the most recently asked last
_COUNTS_KEPT = 4096
_COUNTS_LOCK = threading.Lock()


def stored_page_count(storage_name: str, read: Callable[[str], bytes]) -> int:
    """How many pages the stored file has, read (decrypted) and counted once per process.

    A stored version's file never changes (a new version is a new file), so its page count never does: the
    signing page shows it on every visit without decrypting and parsing the PDF each time. Only the count is
    kept, never the file; a file that cannot be read raises, as ``read`` and ``page_count`` do, and is not kept.
    """
    with _COUNTS_LOCK:
        found = _COUNTS.get(storage_name)
        if found is not None:
            _COUNTS.move_to_end(storage_name)
            return found
    count = page_count(read(storage_name))
    with _COUNTS_LOCK:
        _COUNTS[storage_name] = count
        while len(_COUNTS) > _COUNTS_KEPT:
            _COUNTS.popitem(last=False)
    return count


def render_page_png(pdf: bytes, index: int, *, width_px: int = PAGE_WIDTH_PX) -> bytes:
    """Page ``index`` (zero-based) as a PNG ``width_px`` wide."""
    with _PDFIUM:
        document = pdfium.PdfDocument(pdf)
        try:
            if not 0 <= index < len(document):
                raise PageOutOfRange(index)
            page = document[index]
            try:
                width, _height = page.get_size()
                bitmap = page.render(scale=width_px / width)
                try:
                    image = bitmap.to_pil().copy()  # its own pixels, not a view of PDFium's buffer
                finally:
                    bitmap.close()
            finally:
                page.close()
        finally:
            document.close()
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
