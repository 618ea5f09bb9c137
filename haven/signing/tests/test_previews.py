"""Page images for reading a document on the signing page (pypdfium2)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from io import BytesIO

import pytest
from PIL import Image

from haven.signing.previews import PAGE_WIDTH_PX, PageOutOfRange, page_count, render_page_png, stored_page_count
from haven.signing.tests.helpers import document_pdf


def test_page_count_reads_the_number_of_pages():
    assert page_count(document_pdf(3)) == 3


def test_a_stored_files_page_count_is_read_once_and_a_file_that_cannot_be_read_is_not_kept():
    reads: list[str] = []

    def read(name: str) -> bytes:
        reads.append(name)
        if name.endswith("missing"):
            raise FileNotFoundError(name)
        return document_pdf(3)

    assert stored_page_count("documents/test-once", read) == 3
    assert stored_page_count("documents/test-once", read) == 3
    assert reads == ["documents/test-once"]
    for _ in range(2):
        with pytest.raises(FileNotFoundError):
            stored_page_count("documents/test-missing", read)
    assert reads.count("documents/test-missing") == 2


def test_a_page_renders_as_a_png_of_the_preview_width_in_letter_proportions():
    image = Image.open(BytesIO(render_page_png(document_pdf(2), 1)))

    assert image.format == "PNG"
    assert image.width == pytest.approx(PAGE_WIDTH_PX, abs=1)  # PDFium rounds the scaled size up
    assert image.height == pytest.approx(PAGE_WIDTH_PX * 11 / 8.5, abs=2)


def test_a_rendered_page_has_the_documents_ink_on_white():
    image = Image.open(BytesIO(render_page_png(document_pdf(1), 0))).convert("L")
    darkest, lightest = image.getextrema()

    assert lightest == 255  # the paper
    assert isinstance(darkest, int) and darkest < 100  # the heading's text


@pytest.mark.parametrize("index", [-1, 2, 99])
def test_a_page_the_document_does_not_have_is_refused(index):
    with pytest.raises(PageOutOfRange):
        render_page_png(document_pdf(2), index)


def test_pages_asked_for_at_once_from_many_threads_all_render():
    """A signing page asks for every page image at once and the server answers on several threads;
    PDFium itself must only ever be entered by one of them at a time."""
    pdf = document_pdf(4)
    expected = [render_page_png(pdf, index) for index in range(4)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        rendered = list(pool.map(lambda n: render_page_png(pdf, n % 4), range(48)))
        counts = list(pool.map(lambda _: page_count(pdf), range(16)))

    assert rendered == [expected[n % 4] for n in range(48)]
    assert counts == [4] * 16
