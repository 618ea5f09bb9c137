"""Who may see and do what with documents and group notes: the one answer staff pages, portal pages,
actions and notifications ask (see ``haven.core.policy``).

Reading this module answers "who can see this document?":

- staff see their practice's documents and group notes; a clinical type needs the Read clinical
  documents permission (``reads_clinical``), without it they are not listed and answer 404;
- a portal login acting for a profile sees that client's documents with an open share that reaches
  this person (``shares_visible_to``), of a type the portal shows, once the document has its file;
- nobody else sees anything.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from haven.audit.denials import not_found
from haven.clients.models import Client
from haven.core.policy import Reason, Viewer
from haven.core.prepared import Prepared
from haven.documents.listed import ListedDocument
from haven.documents.models import PDF, Audience, Document, DocumentType, DocumentVersion, GroupNote, Share
from haven.portal_access.models import AccessKind, ProfileAccess
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import Permission
from haven.practices.viewers import StaffViewer


class DocumentVerb(StrEnum):
    SHARE = "share"
    SHARE_TO_SIGN = "share_to_sign"
    UPLOAD = "upload"  # of a type: upload a document of this type
    WRITE_NOTE = "write_note"  # of a type: write a clinical note of this type
    ADD_VERSION = "add_version"  # of a document: upload an amendment


class DocumentReason(Reason):
    OTHER_PRACTICE = "other_practice"
    NOT_STAFF = "not_staff"
    EXCEPTION = "exception"
    NOT_ELIGIBLE = "not_eligible"
    PREPARING = "preparing"
    PREPARING_TO_SIGN = "preparing_to_sign"
    PREPARING_VERSION = "preparing_version"
    NOT_PDF = "not_pdf"
    NO_PERMISSION = "no_permission"
    NO_UPLOAD_PERMISSION = "no_upload_permission"
    NO_NOTE_PERMISSION = "no_note_permission"
    TYPE_OTHER_PRACTICE = "type_other_practice"
    CLINICAL_TYPE = "clinical_type"

    def words(self, subject: Any = None) -> str:
        if isinstance(subject, Document):
            type_name = subject.type.name
        elif isinstance(subject, DocumentType):
            type_name = subject.name
        else:
            type_name = _("These")
        match self:
            case DocumentReason.OTHER_PRACTICE | DocumentReason.NOT_STAFF:
                return _("That document is not part of your practice.")
            case DocumentReason.EXCEPTION:
                return _("%(type)s documents are on the portal exception list and can't be shared.") % {
                    "type": type_name
                }
            case DocumentReason.NOT_ELIGIBLE:
                return _(
                    "%(type)s documents can't be shared to sign. An administrator can allow it under Document types."
                ) % {"type": type_name}
            case DocumentReason.PREPARING:
                return _("Its PDF is still being prepared; share it once it appears.")
            case DocumentReason.PREPARING_TO_SIGN:
                return _("Its PDF is still being prepared; share it to sign once it appears.")
            case DocumentReason.PREPARING_VERSION:
                return _("Its PDF is still being prepared; add a version once it appears.")
            case DocumentReason.NOT_PDF:
                return _("Only PDF documents can be signed. Upload the document as a PDF first.")
            case DocumentReason.NO_PERMISSION:
                return _("Only staff with the Web Portal permission can share to the portal.")
            case DocumentReason.NO_UPLOAD_PERMISSION:
                return _("You don't have permission to upload documents.")
            case DocumentReason.NO_NOTE_PERMISSION:
                return _("You don't have permission to write clinical notes.")
            case DocumentReason.TYPE_OTHER_PRACTICE:
                return _("That client or document type is not part of your practice.")
            case DocumentReason.CLINICAL_TYPE:
                return _("Only staff with the Read clinical documents permission can add %(type)s documents.") % {
                    "type": type_name
                }


# --- Seeing ----------------------------------------------------------------------------------------


def reads_clinical(viewer: Viewer) -> bool:
    """Minimum necessary: only staff with Read clinical documents open documents of a clinical type."""
    return isinstance(viewer, StaffViewer) and viewer.has_permission(Permission.CLINICAL_DOCUMENTS)


def _staff_reads(viewer: StaffViewer) -> Q:
    """The type condition on what a staff member may open (documents and group notes alike)."""
    return Q() if reads_clinical(viewer) else ~Q(type__clinical=True)


def shares_reaching(kind: str, *, contact_id: int | None = None, access_id: int | None = None) -> Q:
    """Which shares reach someone with this kind of access: All Authorized reaches everyone with access
    to the client; the client sees what is shared with the client; a contact or a portal user what is
    shared with them."""
    visible = Q(audience=Audience.ALL_AUTHORIZED)
    if kind == AccessKind.SELF:
        visible |= Q(audience=Audience.CLIENT)
    elif kind == AccessKind.CONTACT and contact_id is not None:
        visible |= Q(audience=Audience.CONTACT, contact_id=contact_id)
    elif kind == AccessKind.PORTAL_USER and access_id is not None:
        visible |= Q(audience=Audience.PORTAL_USER, access_id=access_id)
    return visible


def shares_visible_to(access: ProfileAccess) -> Q:
    """Which shares reach the person behind this access (``shares_reaching``)."""
    return shares_reaching(access.kind, contact_id=access.contact_id, access_id=access.pk)


def visible_among(
    viewer: Viewer, documents: QuerySet[Document], *, through: QuerySet[Share] | None = None
) -> QuerySet[Document]:
    """These documents, narrowed to what the viewer may see: the one rule (``visible_to`` starts from all).

    ``through`` narrows a portal viewer's documents to those these shares open (a notification
    announces what new shares opened, not what the person could see before).
    """
    if isinstance(viewer, StaffViewer):
        return visible_to_staff(documents, practice_id=viewer.practice_id, rule=staff_rule(viewer))
    if isinstance(viewer, PortalViewer) and viewer.profile is not None:
        return visible_to_profile(viewer.profile, documents, through=through)
    return documents.none()


def staff_rule(viewer: StaffViewer) -> Q:
    """The condition on what this staff member may open, beside their practice (``visible_to_staff``). Prepared
    queries (``haven.core.prepared``) are kept by it: a query built for one rule is never run for another."""
    return _staff_reads(viewer)


def visible_to_staff(documents: QuerySet[Document], *, practice_id: int, rule: Q) -> QuerySet[Document]:
    """``visible_among`` for staff of this practice whose ``staff_rule`` is ``rule``."""
    return documents.filter(rule, practice_id=practice_id)


def portal_may_show(documents: QuerySet[Document]) -> QuerySet[Document]:
    """Those of these documents the portal shows once shared (and so the ones Share all shares): a type
    outside the portal exception list (``DocumentType.shareable``), with its file in place."""
    return documents.filter(
        type__hidden_from_portal=False,
        type__never_share=False,
        current_version__isnull=False,  # a note whose PDF is still being prepared waits
    )


def visible_to_profile(
    access: ProfileAccess, documents: QuerySet[Document] | None = None, *, through: QuerySet[Share] | None = None
) -> QuerySet[Document]:
    """A portal viewer's documents, from their profile (which the portal re-checked as effective)."""
    shares = Share.objects.open().filter(document=OuterRef("pk")).filter(shares_visible_to(access))
    if through is not None:
        shares = shares.filter(pk__in=through.values("pk"))
    return portal_may_show(Document.objects.all() if documents is None else documents).filter(
        Exists(shares), client_id=access.client_id, practice_id=access.practice_id
    )


