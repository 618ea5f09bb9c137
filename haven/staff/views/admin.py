"""Organization Administration: practice settings, logo, facilities, staff and their permissions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.accounts import two_factor
from haven.core.errors import ApplicationError
from haven.practices.access import StaffRequest, staff_view
from haven.practices.actions import (
    PRACTICE_SETTINGS,
    invite_staff,
    resend_staff_invitation,
    reset_staff_two_factor,
    save_facility,
    set_practice_logo,
    set_staff_active,
    set_staff_permission,
    set_staff_role,
    update_practice_settings,
)
from haven.practices.models import PERMISSION_HELP, Permission
from haven.practices.policy import facilities_visible_to, get_facility, get_staff_member, staff_visible_to
from haven.staff.forms.admin import FacilityForm, LogoForm, PracticeSettingsForm, StaffInviteForm, StaffRoleForm

ADMIN = Permission.ORG_ADMIN


def _admin_context(section: str, **extra: object) -> dict[str, object]:
    return {"nav": "admin", "section": section, **extra}


@staff_view(ADMIN)
def settings_view(request: StaffRequest) -> HttpResponse:
    practice = request.staff.practice
    form = PracticeSettingsForm(request.POST or None, instance=practice)
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in PRACTICE_SETTINGS}
        practice.refresh_from_db()  # the form wrote into the instance; the action compares with what is stored
        try:
            update_practice_settings(by=request.staff, changes=changes)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Practice settings saved."))
            return redirect("staff:admin_settings")
    return render(request, "staff/admin/settings.html", _admin_context("settings", form=form, logo_form=LogoForm()))


@staff_view(ADMIN)
@require_POST
def logo_upload(request: StaffRequest) -> HttpResponse:
    form = LogoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            set_practice_logo(by=request.staff, data=form.cleaned_data["logo"].read())
        except ApplicationError as error:
            form.add_error("logo", error.message)
        else:
            messages.success(request, _("Logo updated."))
            return redirect("staff:admin_settings")
    settings_form = PracticeSettingsForm(instance=request.staff.practice)
    return render(
        request,
        "staff/admin/settings.html",
        _admin_context("settings", form=settings_form, logo_form=form),
        status=400,
    )


@staff_view(ADMIN)
def staff_list(request: StaffRequest) -> HttpResponse:
    members = staff_visible_to(request.viewer).select_related("user").order_by("user__full_name")
    return render(request, "staff/admin/staff_list.html", _admin_context("staff", members=members))


@staff_view(ADMIN)
def staff_invite(request: StaffRequest) -> HttpResponse:
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = invite_staff(by=request.staff, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s. The link works for 24 hours.") % {"email": member.user.email}
            )
            return redirect("staff:admin_staff_detail", member_id=member.pk)
    return render(request, "staff/admin/staff_invite.html", _admin_context("staff", form=form))


@staff_view(ADMIN)
def staff_detail(request: StaffRequest, member_id: int) -> HttpResponse:
    member = get_staff_member(request.viewer, member_id, path=request.path)
    role_form = StaffRoleForm(initial={"role": member.role})
    if request.method == "POST":
        operation = request.POST.get("operation", "")
        try:
            if operation == "permission":
                permission = request.POST.get("permission", "")
                granted = request.POST.get("granted") == "1"
                set_staff_permission(by=request.staff, member=member, permission=permission, granted=granted)
                label = Permission(permission).label if permission in Permission.values else permission
                messages.success(
                    request,
                    (_("%(permission)s granted.") if granted else _("%(permission)s removed.")) % {"permission": label},
                )
            elif operation == "role":
                role_form = StaffRoleForm(request.POST)
                if not role_form.is_valid():
                    raise ApplicationError(_("Choose a role from the list."))
                set_staff_role(by=request.staff, member=member, **role_form.cleaned_data)
                messages.success(request, _("Role saved."))
            elif operation == "resend":
                resend_staff_invitation(by=request.staff, member=member)
                messages.success(request, _("A new invitation was sent. The earlier link no longer works."))
            elif operation == "reset_two_factor":
                reset_staff_two_factor(by=request.staff, member=member)
                text = _("Two-factor sign-in reset for %(name)s. They are signed out.") % {
                    "name": member.user.full_name
                }
                if request.staff.practice.require_staff_two_factor:
                    text += " " + _("At their next sign-in they set up their authenticator app again.")
                messages.success(request, text)
            elif operation in {"disable", "enable"}:
                set_staff_active(by=request.staff, member=member, active=operation == "enable")
                messages.success(request, _("Login enabled.") if operation == "enable" else _("Login disabled."))
            else:
                raise ApplicationError(_("Unknown request."))
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("staff:admin_staff_detail", member_id=member.pk)
    permissions = [
        {"value": p.value, "label": p.label, "help": PERMISSION_HELP[p], "granted": member.has_permission(p.value)}
        for p in Permission
    ]
    return render(
        request,
        "staff/admin/staff_detail.html",
        _admin_context(
            "staff",
            member=member,
            permissions=permissions,
            role_form=role_form,
            has_two_factor=two_factor.confirmed_device(member.user) is not None,
            recovery_codes_left=two_factor.recovery_codes_left(member.user),
        ),
    )


@staff_view(ADMIN)
def facility_list(request: StaffRequest) -> HttpResponse:
    facilities = facilities_visible_to(request.viewer)
    return render(request, "staff/admin/facility_list.html", _admin_context("facilities", facilities=facilities))


@staff_view(ADMIN)
def facility_edit(request: StaffRequest, facility_id: int | None = None) -> HttpResponse:
    facility = get_facility(request.viewer, facility_id, path=request.path) if facility_id is not None else None
    initial = {"name": facility.name, "address": facility.address, "phone": facility.phone} if facility else None
    form = FacilityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_facility(by=request.staff, facility=facility, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, _("Facility saved."))
            return redirect("staff:admin_facilities")
    return render(request, "staff/admin/facility_form.html", _admin_context("facilities", form=form, facility=facility))
