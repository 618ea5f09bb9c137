"""Who may see and do what with portal access (profile accesses): the one answer staff pages, the portal's
profile choice, actions and the URL walk ask (see ``haven.core.policy``).

Staff see the profile accesses of their practice's clients. A portal login sees its own accesses that work
right now (``ProfileAccess.objects.effective``): the profiles it may switch between.
"""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.audit.denials import not_found
from haven.clients import policy as clients_policy
from haven.clients.models import Client
from haven.core.policy import Reason, Viewer
from haven.portal_access.models import AccessKind, AccessStatus, ProfileAccess, years_before
from haven.portal_access.status import PersonRecord, PortalState, portal_status
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import Permission
from haven.practices.viewers import StaffViewer

# What a verb is asked about: a person (invite, link), a client (add a portal user) or an access.
type Subject = PersonRecord | Client | ProfileAccess


class ProfileAccessVerb(StrEnum):
    """What staff do about someone's portal access (the first three name a person or a client, the rest an access)."""

    INVITE = "invite"  # a PersonRecord: create the account and send the invitation (gray globe)
    LINK = "link"  # a PersonRecord: link the existing account (blue globe)
    ADD_PORTAL_USER = "add_portal_user"  # a Client
    RESEND_INVITATION = "resend_invitation"
    ISSUE_PIN = "issue_pin"
    PRINT_INSTRUCTIONS = "print_instructions"
    REVOKE = "revoke"
    RENEW_GUARDIAN = "renew_guardian"


class ProfileAccessReason(Reason):
    NOT_STAFF = "not_staff"
    NO_PERMISSION = "no_permission"
    OTHER_PRACTICE = "other_practice"
    CONTACT_OF_ANOTHER_CLIENT = "contact_of_another_client"
    CONTACT_WITHOUT_WEB_PORTAL = "contact_without_web_portal"
    WRONG_STATE = "wrong_state"  # the status icon's state does not offer this
    HAS_SIGNED_UP = "has_signed_up"
    NOT_PENDING = "not_pending"
    ENDED = "ended"
    NOT_GUARDIAN = "not_guardian"
    REMOVED = "removed"

    def words(self, subject: Any = None) -> str:
        match self:
            case ProfileAccessReason.NOT_STAFF | ProfileAccessReason.NO_PERMISSION:
                return _("Only staff who can invite clients to the client portal can do this.")
            case ProfileAccessReason.OTHER_PRACTICE:
                return _("That client is not part of your practice.")
            case ProfileAccessReason.CONTACT_OF_ANOTHER_CLIENT:
                return _("That contact does not belong to this client.")
            case ProfileAccessReason.CONTACT_WITHOUT_WEB_PORTAL:
                return _("Give this contact the Web Portal permission first: only contacts with it may use the portal.")
            case ProfileAccessReason.WRONG_STATE:
                # The words of the status icon's state, as its tooltip says them.
                return str(portal_status(subject).label) if isinstance(subject, PersonRecord) else ""
            case ProfileAccessReason.HAS_SIGNED_UP:
                return _("This person has already set a password. They can use Forgot Password if needed.")
            case ProfileAccessReason.NOT_PENDING:
                return _("This access is not waiting for an invitation.")
            case ProfileAccessReason.ENDED:
                return _("This access has ended; there is nothing to print.")
            case ProfileAccessReason.NOT_GUARDIAN:
                return _("Only a legal guardian's access can be renewed.")
            case ProfileAccessReason.REMOVED:
                return _("This access was removed. Link the account again instead.")


def visible_to(viewer: Viewer) -> QuerySet[ProfileAccess]:
    """The profile accesses this viewer may see."""
    if isinstance(viewer, StaffViewer):
        return ProfileAccess.objects.filter(
            practice_id=viewer.practice_id, client__in=clients_policy.visible_to(viewer)
        )
    if isinstance(viewer, PortalViewer):
        today = timezone.localdate()
        return portal_profiles(
            viewer.account.pk,
            viewer.practice.pk,
            today=today,
            majority_cutoff=years_before(today, viewer.practice.age_of_majority),
        )
    return ProfileAccess.objects.none()


