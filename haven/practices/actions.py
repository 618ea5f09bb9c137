"""Every change to practices, facilities and staff goes through these functions."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from haven.accounts import two_factor
from haven.audit.actions import record_event
from haven.audit.events import (
    FacilityChanged,
    FacilityCreated,
    PracticeLogoChanged,
    PracticeSettingsChanged,
    StaffDisabled,
    StaffEnabled,
    StaffInvitationResent,
    StaffInvited,
    StaffPermissionGranted,
    StaffPermissionRevoked,
    StaffRoleChanged,
    StaffTwoFactorReset,
)
from haven.audit.models import Actor
from haven.core.errors import ApplicationError
from haven.practices.models import ROLE_TEMPLATES, Facility, LinkPurpose, Permission, Practice, Role, StaffMember
from haven.practices.password_links import email_link, void_open_links

# The settings an administrator edits, in the order the settings page shows them: the form's fields are this list.
PRACTICE_SETTINGS = (
    "name",
    "time_zone",
    "phone",
    "email",
    "address",
    "require_staff_two_factor",
    "client_contact_network_enabled",
    "age_of_majority",
    "notify_portal_shares",
    "portal_handout_text",
)


def _require(member: StaffMember, permission: str) -> None:
    if not member.has_permission(permission):
        raise ApplicationError(_("You do not have permission to do that."))


@transaction.atomic
def update_practice_settings(*, by: StaffMember, changes: dict[str, Any]) -> Practice:
    _require(by, Permission.ORG_ADMIN)
    practice = Practice.objects.select_for_update(no_key=True).get(pk=by.practice_id)
    changed = {}
    for field, value in changes.items():
        if field not in PRACTICE_SETTINGS:
            raise ApplicationError(_("That setting cannot be changed here."))
        if getattr(practice, field) != value:
            changed[field] = {"from": str(getattr(practice, field)), "to": str(value)}
            setattr(practice, field, value)
    if changed:
        practice.full_clean()
        practice.save(update_fields=[*changed.keys()])
        record_event(
            PracticeSettingsChanged(changed=changed), actor=Actor.staff(by.user), practice=practice, target=practice
        )
    by.practice = practice
    return practice


LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


def read_logo(data: bytes) -> str:
    """Check an uploaded logo from its content; return its media type or refuse it politely."""
    if len(data) > settings.HAVEN_MAX_LOGO_BYTES:
        raise ApplicationError(
            _("The logo is too large. Please choose an image under %(size)d KB.")
            % {"size": settings.HAVEN_MAX_LOGO_BYTES // 1000}
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ApplicationError(_("That file is not a PNG or JPEG image. Please choose a PNG or JPEG logo.")) from None
    if image_format not in LOGO_TYPES:
        raise ApplicationError(_("That file is not a PNG or JPEG image. Please choose a PNG or JPEG logo."))
    return LOGO_TYPES[image_format]


@transaction.atomic
def set_practice_logo(*, by: StaffMember, data: bytes) -> Practice:
    _require(by, Permission.ORG_ADMIN)
    content_type = read_logo(data)
    practice = Practice.objects.select_for_update(no_key=True).get(pk=by.practice_id)
    practice.logo = data
    practice.logo_content_type = content_type
    practice.save(update_fields=["logo", "logo_content_type"])
    record_event(
        PracticeLogoChanged(bytes=len(data), type=content_type),
        actor=Actor.staff(by.user),
        practice=practice,
        target=practice,
    )
    return practice


@transaction.atomic
def save_facility(*, by: StaffMember, facility: Facility | None, name: str, address: str, phone: str) -> Facility:
    _require(by, Permission.ORG_ADMIN)
    if facility is None:
        facility = Facility(practice=by.practice)
        event: type[FacilityCreated | FacilityChanged] = FacilityCreated
    else:
        if facility.practice_id != by.practice_id:
            raise ApplicationError(_("That facility is not part of your practice."))
        event = FacilityChanged
    if Facility.objects.filter(practice=by.practice, name__iexact=name).exclude(pk=facility.pk).exists():
        raise ApplicationError(_("Another facility already has that name."))
    facility.name, facility.address, facility.phone = name, address, phone
    facility.save()
    record_event(event(name=name), actor=Actor.staff(by.user), practice=by.practice, target=facility)
    return facility


@transaction.atomic
def invite_staff(*, by: StaffMember, email: str, full_name: str, role: str, title: str = "") -> StaffMember:
    _require(by, Permission.ORG_ADMIN)
    if role not in Role.values:
        raise ApplicationError(_("Choose a role from the list."))
    user_model = get_user_model()
    email = email.strip().lower()
    if user_model.objects.filter(email__iexact=email).exists():
        raise ApplicationError(_("Someone with this email already has a staff login."))
    user = user_model.objects.create_user(email=email, full_name=full_name.strip())
    member = StaffMember.objects.create(
        user=user, practice=by.practice, role=role, title=title, permissions=sorted(ROLE_TEMPLATES[role])
    )
    email_link(member, LinkPurpose.INVITATION)
    record_event(
        StaffInvited(email=email, role=role, permissions=member.permissions),
        actor=Actor.staff(by.user),
        practice=by.practice,
        target=member,
    )
    return member


@transaction.atomic
def resend_staff_invitation(*, by: StaffMember, member: StaffMember) -> None:
    _require(by, Permission.ORG_ADMIN)
    if member.practice_id != by.practice_id:
        raise ApplicationError(_("That person is not part of your practice."))
    if member.user.has_usable_password():
        raise ApplicationError(_("This person has already set a password."))
    email_link(member, LinkPurpose.INVITATION)
    record_event(StaffInvitationResent(), actor=Actor.staff(by.user), practice=by.practice, target=member)


def _other_administrators(member: StaffMember) -> bool:
    others = (
        StaffMember.objects.filter(practice_id=member.practice_id, user__is_active=True)
        .exclude(pk=member.pk)
        .values_list("permissions", flat=True)
    )
    return any(Permission.ORG_ADMIN in permissions for permissions in others)


@transaction.atomic
def set_staff_permission(*, by: StaffMember, member: StaffMember, permission: str, granted: bool) -> StaffMember:
    _require(by, Permission.ORG_ADMIN)
    if permission not in Permission.values:
        raise ApplicationError(_("Unknown permission."))
    member = (
        StaffMember.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=member.pk, practice=by.practice)
    )
    has = member.has_permission(permission)
    if has == granted:
        return member
    if permission == Permission.ORG_ADMIN and not granted and not _other_administrators(member):
        raise ApplicationError(
            _("A practice needs at least one administrator. Make someone else an administrator first.")
        )
    permissions = set(member.permissions)
    permissions.add(permission) if granted else permissions.discard(permission)
    member.permissions = sorted(permissions)
    member.save(update_fields=["permissions"])
    record_event(
        (
            StaffPermissionGranted(permission=permission, staff=member.user.email)
            if granted
            else StaffPermissionRevoked(permission=permission, staff=member.user.email)
        ),
        actor=Actor.staff(by.user),
        practice=by.practice,
        target=member,
    )
    return member


@transaction.atomic
def set_staff_role(*, by: StaffMember, member: StaffMember, role: str, apply_template: bool) -> StaffMember:
    """Change a role; with ``apply_template`` the permissions are reset to the role's, keeping Web Portal as it was."""
    _require(by, Permission.ORG_ADMIN)
    if role not in Role.values:
        raise ApplicationError(_("Choose a role from the list."))
    member = (
        StaffMember.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=member.pk, practice=by.practice)
    )
    before = {"role": member.role, "permissions": list(member.permissions)}
    member.role = role
    if apply_template:
        permissions = set(ROLE_TEMPLATES[role])
        if member.has_permission(Permission.WEB_PORTAL):
            permissions.add(Permission.WEB_PORTAL)
        losing_admin = Permission.ORG_ADMIN not in permissions and member.has_permission(Permission.ORG_ADMIN)
        if losing_admin and not _other_administrators(member):
            raise ApplicationError(
                _("A practice needs at least one administrator. Make someone else an administrator first.")
            )
        member.permissions = sorted(permissions)
    if before == {"role": member.role, "permissions": member.permissions}:
        return member
    member.save(update_fields=["role", "permissions"])
    record_event(
        StaffRoleChanged(before=before, after={"role": member.role, "permissions": member.permissions}),
        actor=Actor.staff(by.user),
        practice=by.practice,
        target=member,
    )
    return member


