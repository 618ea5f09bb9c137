"""Every message to the portal inbox goes through here."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from haven.audit.actions import record_event
from haven.audit.events import MessageRead, MessageSent
from haven.audit.models import Actor
from haven.clients.models import Client
from haven.core.email import send_email_on_commit
from haven.documents.models import Document
from haven.messaging.models import Message
from haven.portal_access.models import PortalAccount
from haven.practices.models import StaffMember


@transaction.atomic
def post_message(
    *,
    by: StaffMember | None,
    account: PortalAccount,
    client: Client,
    kind: str,
    subject: str,
    body: str = "",
    document: Document | None = None,
    signature_request_id: int | None = None,
    email: bool = True,
) -> Message:
    """Put a message in the person's inbox and email them that one is waiting (no health information).

    ``signature_request_id`` names the ``signing.SignatureRequest`` a record request asks to answer
    (by id: signing builds on messaging, never the other way round). ``email=False`` when another email
    already tells the person (a portal invitation sent with intake forms).
    """
    practice = client.practice
    message = Message.objects.create(
        practice=practice,
        client=client,
        account=account,
        kind=kind,
        subject=subject,
        body=body,
        document=document,
        signature_request_id=signature_request_id,
        sent_by=by,
    )
    record_event(
        MessageSent(kind=kind, account=account.pk),
        actor=Actor.staff(by.user) if by is not None else Actor.system(),
        practice=practice,
        client=client,
        target=message,
    )
    if not email:
        return message
    send_email_on_commit(
        to=account.email,
        template="portal_new_message",
        context={"sender": practice.name, "portal": practice.portal_url},
        practice=practice,
    )
    return message


def mark_read(message: Message, *, account: PortalAccount, acting_for: str) -> None:
    """The first opening is recorded; later ones change nothing."""
    if message.read_at is not None:
        return
    with transaction.atomic():
        updated = Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now())
        if updated:
            record_event(
                MessageRead(),
                actor=Actor.portal(account),
                acting_for=acting_for,
                practice=message.practice,
                client=message.client,
                target=message,
            )
    message.refresh_from_db(fields=["read_at"])
