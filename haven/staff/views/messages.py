"""The staff inbox of secure messages (MSG-1)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def thread_detail(request: HttpRequest, thread_id: int) -> HttpResponse:
    raise Http404
