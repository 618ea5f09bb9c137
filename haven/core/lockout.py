"""How django-axes sees a login attempt: which account, and what a locked-out person is shown."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def username_of(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The account an attempt is for, the same however the email was typed."""
    raw = (credentials or {}).get("username")
    if raw is None:
        raw = request.POST.get("username", "")
    return str(raw or "").strip().lower()


def locked_out_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    template = "portal/auth/locked_out.html" if request.path.startswith("/p/") else "staff/auth/locked_out.html"
    return render(request, template, status=429)
