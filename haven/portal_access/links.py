"""Portal one-time links: invitation, password reset and email verification."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from haven.core.email import send_email_on_commit
from haven.core.tokens import hash_token, new_token
from haven.portal_access.models import PortalAccount, PortalLink, PortalLinkPurpose, ProfileAccess
from haven.practices.models import Practice

ROUTES = {
    PortalLinkPurpose.INVITATION: "portal:accept_invitation",
    PortalLinkPurpose.RESET: "portal:password_reset_confirm",
    PortalLinkPurpose.VERIFY_EMAIL: "portal:verify_email",
}
TEMPLATES = {
    PortalLinkPurpose.INVITATION: "portal_invitation",
    PortalLinkPurpose.RESET: "portal_password_reset",
    PortalLinkPurpose.VERIFY_EMAIL: "portal_verify_email",
}


def void_open_links(account: PortalAccount, *purposes: PortalLinkPurpose) -> None:
    links = PortalLink.objects.filter(account=account, used_at__isnull=True, voided_at__isnull=True)
    if purposes:
        links = links.filter(purpose__in=purposes)
    links.update(voided_at=timezone.now())


def email_link(
    account: PortalAccount,
    practice: Practice,
    purpose: PortalLinkPurpose,
    *,
    sender_name: str = "",
    access: ProfileAccess | None = None,
) -> None:
    """Void older links of this purpose, store a new one and email it after commit."""
    void_open_links(account, purpose)
    token, token_hash = new_token()
    now = timezone.now()
    PortalLink.objects.create(
        account=account,
        practice=practice,
        access=access,
        purpose=purpose,
        token_hash=token_hash,
        created_at=now,
        expires_at=now + PortalLink.VALID_FOR[purpose],
    )
    url = settings.HAVEN_BASE_URL + reverse(ROUTES[purpose], kwargs={"slug": practice.slug, "token": token})
    hours = int(PortalLink.VALID_FOR[purpose].total_seconds() // 3600)
    send_email_on_commit(
        to=account.email,
        template=TEMPLATES[purpose],
        context={
            # No names: an email may be read by someone else, so it says only who sent it.
            "sender": sender_name or practice.name,
            "link": url,
            "hours": str(hours),
            "portal": practice.portal_url,
        },
        practice=practice,
    )


def find_usable_link(token: str, purpose: PortalLinkPurpose, practice: Practice) -> PortalLink | None:
    link = (
        PortalLink.objects.select_related("account")
        .filter(token_hash=hash_token(token), purpose=purpose, practice=practice)
        .first()
    )
    if link is None or not link.is_usable() or not link.account.is_active:
        return None
    return link
