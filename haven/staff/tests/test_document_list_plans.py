"""On PostgreSQL, the pages that list a client's documents read shares and signature requests by the page's
documents (index scans), never the whole tables: their cost follows the page, not the installation."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from haven.documents.models import DocumentType
from tests.personas import World

pytestmark = pytest.mark.postgres

CLIENT_DOCUMENTS = 1_000  # the busy client's chart
OTHER_DOCUMENTS = 60_000  # everyone else's, each shared twice: 120,000 open shares in the installation
WHOLE_TABLES = ("documents_share", "signing_signaturerequest")


def _fill(world: World) -> None:
    """A thousand documents in Max's chart and sixty thousand in Ana's, each with a version, shared to All
    Authorized and to the client; every tenth asked to sign; then the planner's statistics, as a live database has."""
    doc_type = DocumentType.objects.get(practice=world.riverside, name="Treatment Plan")
    values = {
        "practice": world.riverside.pk,
        "max": world.max.pk,
        "other": world.ana.pk,
        "type": doc_type.pk,
        "author": world.ada.pk,
        "mine": CLIENT_DOCUMENTS,
        "total": CLIENT_DOCUMENTS + OTHER_DOCUMENTS,
    }
    statements = [
        """INSERT INTO documents_document (practice_id, client_id, type_id, title, author_id, document_date, created_at)
           SELECT %(practice)s, CASE WHEN g <= %(mine)s THEN %(max)s ELSE %(other)s END, %(type)s, 'Bulk ' || g,
                  %(author)s, DATE '2026-01-01' + (g %% 300), now() - g * INTERVAL '1 minute'
           FROM generate_series(1, %(total)s) g""",
        """INSERT INTO documents_documentversion
               (document_id, number, storage_name, filename, content_type, size, sha256, source, created_at)
           SELECT id, 1, 'bulk-' || id, 'bulk.pdf', 'application/pdf', 1, repeat('0', 64), 'upload', now()
           FROM documents_document WHERE title LIKE 'Bulk %%'""",
        # Statistics first, or the planner may join the two new tables by nested loops: minutes, not a second.
        "ANALYZE documents_document, documents_documentversion",
        """UPDATE documents_document d SET current_version_id = v.id
           FROM documents_documentversion v WHERE v.document_id = d.id AND d.title LIKE 'Bulk %%'""",
        """INSERT INTO documents_share (document_id, audience, shared_by_id, shared_at)
           SELECT id, audience, %(author)s, now() FROM documents_document, (VALUES ('all'), ('client')) a(audience)
           WHERE title LIKE 'Bulk %%'""",
        """INSERT INTO signing_signaturerequest
               (practice_id, document_id, version_id, sha256, capacity, signer_name, status, requested_by_id,
                requested_at, expires_at, reminder_count, decline_reason)
           SELECT %(practice)s, d.id, d.current_version_id, repeat('0', 64), 'self', 'Bulk', 'declined', %(author)s,
                  now(), now() + INTERVAL '30 days', 0, ''
           FROM documents_document d WHERE d.title LIKE 'Bulk %%' AND d.id %% 10 = 0""",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, values)
        cursor.execute("ANALYZE")


def _plans(http: HttpClient, url: str) -> list[tuple[str, str]]:
    """Each SELECT the page runs, with PostgreSQL's plan for it."""
    response = http.get(url)
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    plans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN {sql}")
            plans.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    return plans


def _whole_table_reads(plans: list[tuple[str, str]]) -> list[str]:
    return [
        f"{sql}\n{plan}"
        for sql, plan in plans
        if any(re.search(rf"Seq Scan on {table}\b", plan) for table in WHOLE_TABLES)
    ]


@pytest.mark.parametrize("page", ["staff:activity_log", "staff:client_chart"])
def test_a_chart_page_reads_shares_and_signature_requests_by_index_at_120000_shares(
    world: World, login, page: str
) -> None:
    assert connection.vendor == "postgresql", "run this test on PostgreSQL (the postgres marker)"
    _fill(world)
    http = login(world.ada)
    plans = _plans(http, reverse(page, args=[world.max.pk]))
    assert any("documents_share" in sql for sql, _plan in plans), "the page reads no shares: the test shows nothing"
    whole_table_reads = _whole_table_reads(plans)
    assert not whole_table_reads, "\n\n".join(whole_table_reads)
