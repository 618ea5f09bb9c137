"""Portal access from the chart: the status icon's actions, instruction sheets, portal users."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from haven.clients.models import Client
from haven.clients.policy import get_client, get_contact
from haven.core.errors import ApplicationError
from haven.intake.actions import send_forms
from haven.intake.policy import addressed_to, forms_to_send, may_be_addressed, visible_to
from haven.portal_access.actions.guardianship import renew_guardian_access, revoke_access
from haven.portal_access.actions.invitations import act_on_status_icon, add_portal_user, resend_invitation
from haven.portal_access.actions.pins import print_instruction_sheet
from haven.portal_access.models import AccessStatus, ProfileAccess
from haven.portal_access.policy import get_profile_access
from haven.portal_access.selectors import access_for_client
from haven.portal_access.status import PersonRecord
from haven.portal_access.two_factor import is_on as two_factor_is_on
from haven.portal_access.two_factor import turn_off_for_lost_phone
from haven.practices.access import StaffRequest, staff_view
from haven.practices.models import Permission
from haven.staff.forms.portal import InvitationFormsForm, PortalUserForm, RenewGuardianForm


def _access_page(client: Client, access: ProfileAccess) -> HttpResponse:
    return redirect("staff:portal_access_detail", client_id=client.pk, access_id=access.pk)


def _icon_action(request: StaffRequest, record: PersonRecord) -> HttpResponse:
    """Gray globe: create and invite. Blue globe: link if needed. Then offer the instruction sheet."""
    try:
        access, outcome = act_on_status_icon(by=request.staff, record=record)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("staff:contact_list", client_id=record.client.pk)
    if outcome == "invited":
        messages.success(
            request,
            _("Portal account created and invitation sent to %(email)s. Print the instructions to hand over.")
            % {"email": access.account.email},
        )
    elif outcome == "linked":
        messages.success(request, _("Portal account linked. Print the instructions with the PIN to hand over."))
    return _access_page(record.client, access)


@staff_view(Permission.INVITE_PORTAL)
@require_POST
def client_portal_action(request: StaffRequest, client_id: int) -> HttpResponse:
    client = get_client(request.viewer, client_id, path=request.path)
    return _icon_action(request, PersonRecord(client=client))


@staff_view(Permission.INVITE_PORTAL)
@require_POST
def contact_portal_action(request: StaffRequest, client_id: int, contact_id: int) -> HttpResponse:
    client = get_client(request.viewer, client_id, path=request.path)
    contact = get_contact(request.viewer, client, contact_id, path=request.path)
    return _icon_action(request, PersonRecord(client=client, contact=contact))


@staff_view()
def portal_overview(request: StaffRequest, client_id: int) -> HttpResponse:
    client = get_client(request.viewer, client_id, path=request.path)
    return render(
        request,
        "staff/portal/overview.html",
        {
            "nav": "clients",
            "client": client,
            "tab": "portal",
            "accesses": list(access_for_client(client)),
            "can_invite": request.staff.has_permission(Permission.INVITE_PORTAL),
            "can_see_history": request.staff.has_permission(Permission.ORG_ADMIN),
            "form": PortalUserForm(),
        },
    )


@staff_view(Permission.INVITE_PORTAL)
def portal_user_add(request: StaffRequest, client_id: int) -> HttpResponse:
    client = get_client(request.viewer, client_id, path=request.path)
    form = PortalUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access = add_portal_user(by=request.staff, client=client, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Portal user added."))
            return _access_page(client, access)
    return render(request, "staff/portal/portal_user_form.html", {"nav": "clients", "client": client, "form": form})


@staff_view()
def portal_access_detail(request: StaffRequest, client_id: int, access_id: int) -> HttpResponse:
    client = get_client(request.viewer, client_id, path=request.path)
    access = get_profile_access(request.viewer, client, access_id, path=request.path)
    return _render_access(request, client, access, intake_form=_invitation_forms(request, access))


def _render_access(
    request: StaffRequest,
    client: Client,
    access: ProfileAccess,
    *,
    intake_form: InvitationFormsForm | None,
    status: int = 200,
) -> HttpResponse:
    can_invite = request.staff.has_permission(Permission.INVITE_PORTAL)
    sent_forms = (
        list(visible_to(request.viewer).filter(client=client).filter(addressed_to(access)).open())
        if intake_form is not None
        else []
    )
    return render(
        request,
        "staff/portal/access_detail.html",
        {
            "nav": "clients",
            "client": client,
            "access": access,
            "can_invite": can_invite,
            "is_effective": ProfileAccess.objects.effective(client.practice).filter(pk=access.pk).exists(),
            "renew_form": RenewGuardianForm(),
            "two_factor_on": two_factor_is_on(access.account),
            "intake_form": intake_form if can_invite else None,
            "intake_waiting": sent_forms,
        },
        status=status,
    )


def _invitation_forms(request: StaffRequest, access: ProfileAccess, data: Any = None) -> InvitationFormsForm | None:
    """The intake forms offered with a pending invitation to the client or a guardian; None when none can go."""
    if access.status != AccessStatus.PENDING or not may_be_addressed(access):
        return None
    return InvitationFormsForm(data, choices=forms_to_send(request.viewer))


@staff_view(Permission.INVITE_PORTAL)
@require_POST
def portal_access_intake(request: StaffRequest, client_id: int, access_id: int) -> HttpResponse:
    """Send intake forms with the invitation: they wait in the portal for the person's first sign-in."""
    client = get_client(request.viewer, client_id, path=request.path)
    access = get_profile_access(request.viewer, client, access_id, path=request.path)
    form = _invitation_forms(request, access, request.POST)
    if form is None:
        messages.error(request, _("Intake forms go with an invitation to the client or a legal guardian."))
        return _access_page(client, access)
    if form.is_valid():
        try:
            sent = send_forms(
                by=request.staff,
                client=client,
                forms=form.chosen_in_order(),
                recipient_key="",
                message=form.cleaned_data["message"],
                invitation=access,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d intake form will be waiting when they first sign in.",
                    "%(count)d intake forms will be waiting when they first sign in.",
                    len(sent),
                )
                % {"count": len(sent)},
            )
            return _access_page(client, access)
    return _render_access(request, client, access, intake_form=form, status=400)


