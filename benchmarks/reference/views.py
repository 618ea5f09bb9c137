"""One query, one fortune added at request time, sorted, rendered with auto-escaping (TechEmpower's rules)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from benchmarks.reference.models import Fortune

ADDED = "Additional fortune added at request time."


def fortunes(request: HttpRequest) -> HttpResponse:
    rows = list(Fortune.objects.all())
    rows.append(Fortune(id=0, message=ADDED))
    rows.sort(key=lambda fortune: fortune.message)
    return render(request, "fortunes.html", {"fortunes": rows})