def visible_to(viewer: Viewer) -> QuerySet[Document]:
    """Every document this viewer may see: lists, counts, lookups and notifications are built on it."""
    return visible_among(viewer, Document.objects.all())


def withheld_count(viewer: Viewer, documents: QuerySet[Document]) -> int:
    """How many of these (a staff list) the viewer may not open; 0 without a query when they read everything."""
    if not isinstance(viewer, StaffViewer) or reads_clinical(viewer):
        return 0
    return documents.exclude(_staff_reads(viewer)).count()


def group_notes_visible_among(viewer: Viewer, notes: QuerySet[GroupNote]) -> QuerySet[GroupNote]:
    """Group notes are staff-only (the portal sees each client's own copy, a document): as for documents."""
    if isinstance(viewer, StaffViewer):
        return notes.filter(_staff_reads(viewer), practice_id=viewer.practice_id)
    return notes.none()


def group_notes_visible_to(viewer: Viewer) -> QuerySet[GroupNote]:
    return group_notes_visible_among(viewer, GroupNote.objects.all())


def may_see[Typed: Model](viewer: Viewer, obj: Typed) -> bool:
    if isinstance(obj, GroupNote):
        return group_notes_visible_to(viewer).filter(pk=obj.pk).exists()
    return visible_to(viewer).filter(pk=obj.pk).exists()