def portal_profiles(
    account_id: int, practice_id: int, *, today: datetime.date, majority_cutoff: datetime.date
) -> QuerySet[ProfileAccess]:
    """A portal login's profile accesses that work on ``today`` (``ProfileAccess.objects.effective_on``): what
    ``visible_to`` answers for a portal viewer, with plain values, so the portal session can prepare it."""
    return ProfileAccess.objects.effective_on(practice_id, today=today, majority_cutoff=majority_cutoff).filter(
        account_id=account_id
    )


def get_profile_access(viewer: Viewer, client: Client, access_id: int, *, path: str = "") -> ProfileAccess:
    """Someone's access to this client's profile, or a 404 (audited) that looks exactly like a missing one."""
    access = (
        visible_to(viewer)
        .select_related("account", "client", "contact", "contact__linked_client", "practice")
        .filter(client=client, pk=access_id)
        .first()
    )
    if access is None:
        raise not_found(viewer, object_type="portal_access.profileaccess", object_id=access_id, path=path)
    return access


def why_not(viewer: Viewer, verb: ProfileAccessVerb, subject: Subject) -> ProfileAccessReason | None:
    """Why this viewer may not do this now; None when they may.

    Every verb needs a staff member with Invite to Portal, and a person, client or access their practice
    may see. Inviting and linking need a contact with the Web Portal permission, of this client, and
    the status icon's state for it; the rest depend on the access's state.
    """
    if not isinstance(viewer, StaffViewer):
        return ProfileAccessReason.NOT_STAFF
    if not viewer.has_permission(Permission.INVITE_PORTAL):
        return ProfileAccessReason.NO_PERMISSION
    if isinstance(subject, PersonRecord):
        return _why_not_for_record(viewer, verb, subject)
    if isinstance(subject, Client):
        if not clients_policy.visible_to(viewer).filter(pk=subject.pk).exists():
            return ProfileAccessReason.OTHER_PRACTICE
        return None
    if not visible_to(viewer).filter(pk=subject.pk).exists():
        return ProfileAccessReason.OTHER_PRACTICE
    return _why_not_for_access(verb, subject)


def _why_not_for_record(
    viewer: StaffViewer, verb: ProfileAccessVerb, record: PersonRecord
) -> ProfileAccessReason | None:
    if not clients_policy.visible_to(viewer).filter(pk=record.client.pk).exists():
        return ProfileAccessReason.OTHER_PRACTICE
    if record.contact is not None:
        if record.contact.client_id != record.client.pk:
            return ProfileAccessReason.CONTACT_OF_ANOTHER_CLIENT
        if not record.contact.web_portal:
            return ProfileAccessReason.CONTACT_WITHOUT_WEB_PORTAL
    status = portal_status(record)
    if verb == ProfileAccessVerb.INVITE and status.state != PortalState.NO_ACCOUNT:
        return ProfileAccessReason.WRONG_STATE
    if verb == ProfileAccessVerb.LINK and (status.state != PortalState.ACCOUNT or status.account is None):
        return ProfileAccessReason.WRONG_STATE
    return None


def _why_not_for_access(verb: ProfileAccessVerb, access: ProfileAccess) -> ProfileAccessReason | None:
    match verb:
        case ProfileAccessVerb.RESEND_INVITATION:
            if access.account.has_password:
                return ProfileAccessReason.HAS_SIGNED_UP
            if access.status != AccessStatus.PENDING:
                return ProfileAccessReason.NOT_PENDING
        case ProfileAccessVerb.PRINT_INSTRUCTIONS:
            if access.status not in (AccessStatus.PENDING, AccessStatus.ACTIVE):
                return ProfileAccessReason.ENDED
        case ProfileAccessVerb.RENEW_GUARDIAN:
            if access.kind != AccessKind.CONTACT or access.contact is None or not access.contact.legal_guardian:
                return ProfileAccessReason.NOT_GUARDIAN
            if access.status == AccessStatus.REVOKED:
                return ProfileAccessReason.REMOVED
    return None
