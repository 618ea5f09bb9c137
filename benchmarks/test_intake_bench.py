"""Benchmarks for intake forms: run with `make bench`; results go to docs/benchmarks.md.

These measure; they do not pass or fail on time. Query counts are asserted in the test suite
(haven/portal/tests/test_forms.py). Each time is the best of five, and beside it its ratio to the
reference: the portal's Forms list with one form waiting, measured in the same run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from benchmarks.results import RESULTS, write_section
from haven.intake import actions
from haven.intake.models import FormAssignment, IntakeForm
from haven.intake.tasks import answers_pdf
from haven.portal_access.viewers import PortalViewer
from haven.signing.seal import seal_pdf
from tests.personas import PASSWORD, World

pytestmark = pytest.mark.django_db
FORMS = "/p/riverside/forms/"


def _best(fn: Callable[[], object], repeat: int = 5) -> tuple[float, int]:
    """The best of ``repeat`` runs in milliseconds, and the queries of the last run."""
    best = float("inf")
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - started)
        queries = len(captured)
    return best * 1000, queries


def _form_of(world: World, size: int) -> IntakeForm:
    kinds = ["short_text", "paragraph", "date", "number", "yes_no", "single_choice", "multiple_choice"]
    fields: list[dict[str, Any]] = []
    for n in range(size):
        kind = kinds[n % len(kinds)]
        field: dict[str, Any] = {"key": f"q{n}", "type": kind, "label": f"Question {n}", "required": n % 3 == 0}
        if kind in ("single_choice", "multiple_choice"):
            field["options"] = [{"value": v, "label": v.title()} for v in ("often", "sometimes", "never")]
        fields.append(field)
    made = actions.create_form(by=world.ada, kind="intake", title=f"A {size}-field form", fields=fields)
    actions.publish_form(by=world.ada, form=made)
    made.refresh_from_db()
    return made


def _answers(size: int) -> dict[str, Any]:
    values = {
        "short_text": "Some words",
        "paragraph": "A few sentences.\nAnother line.",
        "date": "2026-03-14",
        "number": "12",
        "yes_no": "yes",
        "single_choice": "often",
        "multiple_choice": ["often", "never"],
    }
    kinds = list(values)
    return {f"f_q{n}": values[kinds[n % len(kinds)]] for n in range(size)}


def _ok(response: Any) -> None:
    assert response.status_code in (200, 204), response.status_code


def _get(client: HttpClient, path: str) -> None:
    _ok(client.get(path))


def _post(client: HttpClient, path: str, data: dict[str, Any]) -> None:
    _ok(client.post(path, data))


def _send(world: World, made: IntakeForm) -> FormAssignment:
    (sent,) = actions.send_forms(
        by=world.ada, client=world.max, forms=[made], recipient_key=f"contact-{world.gia.pk}", as_packet=False
    )
    return sent


def test_intake_benchmarks(world: World, client: HttpClient, django_capture_on_commit_callbacks: Any) -> None:
    assert client.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD}).status_code == 302
    assert client.post("/p/riverside/switch/", {"profile": world.gia_access_max.pk}).status_code == 302
    rows: list[tuple[str, float, int]] = []

    _send(world, _form_of(world, 1))
    reference_ms, reference_queries = _best(lambda: _ok(client.get(FORMS)))
    rows.append(("Reference: the portal's Forms list, one form waiting", reference_ms, reference_queries))

    for size in (5, 100):
        sent = _send(world, _form_of(world, size))
        page = f"{FORMS}{sent.pk}/"
        ms, queries = _best(partial(_get, client, page))
        rows.append((f"Fill page of a {size}-field form (whole request)", ms, queries))
        data = _answers(size)
        ms, queries = _best(partial(_post, client, f"{page}draft/", data))
        rows.append((f"Save a draft of a {size}-field form (whole request)", ms, queries))

    phq = IntakeForm.objects.get(practice=world.riverside, template_key="phq9")
    (sent,) = actions.send_forms(
        by=world.ada, client=world.max, forms=[phq], recipient_key=f"contact-{world.gia.pk}", as_packet=False
    )
    gia = PortalViewer(account=world.gia_account, practice=world.riverside, profile=world.gia_access_max)
    raw = {f"phq9_{n}": "1" for n in range(1, 10)} | {"phq9_difficulty": "somewhat"}
    actions.submit(viewer=gia, assignment=sent, raw=raw)
    with django_capture_on_commit_callbacks(execute=False):
        actions.acknowledge(by=world.ada, assignment=sent)
    sent = FormAssignment.objects.select_related("version", "client", "practice", "acknowledged_by__user").get(
        pk=sent.pk
    )
    ms, _queries = _best(lambda: answers_pdf(sent))
    rows.append(("Render an acknowledged PHQ-9 as PDF (WeasyPrint)", ms, 0))
    pdf = answers_pdf(sent)
    ms, _queries = _best(lambda: seal_pdf(pdf, practice=world.riverside, reason="Benchmark"))
    rows.append(("Seal it (PAdES B-B, visible stamp)", ms, 0))

    write_section(
        "Intake forms",
        "In-process (test settings, SQLite), Gia signed in for Max. Each time is the best of 5; the ratio is "
        "to the reference row, measured in the same run (this machine is small and shared: read the ratios).\n\n"
        "| path | queries | time | ratio to reference |\n|---|---|---|---|\n"
        + "\n".join(
            f"| {label} | {queries or '—'} | {ms:.1f} ms | {ms / reference_ms:.1f} |" for label, ms, queries in rows
        ),
    )
    print(RESULTS.read_text(encoding="utf-8"))
