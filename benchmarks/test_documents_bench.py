"""Benchmarks for documents: run with `make bench`; results go to docs/benchmarks.md.

These measure; they do not pass or fail on time. Query counts are asserted in the test suite.
"""

from __future__ import annotations

import datetime
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.results import RESULTS, write_section
from haven.documents.actions import share_all_with_client, upload_document
from haven.documents.models import Document

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n" + b"0" * 200_000 + b"\n%%EOF\n"


def _grow(world, count: int) -> None:
    version = world.progress_note.current_version
    Document.objects.bulk_create(
        Document(
            practice=world.riverside,
            client=world.max,
            type=world.progress_note.type,
            title=f"Note {n}",
            author=world.ada,
            current_version=version,
        )
        for n in range(count)
    )


def _measure(fn) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - started
    return elapsed, len(queries)


def test_documents_benchmarks(world, login):
    rows = []
    http = login(world.ada)
    log_url = f"/staff/clients/{world.max.pk}/documents/"
    for count in (10, 1000):
        Document.objects.filter(title__startswith="Note ").delete()
        _grow(world, count)
        elapsed, queries = _measure(lambda: http.get(log_url))
        rows.append(f"| Activity Log page (whole request), {count} documents | {queries} | {elapsed * 1000:.1f} ms |")
    elapsed, queries = _measure(lambda: share_all_with_client(by=world.ada, client=world.max))
    rows.append(f"| Share all, 1,001 documents | {queries} | {elapsed * 1000:.1f} ms |")
    elapsed, queries = _measure(
        lambda: upload_document(
            by=world.ada,
            client=world.max,
            doc_type=world.progress_note.type,
            title="Scan",
            document_date=datetime.date.today(),  # noqa: DTZ011 - a calendar date for the row
            data=PDF,
        )
    )
    rows.append(f"| Upload and encrypt a 200 KB PDF | {queries} | {elapsed * 1000:.1f} ms |")
    write_section(
        "Documents",
        "In-process (test settings, SQLite), one run each: the heavy document paths.\n\n"
        "| path | queries | time |\n|---|---|---|\n" + "\n".join(rows),
    )
    print(RESULTS.read_text(encoding="utf-8"))
