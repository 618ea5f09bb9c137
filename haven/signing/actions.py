"""Share to Sign (SIGN-1..SIGN-7): asking for a signature, answering, cancelling and reminding.

Every refusal a signer meets is written to the audit trail before it is raised, outside any
transaction that the refusal would roll back.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ImageOps

from haven.audit.actions import record_event
from haven.audit.models import Actor
from haven.clients.models import RelatedContact
from haven.core.bidi import refuse_bidi_controls
from haven.core.email import send_email_on_commit
from haven.core.errors import ApplicationError
from haven.core.request_context import RequestOrigin, reset_origin, set_origin
from haven.core.timezones import when_in_practice_zone
from haven.documents.actions import open_to
from haven.documents.models import Audience, Document
from haven.documents.selectors import documents_for_portal
from haven.documents.storage import delete_stored, store_encrypted
from haven.messaging.actions import post_message
from haven.messaging.models import MessageKind
from haven.portal_access.actions import portal_actor
from haven.portal_access.models import AccessKind, PortalAccount, ProfileAccess
from haven.practices.models import Permission, StaffMember
from haven.signing.devices import describe_device
from haven.signing.disclosure import Disclosure, current_disclosure
from haven.signing.models import Capacity, RequestStatus, Signature, SignatureMethod, SignatureRequest
from haven.signing.stamping import InvalidSignatureImage, load_signature_image
from haven.signing.tasks import seal_signature
from haven.signing.typed import clean_typed_name, typed_signature_png

REQUEST_VALID_FOR = datetime.timedelta(days=30)
REMINDER_INTERVAL = datetime.timedelta(hours=20)
MAX_DECLINE_REASON = 1000
IMAGE_FOLDER = "signatures"
PDF = "application/pdf"


class SigningRefused(ApplicationError):
    """The signer's attempt was refused; ``code`` names the rule, for the audit trail and tests."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


# --- Who may be asked -------------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    """Someone who may be asked to sign for the client: the client, or a guardian in the network."""

    capacity: str
    contact: RelatedContact | None
    name: str
    access: ProfileAccess

    @property
    def key(self) -> str:
        return "client" if self.contact is None else f"contact-{self.contact.pk}"


def possible_signers(document: Document) -> list[Signer]:
    """The client (with an active portal login of their own) and each legal guardian with one."""
    client = document.client
    signers: list[Signer] = []
    accesses = (
        ProfileAccess.objects.effective(client.practice)
        .filter(client=client, kind__in=[AccessKind.SELF, AccessKind.CONTACT])
        .select_related("account", "contact", "practice")
        .order_by("kind", "pk")
    )
    for access in accesses:
        if access.kind == AccessKind.SELF:
            signers.append(Signer(Capacity.SELF, None, client.full_name, access))
        elif access.is_guardian and access.contact is not None and access.contact.web_portal:
            signers.append(Signer(Capacity.GUARDIAN, access.contact, access.contact.full_name, access))
    return signers


def signer_matches(request: SignatureRequest, access: ProfileAccess) -> bool:
    """Whether this profile is the one the request names: the client themself, or that guardian."""
    if access.client_id != request.document.client_id or access.practice_id != request.practice_id:
        return False
    if request.capacity == Capacity.SELF:
        return access.kind == AccessKind.SELF
    return access.kind == AccessKind.CONTACT and access.contact_id == request.contact_id and access.is_guardian


# --- Staff: Share to Sign, cancel, remind ---------------------------------------------------------


def _require_web_portal(by: StaffMember) -> None:
    if not by.has_permission(Permission.WEB_PORTAL):
        raise ApplicationError(_("Only staff with the Web Portal permission can share to the portal."))


def share_to_sign_blocker(by: StaffMember, document: Document) -> str | None:
    """Why this staff member can't use Share to Sign on this document now, as a code; None when they can.

    The codes, in the order they are checked: other_practice, exception, not_eligible, preparing,
    not_pdf, no_permission. A request already waiting, or nobody to ask, is told apart by the caller.
    """
    if document.practice_id != by.practice_id:
        return "other_practice"
    if not document.type.shareable:
        return "exception"
    if not document.type.share_to_sign:
        return "not_eligible"
    if document.current_version is None:
        return "preparing"
    if document.current_version.content_type != PDF:
        return "not_pdf"
    if not by.has_permission(Permission.WEB_PORTAL):
        return "no_permission"
    return None