# --- Looking up: the object, or an audited 404 -------------------------------------------------


_STAFF_DOCUMENTS: dict[Q, Prepared[Document]] = {}


def _staff_document(viewer: StaffViewer) -> Prepared[Document]:
    """``get_document`` for staff, of one client's chart, in a prepared query kept by the viewer's rule."""
    rule = staff_rule(viewer)
    prepared = _STAFF_DOCUMENTS.get(rule)
    if prepared is None:
        prepared = _STAFF_DOCUMENTS[rule] = Prepared(
            lambda practice_id, client_id, document_id: (
                visible_to_staff(Document.objects.all(), practice_id=practice_id, rule=rule)
                .select_related("type", "current_version", "author__user")
                .filter(client_id=client_id, pk=document_id)[:1]
            ),
            int,
            int,
            int,
        )
    return prepared


def get_document(viewer: Viewer, document_id: object, *, client: Client | None = None, path: str = "") -> Document:
    """A document this viewer may see (staff: of this client's chart, when given), or 404 (audited)."""
    if isinstance(viewer, StaffViewer) and client is not None and type(document_id) is int and abs(document_id) < 2**63:
        found = _staff_document(viewer)(viewer.practice_id, client.pk, document_id)
        if not found:
            raise not_found(viewer, object_type="documents.document", object_id=document_id, path=path)
        found[0].client = client  # the chart's client, which the query matched: not read again
        return found[0]
    documents = visible_to(viewer).select_related("type", "current_version", "author__user", "client")
    if client is not None:
        documents = documents.filter(client=client)
    document = documents.filter(pk=document_id).first() if isinstance(document_id, int) else None
    if document is None:
        raise not_found(viewer, object_type="documents.document", object_id=document_id, path=path)
    return document


def get_group_note(viewer: Viewer, group_note_id: object, *, path: str = "") -> GroupNote:
    """A General Log group note this viewer may open, or 404 (audited)."""
    notes = group_notes_visible_to(viewer).select_related("type", "author__user")
    group_note = notes.filter(pk=group_note_id).first() if isinstance(group_note_id, int) else None
    if group_note is None:
        raise not_found(viewer, object_type="documents.groupnote", object_id=group_note_id, path=path)
    return group_note


def get_version(viewer: Viewer, document: Document, version_id: object, *, path: str = "") -> DocumentVersion:
    """One of this (already visible) document's versions, or 404 (audited) for anything else."""
    try:
        wanted: int | None = int(str(version_id))
    except ValueError:
        wanted = None
    version = document.versions.filter(pk=wanted).first() if wanted is not None else None
    if version is None:
        raise not_found(viewer, object_type="documents.documentversion", object_id=str(version_id)[:40], path=path)
    return version


