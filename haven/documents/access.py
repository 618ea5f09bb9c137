"""Scoped lookups of documents: the staff member's practice, or the portal user's selected profile."""

from __future__ import annotations

from haven.audit.denials import not_found
from haven.clients.models import Client
from haven.documents.models import Document, GroupNote
from haven.documents.selectors import documents_for_portal, readable_by
from haven.portal_access.session import PortalSession
from haven.portal_access.viewers import PortalViewer
from haven.practices.access import deny
from haven.practices.models import StaffMember


def get_document_for_staff(member: StaffMember, client: Client, document_id: int, *, path: str = "") -> Document:
    """A document of this client's chart that the staff member may open (clinical ones need the permission)."""
    documents = Document.objects.select_related("type", "current_version", "author__user", "client")
    document = readable_by(member, documents).filter(practice=member.practice, client=client, pk=document_id).first()
    if document is None:
        raise deny(member, object_type="documents.document", object_id=document_id, path=path)
    return document


def get_group_note_for_staff(member: StaffMember, group_note_id: int, *, path: str = "") -> GroupNote:
    """A General Log group note of the practice that the staff member may open, or 404 (audited)."""
    notes = GroupNote.objects.select_related("type", "author__user")
    group_note = readable_by(member, notes).filter(practice=member.practice, pk=group_note_id).first()
    if group_note is None:
        raise deny(member, object_type="documents.groupnote", object_id=group_note_id, path=path)
    return group_note


def get_document_for_portal(session: PortalSession, document_id: int, *, path: str = "") -> Document:
    """A document shared with the person for the selected profile, or 404 (audited) for anything else."""
    document = None
    if session.selected is not None:
        document = documents_for_portal(session.selected).filter(pk=document_id).first()
    if document is None:
        viewer = PortalViewer(account=session.account, practice=session.practice, profile=session.selected)
        raise not_found(viewer, object_type="documents.document", object_id=document_id, path=path)
    return document
