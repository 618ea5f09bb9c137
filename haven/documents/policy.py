"""Who may see and do what with documents: the one answer staff pages, portal pages, actions and
notifications ask (see ``haven.core.policy``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from haven.core.policy import Reason, Viewer
from haven.documents.models import PDF, Document
from haven.practices.models import Permission
from haven.practices.viewers import StaffViewer


class DocumentVerb(StrEnum):
    SHARE = "share"
    SHARE_TO_SIGN = "share_to_sign"


class DocumentReason(Reason):
    OTHER_PRACTICE = "other_practice"
    NOT_STAFF = "not_staff"
    EXCEPTION = "exception"
    NOT_ELIGIBLE = "not_eligible"
    PREPARING = "preparing"
    NOT_PDF = "not_pdf"
    NO_PERMISSION = "no_permission"

    def words(self, subject: Any = None) -> str:
        type_name = subject.type.name if isinstance(subject, Document) else _("These")
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
            case DocumentReason.NOT_PDF:
                return _("Only PDF documents can be signed. Upload the document as a PDF first.")
            case DocumentReason.NO_PERMISSION:
                return _("Only staff with the Web Portal permission can share to the portal.")


def why_not(viewer: Viewer, verb: DocumentVerb, document: Document) -> DocumentReason | None:
    """Why this viewer may not do this to the document now; None when they may.

    Share and Share to Sign: the document must be of the viewer's practice, of a type outside the
    portal exception list (Share to Sign: one that allows it), have its PDF (Share to Sign: a PDF),
    and the staff member needs the Web Portal permission.
    """
    if not isinstance(viewer, StaffViewer):
        return DocumentReason.NOT_STAFF
    if document.practice_id != viewer.practice_id:
        return DocumentReason.OTHER_PRACTICE
    if not document.type.shareable:
        return DocumentReason.EXCEPTION
    if verb == DocumentVerb.SHARE_TO_SIGN and not document.type.share_to_sign:
        return DocumentReason.NOT_ELIGIBLE
    if document.current_version is None:
        return DocumentReason.PREPARING
    if verb == DocumentVerb.SHARE_TO_SIGN and document.current_version.content_type != PDF:
        return DocumentReason.NOT_PDF
    if not viewer.has_permission(Permission.WEB_PORTAL):
        return DocumentReason.NO_PERMISSION
    return None
