"""How access ends or lasts: revoke it, end it when a contact is removed, end a legal guardian's at the
client's age of majority (daily), or renew a guardian's past it."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.audit.events import PortalAccessRevoked, PortalGuardianAccessEnded, PortalGuardianRenewed
from haven.clients.models import RelatedContact
from haven.core.actors import Actor
from haven.core.email import send_email_on_commit
from haven.core.errors import ApplicationError
from haven.portal_access.actions import locked_access, require
from haven.portal_access.models import AccessKind, AccessStatus, ProfileAccess, years_before
from haven.portal_access.policy import ProfileAccessVerb
from haven.practices.models import Permission, StaffMember


def _revoke(by: StaffMember, access: ProfileAccess, *, reason: str | None = None) -> None:
    access.mark_ended(AccessStatus.REVOKED)
    record_event(
        PortalAccessRevoked(email=access.account.email, reason=reason),
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=access.client,
        target=access,
    )


@transaction.atomic
def revoke_access(*, by: StaffMember, access: ProfileAccess) -> ProfileAccess:
    """Remove a person's access to this client's profile at once."""
    require(by, ProfileAccessVerb.REVOKE, access)
    access = locked_access(by, access)
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
    access = locked_access(by, access)
    require(by, ProfileAccessVerb.RENEW_GUARDIAN, access)
    if until <= timezone.localdate():
        raise ApplicationError(_("Choose a date in the future."))
    previous = access.status
    access.guardian_until = until
    if access.status == AccessStatus.EXPIRED:
        access.status = AccessStatus.ACTIVE
        access.ended_at = None
    access.save(update_fields=["guardian_until", "status", "ended_at"])
    record_event(
        PortalGuardianRenewed(until=until.isoformat(), previous_status=previous),
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=access.client,
        target=access,
    )
    return access


@transaction.atomic
def end_guardian_access_at_majority(*, today: datetime.date | None = None) -> list[ProfileAccess]:
    """Daily: a legal guardian's access ends when the client reaches the practice's age of majority."""
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
            PortalGuardianAccessEnded(age_of_majority=access.practice.age_of_majority, guardian=access.account.email),
            actor=Actor.system("daily task"),
            practice=access.practice,
            client=access.client,
            target=access,
        )
        _notify_guardian_access_ended(access)
        ended.append(access)
    return ended


def _notify_guardian_access_ended(access: ProfileAccess) -> None:
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
