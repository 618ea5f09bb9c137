"""A client's related contacts: add (new person or existing client), edit, remove."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.clients.actions import add_contact, remove_contact, update_contact
from haven.clients.policy import get_client, get_contact
from haven.clients.selectors import contacts_of, linkable_clients
from haven.core.errors import ApplicationError, ConflictError
from haven.portal_access.status import PersonRecord, portal_statuses
from haven.practices.access import StaffRequest, staff_view
from haven.practices.models import Permission
from haven.staff.forms.contacts import ContactForm
from haven.staff.forms.versions import rebase


@staff_view()
def contact_list(request: StaffRequest, client_id: int) -> HttpResponse:
    client = get_client(request.viewer, client_id, path=request.path)
    contacts = list(contacts_of(client))
    records = [PersonRecord(client=client), *(PersonRecord(client=client, contact=contact) for contact in contacts)]
    client_status, *contact_statuses = portal_statuses(records)
    return render(
        request,
        "staff/contacts/list.html",
        {
            "nav": "clients",
            "client": client,
            "tab": "contacts",
            "client_status": client_status,
            "rows": list(zip(contacts, contact_statuses, strict=True)),
            "can_invite": request.staff.has_permission(Permission.INVITE_PORTAL),
            "can_see_history": request.staff.has_permission(Permission.ORG_ADMIN),
        },
    )


@staff_view()
def contact_add(request: StaffRequest, client_id: int) -> HttpResponse:
    client = get_client(request.viewer, client_id, path=request.path)
    network = client.practice.client_contact_network_enabled
    form = ContactForm(
        request.POST or None, member=request.staff, linkable=linkable_clients(client), network_enabled=network
    )
    if request.method == "POST" and form.is_valid():
        try:
            contact = add_contact(
                by=request.staff,
                client=client,
                data=form.contact_data(),
                linked_client=form.cleaned_data.get("linked_client"),
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(name)s was added as a contact.") % {"name": contact.full_name})
            return redirect("staff:contact_list", client_id=client.pk)
    return render(
        request, "staff/contacts/form.html", {"nav": "clients", "client": client, "form": form, "contact": None}
    )


@staff_view()
def contact_edit(request: StaffRequest, client_id: int, contact_id: int) -> HttpResponse:
    client = get_client(request.viewer, client_id, path=request.path)
    contact = get_contact(request.viewer, client, contact_id, path=request.path)
    form = ContactForm(
        request.POST or None,
        instance=contact,
        member=request.staff,
        network_enabled=client.practice.client_contact_network_enabled,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            update_contact(
                by=request.staff,
                contact=contact,
                data=form.contact_data(),
                expected_version=form.cleaned_data.get("version") or 0,
            )
        except ConflictError as error:
            contact.refresh_from_db()
            form = ContactForm(
                rebase(request, contact.version),
                instance=contact,
                member=request.staff,
                network_enabled=client.practice.client_contact_network_enabled,
            )
            form.is_valid()
            form.add_error(None, error.message)
            status = 409
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("staff:contact_list", client_id=client.pk)
    return render(
        request,
        "staff/contacts/form.html",
        {"nav": "clients", "client": client, "form": form, "contact": contact},
        status=status,
    )


@staff_view()
@require_POST
def contact_remove(request: StaffRequest, client_id: int, contact_id: int) -> HttpResponse:
    client = get_client(request.viewer, client_id, path=request.path)
    contact = get_contact(request.viewer, client, contact_id, path=request.path)
    name = contact.full_name
    remove_contact(by=request.staff, contact=contact)
    messages.success(request, _("%(name)s is no longer a contact of this client.") % {"name": name})
    return redirect("staff:contact_list", client_id=client.pk)
