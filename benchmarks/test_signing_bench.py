"""Benchmarks for signing: run with `make bench`; results go to docs/benchmarks.md. Nothing is asserted on time."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.results import RESULTS, write_section
from haven.documents.models import Document, VersionSource
from haven.signing.certificates import signing_identity
from haven.signing.devices import describe_device
from haven.signing.previews import render_page_png
from haven.signing.requests import request_signature
from haven.signing.seal import seal_pdf, verify_pdf
from haven.signing.stamping import append_certificate_page, stamp_signature
from haven.signing.tasks import seal_signature
from haven.signing.tests.flow import sign, treatment_plan
from haven.signing.tests.helpers import document_pdf, signature_png
from haven.signing.typed import typed_signature_png

pytestmark = pytest.mark.django_db


def _time(fn: Callable[[], object], repeat: int = 5) -> float:
    """The best of ``repeat`` runs, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def _sign_to_signed_version(world, capture) -> tuple[float, float, int, float]:
    """Share to Sign, Sign Document and the sealing task for a 10-page treatment plan: (sign ms, task ms, queries)."""
    plan = treatment_plan(world.ada, world.max, pages=10)
    request = request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    started = time.perf_counter()
    describe_device("Mozilla/5.0 (a first user agent, which loads the parser's tables)")
    rows_note = (time.perf_counter() - started) * 1000
    with CaptureQueriesContext(connection) as queries, capture(execute=False) as callbacks:
        started = time.perf_counter()
        signature = sign(request, world.gia_account, world.gia_access_max)
        sign_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    seal_signature.call(signature_id=signature.pk)
    task_ms = (time.perf_counter() - started) * 1000
    current = Document.objects.get(pk=plan.pk).current_version
    assert callbacks and current is not None and current.source == VersionSource.SIGNED
    return sign_ms, task_ms, len(queries), rows_note


def test_signing_benchmarks(world, django_capture_on_commit_callbacks):
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
        (
            "Render one page as a 900 px image, for reading on the signing page",
            _time(lambda: render_page_png(document, 0)),
        ),
        ("Draw a typed signature in the handwriting font", _time(lambda: typed_signature_png("Gia Moreno-Alvarez"))),
    ]
    sign_ms, task_ms, sign_queries, parser_ms = _sign_to_signed_version(world, django_capture_on_commit_callbacks)
    rows += [
        ("Device names: load ua-parser's tables (once per process)", parser_ms),
        (f"Sign Document: checks, encrypted drawing, signature row ({sign_queries} queries)", sign_ms),
        ("Signed version task: stamp, certificate page, seal, store (10 pages)", task_ms),
    ]
    write_section(
        "Signing",
        "In-process (test settings, SQLite). Steps timed as the best of 5 runs; "
        "the last rows are one whole Share to Sign on a 10-page document.\n\n"
        "| signing path | time |\n|---|---|\n" + "\n".join(f"| {label} | {ms:.1f} ms |" for label, ms in rows),
    )
    print(RESULTS.read_text(encoding="utf-8"))
