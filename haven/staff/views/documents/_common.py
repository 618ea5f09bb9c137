"""What every page of a client's documents shows around itself."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import get_script_prefix, reverse

from haven.clients.models import Client
from haven.core.templatetags.haven_chart import chart_urls_for
from haven.documents.listed import ListedDocument
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


def with_staff_urls[Listed: Iterable[Document | ListedDocument]](client: Client, documents: Listed) -> Listed:
    """Give each listed document its page's address as ``staff_url`` and its file's as ``file_url``: the patterns
    reversed once per process (``document_urls``), not per page or row."""
    patterns = _document_patterns()
    client_id = str(int(client.pk))
    page_before, page_between, page_after = patterns["detail"]
    file_before, file_between, file_after = patterns["file"]
    page, file = page_before + client_id + page_between, file_before + client_id + file_between
    for document in documents:
        document_id = str(int(document.pk))
        document.staff_url = page + document_id + page_after  # type: ignore[union-attr]
        document.file_url = file + document_id + file_after  # type: ignore[union-attr]
    return documents


_CLIENT_STAND_IN, _DOCUMENT_STAND_IN = 987654301, 987654302
_DOCUMENT_PAGES = {
    "detail": "staff:document_detail",
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


_ITEM_STAND_IN = 987654303
_ITEM_PAGES = {
    "remind": "staff:signature_request_remind",
    "cancel": "staff:signature_request_cancel",
    "verify": "staff:document_version_verify",
}
_ITEM_PATTERNS: dict[str, dict[str, tuple[str, str, str, str]]] = {}


def _item_patterns() -> dict[str, tuple[str, str, str, str]]:
    """Each address of one of a document's requests or versions as the text around its client, document and item
    ids, reversed once per script prefix."""
    prefix = get_script_prefix()
    found = _ITEM_PATTERNS.get(prefix)
    if found is None:
        found = {}
        for key, name in _ITEM_PAGES.items():
            url = reverse(name, args=[_CLIENT_STAND_IN, _DOCUMENT_STAND_IN, _ITEM_STAND_IN])
            before, _client, rest = url.partition(str(_CLIENT_STAND_IN))
            between, _document, rest = rest.partition(str(_DOCUMENT_STAND_IN))
            item_before, _item, after = rest.partition(str(_ITEM_STAND_IN))
            if not (_client and _document and _item):
                raise ValueError(f"{name} does not take a client, a document and an item id in this order")
            found[key] = (before, between, item_before, after)
        _ITEM_PATTERNS[prefix] = found
    return found


def document_item_urls(client: Client, document: Document) -> dict[str, tuple[str, str]]:
    """The addresses of the document's requests (``remind``, ``cancel``) and versions (``verify``) as the text
    before and after the request's or version's id: ``before + str(id) + after`` is what ``{% url %}`` gives."""
    client_id, document_id = str(int(client.pk)), str(int(document.pk))
    return {
        key: (before + client_id + between + document_id + item_before, after)
        for key, (before, between, item_before, after) in _item_patterns().items()
    }


def document_urls(client: Client, document: Document) -> dict[str, str]:
    """The document's addresses (``detail``, ``file``, ``share``, ``share_to_sign``, ``version_add``) and its
    Activity Log's (``activity_log``), as ``{% url %}`` gives them: the patterns reversed once, the ids put in."""
    client_id, document_id = str(int(client.pk)), str(int(document.pk))
    urls = {
        key: before + client_id + between + document_id + after
        for key, (before, between, after) in _document_patterns().items()
    }
    urls["activity_log"] = chart_urls_for(client.pk)["documents"]
    return urls
