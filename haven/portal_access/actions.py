"""Every change to portal accounts and profile access goes through these functions."""

from __future__ import annotations

import datetime
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.audit.models import Actor
from haven.clients.models import Client, RelatedContact
from haven.core.errors import ApplicationError
from haven.portal_access.links import email_link
from haven.portal_access.models import (
    AccessKind,
    AccessStatus,
    PortalAccount,
    PortalLinkPurpose,
    ProfileAccess,
)
from haven.portal_access.status import PersonRecord, PortalState, portal_status
from haven.practices.models import Permission, Practice, StaffMember


def portal_actor(account: PortalAccount) -> Actor:
    return Actor.portal(account)


def _require_invite_permission(by: StaffMember) -> None:
    if not by.has_permission(Permission.INVITE_PORTAL):
        raise ApplicationError(_("Only staff who can invite clients to the client portal can do this."))


def _check_record(by: StaffMember, record: PersonRecord) -> None:
    if record.client.practice_id != by.practice_id:
        raise ApplicationError(_("That client is not part of your practice."))
    if record.contact is not None:
        if record.contact.client_id != record.client.pk:
            raise ApplicationError(_("That contact does not belong to this client."))
        if not record.contact.web_portal:
            raise ApplicationError(
                _("Give this contact the Web Portal permission first: only contacts with it may use the portal.")
            )


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
    _require_invite_permission(by)
    _check_record(by, record)
    status = portal_status(record)
    if status.state != PortalState.NO_ACCOUNT:
        raise ApplicationError(status.label)
    account = PortalAccount.objects.create(email=record.email, full_name=record.name)
    access = _open_access(by, account, record, status=AccessStatus.PENDING)
    email_link(
        account, by.practice, PortalLinkPurpose.INVITATION, sender_name=_sender_name(record.client), access=access
    )
    record_event(
        action="portal.invited",
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=record.client,
        target=access,
        details={
            "email": account.email,
            "capacity": access.kind,
            "contact": record.contact.pk if record.contact else None,
        },
    )
    return access


@transaction.atomic
def link_portal_account(*, by: StaffMember, record: PersonRecord) -> ProfileAccess:
    """Blue globe, not yet linked: link the existing account to this record; the person confirms with the PIN."""
    _require_invite_permission(by)
    _check_record(by, record)
    status = portal_status(record)
    if status.state != PortalState.ACCOUNT or status.account is None:
        raise ApplicationError(status.label)
    if status.access is not None:
        return status.access
    access = _open_access(by, status.account, record, status=AccessStatus.PENDING)
    record_event(
        action="portal.linked",
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=record.client,
        target=access,
        details={"email": status.account.email, "capacity": access.kind},
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
    _require_invite_permission(by)
    if client.practice_id != by.practice_id:
        raise ApplicationError(_("That client is not part of your practice."))
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
        action="portal.portal_user_added",
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=client,
        target=access,
        details={"email": email, "new_account": created},
    )
    return access


def _locked_access(by: StaffMember, access: ProfileAccess) -> ProfileAccess:
    return (
        ProfileAccess.objects.select_for_update(of=("self",))
        .select_related("account", "client", "contact")
        .get(pk=access.pk, practice=by.practice)
    )


@transaction.atomic
def resend_invitation(*, by: StaffMember, access: ProfileAccess) -> None:
    _require_invite_permission(by)
    access = _locked_access(by, access)
    if access.account.has_password:
        raise ApplicationError(_("This person has already set a password. They can use Forgot Password if needed."))
    if access.status != AccessStatus.PENDING:
        raise ApplicationError(_("This access is not waiting for an invitation."))
    email_link(
        access.account,
        by.practice,
        PortalLinkPurpose.INVITATION,
        sender_name=_sender_name(access.client),
        access=access,
    )
    record_event(
        action="portal.invitation_resent",
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=access.client,
        target=access,
    )


def _new_pin() -> str:
    return f"{secrets.randbelow(10**8):08d}"


@transaction.atomic
def issue_pin(*, by: StaffMember, access: ProfileAccess) -> str:
    """A new one-time PIN for a link waiting for confirmation; the previous PIN stops working."""
    _require_invite_permission(by)
    access = _locked_access(by, access)
    if access.status != AccessStatus.PENDING:
        return ""
    pin = _new_pin()
    access.set_pin(pin)
    access.save(update_fields=["pin_hash", "pin_expires_at", "pin_attempts"])
    record_event(
        action="portal.pin_issued",
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=access.client,
        target=access,
    )
    return pin


def _revoke(by: StaffMember, access: ProfileAccess, **details: str) -> None:
    access.mark_ended(AccessStatus.REVOKED)
    record_event(
        action="portal.access_revoked",
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=access.client,
        target=access,
        details={"email": access.account.email, **details},
    )


@transaction.atomic
def revoke_access(*, by: StaffMember, access: ProfileAccess) -> ProfileAccess:
    """Remove a person's access to this client's profile at once."""
    _require_invite_permission(by)
    access = _locked_access(by, access)
    if access.status in (AccessStatus.PENDING, AccessStatus.ACTIVE):
        _revoke(by, access)
    return access


