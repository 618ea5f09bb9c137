"""Reads of signature requests and signatures, scoped, in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from haven.core.policy import Viewer
from haven.documents import policy as documents_policy
from haven.documents.models import Document, VersionSource
from haven.portal_access.models import ProfileAccess
from haven.signing import policy
from haven.signing.models import RequestStatus, Signature, SignatureRequest


def portal_documents(access: ProfileAccess) -> QuerySet[Document]:
    """My Documents, newest first, with its tags: Pending Review (waiting for this person), Out of date, and Signed.

    What the profile sees is the documents policy's answer (``visible_to_profile``, as ``visible_to`` of its viewer).
    """
    for_document = policy.requests_naming(access).filter(document=OuterRef("pk"))
    documents = documents_policy.visible_to_profile(access).select_related("type", "current_version")
    return documents.order_by("-document_date", "-created_at", "-pk").annotate(
        pending_review=Exists(for_document.signable()),
        request_out_of_date=Exists(for_document.out_of_date()),
        signed=Q(current_version__source=VersionSource.SIGNED),
    )


def staff_signature_status(documents: QuerySet[Document]) -> QuerySet[Document]:
    """The Activity Log's signature columns: waiting, outdated (the document changed), signed, declined last."""
    open_requests = SignatureRequest.objects.filter(
        document=OuterRef("pk"), status=RequestStatus.PENDING, expires_at__gt=timezone.now()
    )
    latest = SignatureRequest.objects.filter(document=OuterRef("pk")).order_by("-requested_at", "-pk")
    return documents.annotate(
        pending_signature=Exists(open_requests.filter(version_id=OuterRef("current_version_id"))),
        # Sent before the document changed: it can no longer be signed, and staff should send a new one.
        signature_outdated=Exists(open_requests.exclude(version_id=OuterRef("current_version_id"))),
        signed=Q(current_version__source=VersionSource.SIGNED),
        last_request_status=latest.values("status")[:1],
    )


def requests_for_document(viewer: Viewer, document: Document) -> QuerySet[SignatureRequest]:
    """The document page's request list: this document's requests the viewer may see (``policy.visible_to``)."""
    return (
        policy.visible_to(viewer)
        .filter(document=document)
        .select_related("requested_by__user", "cancelled_by__user", "contact", "version", "signature__signed_version")
        .order_by("-requested_at", "-pk")
    )


def signature_for_version(version_id: int) -> Signature | None:
    return Signature.objects.select_related("request", "document").filter(signed_version_id=version_id).first()