def blocker_message(code: str, document: Document) -> str:
    """The words for a share_to_sign_blocker code."""
    messages = {
        "other_practice": _("That document is not part of your practice."),
        "exception": _("%(type)s documents are on the portal exception list and can't be shared.")
        % {"type": document.type.name},
        "not_eligible": _(
            "%(type)s documents can't be shared to sign. An administrator can allow it under Document types."
        )
        % {"type": document.type.name},
        "preparing": _("Its PDF is still being prepared; share it to sign once it appears."),
        "not_pdf": _("Only PDF documents can be signed. Upload the document as a PDF first."),
        "no_permission": _("Only staff with the Web Portal permission can share to the portal."),
    }
    return messages[code]


@transaction.atomic
def request_signature(*, by: StaffMember, document: Document, signer_key: str) -> SignatureRequest:
    """Share to Sign: share the current version with the signer and put a record request in their inbox."""
    locked = (
        Document.objects.select_for_update(of=("self",))
        .select_related("type", "client", "practice", "current_version")
        .get(pk=document.pk)
    )
    blocker = share_to_sign_blocker(by, locked)
    if blocker is not None:
        raise ApplicationError(blocker_message(blocker, locked))
    version = locked.current_version
    assert version is not None  # share_to_sign_blocker said "preparing" otherwise
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
        _expire(pending, now=now, tell_requester=False)  # someone is acting on the document already
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
        action="signature.requested",
        actor=Actor.staff(by.user),
        practice=locked.practice,
        client=locked.client,
        target=request,
        details={
            "document": locked.pk,
            "version": version.number,
            "sha256": version.sha256,
            "capacity": signer.capacity,
            "contact": signer.contact.pk if signer.contact else None,
            "account": signer.access.account_id,
        },
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
        signature_request=request,
    )
    return request


def _lock_request_for_staff(by: StaffMember, request: SignatureRequest) -> SignatureRequest:
    _require_web_portal(by)
    locked = (
        SignatureRequest.objects.select_for_update(of=("self",))
        .select_related("document__client", "practice")
        .filter(pk=request.pk, practice_id=by.practice_id)
        .first()
    )
    if locked is None:
        raise ApplicationError(_("That signature request is not part of your practice."))
    return locked


@transaction.atomic
def cancel_request(*, by: StaffMember, request: SignatureRequest) -> SignatureRequest:
    """Withdraw a request that is still waiting; the signer can no longer sign it."""
    locked = _lock_request_for_staff(by, request)
    if locked.status != RequestStatus.PENDING:
        raise ApplicationError(
            _("This request was already %(status)s.") % {"status": locked.get_status_display().lower()}
        )
    locked.status = RequestStatus.CANCELLED
    locked.answered_at = timezone.now()
    locked.cancelled_by = by
    locked.save(update_fields=["status", "answered_at", "cancelled_by"])
    record_event(
        action="signature.cancelled",
        actor=Actor.staff(by.user),
        practice=locked.practice,
        client=locked.document.client,
        target=locked,
        details={"document": locked.document_id},
    )
    return locked