@transaction.atomic
def end_access_through_contact(*, by: StaffMember, contact: RelatedContact) -> None:
    """A contact is being removed: the portal access they had through it ends first, each audited."""
    open_access = (
        ProfileAccess.objects.select_for_update(of=("self",))
        .select_related("account", "client")
        .filter(contact=contact, status__in=[AccessStatus.PENDING, AccessStatus.ACTIVE])
    )
    for access in open_access:
        _revoke(by, access, reason="contact removed")


@transaction.atomic
def renew_guardian_access(*, by: StaffMember, access: ProfileAccess, until: datetime.date) -> ProfileAccess:
    """Keep a guardian's access past the client's age of majority, until a date staff choose."""
    _require_invite_permission(by)
    access = _locked_access(by, access)
    if access.kind != AccessKind.CONTACT or access.contact is None or not access.contact.legal_guardian:
        raise ApplicationError(_("Only a legal guardian's access can be renewed."))
    if until <= timezone.localdate():
        raise ApplicationError(_("Choose a date in the future."))
    if access.status == AccessStatus.REVOKED:
        raise ApplicationError(_("This access was removed. Link the account again instead."))
    previous = access.status
    access.guardian_until = until
    if access.status == AccessStatus.EXPIRED:
        access.status = AccessStatus.ACTIVE
        access.ended_at = None
    access.save(update_fields=["guardian_until", "status", "ended_at"])
    record_event(
        action="portal.guardian_renewed",
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=access.client,
        target=access,
        details={"until": until.isoformat(), "previous_status": previous},
    )
    return access


# --- The portal user's own steps ------------------------------------------------------------


@transaction.atomic
def confirm_pin(*, account: PortalAccount, practice: Practice, pin: str) -> ProfileAccess | None:
    """Enter the PIN from an instruction sheet: it confirms the link it was printed for."""
    pending = list(
        ProfileAccess.objects.select_for_update(of=("self",))
        .select_related("client")
        .filter(account=account, practice=practice, status=AccessStatus.PENDING)
        .exclude(pin_hash="")
    )
    usable = [access for access in pending if access.pin_usable()]
    for access in usable:
        if access.pin_matches(pin.strip()):
            access.mark_confirmed()
            record_event(
                action="portal.pin_confirmed",
                actor=portal_actor(account),
                practice=practice,
                client=access.client,
                target=access,
            )
            return access
    for access in usable:
        access.pin_attempts += 1
        access.save(update_fields=["pin_attempts"])
    record_event(
        action="portal.pin_failed",
        actor=portal_actor(account),
        practice=practice,
        details={"attempts_left": min((ProfileAccess.PIN_MAX_ATTEMPTS - a.pin_attempts for a in usable), default=0)},
    )
    return None


def pending_pin_count(account: PortalAccount, practice: Practice) -> int:
    return ProfileAccess.objects.filter(account=account, practice=practice, status=AccessStatus.PENDING).count()


@transaction.atomic
def end_guardian_access_at_majority(*, today: datetime.date | None = None) -> list[ProfileAccess]:
    """Daily: a legal guardian's access ends when the client reaches the practice's age of majority."""
    from haven.portal_access.models import years_before

    today = today or timezone.localdate()
    ended = []
    candidates = (
        ProfileAccess.objects.select_for_update(of=("self",))
        .select_related("practice", "client", "contact", "account")
        .filter(kind=AccessKind.CONTACT, status=AccessStatus.ACTIVE, contact__legal_guardian=True)
        .filter(Q(guardian_until__isnull=True) | Q(guardian_until__lte=today))
    )
    for access in candidates:
        if access.client.date_of_birth > years_before(today, access.practice.age_of_majority):
            continue  # still a minor
        access.mark_ended(AccessStatus.EXPIRED)
        record_event(
            action="portal.guardian_access_ended",
            actor=Actor.system("daily task"),
            practice=access.practice,
            client=access.client,
            target=access,
            details={"age_of_majority": access.practice.age_of_majority, "guardian": access.account.email},
        )
        _notify_guardian_access_ended(access)
        ended.append(access)
    return ended


def _notify_guardian_access_ended(access: ProfileAccess) -> None:
    from haven.core.email import send_email_on_commit
    from haven.practices.models import StaffMember

    practice = access.practice
    send_email_on_commit(
        to=access.account.email,
        template="portal_guardian_ended",
        context={"sender": practice.name, "name": access.account.full_name, "portal": practice.portal_url},
        practice=practice,
    )
    administrators = StaffMember.objects.filter(practice=practice, user__is_active=True).select_related("user")
    for member in administrators:
        if member.has_permission(Permission.ORG_ADMIN) or member.has_permission(Permission.INVITE_PORTAL):
            send_email_on_commit(
                to=member.user.email,
                template="staff_guardian_ended",
                context={"practice": practice.name, "name": member.user.full_name},
                practice=practice,
            )