@transaction.atomic
def set_staff_active(*, by: StaffMember, member: StaffMember, active: bool) -> StaffMember:
    """Disable or re-enable a staff login; disabling ends their live sessions."""
    _require(by, Permission.ORG_ADMIN)
    member = (
        StaffMember.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=member.pk, practice=by.practice)
    )
    if member.pk == by.pk and not active:
        raise ApplicationError(_("You cannot disable your own login."))
    user = member.user
    if user.is_active == active:
        return member
    if not active and member.has_permission(Permission.ORG_ADMIN) and not _other_administrators(member):
        raise ApplicationError(
            _("A practice needs at least one administrator. Make someone else an administrator first.")
        )
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        # Django refuses inactive users on their next request, which ends live sessions.
        void_open_links(member)
    record_event(
        (StaffEnabled() if active else StaffDisabled()), actor=Actor.staff(by.user), practice=by.practice, target=member
    )
    return member


@transaction.atomic
def reset_staff_two_factor(*, by: StaffMember, member: StaffMember) -> StaffMember:
    """An administrator removes another staff member's second factor (app and recovery codes) and signs them
    out everywhere; at their next sign-in they set up an authenticator app again."""
    _require(by, Permission.ORG_ADMIN)
    member_found = (
        StaffMember.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=member.pk, practice_id=by.practice_id)
        .first()
    )
    if member_found is None:
        raise ApplicationError(_("That person is not part of your practice."))
    member = member_found
    if member.pk == by.pk:
        raise ApplicationError(
            _("You cannot reset your own two-factor sign-in. Ask another administrator of your practice.")
        )
    removed = two_factor.remove_devices(member.user)
    if not removed:
        raise ApplicationError(_("This person has not set up two-factor sign-in, so there is nothing to reset."))
    member.user.end_sessions()
    record_event(
        StaffTwoFactorReset(staff=member.user.email, reset_by=by.user.email, devices_removed=removed),
        actor=Actor.staff(by.user),
        practice=by.practice,
        target=member,
    )
    return member
