"""Benchmarks for signing: run with `make bench`. They print timings; nothing is written or asserted on time."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from haven.signing.certificates import signing_identity
from haven.signing.seal import seal_pdf, verify_pdf
from haven.signing.stamping import append_certificate_page, stamp_signature
from haven.signing.tests.helpers import document_pdf, signature_png

pytestmark = pytest.mark.django_db


def _time(fn: Callable[[], object], repeat: int = 5) -> float:
    """The best of ``repeat`` runs, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def test_signing_benchmarks(world):
    """Time each signing step on a 10-page document and print a table."""
    started = time.perf_counter()
    document = document_pdf(10)
    render_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    signing_identity(world.riverside)  # first use: the certificate is created
    first_use_ms = (time.perf_counter() - started) * 1000
    stamped = stamp_signature(document, image_png=signature_png())
    certificate_page = document_pdf(1)
    complete = append_certificate_page(stamped, certificate_page)
    sealed = seal_pdf(complete, practice=world.riverside, reason="Benchmark")
    assert verify_pdf(sealed, practice=world.riverside).ok
    rows = [
        ("Render a 10-page PDF (WeasyPrint, once)", render_ms),
        ("Create the practice certificate (first use, once)", first_use_ms),
        (
            "Stamp the drawn signature on the last page",
            _time(lambda: stamp_signature(document, image_png=signature_png())),
        ),
        ("Append the certificate page", _time(lambda: append_certificate_page(stamped, certificate_page))),
        (
            "Seal an 11-page PDF (PAdES B-B, visible stamp)",
            _time(lambda: seal_pdf(complete, practice=world.riverside, reason="Benchmark")),
        ),
        (
            "Seal a 10-page PDF, invisible",
            _time(lambda: seal_pdf(document, practice=world.riverside, reason="Benchmark", visible=False)),
        ),
        ("Verify the sealed PDF", _time(lambda: verify_pdf(sealed, practice=world.riverside))),
    ]
    print("\n| signing path | best of 5 |\n|---|---|")
    for label, ms in rows:
        print(f"| {label} | {ms:.1f} ms |")
