"""My Documents (DOC-8): the selected profile's shared documents, viewed and downloaded only through here (DOC-9)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from haven.audit.actions import record_event
from haven.documents.access import get_document_for_portal
from haven.documents.models import Document
from haven.documents.responses import file_response
from haven.portal.access import PortalRequest, portal_view
from haven.portal_access.actions import portal_actor
from haven.portal_access.models import ProfileAccess
from haven.signing.policy import requests_naming
from haven.signing.selectors import portal_documents

PAGE_SIZE = 20


def _listed(selected: ProfileAccess) -> QuerySet[Document]:
    """My Documents with its tags, and the request a Pending Review document links to (in the same query)."""
    waiting = requests_naming(selected).signable().filter(document=OuterRef("pk"))
    return portal_documents(selected).annotate(pending_request_id=Subquery(waiting.values("pk")[:1]))


@portal_view
@require_safe
def my_documents(request: PortalRequest) -> HttpResponse:
    """The documents shared with this person for the selected profile, newest first, tagged for signing."""
    selected = request.portal.selected
    page = None
    if selected is not None:
        page = Paginator(_listed(selected), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/documents/list.html", {"page": page})


def _serve(request: PortalRequest, document_id: int, *, download: bool) -> HttpResponse:
    document = get_document_for_portal(request.portal, document_id, path=request.path)
    selected = request.portal.selected
    version = document.current_version
    if selected is None or version is None:  # pragma: no cover - a shared document always has a profile and a file
        raise Http404
    response = file_response(version, download=download)
    # Written only once the file is in hand: every copy that leaves is on the record, and nothing else is.
    record_event(
        action="document.downloaded" if download else "document.viewed",
        actor=portal_actor(request.portal.account),
        acting_for=selected.client.full_name,
        practice=request.portal.practice,
        client=selected.client,  # the document's client: documents_for_portal scopes to it
        target=document,
        details={"version": version.number, "profile": selected.pk},
    )
    return response


@portal_view
@require_safe
def document_view(request: PortalRequest, document_id: int) -> HttpResponse:
    """The file, inline: the browser's own viewer shows it, and prints it."""
    return _serve(request, document_id, download=False)


@portal_view
@require_safe
def document_download(request: PortalRequest, document_id: int) -> HttpResponse:
    """The file, as an attachment saved to the device."""
    return _serve(request, document_id, download=True)
