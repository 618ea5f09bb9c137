"""A portal user's own account steps: register, confirm the email, set or reset the password."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.audit.events import (
    PortalEmailVerified,
    PortalInvitationAccepted,
    PortalPasswordReset,
    PortalPasswordResetRequested,
    PortalPasswordSet,
    PortalRegistrationRequested,
)
from haven.audit.models import Actor
from haven.core.email import send_email_on_commit
from haven.core.errors import ApplicationError
from haven.core.tokens import hash_token
from haven.portal_access.actions import portal_actor
from haven.portal_access.links import email_link, void_open_links
from haven.portal_access.models import AccessStatus, PortalAccount, PortalLink, PortalLinkPurpose
from haven.practices.models import Practice


@transaction.atomic
def register_account(*, practice: Practice, full_name: str, email: str, password: str) -> None:
    """Self-registration (ACC-8): the person sees the same answer whether or not the email has an account.

    A new email gets an account with this password and a link to confirm the email. An email that
    already has an account, confirmed or not (an invitation may be waiting), keeps it exactly as it
    is: nobody has proven they own it, so its owner is told by email that someone tried instead.
    """
    email = email.strip().lower()
    hashed = make_password(password)  # hashed on every path, so the answer takes as long either way
    account = PortalAccount.objects.filter(email__iexact=email).first()
    record_event(PortalRegistrationRequested(email=email), actor=Actor.anonymous(email), practice=practice)
    if account is None:
        try:
            with transaction.atomic():
                account = PortalAccount.objects.create(
                    email=email,
                    full_name=full_name.strip(),
                    password=hashed,
                    password_changed_at=timezone.now(),
                    registered_at_practice=practice,
                )
        except IntegrityError:  # the same email registered a moment ago, by a request running alongside
            _tell_owner_someone_tried(email, practice)
            return
        email_link(account, practice, PortalLinkPurpose.VERIFY_EMAIL)
        return
    _tell_owner_someone_tried(account.email, practice)


def _tell_owner_someone_tried(email: str, practice: Practice) -> None:
    """No names and nothing about care: where to sign in, and where to ask for a new password link."""
    send_email_on_commit(
        to=email,
        template="portal_already_registered",
        context={
            "sender": practice.name,
            "portal": practice.portal_url,
            "reset": settings.HAVEN_BASE_URL + reverse("portal:password_reset", kwargs={"slug": practice.slug}),
        },
        practice=practice,
    )


def _use_link(token: str, purpose: PortalLinkPurpose, practice: Practice) -> PortalLink:
    link = (
        PortalLink.objects.select_for_update(of=("self",))
        .select_related("account", "access")
        .filter(token_hash=hash_token(token), purpose=purpose, practice=practice)
        .first()
    )
    if link is None or not link.is_usable() or not link.account.is_active:
        raise ApplicationError(_("This link has expired or was already used. You can ask for a new one."))
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return link


@transaction.atomic
def verify_email(*, token: str, practice: Practice) -> PortalAccount:
    link = _use_link(token, PortalLinkPurpose.VERIFY_EMAIL, practice)
    account = link.account
    account.email_verified_at = timezone.now()
    account.save(update_fields=["email_verified_at"])
    record_event(PortalEmailVerified(), actor=portal_actor(account), practice=practice)
    return account


@transaction.atomic
def set_password_with_link(
    *, token: str, purpose: PortalLinkPurpose, practice: Practice, password: str
) -> PortalAccount:
    """Invitation or reset: set the password; an invitation also confirms the access it was sent for."""
    link = _use_link(token, purpose, practice)
    account = link.account
    account.set_password(password)
    account.email_verified_at = account.email_verified_at or timezone.now()
    account.save(update_fields=["password", "password_changed_at", "email_verified_at"])
    void_open_links(account, PortalLinkPurpose.INVITATION, PortalLinkPurpose.RESET)
    if purpose == PortalLinkPurpose.INVITATION and link.access is not None:
        access = link.access
        if access.status == AccessStatus.PENDING:
            access.mark_confirmed()
            record_event(
                PortalInvitationAccepted(),
                actor=portal_actor(account),
                practice=practice,
                client=access.client,
                target=access,
            )
    record_event(
        (PortalPasswordSet() if purpose == PortalLinkPurpose.INVITATION else PortalPasswordReset()),
        actor=portal_actor(account),
        practice=practice,
    )
    return account


@transaction.atomic
def request_password_reset(*, practice: Practice, email: str) -> None:
    """Forgot Password: audit, then let a task decide whether there is anyone to write to."""
    email = email.strip().lower()[:254]
    record_event(PortalPasswordResetRequested(email=email), actor=Actor.anonymous(email), practice=practice)
    transaction.on_commit(lambda: send_password_reset.enqueue(practice_id=practice.pk, email=email))


@task()
def send_password_reset(*, practice_id: int, email: str) -> None:
    """A fresh link for an existing account: a reset link, or a new invitation if no password was ever set."""
    practice = Practice.objects.filter(pk=practice_id).first()
    account = PortalAccount.objects.filter(email__iexact=email, is_active=True).first()
    if practice is None or account is None:
        return
    with transaction.atomic():
        if account.has_password:
            email_link(account, practice, PortalLinkPurpose.RESET)
            return
        pending = account.profiles.filter(practice=practice, status=AccessStatus.PENDING).first()
        email_link(account, practice, PortalLinkPurpose.INVITATION, access=pending)
