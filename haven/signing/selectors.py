"""Reads of signature requests and signatures, scoped, in a fixed number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from haven.core.policy import Viewer
from haven.core.prepared import Prepared
from haven.documents import policy as documents_policy
from haven.documents.listed import ListedDocument
from haven.documents.models import Document, VersionSource
from haven.documents.selectors import PAGE_IDS, page_ids
from haven.portal_access.models import ProfileAccess
from haven.practices.models import StaffMember
from haven.practices.viewers import StaffViewer
from haven.signing import policy
from haven.signing.models import RequestStatus, Signature, SignatureRequest


def portal_documents(access: ProfileAccess, now: datetime.datetime | None = None) -> QuerySet[Document]:
    """My Documents, newest first, with its tags: Pending Review (waiting for this person), Out of date, and Signed.

    What the profile sees is the documents policy's answer (``visible_to_profile``, as ``visible_to`` of its viewer).
    Requests still wait at ``now`` (the clock, if not given).
    """
    for_document = policy.requests_naming(access).filter(document=OuterRef("pk"))
    documents = documents_policy.visible_to_profile(access).select_related("type", "current_version")
    return documents.order_by("-document_date", "-created_at", "-pk").annotate(
        pending_review=Exists(for_document.signable(now)),
        request_out_of_date=Exists(for_document.out_of_date(now)),
        signed=Q(current_version__source=VersionSource.SIGNED),
    )


def _requests_of(document_ids: Iterable[int]) -> QuerySet[SignatureRequest, tuple[int, str, datetime.datetime, int]]:
    return (
        SignatureRequest.objects.filter(document_id__in=document_ids)
        .order_by("document_id", "-requested_at", "-pk")
        .values_list("document_id", "status", "expires_at", "version_id")
    )


_REQUESTS_BY_PAGE: Prepared[tuple[int, str, datetime.datetime, int]] = Prepared(
    lambda *ids: _requests_of(ids), *([int] * PAGE_IDS)
)


def staff_signature_status[Listed: Sequence[Document | ListedDocument]](documents: Listed) -> Listed:
    """The Activity Log's signature columns on a page of documents: waiting, outdated (the document changed), signed,
    declined last. One query by the page's document ids (none for an empty page), so its cost follows the page, not
    every request in the installation; ``signed`` reads the current version (select it with the documents)."""
    now = timezone.now()
    for document in documents:
        document.pending_signature = False  # type: ignore[union-attr]
        # Sent before the document changed: it can no longer be signed, and staff should send a new one.
        document.signature_outdated = False  # type: ignore[union-attr]
        document.last_request_status = None  # type: ignore[union-attr]
        current = document.current_version if document.current_version_id is not None else None
        document.signed = current is not None and current.source == VersionSource.SIGNED  # type: ignore[union-attr]
    if not documents:
        return documents
    by_id = {document.pk: document for document in documents}
    rows: Iterable[tuple[int, str, datetime.datetime, int]] = (
        _REQUESTS_BY_PAGE(*page_ids(list(by_id))) if len(by_id) <= PAGE_IDS else _requests_of(by_id)
    )
    for document_id, status, expires_at, version_id in rows:
        document = by_id[document_id]
        if document.last_request_status is None:  # type: ignore[union-attr]
            document.last_request_status = status  # type: ignore[union-attr]
        if status == RequestStatus.PENDING and expires_at > now:
            if version_id == document.current_version_id:
                document.pending_signature = True  # type: ignore[union-attr]
            else:
                document.signature_outdated = True  # type: ignore[union-attr]
    return documents


def requests_for_document(viewer: Viewer, document: Document) -> QuerySet[SignatureRequest]:
    """The document page's request list: this document's requests the viewer may see (``policy.visible_to``)."""
    return (
        policy.visible_to(viewer)
        .filter(document=document)
        .select_related("requested_by__user", "cancelled_by__user", "contact", "version", "signature__signed_version")
        .order_by("-requested_at", "-pk")
    )


_STAFF_REQUESTS: dict[tuple[object, Q, frozenset[str]], Prepared[SignatureRequest] | None] = {}  # None: no rows


def staff_requests_for_document(viewer: StaffViewer, document: Document) -> list[SignatureRequest]:
    """``requests_for_document`` for staff (the document page), in a prepared query built by asking the policy itself
    (``policy.visible_to``) and kept by that rule and what it reads of the viewer (documents rule, permissions); each
    request's document is the one given."""
    permissions = frozenset(viewer.member.permissions)
    key = (policy.visible_to, documents_policy.staff_rule(viewer), permissions)
    if key not in _STAFF_REQUESTS:
        granted = sorted(permissions)

        def build(practice_id: int, document_id: int) -> QuerySet[SignatureRequest]:
            standing_in = StaffViewer(StaffMember(practice_id=practice_id, permissions=granted))
            # Not the document, its client and type, nor the practice again for every request: the caller has them.
            return (
                policy.visible_to(standing_in)
                .filter(document_id=document_id)
                .select_related(None)
                .select_related(
                    "requested_by__user", "cancelled_by__user", "contact", "version", "signature__signed_version"
                )
                .order_by("-requested_at", "-pk")
            )

        # A rule that shows nothing (``none()``) has no SQL to prepare.
        _STAFF_REQUESTS[key] = None if build(0, 0).query.is_empty() else Prepared(build, int, int)
    prepared = _STAFF_REQUESTS[key]
    requests = prepared(viewer.practice_id, document.pk) if prepared is not None else []
    for sign_request in requests:
        sign_request.document = document
    return requests


def signature_for_version(version_id: int) -> Signature | None:
    return Signature.objects.select_related("request", "document").filter(signed_version_id=version_id).first()
