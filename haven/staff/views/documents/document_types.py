"""Organization Administration: document types and their portal exceptions (DOC-2)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from haven.core.errors import ApplicationError
from haven.documents import actions, selectors
from haven.documents.models import DocumentType
from haven.practices.access import StaffRequest, deny, staff_view
from haven.practices.models import Permission


def _get_type_for_admin(request: StaffRequest, type_id: int) -> DocumentType:
    doc_type = selectors.document_types(request.staff.practice_id).filter(pk=type_id).first()
    if doc_type is None:
        raise deny(request.staff, object_type="documents.documenttype", object_id=type_id, path=request.path)
    return doc_type


@staff_view(Permission.ORG_ADMIN)
@require_safe
def document_types(request: StaffRequest) -> HttpResponse:
    return render(
        request,
        "staff/admin/document_types.html",
        {
            "nav": "admin",
            "section": "document_types",
            "types": list(selectors.document_types(request.staff.practice_id)),
        },
    )


@staff_view(Permission.ORG_ADMIN)
@require_POST
def document_type_update(request: StaffRequest, type_id: int) -> HttpResponse:
    doc_type = _get_type_for_admin(request, type_id)
    try:
        actions.set_type_exceptions(
            by=request.staff,
            doc_type=doc_type,
            never_share=request.POST.get("never_share") == "1",
            hidden_from_portal=request.POST.get("hidden_from_portal") == "1",
            share_to_sign=request.POST.get("share_to_sign") == "1",
            clinical=request.POST.get("clinical") == "1",
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Portal document exceptions saved for %(type)s.") % {"type": doc_type.name})
    return redirect("staff:admin_document_types")