@staff_view(Permission.INVITE_PORTAL)
@require_POST
def portal_access_manage(request: StaffRequest, client_id: int, access_id: int) -> HttpResponse:
    """Resend the invitation, remove the access, renew a guardian's access, or turn off two-step sign-in."""
    client = get_client(request.viewer, client_id, path=request.path)
    access = get_profile_access(request.viewer, client, access_id, path=request.path)
    operation = request.POST.get("operation", "")
    try:
        if operation == "resend":
            resend_invitation(by=request.staff, access=access)
            messages.success(request, _("A new invitation was sent. The earlier link no longer works."))
        elif operation == "revoke":
            revoke_access(by=request.staff, access=access)
            messages.success(request, _("Portal access removed. It ended at once."))
        elif operation == "turn_off_two_factor":
            turn_off_for_lost_phone(by=request.staff, access=access)
            messages.success(request, _("Two-step sign-in is off for this person. They were told by email."))
        elif operation == "renew":
            form = RenewGuardianForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Choose the date the guardian's access should last until."))
            renew_guardian_access(by=request.staff, access=access, until=form.cleaned_data["until"])
            messages.success(request, _("Guardian access renewed."))
        else:
            raise ApplicationError(_("Unknown request."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return _access_page(client, access)


@staff_view(Permission.INVITE_PORTAL)
@require_POST
def instruction_sheet(request: StaffRequest, client_id: int, access_id: int) -> HttpResponse:
    """The printable instructions; a link waiting for confirmation gets a new PIN, voiding the last one."""
    client = get_client(request.viewer, client_id, path=request.path)
    access = get_profile_access(request.viewer, client, access_id, path=request.path)
    try:
        pdf = print_instruction_sheet(by=request.staff, access=access)
    except ApplicationError as error:
        messages.error(request, error.message)
        return _access_page(client, access)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="portal-instructions.pdf"'
    return response
