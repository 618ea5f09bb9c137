"""Share to Sign from the practice's side (SIGN-1): asking for a signature, cancelling and reminding."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.audit.events import SignatureCancelled, SignatureReminded, SignatureRequested
from haven.core.email import send_email_on_commit
from haven.core.errors import ApplicationError
from haven.core.timezones import when_in_practice_zone
from haven.documents.actions import open_to
from haven.documents.models import Audience, Document
from haven.documents.policy import DocumentVerb
from haven.documents.policy import why_not as document_why_not
from haven.messaging.actions import post_message
from haven.messaging.models import MessageKind
from haven.practices.models import StaffMember
from haven.practices.viewers import StaffViewer
from haven.signing.eligibility import possible_signers
from haven.signing.expiry import expire
from haven.signing.models import REQUEST_VALID_FOR, RequestStatus, SignatureRequest
from haven.signing.policy import SigningVerb, signer_profile, why_not


@transaction.atomic
def request_signature(*, by: StaffMember, document: Document, signer_key: str) -> SignatureRequest:
    """Share to Sign: share the current version with the signer and put a record request in their inbox."""
    viewer = StaffViewer(by)
    locked = (
        Document.objects.select_for_update(of=("self",))
        .select_related("type", "client", "practice", "current_version")
        .get(pk=document.pk)
    )
    reason = document_why_not(viewer, DocumentVerb.SHARE_TO_SIGN, locked)
    if reason is not None:
        raise ApplicationError(reason.words(locked))
    version = locked.current_version
    assert version is not None  # the documents policy said "preparing" otherwise
    pending = SignatureRequest.objects.filter(document=locked, status=RequestStatus.PENDING).first()
    if pending is not None and not pending.is_expired:
        raise ApplicationError(
            _("This document is already waiting for a signature from %(name)s. Cancel that request first.")
            % {"name": pending.signer_name}
        )
    signer = next((s for s in possible_signers(locked) if s.key == signer_key), None)
    if signer is None:
        raise ApplicationError(
            _("Choose the client or a legal guardian who has an active portal login. Invite them to the portal first.")
        )
    now = timezone.now()
    if pending is not None:  # expired: it no longer blocks a new request, and is closed for good
        expire(pending, now=now, tell_requester_too=False)  # someone is acting on the document already
    try:
        with transaction.atomic():
            request = SignatureRequest.objects.create(
                practice=locked.practice,
                document=locked,
                version=version,
                sha256=version.sha256,
                capacity=signer.capacity,
                contact=signer.contact,
                signer_name=signer.name,
                requested_by=by,
                requested_at=now,
                expires_at=now + REQUEST_VALID_FOR,
            )
    except IntegrityError:
        raise ApplicationError(
            _("This document is already waiting for a signature. Cancel that request first.")
        ) from None
    audience = Audience.CLIENT if signer.contact is None else Audience.CONTACT
    open_to(by=by, document=locked, audience=audience, contact=signer.contact)
    record_event(
        SignatureRequested(
            document=locked.pk,
            version=version.number,
            sha256=version.sha256,
            capacity=signer.capacity,
            contact=signer.contact.pk if signer.contact else None,
            account=signer.access.account_id,
        ),
        actor=viewer.actor,
        practice=locked.practice,
        client=locked.client,
        target=request,
    )
    post_message(
        by=by,
        account=signer.access.account,
        client=locked.client,
        kind=MessageKind.RECORD_REQUEST,
        subject=_("Please review and sign: %(title)s") % {"title": locked.title},
        body=_(
            "%(practice)s asks you to review and sign “%(title)s”. Open the document from this message or from "
            "My Documents, where it shows Pending Review."
        )
        % {"practice": locked.practice.name, "title": locked.title},
        document=locked,
        signature_request_id=request.pk,
    )
    return request


def _locked(request: SignatureRequest) -> SignatureRequest:
    return (
        SignatureRequest.objects.select_for_update(of=("self",))
        .select_related("document__client__practice", "practice")
        .get(pk=request.pk)
    )


@transaction.atomic
def cancel_request(*, by: StaffMember, request: SignatureRequest) -> SignatureRequest:
    """Withdraw a request that is still waiting; the signer can no longer sign it."""
    viewer = StaffViewer(by)
    locked = _locked(request)
    reason = why_not(viewer, SigningVerb.CANCEL, locked)
    if reason is not None:
        raise ApplicationError(reason.words(locked))
    locked.status = RequestStatus.CANCELLED
    locked.answered_at = timezone.now()
    locked.cancelled_by = by
    locked.save(update_fields=["status", "answered_at", "cancelled_by"])
    record_event(
        SignatureCancelled(document=locked.document_id),
        actor=viewer.actor,
        practice=locked.practice,
        client=locked.document.client,
        target=locked,
    )
    return locked


@transaction.atomic
def remind(*, by: StaffMember, request: SignatureRequest) -> SignatureRequest:
    """Email the signer again that something waits for them (no health information); once a day at most."""
    viewer = StaffViewer(by)
    locked = _locked(request)
    now = timezone.now()
    reason = why_not(viewer, SigningVerb.REMIND, locked, now=now)
    if reason is not None:
        raise ApplicationError(reason.words(locked))
    access = signer_profile(locked)
    assert access is not None  # why_not said "signer_gone" otherwise
    locked.reminded_at = now
    locked.reminder_count += 1
    locked.save(update_fields=["reminded_at", "reminder_count"])
    record_event(
        SignatureReminded(document=locked.document_id, reminder=locked.reminder_count),
        actor=viewer.actor,
        practice=locked.practice,
        client=locked.document.client,
        target=locked,
    )
    send_email_on_commit(
        to=access.account.email,
        template="portal_signature_reminder",
        context={
            "sender": locked.practice.name,
            "portal": locked.practice.portal_url,
            "due": when_in_practice_zone(locked.expires_at, locked.practice),
        },
        practice=locked.practice,
    )
    return locked
