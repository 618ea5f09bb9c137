"""Scoped lookups of documents: the staff member's practice, or the portal user's selected profile."""

from __future__ import annotations

from django.http import Http404

from haven.audit.actions import record_event
from haven.clients.models import Client
from haven.documents.models import Document
from haven.documents.selectors import documents_for_portal
from haven.portal_access.actions import portal_actor
from haven.portal_access.session import PortalSession
from haven.practices.access import deny
from haven.practices.models import StaffMember


def get_document_for_staff(member: StaffMember, client: Client, document_id: int, *, path: str = "") -> Document:
    document = (
        Document.objects.select_related("type", "current_version", "author__user", "client")
        .filter(practice=member.practice, client=client, pk=document_id)
        .first()
    )
    if document is None:
        raise deny(member, object_type="documents.document", object_id=document_id, path=path)
    return document


def get_document_for_portal(session: PortalSession, document_id: int, *, path: str = "") -> Document:
    """A document shared with the person for the selected profile, or 404 (audited) for anything else."""
    document = None
    if session.selected is not None:
        document = documents_for_portal(session.selected).filter(pk=document_id).first()
    if document is None:
        record_event(
            action="access.denied",
            actor=portal_actor(session.account),
            practice=session.practice,
            details={"object_type": "documents.document", "object_id": str(document_id), "path": path},
        )
        raise Http404
    return document
