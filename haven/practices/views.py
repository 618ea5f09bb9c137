from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from haven.core.access import public_view
from haven.practices.models import Practice


@public_view
def practice_logo(request: HttpRequest, slug: str) -> HttpResponse:
    """A practice's logo is public branding (login and registration pages show it)."""
    practice = get_object_or_404(Practice.objects.only("logo", "logo_content_type"), slug=slug)
    if not practice.logo_content_type or practice.logo is None:
        raise Http404
    response = HttpResponse(bytes(practice.logo), content_type=practice.logo_content_type)
    response["Content-Disposition"] = 'inline; filename="logo"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