# --- Doing ------------------------------------------------------------------------------------------


def _why_not_share(viewer: StaffViewer, document: Document) -> DocumentReason | None:
    if not viewer.has_permission(Permission.WEB_PORTAL):
        return DocumentReason.NO_PERMISSION
    if document.practice_id != viewer.practice_id:
        return DocumentReason.OTHER_PRACTICE
    if document.current_version_id is None:
        return DocumentReason.PREPARING
    if not document.type.shareable:
        return DocumentReason.EXCEPTION
    return None


def _why_not_share_to_sign(viewer: StaffViewer, document: Document | ListedDocument) -> DocumentReason | None:
    if document.practice_id != viewer.practice_id:
        return DocumentReason.OTHER_PRACTICE
    if not document.type.shareable:
        return DocumentReason.EXCEPTION
    if not document.type.share_to_sign:
        return DocumentReason.NOT_ELIGIBLE
    if document.current_version is None:
        return DocumentReason.PREPARING_TO_SIGN
    if document.current_version.content_type != PDF:
        return DocumentReason.NOT_PDF
    if not viewer.has_permission(Permission.WEB_PORTAL):
        return DocumentReason.NO_PERMISSION
    return None


def _why_not_add(viewer: StaffViewer, doc_type: DocumentType, permission: str) -> DocumentReason | None:
    if not viewer.has_permission(permission):
        if permission == Permission.UPLOAD_DOCUMENTS:
            return DocumentReason.NO_UPLOAD_PERMISSION
        return DocumentReason.NO_NOTE_PERMISSION
    if doc_type.practice_id != viewer.practice_id:
        return DocumentReason.TYPE_OTHER_PRACTICE
    # Nobody adds a document they could not open afterwards.
    if doc_type.clinical and not reads_clinical(viewer):
        return DocumentReason.CLINICAL_TYPE
    return None


def _why_not_add_version(viewer: StaffViewer, document: Document) -> DocumentReason | None:
    if not viewer.has_permission(Permission.UPLOAD_DOCUMENTS):
        return DocumentReason.NO_UPLOAD_PERMISSION
    if document.practice_id != viewer.practice_id:
        return DocumentReason.OTHER_PRACTICE
    if document.current_version_id is None:
        return DocumentReason.PREPARING_VERSION
    return None


def why_not(viewer: Viewer, verb: DocumentVerb, obj: Document | ListedDocument | DocumentType) -> DocumentReason | None:
    """Why this viewer may not do this now; None when they may. Only staff change documents.

    - Share: the Web Portal permission, the viewer's practice, the document's file, a type outside
      the portal exception list.
    - Share to Sign (a document, or a list's entry of one: ``ListedDocument``): the viewer's practice,
      a type outside the exception list that allows it, a PDF file, the Web Portal permission.
    - Upload or write a note of a type (``obj`` a ``DocumentType``): the permission (Upload documents,
      or Dynamic forms for notes), a type of the practice, and a clinical type only for staff who read
      clinical documents.
    - Add a version: Upload documents, the viewer's practice, a document that has its first file.
    """
    if not isinstance(viewer, StaffViewer):
        return DocumentReason.NOT_STAFF
    match verb, obj:
        case DocumentVerb.SHARE, Document():
            return _why_not_share(viewer, obj)
        case DocumentVerb.SHARE_TO_SIGN, Document() | ListedDocument():
            return _why_not_share_to_sign(viewer, obj)
        case DocumentVerb.ADD_VERSION, Document():
            return _why_not_add_version(viewer, obj)
        case DocumentVerb.UPLOAD, DocumentType():
            return _why_not_add(viewer, obj, Permission.UPLOAD_DOCUMENTS)
        case DocumentVerb.WRITE_NOTE, DocumentType():
            return _why_not_add(viewer, obj, Permission.DYNAMIC_FORMS)
    raise TypeError(f"{verb} does not apply to {type(obj).__name__}")
