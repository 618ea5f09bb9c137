"""Bringing someone to the portal: invite (gray globe), link an existing account (blue globe), the status
icon's one action, resend an invitation, and add a portal user who is not a contact."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.audit.events import PortalInvitationResent, PortalInvited, PortalLinked, PortalPortalUserAdded
from haven.clients.models import Client
from haven.core.actors import Actor
from haven.core.errors import ApplicationError
from haven.portal_access.actions import locked_access, require
from haven.portal_access.links import email_link
from haven.portal_access.models import AccessKind, AccessStatus, PortalAccount, PortalLinkPurpose, ProfileAccess
from haven.portal_access.policy import ProfileAccessVerb
from haven.portal_access.status import PersonRecord, PortalState, portal_status
from haven.practices.models import StaffMember


def _sender_name(client: Client) -> str:
    """Invitations carry the practice's name, as every portal page does, and the facility's beside it when
    the episode names one (ACC-6)."""
    facility = client.facility_name_beside_practice()
    return f"{client.practice.name} — {facility}" if facility else client.practice.name


def _open_access(by: StaffMember, account: PortalAccount, record: PersonRecord, *, status: str) -> ProfileAccess:
    return ProfileAccess.objects.create(
        account=account,
        practice=by.practice,
        client=record.client,
        kind=AccessKind.SELF if record.contact is None else AccessKind.CONTACT,
        contact=record.contact,
        status=status,
    )


@transaction.atomic
def invite_to_portal(*, by: StaffMember, record: PersonRecord) -> ProfileAccess:
    """Gray globe: create the portal account for this record's email and send the invitation."""
    require(by, ProfileAccessVerb.INVITE, record)
    account = PortalAccount.objects.create(email=record.email, full_name=record.name)
    access = _open_access(by, account, record, status=AccessStatus.PENDING)
    email_link(
        account, by.practice, PortalLinkPurpose.INVITATION, sender_name=_sender_name(record.client), access=access
    )
    record_event(
        PortalInvited(
            email=account.email,
            capacity=access.kind,
            contact=record.contact.pk if record.contact else None,
        ),
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=record.client,
        target=access,
    )
    return access


@transaction.atomic
def link_portal_account(*, by: StaffMember, record: PersonRecord) -> ProfileAccess:
    """Blue globe, not yet linked: link the existing account to this record; the person confirms with the PIN."""
    require(by, ProfileAccessVerb.LINK, record)
    status = portal_status(record)
    assert status.account is not None  # the policy allows linking only an existing account
    if status.access is not None:
        return status.access
    access = _open_access(by, status.account, record, status=AccessStatus.PENDING)
    record_event(
        PortalLinked(email=status.account.email, capacity=access.kind),
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=record.client,
        target=access,
    )
    return access


@transaction.atomic
def act_on_status_icon(*, by: StaffMember, record: PersonRecord) -> tuple[ProfileAccess, str]:
    """The status icon's one action for its state (ACC-5): invite, link, or the link that exists.

    Returns the access and what happened: "invited", "linked" or "already_linked".
    """
    status = portal_status(record)
    if status.state == PortalState.NO_ACCOUNT:
        return invite_to_portal(by=by, record=record), "invited"
    if status.state == PortalState.ACCOUNT:
        if status.access is not None:
            return status.access, "already_linked"
        return link_portal_account(by=by, record=record), "linked"
    raise ApplicationError(status.label)


@transaction.atomic
def add_portal_user(*, by: StaffMember, client: Client, full_name: str, email: str) -> ProfileAccess:
    """Add Portal User (ACC-10): someone who is not a contact, new or an existing portal user by email."""
    require(by, ProfileAccessVerb.ADD_PORTAL_USER, client)
    email = email.strip().lower()
    account = PortalAccount.objects.filter(email__iexact=email).first()
    created = account is None
    if account is None:
        if not full_name.strip():
            raise ApplicationError(_("Enter the portal user's name."))
        account = PortalAccount.objects.create(email=email, full_name=full_name.strip())
    elif ProfileAccess.objects.filter(
        account=account, client=client, status__in=[AccessStatus.PENDING, AccessStatus.ACTIVE]
    ).exists():
        raise ApplicationError(_("This portal user already has access to this client."))
    access = ProfileAccess.objects.create(
        account=account,
        practice=by.practice,
        client=client,
        kind=AccessKind.PORTAL_USER,
        display_name=full_name.strip() or account.full_name,
        status=AccessStatus.PENDING,
    )
    if created:
        email_link(account, by.practice, PortalLinkPurpose.INVITATION, sender_name=_sender_name(client), access=access)
    record_event(
        PortalPortalUserAdded(email=email, new_account=created),
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=client,
        target=access,
    )
    return access


@transaction.atomic
def resend_invitation(*, by: StaffMember, access: ProfileAccess) -> None:
    access = locked_access(by, access)
    require(by, ProfileAccessVerb.RESEND_INVITATION, access)
    email_link(
        access.account,
        by.practice,
        PortalLinkPurpose.INVITATION,
        sender_name=_sender_name(access.client),
        access=access,
    )
    record_event(
        PortalInvitationResent(),
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=access.client,
        target=access,
    )
