"""Queries per request, in-process: `python -m benchmarks.inprocess OUT.json` under a production environment.

Signs in as the seeded staff member and portal login (the real forms, through Django's test client),
opens every page of ``benchmarks.pages`` once to warm the process, then counts the queries of a second
request with ``CaptureQueriesContext``. Writes the seeded ids, the page list and the counts as JSON, and
the in-process time of the client searches (the median of a few requests).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def measure(out: Path, *, repeat: int = 5) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks.http_session import totp
    from benchmarks.pages import Ids, Page, pages
    from haven.clients.models import Client as Chart
    from haven.demo.management.commands import seed_scale
    from haven.documents.models import Document, Share
    from haven.practices.models import Practice
    from haven.signing.models import RequestStatus, SignatureRequest

    practice = Practice.objects.get(slug=seed_scale.PRACTICE_SLUG)
    rosa = Chart.objects.get(practice=practice, email=seed_scale.PORTAL_EMAIL)
    busy = Chart.objects.get(practice=practice, email="theodore.blackwood@scale.example")
    request = SignatureRequest.objects.select_related("document").get(
        document__client=rosa, status=RequestStatus.PENDING
    )
    # The newest of the busy client's plain documents (not shared, never sent to sign), alike in every seed.
    busy_document = (
        Document.objects.filter(client=busy, group_note__isnull=True, type__clinical=False)
        .exclude(pk__in=Share.objects.values("document"))
        .exclude(pk__in=SignatureRequest.objects.values("document"))
        .first()
    )
    assert busy_document is not None
    shared = Share.objects.filter(document__client=rosa, revoked_at__isnull=True).select_related("document").first()
    assert shared is not None
    ids = Ids(
        slug=seed_scale.PRACTICE_SLUG,
        staff_email=seed_scale.STAFF_EMAIL,
        portal_email=seed_scale.PORTAL_EMAIL,
        password=seed_scale.PASSWORD,
        totp_key=seed_scale.STAFF_TOTP_KEY,
        portal_client=rosa.pk,
        busy_client=busy.pk,
        busy_document=busy_document.pk,
        busy_document_title=busy_document.title,
        consent=request.document_id,
        consent_title=request.document.title,
        signature_request=request.pk,
        shared_title=shared.document.title,
    )
    staff = Client(HTTP_HOST="127.0.0.1")
    answer = staff.post("/staff/login/", {"username": ids.staff_email, "password": ids.password}, secure=True)
    assert answer.status_code == 302, f"staff sign-in: {answer.status_code}"
    for offset in (0, 1):
        answer = staff.post("/staff/two-factor/verify/", {"code": totp(ids.totp_key, step_offset=offset)}, secure=True)
        if answer.status_code == 302:
            break
    assert answer.status_code == 302, f"staff two-step: {answer.status_code}"
    portal = Client(HTTP_HOST="127.0.0.1")
    answer = portal.post(f"/p/{ids.slug}/", {"username": ids.portal_email, "password": ids.password}, secure=True)
    assert answer.status_code == 302, f"portal sign-in: {answer.status_code}"

    def address(page: Page) -> str:
        if not page.search:
            return page.path
        found = staff.post("/staff/clients/", {"q": page.search}, secure=True)
        return str(found["Location"])

    results: dict[str, Any] = {}
    for page in pages(ids):
        http = staff if page.world == "staff" else portal
        path = address(page)
        first = http.get(path, secure=True)
        body = b"".join(first.streaming_content) if first.streaming else first.content  # type: ignore[attr-defined]
        ok = first.status_code == page.status and page.marker.encode() in body
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            response = http.get(path, secure=True)
            if response.streaming:
                b"".join(response.streaming_content)  # type: ignore[attr-defined]
        count = len(queries)
        times = []
        if page.search:
            for _ in range(repeat):
                started = time.perf_counter()
                http.get(path, secure=True)
                times.append((time.perf_counter() - started) * 1000)
        results[page.key] = {
            "queries": count,
            "ok": ok,
            "status": first.status_code,
            "ms": statistics.median(times) if times else None,
        }
    document = {
        "clients": Chart.objects.filter(practice=practice).count(),
        "documents": Document.objects.filter(practice=practice).count(),
        "ids": ids.as_dict(),
        "pages": results,
    }
    out.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return document


if __name__ == "__main__":
    measure(Path(sys.argv[1]))
