"""The signer's answer (SIGN-3, SIGN-6, SIGN-7): reading the request, signing it or declining it.

Every refusal a signer meets is written to the audit trail before it is raised, outside any
transaction that the refusal would roll back.
"""

from __future__ import annotations

from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ImageOps

from haven.audit.actions import record_event
from haven.audit.events import (
    SignatureConsented,
    SignatureDeclined,
    SignatureRefused,
    SignatureSigned,
    SignatureViewed,
)
from haven.core.bidi import refuse_bidi_controls
from haven.core.encryption import delete_stored, store_encrypted
from haven.core.errors import ApplicationError
from haven.core.request_context import RequestOrigin, reset_origin, set_origin
from haven.documents.models import Document
from haven.messaging.actions import mark_read
from haven.messaging.selectors import unread_about_request
from haven.portal_access.models import PortalAccount, ProfileAccess
from haven.portal_access.viewers import PortalViewer
from haven.signing.devices import describe_device
from haven.signing.disclosure import Disclosure, current_disclosure
from haven.signing.eligibility import signer_name_in_chart
from haven.signing.models import Capacity, RequestStatus, Signature, SignatureMethod, SignatureRequest
from haven.signing.notices import tell_requester
from haven.signing.policy import SigningReason, SigningVerb, why_not
from haven.signing.stamping import InvalidSignatureImage, load_signature_image
from haven.signing.tasks import seal_signature
from haven.signing.typed import clean_typed_name, typed_signature_png

MAX_DECLINE_REASON = 1000
IMAGE_FOLDER = "signatures"


class SigningRefused(ApplicationError):
    """The signer's attempt was refused; ``code`` names the rule, for the audit trail and tests."""

    def __init__(self, message: str, *, code: SigningReason) -> None:
        super().__init__(message)
        self.code = code


def _viewer(account: PortalAccount, access: ProfileAccess) -> PortalViewer:
    return PortalViewer(account=account, practice=access.practice, profile=access)


def refuse(viewer: PortalViewer, request_id: int, reason: SigningReason, message: str = "") -> SigningRefused:
    """Audit a refusal (outside any transaction it would be rolled back with) and return the error to raise."""
    assert viewer.profile is not None  # only a selected profile is ever asked to sign
    record_event(
        SignatureRefused(request=request_id, reason=str(reason)),
        actor=viewer.actor,
        acting_for=viewer.acting_for,
        practice=viewer.practice,
        client=viewer.profile.client,
    )
    return SigningRefused(message or reason.words(), code=reason)


def view_request(viewer: PortalViewer, request: SignatureRequest) -> None:
    """The signer opens the request to read it: audited as signature.viewed, and its inbox message is read."""
    assert viewer.profile is not None
    # The request's inbox message has said all it had to: reading the request reads it. Found before the write
    # transaction, which then holds the database's write lock only for writing (``mark_read`` marks a message
    # read only while it is still unread, so a reading recorded meanwhile elsewhere is not recorded again).
    unread = unread_about_request(viewer, request.pk)
    with transaction.atomic():
        for message in unread:
            mark_read(viewer, message.thread, through=message.pk)
        record_event(
            SignatureViewed(document=request.document_id, version=request.version.number),
            actor=viewer.actor,
            acting_for=viewer.acting_for,
            practice=viewer.practice,
            client=viewer.profile.client,
            target=request,
        )


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
            raise ApplicationError(SigningReason.EMPTY_DRAWING.words())
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
    viewer = _viewer(account, access)
    token = set_origin(origin)  # the audit events carry the signer's address and device, as the signature does
    try:
        refused = partial(refuse, viewer, request.pk)
        reason = why_not(viewer, SigningVerb.SIGN, request)
        if reason is not None:
            raise refused(reason)
        disclosure = current_disclosure()
        if not consented or disclosure_version != disclosure.version:
            raise refused(SigningReason.NO_CONSENT)
        method = SignatureMethod.DRAWN if image_png is not None else SignatureMethod.TYPED
        try:
            if image_png is None:
                typed_name = clean_typed_name(typed_name)
                image_png = typed_signature_png(typed_name)
            check_drawing(image_png)
        except ApplicationError as error:
            empty = SigningReason.EMPTY_TYPED_NAME if method == SignatureMethod.TYPED else SigningReason.EMPTY_DRAWING
            raise refused(empty, error.message) from None
        if not account.check_password(password):
            raise refused(SigningReason.WRONG_PASSWORD)
        stored = store_encrypted(image_png, folder=IMAGE_FOLDER)
        try:
            signature, reason = _write_signature(
                viewer=viewer,
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
            assert reason is not None
            raise refused(reason)
        return signature
    finally:
        reset_origin(token)


def _write_signature(
    *,
    viewer: PortalViewer,
    request: SignatureRequest,
    stored: str,
    origin: RequestOrigin,
    disclosure: Disclosure,
    typed_name: str,
) -> tuple[Signature | None, SigningReason | None]:
    """Under the request's row lock: the signature, or why it can't be written."""
    account, access = viewer.account, viewer.profile
    assert access is not None
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_request(request)
        # The document row too, so an amendment either lands first (and signing is refused) or waits.
        locked.document.current_version_id = (
            Document.objects.select_for_update().values_list("current_version_id", flat=True).get(pk=locked.document_id)
        )
        reason = why_not(viewer, SigningVerb.SIGN, locked)
        if reason is not None:
            return None, reason
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
            return None, SigningReason.ALREADY_SIGNED
        locked.status = RequestStatus.SIGNED
        locked.answered_at = now
        locked.save(update_fields=["status", "answered_at"])
        event = partial(
            record_event,
            actor=viewer.actor,
            acting_for=locked.document.client.full_name,
            practice=locked.practice,
            client=locked.document.client,
            target=signature,
        )
        event(SignatureConsented(disclosure_version=disclosure.version))
        event(
            SignatureSigned(
                request=locked.pk,
                document=locked.document_id,
                capacity=locked.capacity,
                method=signature.method,
                sha256_before=locked.sha256,
                device=signature.device,
            )
        )
        transaction.on_commit(partial(seal_signature.enqueue, signature_id=signature.pk))
        tell_requester(locked, "signed")
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
    viewer = _viewer(account, access)
    with transaction.atomic():
        locked = _locked_request(request)
        refusal = why_not(viewer, SigningVerb.DECLINE, locked)
        if refusal is None:
            locked.status = RequestStatus.DECLINED
            locked.answered_at = timezone.now()
            locked.decline_reason = reason
            locked.save(update_fields=["status", "answered_at", "decline_reason"])
            record_event(
                SignatureDeclined(document=locked.document_id),
                actor=viewer.actor,
                acting_for=locked.document.client.full_name,
                practice=locked.practice,
                client=locked.document.client,
                target=locked,
            )
            tell_requester(locked, "declined")
            return locked
    raise refuse(viewer, request.pk, refusal)
