"""One-time links for staff to set a password: invitations and Forgot Password.

Tokens carry 256 random bits and only their SHA-256 is stored. A new link voids the
older ones; setting a password voids every open link.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.audit.events import AuthPasswordReset, AuthPasswordResetRequested, StaffInvitationAccepted
from haven.audit.models import Actor
from haven.core.email import send_email_on_commit
from haven.core.errors import ApplicationError
from haven.core.tokens import hash_token, new_token
from haven.practices.models import LinkPurpose, StaffMember, StaffPasswordLink

LINK_ROUTES = {LinkPurpose.INVITATION: "staff:accept_invitation", LinkPurpose.RESET: "staff:password_reset_confirm"}


def void_open_links(member: StaffMember) -> None:
    StaffPasswordLink.objects.filter(member=member, used_at__isnull=True, voided_at__isnull=True).update(
        voided_at=timezone.now()
    )


def issue_link(member: StaffMember, purpose: LinkPurpose) -> str:
    """Void older links, store a new one and return its full address. Call inside a transaction."""
    void_open_links(member)
    token, token_hash = new_token()
    now = timezone.now()
    StaffPasswordLink.objects.create(
        member=member,
        purpose=purpose,
        token_hash=token_hash,
        created_at=now,
        expires_at=now + StaffPasswordLink.VALID_FOR[purpose],
    )
    return settings.HAVEN_BASE_URL + reverse(LINK_ROUTES[purpose], kwargs={"token": token})


def email_link(member: StaffMember, purpose: LinkPurpose) -> None:
    link = issue_link(member, purpose)
    hours = int(StaffPasswordLink.VALID_FOR[purpose].total_seconds() // 3600)
    send_email_on_commit(
        to=member.user.email,
        template="staff_invitation" if purpose == LinkPurpose.INVITATION else "staff_password_reset",
        context={"practice": member.practice.name, "name": member.user.full_name, "link": link, "hours": str(hours)},
        practice=member.practice,
    )


def find_usable_link(token: str, purpose: LinkPurpose) -> StaffPasswordLink | None:
    link = (
        StaffPasswordLink.objects.select_related("member__user", "member__practice")
        .filter(token_hash=hash_token(token), purpose=purpose)
        .first()
    )
    if link is None or not link.is_usable() or not link.member.user.is_active:
        return None
    return link


@transaction.atomic
def set_password_with_link(*, token: str, purpose: LinkPurpose, password: str) -> StaffMember:
    link = (
        StaffPasswordLink.objects.select_for_update(of=("self",))
        .select_related("member__user", "member__practice")
        .filter(token_hash=hash_token(token), purpose=purpose)
        .first()
    )
    if link is None or not link.is_usable() or not link.member.user.is_active:
        raise ApplicationError(_("This link has expired or was already used. Ask for a new one."))
    member = link.member
    user = member.user
    user.set_password(password)
    user.save(update_fields=["password", "password_changed_at"])
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    void_open_links(member)
    record_event(
        (StaffInvitationAccepted() if purpose == LinkPurpose.INVITATION else AuthPasswordReset()),
        actor=Actor.staff(user),
        practice=member.practice,
        target=member,
    )
    return member


@transaction.atomic
def request_password_reset(*, email: str) -> None:
    """Audit the request and hand the rest to a task, so known and unknown emails take the same path."""
    email = email.strip().lower()[:254]
    record_event(AuthPasswordResetRequested(email=email), actor=Actor.anonymous(email))
    transaction.on_commit(lambda: send_password_reset.enqueue(email=email))


@task()
def send_password_reset(*, email: str) -> None:
    """Email a reset link if the address belongs to an active staff login; otherwise do nothing."""
    user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
    member = StaffMember.objects.select_related("practice", "user").filter(user=user).first() if user else None
    if member is None or not member.user.has_usable_password():
        return
    with transaction.atomic():
        email_link(member, LinkPurpose.RESET)