@transaction.atomic
def remind(*, by: StaffMember, request: SignatureRequest) -> SignatureRequest:
    """Email the signer again that something waits for them (no health information); once a day at most."""
    locked = _lock_request_for_staff(by, request)
    if not locked.is_open:
        raise ApplicationError(_("Only a request that is still waiting can be reminded."))
    if locked.is_out_of_date:
        raise ApplicationError(
            _("This request is out of date: the document changed after it was sent. Send a new request instead.")
        )
    now = timezone.now()
    if locked.reminded_at is not None and now - locked.reminded_at < REMINDER_INTERVAL:
        raise ApplicationError(_("A reminder was already sent today. You can send another tomorrow."))
    access = next((s.access for s in possible_signers(locked.document) if _same_signer(s, locked)), None)
    if access is None:
        raise ApplicationError(
            _("%(name)s no longer has portal access, so no reminder can reach them.") % {"name": locked.signer_name}
        )
    locked.reminded_at = now
    locked.reminder_count += 1
    locked.save(update_fields=["reminded_at", "reminder_count"])
    record_event(
        action="signature.reminded",
        actor=Actor.staff(by.user),
        practice=locked.practice,
        client=locked.document.client,
        target=locked,
        details={"document": locked.document_id, "reminder": locked.reminder_count},
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


def _same_signer(signer: Signer, request: SignatureRequest) -> bool:
    return signer.capacity == request.capacity and (signer.contact.pk if signer.contact else None) == request.contact_id


def _expire(request: SignatureRequest, *, now: datetime.datetime, tell_requester: bool) -> None:
    """Close a request whose time ran out: status Expired, audited, and the staff member who asked told."""
    request.status = RequestStatus.EXPIRED
    request.answered_at = now
    request.save(update_fields=["status", "answered_at"])
    record_event(
        action="signature.expired",
        actor=Actor.system(),
        practice=request.practice,
        client=request.document.client,
        target=request,
        details={"document": request.document_id, "expired_at": request.expires_at.isoformat()},
    )
    if tell_requester:
        _tell_requester(request, "expired")


def close_expired_requests() -> int:
    """The daily sweep: close every request past its time, so the record and the asker both know.

    Each is closed under its own row lock and only if still pending, so a sweep that runs twice, or
    beside a signer, closes each request once. Returns how many were closed.
    """
    now = timezone.now()
    closed = 0
    due = SignatureRequest.objects.filter(status=RequestStatus.PENDING, expires_at__lte=now)
    for request_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            locked = (
                SignatureRequest.objects.select_for_update(of=("self",))
                .select_related("document__client", "practice", "requested_by__user")
                .filter(pk=request_id, status=RequestStatus.PENDING, expires_at__lte=now)
                .first()
            )
            if locked is not None:
                _expire(locked, now=now, tell_requester=True)
                closed += 1
    return closed


def _tell_requester(request: SignatureRequest, outcome: str) -> None:
    """Email whoever asked that the request was answered: no names, no title, a link into Haven."""
    member = request.requested_by
    if not member.user.is_active:
        return
    path = reverse(
        "staff:document_detail", kwargs={"client_id": request.document.client_id, "document_id": request.document_id}
    )
    send_email_on_commit(
        to=member.user.email,
        template="staff_signature_answered",
        context={
            "practice": request.practice.name,
            "name": member.user.full_name,
            "outcome": outcome,
            "days": str(REQUEST_VALID_FOR.days),
            "link": f"{settings.HAVEN_BASE_URL}{path}",
        },
        practice=request.practice,
    )


# --- The signer: sign or decline ---------------------------------------------------------------------


def _refuse(
    code: str, message: str, *, account: PortalAccount, access: ProfileAccess, request_id: int
) -> SigningRefused:
    """Audit a refusal (outside any transaction it would be rolled back with) and return the error to raise."""
    record_event(
        action="signature.refused",
        actor=portal_actor(account),
        acting_for=access.client.full_name,
        practice=access.practice,
        client=access.client,
        details={"request": request_id, "reason": code},
    )
    return SigningRefused(message, code=code)


def answer_problem(request: SignatureRequest, access: ProfileAccess, account: PortalAccount) -> tuple[str, str] | None:
    """Why this profile can't answer the request now, as (code, message); None when it can."""
    if not signer_matches(request, access) or access.account_id != account.pk:
        return "wrong_signer", _("This signature request is not for the profile you have selected.")
    if request.status == RequestStatus.SIGNED:
        return "already_signed", _("This document is already signed. A signature can only be given once.")
    if request.status == RequestStatus.CANCELLED:
        return "cancelled", _("The practice cancelled this signature request. Nothing was signed.")
    if request.status == RequestStatus.DECLINED:
        return "declined", _("You declined this signature request. Ask the practice if you want to sign now.")
    if request.is_expired:
        return "expired", _("This signature request has expired. Ask the practice to send a new one.")
    if request.document.current_version_id != request.version_id:
        return "document_changed", _(
            "The document changed after it was sent for your signature, so it can't be signed. "
            "The practice can see this and can send a new request."
        )
    if not documents_for_portal(access).filter(pk=request.document_id).exists():
        return "not_shared", _("The practice no longer shares this document with you, so it can't be signed.")
    return None


def _locked_request(request: SignatureRequest) -> SignatureRequest:
    return (
        SignatureRequest.objects.select_for_update(of=("self",))
        .select_related("document__client", "practice", "requested_by__user")
        .get(pk=request.pk)
    )


def has_ink(image_png: bytes) -> bool:
    """Whether the drawing has any mark on it (transparent or white canvases with nothing drawn have none)."""
    rgb, alpha = load_signature_image(image_png)
    if alpha is not None:
        return alpha.getbbox() is not None
    return ImageOps.invert(rgb.convert("L")).getbbox() is not None


def check_drawing(image_png: bytes) -> None:
    """Raise with a clear message unless this is a PNG with a drawn signature on it."""
    try:
        if not has_ink(image_png):
            raise ApplicationError(_("Draw your signature in the box before selecting Sign Document."))
    except InvalidSignatureImage:
        raise ApplicationError(_("Your signature could not be read. Select Clear and draw it again.")) from None


def sign_document(
    *,
    account: PortalAccount,
    access: ProfileAccess,
    request: SignatureRequest,
    password: str,
    consented: bool,
    disclosure_version: str,
    origin: RequestOrigin,
    image_png: bytes | None = None,
    typed_name: str = "",
) -> Signature:
    """Sign Document: write the signature once and queue the sealed, signed version (SIGN-3, SIGN-7).

    The signature is either drawn (``image_png``, from the pad) or typed (``typed_name``, drawn here
    in a handwriting font), never both. Refused, and audited, for another profile's request, a
    request no longer open, a document that changed since it was sent, a missing consent, an empty
    drawing or typed name, or a wrong password. The rules are checked again under the request's
    row lock, and the one-to-one signature row makes a second signature impossible even so.
    """
    if (image_png is None) == (not typed_name):
        raise ValueError("Give either a drawn signature or a typed name.")
    token = set_origin(origin)  # the audit events carry the signer's address and device, as the signature does
    try:
        refuse = partial(_refuse, account=account, access=access, request_id=request.pk)
        problem = answer_problem(request, access, account)
        if problem is not None:
            raise refuse(*problem)
        disclosure = current_disclosure()
        if not consented or disclosure_version != disclosure.version:
            raise refuse("no_consent", _("Read the consent to sign electronically and tick the box to accept it."))
        method = SignatureMethod.DRAWN if image_png is not None else SignatureMethod.TYPED
        try:
            if image_png is None:
                typed_name = clean_typed_name(typed_name)
                image_png = typed_signature_png(typed_name)
            check_drawing(image_png)
        except ApplicationError as error:
            raise refuse(
                "empty_typed_name" if method == SignatureMethod.TYPED else "empty_drawing", error.message
            ) from None
        if not account.check_password(password):
            raise refuse(
                "wrong_password", _("That password is not right. Enter the password you sign in to the portal with.")
            )
        stored = store_encrypted(image_png, folder=IMAGE_FOLDER)
        try:
            signature, problem = _write_signature(
                account=account,
                access=access,
                request=request,
                stored=stored,
                origin=origin,
                disclosure=disclosure,
                typed_name=typed_name if method == SignatureMethod.TYPED else "",
            )
        except BaseException:
            delete_stored(stored)
            raise
        if signature is None:
            delete_stored(stored)
            assert problem is not None
            raise refuse(*problem)
        return signature
    finally:
        reset_origin(token)


def signer_name_in_chart(request: SignatureRequest, access: ProfileAccess) -> str:
    """The signer as the practice knows them: the client, or the guardian's contact record.

    A portal account's own name is whatever was typed when it was made, so it is never the signer's name.
    """
    if request.capacity == Capacity.GUARDIAN and access.contact is not None:
        return access.contact.full_name
    if request.capacity == Capacity.SELF:
        return request.document.client.full_name
    return request.signer_name


def _write_signature(
    *,
    account: PortalAccount,
    access: ProfileAccess,
    request: SignatureRequest,
    stored: str,
    origin: RequestOrigin,
    disclosure: Disclosure,
    typed_name: str,
) -> tuple[Signature | None, tuple[str, str] | None]:
    """Under the request's row lock: the signature, or why it can't be written."""
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_request(request)
        # The document row too, so an amendment either lands first (and signing is refused) or waits.
        locked.document.current_version_id = (
            Document.objects.select_for_update().values_list("current_version_id", flat=True).get(pk=locked.document_id)
        )
        problem = answer_problem(locked, access, account)
        if problem is not None:
            return None, problem
        try:
            with transaction.atomic():
                signature = Signature.objects.create(
                    request=locked,
                    document=locked.document,
                    account=account,
                    signer_name=signer_name_in_chart(locked, access),
                    account_name=account.full_name,
                    signer_email=account.email,
                    capacity=locked.capacity,
                    on_behalf_of=locked.document.client.full_name if locked.capacity == Capacity.GUARDIAN else "",
                    signed_at=now,
                    ip_address=origin.ip,
                    user_agent=origin.user_agent,
                    device=describe_device(origin.user_agent),
                    disclosure_version=disclosure.version,
                    disclosure_text=disclosure.text,
                    consented_at=now,
                    method=SignatureMethod.TYPED if typed_name else SignatureMethod.DRAWN,
                    typed_name=typed_name,
                    image_storage_name=stored,
                    sha256_before=locked.sha256,
                )
        except IntegrityError:
            return None, ("already_signed", _("This document is already signed. A signature can only be given once."))
        locked.status = RequestStatus.SIGNED
        locked.answered_at = now
        locked.save(update_fields=["status", "answered_at"])
        event = partial(
            record_event,
            actor=portal_actor(account),
            acting_for=locked.document.client.full_name,
            practice=locked.practice,
            client=locked.document.client,
            target=signature,
        )
        event(action="signature.consented", details={"disclosure_version": disclosure.version})
        event(
            action="signature.signed",
            details={
                "request": locked.pk,
                "document": locked.document_id,
                "capacity": locked.capacity,
                "method": signature.method,
                "sha256_before": locked.sha256,
                "device": signature.device,
            },
        )
        transaction.on_commit(partial(seal_signature.enqueue, signature_id=signature.pk))
        _tell_requester(locked, "signed")
    return signature, None


def decline(
    *, account: PortalAccount, access: ProfileAccess, request: SignatureRequest, reason: str
) -> SignatureRequest:
    """The signer declines to sign, with a reason the practice sees."""
    reason = reason.strip()
    refuse_bidi_controls(reason)
    if not reason:
        raise ApplicationError(_("Tell the practice why you are declining, so they can help."))
    if len(reason) > MAX_DECLINE_REASON:
        raise ApplicationError(_("Keep the reason under %(limit)s characters.") % {"limit": MAX_DECLINE_REASON})
    with transaction.atomic():
        locked = _locked_request(request)
        problem = answer_problem(locked, access, account)
        if problem is None:
            locked.status = RequestStatus.DECLINED
            locked.answered_at = timezone.now()
            locked.decline_reason = reason
            locked.save(update_fields=["status", "answered_at", "decline_reason"])
            record_event(
                action="signature.declined",
                actor=portal_actor(account),
                acting_for=locked.document.client.full_name,
                practice=locked.practice,
                client=locked.document.client,
                target=locked,
                details={"document": locked.document_id},
            )
            _tell_requester(locked, "declined")
            return locked
    raise _refuse(*problem, account=account, access=access, request_id=request.pk)
