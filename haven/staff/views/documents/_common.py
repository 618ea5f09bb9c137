"""What every page of a client's documents shows around itself."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import get_script_prefix, reverse

from haven.clients.models import Client
from haven.core.templatetags.haven_chart import chart_urls_for
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


_CLIENT_STAND_IN, _DOCUMENT_STAND_IN = 987654301, 987654302
_DOCUMENT_PAGES = {
    "file": "staff:document_file",
    "share": "staff:document_share",
    "share_to_sign": "staff:document_share_to_sign",
    "version_add": "staff:document_version_add",
}
_DOCUMENT_PATTERNS: dict[str, dict[str, tuple[str, str, str]]] = {}


def _document_patterns() -> dict[str, tuple[str, str, str]]:
    """Each document address as the text around its client and document ids, reversed once per script prefix."""
    prefix = get_script_prefix()
    found = _DOCUMENT_PATTERNS.get(prefix)
    if found is None:
        found = {}
        for key, name in _DOCUMENT_PAGES.items():
            before, _client, rest = reverse(name, args=[_CLIENT_STAND_IN, _DOCUMENT_STAND_IN]).partition(
                str(_CLIENT_STAND_IN)
            )
            between, _document, after = rest.partition(str(_DOCUMENT_STAND_IN))
            if not (_client and _document):
                raise ValueError(f"{name} does not take a client and a document id in this order")
            found[key] = (before, between, after)
        _DOCUMENT_PATTERNS[prefix] = found
    return found


def document_urls(client: Client, document: Document) -> dict[str, str]:
    """The document page's own addresses (``file``, ``share``, ``share_to_sign``, ``version_add``) and its Activity
    Log's (``activity_log``), as ``{% url %}`` gives them: the patterns reversed once, the ids put in."""
    client_id, document_id = str(int(client.pk)), str(int(document.pk))
    urls = {
        key: before + client_id + between + document_id + after
        for key, (before, between, after) in _document_patterns().items()
    }
    urls["activity_log"] = chart_urls_for(client.pk)["documents"]
    return urls
