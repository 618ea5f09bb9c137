"""What every page of a client's documents shows around itself."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from haven.clients.models import Client
from haven.documents.models import Document
from haven.practices.access import StaffRequest
from haven.practices.models import Permission

PAGE_SIZE = 25
PDF = "application/pdf"


def chart_context(request: StaffRequest, client: Client, **extra: object) -> dict[str, object]:
    return {
        "nav": "clients",
        "client": client,
        "tab": "documents",
        "can_see_history": request.staff.has_permission(Permission.ORG_ADMIN),
        **extra,
    }


_PLACEHOLDER = 987654321


def with_staff_urls[Listed: Iterable[Document]](client: Client, documents: Listed) -> Listed:
    """Give each listed document its page's address as ``staff_url`` and its file's as ``file_url``: one ``reverse``
    per page and address, not one per row."""
    page = reverse("staff:document_detail", args=[client.pk, _PLACEHOLDER])
    file = reverse("staff:document_file", args=[client.pk, _PLACEHOLDER])
    for document in documents:
        document.staff_url = page.replace(str(_PLACEHOLDER), str(document.pk))  # type: ignore[attr-defined]
        document.file_url = file.replace(str(_PLACEHOLDER), str(document.pk))  # type: ignore[attr-defined]
    return documents
