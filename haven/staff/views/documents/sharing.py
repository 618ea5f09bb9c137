"""Sharing one document to the portal: the share dialog's recipients (DOC-3)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.audit.denials import object_ids
from haven.clients.policy import get_client, get_contact
from haven.core.errors import ApplicationError
from haven.documents import actions
from haven.documents.policy import get_document
from haven.portal_access.policy import get_profile_access
from haven.practices.access import StaffRequest, staff_view
from haven.practices.models import Permission


@staff_view(Permission.WEB_PORTAL)
@require_POST
def document_share(request: StaffRequest, client_id: int, document_id: int) -> HttpResponse:
    """Make the open shares exactly the ticked recipients; any contact outside this client refuses it all."""
    client = get_client(request.viewer, client_id, path=request.path)
    document = get_document(request.viewer, document_id, client=client, path=request.path)
    contacts = [
        get_contact(request.viewer, client, contact_id, path=request.path)
        for contact_id in object_ids(
            request.viewer, request.POST.getlist("contact"), object_type="clients.relatedcontact", path=request.path
        )
    ]
    portal_users = [
        get_profile_access(request.viewer, client, access_id, path=request.path)
        for access_id in object_ids(
            request.viewer,
            request.POST.getlist("portal_user"),
            object_type="portal_access.profileaccess",
            path=request.path,
        )
    ]
    try:
        actions.set_recipients(
            by=request.staff,
            document=document,
            all_authorized=request.POST.get("all_authorized") == "1",
            client=request.POST.get("client") == "1",
            contacts=contacts,
            portal_users=portal_users,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Sharing updated."))
    return redirect("staff:document_detail", client_id=client.pk, document_id=document.pk)
