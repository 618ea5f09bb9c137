"""Sharing one document to the portal: the share dialog's recipients (DOC-3)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.clients.models import RelatedContact
from haven.clients.policy import get_client, get_contact
from haven.core.errors import ApplicationError
from haven.documents import actions
from haven.documents.policy import get_document
from haven.portal_access.models import ProfileAccess
from haven.portal_access.policy import get_profile_access
from haven.practices.access import StaffRequest, deny, staff_view
from haven.practices.models import Permission


@staff_view(Permission.WEB_PORTAL)
@require_POST
def document_share(request: StaffRequest, client_id: int, document_id: int) -> HttpResponse:
    """Make the open shares exactly the ticked recipients; any contact outside this client refuses it all."""
    client = get_client(request.viewer, client_id, path=request.path)
    document = get_document(request.viewer, document_id, client=client, path=request.path)
    contacts: dict[int, RelatedContact] = {}
    for raw in request.POST.getlist("contact"):
        try:
            contact_id = int(raw)
        except ValueError:
            raise deny(
                request.staff, object_type="clients.relatedcontact", object_id=raw[:40], path=request.path
            ) from None
        if contact_id not in contacts:
            contacts[contact_id] = get_contact(request.viewer, client, contact_id, path=request.path)
    portal_users: dict[int, ProfileAccess] = {}
    for raw in request.POST.getlist("portal_user"):
        try:
            access_id = int(raw)
        except ValueError:
            raise deny(
                request.staff, object_type="portal_access.profileaccess", object_id=raw[:40], path=request.path
            ) from None
        if access_id not in portal_users:
            portal_users[access_id] = get_profile_access(request.viewer, client, access_id, path=request.path)
    try:
        actions.set_recipients(
            by=request.staff,
            document=document,
            all_authorized=request.POST.get("all_authorized") == "1",
            client=request.POST.get("client") == "1",
            contacts=list(contacts.values()),
            portal_users=list(portal_users.values()),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Sharing updated."))
    return redirect("staff:document_detail", client_id=client.pk, document_id=document.pk)
