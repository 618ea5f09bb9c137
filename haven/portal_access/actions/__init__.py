"""Every change to portal accounts and profile access goes through the modules here, one idea each:
``invitations`` (invite, link, resend, the status icon's action, portal users), ``pins`` (issue, print,
confirm) and ``guardianship`` (renew, end at majority, revoke, end through a contact).

What may be done is asked of ``haven.portal_access.policy``; these functions do it, audited.
"""

from __future__ import annotations

from haven.core.actors import Actor
from haven.core.errors import ApplicationError
from haven.portal_access import policy
from haven.portal_access.models import PortalAccount, ProfileAccess
from haven.practices.models import StaffMember
from haven.practices.viewers import StaffViewer


def portal_actor(account: PortalAccount) -> Actor:
    """The audit trail's name for a portal login doing something itself."""
    return Actor.portal(account)


def locked_access(by: StaffMember, access: ProfileAccess) -> ProfileAccess:
    """The access's row, locked for this transaction, if the staff member may see it (else DoesNotExist)."""
    return (
        policy.visible_to(StaffViewer(by))
        .select_for_update(of=("self",))
        .select_related("account", "client", "contact")
        .get(pk=access.pk)
    )


def require(by: StaffMember, verb: policy.ProfileAccessVerb, subject: policy.Subject) -> None:
    """Refuse, in the policy's words, what the staff member may not do."""
    reason = policy.why_not(StaffViewer(by), verb, subject)
    if reason is not None:
        raise ApplicationError(reason.words(subject))
