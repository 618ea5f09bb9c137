"""My Documents (DOC-8): the selected profile's shared documents, viewed and downloaded only through here (DOC-9)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.views.decorators.http import require_safe

from haven.audit.denials import not_found
from haven.core.prepared import counting
from haven.documents import policy as documents_policy
from haven.documents.actions import record_opened
from haven.documents.models import Document
from haven.documents.responses import file_response
from haven.portal.access import PortalRequest, portal_view
from haven.portal.links import row_link
from haven.portal.profiled import ProfilePrepared
from haven.portal.templatetags.portal_documents import DocumentRow
from haven.portal_access.models import ProfileAccess
from haven.signing.policy import requests_naming
from haven.signing.selectors import portal_documents

PAGE_SIZE = 20


# What a card shows, read as values (no model instances): the document, its type's name, its file and its tags.
_FIELDS = (
    "pk",
    "title",
    "type__name",
    "document_date",
    "current_version__content_type",
    "current_version__size",
    "pending_review",
    "request_out_of_date",
    "signed",
    "pending_request_id",
)
type _Listed = tuple[int, str, str, datetime.date, str | None, int | None, bool, bool, bool, int | None]


def _listed(selected: ProfileAccess, now: datetime.datetime | None) -> QuerySet[Document, _Listed]:
    """My Documents with its tags, and the request a Pending Review document links to (in the same query)."""
    waiting = requests_naming(selected).signable(now).filter(document=OuterRef("pk"))
    return (
        portal_documents(selected, now)
        .annotate(pending_request_id=Subquery(waiting.values("pk")[:1]))
        .values_list(*_FIELDS)
    )


def _first_page(selected: ProfileAccess, now: datetime.datetime | None) -> QuerySet[Document, tuple[Any, ...]]:
    """The first page's rows, each ending with how many the whole list has: the page and its count in one query (a
    count of the profile's visible documents, ``prepared.counting``, that the database works out once)."""
    listed = counting(documents_policy.visible_to_profile(selected), "client_id")
    return (
        _listed(selected, now).annotate(listed_count=Subquery(listed)).values_list(*_FIELDS, "listed_count")[:PAGE_SIZE]
    )


# The first page, and how many there are: what nearly every visit asks, prepared per shape of profile.
_FIRST_PAGE: ProfilePrepared[tuple[Any, ...]] = ProfilePrepared(_first_page, signer_kinds=(datetime.datetime,))


def _page(selected: ProfileAccess, number: str | None) -> Page:
    """The page of My Documents asked for: the first from a prepared query, any other as Django's paginator finds it."""
    now = timezone.now()
    if number not in (None, "", "1"):
        return Paginator(_listed(selected, now), PAGE_SIZE).get_page(number)
    counted = _FIRST_PAGE(selected, now)
    rows = [row[:-1] for row in counted]
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = counted[0][-1] if counted else 0  # the whole list's, counted by the database
    return Page(rows, 1, paginator)


def day_label(day: datetime.date) -> str:
    """A date as ``{{ day|date:"M j, Y" }}`` writes it (``Dec 2, 2026``), without parsing the format for each row."""
    return f"{MONTHS_3[day.month].title()} {day.day}, {day.year:04d}"


def _rows(listed: Iterable[_Listed], slug: str) -> list[DocumentRow]:
    """Each card's values, with its links reversed once for the page (``row_link``), not once per row; and its
    date and file size written out once here, as the ``date`` and ``filesizeformat`` filters write them."""
    view, download, verify, sign = (
        row_link("portal:document_view", slug=slug, id_kwarg="document_id"),
        row_link("portal:document_download", slug=slug, id_kwarg="document_id"),
        row_link("portal:document_verify", slug=slug, id_kwarg="document_id"),
        row_link("portal:sign", slug=slug, id_kwarg="request_id"),
    )
    return [
        DocumentRow(
            pk=pk,
            title=title,
            type_name=type_name,
            date_iso=document_date.isoformat(),
            date_label=day_label(document_date),
            is_pdf=content_type == "application/pdf",
            file_size=filesizeformat(size) if size is not None else "",
            pending_review=pending_review,
            request_out_of_date=request_out_of_date,
            signed=signed,
            view_url=view(pk),
            download_url=download(pk),
            verify_url=verify(pk),
            sign_url=sign(pending) if pending is not None else "",
        )
        for (
            pk,
            title,
            type_name,
            document_date,
            content_type,
            size,
            pending_review,
            request_out_of_date,
            signed,
            pending,
        ) in listed
    ]


@portal_view
@require_safe
def my_documents(request: PortalRequest) -> HttpResponse:
    """The documents shared with this person for the selected profile, newest first, tagged for signing.

    One query whatever the number of documents: one page of rows with everything the cards show, and the count
    for the pages.
    """
    selected = request.portal.selected
    page = None
    documents: list[DocumentRow] = []
    if selected is not None:
        page = _page(selected, request.GET.get("page"))
        documents = _rows(page.object_list, request.practice.slug)
    return render(request, "portal/documents/list.html", {"page": page, "documents": documents})


# A document of the selected profile, with its current version: the documents policy's answer for the profile
# (``visible_to_profile``, what ``get_document`` asks for a portal viewer), prepared per shape of profile.
_DOCUMENT: ProfilePrepared[Document] = ProfilePrepared(
    lambda selected, document_id: (
        documents_policy.visible_to_profile(selected)
        .select_related("current_version")
        .filter(pk=document_id)
        .order_by()[:1]
    ),
    int,
)


def _document(request: PortalRequest, document_id: int) -> Document:
    """The document, if the selected profile may see it now; else a 404 audited as ``get_document`` does."""
    selected = request.viewer.profile
    found = _DOCUMENT(selected, document_id) if selected is not None else []
    if not found:
        raise not_found(request.viewer, object_type="documents.document", object_id=document_id, path=request.path)
    document = found[0]
    document.client = selected.client  # type: ignore[union-attr]  # the profile's client: the policy kept to it
    return document


def _serve(request: PortalRequest, document_id: int, *, download: bool) -> HttpResponse:
    document = _document(request, document_id)
    version = document.current_version
    if version is None:  # pragma: no cover - a document the portal shows always has its file
        raise Http404
    response = file_response(version, download=download)
    # Written only once the file is in hand: every copy that leaves is on the record, and nothing else is.
    record_opened(viewer=request.viewer, document=document, version=version, download=download)
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
