"""Who may see and answer signature requests: the one answer staff pages, portal pages, the inbox,
My Documents and the signing actions ask (see ``haven.core.policy``).

- ``visible_to(viewer)``: staff see their practice's requests for documents they may open; a
  portal login sees the requests naming its selected profile as the signer.
- ``requests_naming(profile)``: the one answer to "is this profile the signer?" (the client
  themself, or the legal guardian the request names, while the network makes them one).
- ``why_not(viewer, verb, request)``: Sign and Decline (the signer), Cancel and Remind (staff).
- ``get_signature_request(viewer, id)``: the request, or an audited 404.
"""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.audit.denials import not_found
from haven.core.policy import Reason, Viewer
from haven.documents.models import Document
from haven.documents.policy import visible_to as documents_visible_to
from haven.portal_access.models import AccessKind, ProfileAccess
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import Permission
from haven.practices.viewers import StaffViewer
from haven.signing.eligibility import possible_signers
from haven.signing.models import Capacity, RequestStatus, SignatureRequest, SignatureRequestQuerySet

REMINDER_INTERVAL = datetime.timedelta(hours=20)
# Set by get_signature_request on the request it found: the viewer (this very object, on this request) it was
# found for. The visibility check in why_not is then already answered; a request found any other way is asked.
_SEEN_BY = "_haven_visible_to_viewer"
# Set beside it by a lookup that also asked whether the request's document is still shared with that viewer.
_SHARED_FOR = "_haven_document_shared_with_viewer"
OBJECT_TYPE = "signing.signaturerequest"


class SigningVerb(StrEnum):
    SIGN = "sign"  # the signer
    DECLINE = "decline"  # the signer
    CANCEL = "cancel"  # staff
    REMIND = "remind"  # staff


class SigningReason(Reason):
    """Why a signature request can't be answered, cancelled or reminded; the code is what the audit trail records."""

    # The signer: the request is not theirs, or can no longer be answered.
    WRONG_SIGNER = "wrong_signer"
    ALREADY_SIGNED = "already_signed"
    CANCELLED = "cancelled"
    DECLINED = "declined"
    EXPIRED = "expired"
    DOCUMENT_CHANGED = "document_changed"
    NOT_SHARED = "not_shared"
    # The signer's answer itself (the signing actions refuse these; the words may be more precise).
    NO_CONSENT = "no_consent"
    EMPTY_DRAWING = "empty_drawing"
    EMPTY_TYPED_NAME = "empty_typed_name"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 - a reason code, not a password
    LOCKED_OUT = "locked_out"
    # Staff: cancel and remind.
    NO_PERMISSION = "no_permission"
    OTHER_PRACTICE = "other_practice"
    ALREADY_ANSWERED = "already_answered"
    NOT_WAITING = "not_waiting"
    OUT_OF_DATE = "out_of_date"
    REMINDED_TODAY = "reminded_today"
    SIGNER_GONE = "signer_gone"

    @property
    def closes_request(self) -> bool:
        """The request can no longer be answered at all: the portal shows the calm "closed" page."""
        return self in CLOSED

    def words(self, subject: Any = None) -> str:
        match self:
            case SigningReason.WRONG_SIGNER:
                return _("This signature request is not for the profile you have selected.")
            case SigningReason.ALREADY_SIGNED:
                return _("This document is already signed. A signature can only be given once.")
            case SigningReason.CANCELLED:
                return _("The practice cancelled this signature request. Nothing was signed.")
            case SigningReason.DECLINED:
                return _("You declined this signature request. Ask the practice if you want to sign now.")
            case SigningReason.EXPIRED:
                return _("This signature request has expired. Ask the practice to send a new one.")
            case SigningReason.DOCUMENT_CHANGED:
                return _(
                    "The document changed after it was sent for your signature, so it can't be signed. "
                    "The practice can see this and can send a new request."
                )
            case SigningReason.NOT_SHARED:
                return _("The practice no longer shares this document with you, so it can't be signed.")
            case SigningReason.NO_CONSENT:
                return _("Read the consent to sign electronically and tick the box to accept it.")
            case SigningReason.EMPTY_DRAWING:
                return _("Draw your signature in the box before selecting Sign Document.")
            case SigningReason.EMPTY_TYPED_NAME:
                return _("Type your name to sign.")
            case SigningReason.WRONG_PASSWORD:
                return _("That password is not right. Enter the password you sign in to the portal with.")
            case SigningReason.LOCKED_OUT:
                return _(
                    "To protect your information, signing is paused for a few minutes after several wrong passwords. "
                    "Please wait and try again, or use Forgot Password on the sign-in page."
                )
            case SigningReason.NO_PERMISSION:
                return _("Only staff with the Web Portal permission can share to the portal.")
            case SigningReason.OTHER_PRACTICE:
                return _("That signature request is not part of your practice.")
            case SigningReason.ALREADY_ANSWERED:
                status = subject.get_status_display().lower() if isinstance(subject, SignatureRequest) else ""
                return _("This request was already %(status)s.") % {"status": status}
            case SigningReason.NOT_WAITING:
                return _("Only a request that is still waiting can be reminded.")
            case SigningReason.OUT_OF_DATE:
                return _(
                    "This request is out of date: the document changed after it was sent. Send a new request instead."
                )
            case SigningReason.REMINDED_TODAY:
                return _("A reminder was already sent today. You can send another tomorrow.")
            case SigningReason.SIGNER_GONE:
                name = subject.signer_name if isinstance(subject, SignatureRequest) else ""
                return _("%(name)s no longer has portal access, so no reminder can reach them.") % {"name": name}


CLOSED = frozenset(
    {
        SigningReason.ALREADY_SIGNED,
        SigningReason.CANCELLED,
        SigningReason.DECLINED,
        SigningReason.EXPIRED,
        SigningReason.DOCUMENT_CHANGED,
        SigningReason.NOT_SHARED,
    }
)


# --- Who is the signer: the one rule ------------------------------------------------------------


def _signer_rule(profile: ProfileAccess) -> Q:
    """Requests naming this profile as the signer: the client themself, or the guardian named (while a guardian)."""
    if profile.kind == AccessKind.SELF:
        return Q(capacity=Capacity.SELF)
    if profile.kind == AccessKind.CONTACT and profile.contact_id is not None and profile.is_guardian:
        return Q(capacity=Capacity.GUARDIAN, contact_id=profile.contact_id)
    return _NOBODY


_NOBODY = Q(pk__in=[])


def may_be_named(profile: ProfileAccess) -> bool:
    """Whether any request can name this profile as the signer: the signer rule, without a query."""
    return _signer_rule(profile) != _NOBODY


def requests_naming(profile: ProfileAccess) -> SignatureRequestQuerySet:
    """Every request this profile is (or was) asked to answer, for its client: is this profile the signer?"""
    return SignatureRequest.objects.filter(
        _signer_rule(profile), practice_id=profile.practice_id, document__client_id=profile.client_id
    ).select_related("document", "version")


def is_signer(profile: ProfileAccess, request: SignatureRequest) -> bool:
    return requests_naming(profile).filter(pk=request.pk).exists()


def signer_profile(request: SignatureRequest) -> ProfileAccess | None:
    """The portal profile the request names, while it may still be asked to sign (for a reminder)."""
    return next((s.access for s in possible_signers(request.document) if is_signer(s.access, request)), None)


# --- What a viewer sees ----------------------------------------------------------------------------


def visible_to(viewer: Viewer) -> SignatureRequestQuerySet:
    """The signature requests this viewer may see: every list, lookup and check starts here."""
    requests = SignatureRequest.objects.select_related(
        "document__client", "document__type", "version", "requested_by__user", "practice"
    ).defer("practice__logo")  # the practice's name and rules, not its logo's bytes
    if isinstance(viewer, StaffViewer):
        # Correlated on the request's document: an IN over the practice's visible documents would be built
        # whole (every document id of the practice) before a single request is read.
        visible_document = documents_visible_to(viewer).filter(pk=OuterRef("document_id"))
        return requests.filter(Exists(visible_document), practice_id=viewer.practice_id)
    if isinstance(viewer, PortalViewer) and viewer.profile is not None:
        profile = viewer.profile
        if profile.account_id != viewer.account.pk or profile.practice_id != viewer.practice_id:
            return requests.none()
        # The signer rule's own conditions, joined into this query rather than asked in a subquery.
        return requests & requests_naming(profile)
    return requests.none()


def get_signature_request(
    viewer: Viewer, request_id: int, *, document: Document | None = None, path: str = ""
) -> SignatureRequest:
    """A request this viewer may see (one of ``document``'s, if given), or a 404 audited as access.denied."""
    requests = visible_to(viewer)
    if document is not None:
        requests = requests.filter(document=document)
    found = requests.filter(pk=request_id).first()
    if found is None:
        raise not_found(viewer, object_type=OBJECT_TYPE, object_id=request_id, path=path)
    seen_by(found, viewer)
    return found


def seen_by(request: SignatureRequest, viewer: Viewer, *, document_shared: bool | None = None) -> None:
    """This request was just found among ``visible_to(viewer)`` (and, when given, its document among
    ``documents_visible_to(viewer)``, or not), on this request: ``why_not`` need not ask again for this viewer."""
    setattr(request, _SEEN_BY, viewer)
    if document_shared is not None:
        setattr(request, _SHARED_FOR, (viewer, document_shared))


# --- What a viewer may do ----------------------------------------------------------------------------


def why_not(
    viewer: Viewer, verb: SigningVerb, request: SignatureRequest, *, now: datetime.datetime | None = None
) -> SigningReason | None:
    """Why this viewer may not do this to the request now; None when they may."""
    if verb in (SigningVerb.SIGN, SigningVerb.DECLINE):
        return _why_not_answer(viewer, request)
    return _why_not_staff(viewer, verb, request, now=now or timezone.now())


def _why_not_answer(viewer: Viewer, request: SignatureRequest) -> SigningReason | None:
    """Sign or decline: only the signer, only while the request is open for the version sent and still shared."""
    if not isinstance(viewer, PortalViewer) or viewer.profile is None:
        return SigningReason.WRONG_SIGNER
    if getattr(request, _SEEN_BY, None) is not viewer and not visible_to(viewer).filter(pk=request.pk).exists():
        return SigningReason.WRONG_SIGNER
    if request.status == RequestStatus.SIGNED:
        return SigningReason.ALREADY_SIGNED
    if request.status == RequestStatus.CANCELLED:
        return SigningReason.CANCELLED
    if request.status == RequestStatus.DECLINED:
        return SigningReason.DECLINED
    if request.is_expired:
        return SigningReason.EXPIRED
    if request.document.current_version_id != request.version_id:
        return SigningReason.DOCUMENT_CHANGED
    seen_shared = getattr(request, _SHARED_FOR, None)
    if seen_shared is not None and seen_shared[0] is viewer:
        shared = bool(seen_shared[1])
    else:
        shared = documents_visible_to(viewer).filter(pk=request.document_id).exists()
    if not shared:
        return SigningReason.NOT_SHARED
    return None


def _why_not_staff(
    viewer: Viewer, verb: SigningVerb, request: SignatureRequest, *, now: datetime.datetime
) -> SigningReason | None:
    """Cancel and remind: staff with the Web Portal permission, for a request they may see that still waits."""
    if not isinstance(viewer, StaffViewer) or not viewer.has_permission(Permission.WEB_PORTAL):
        return SigningReason.NO_PERMISSION
    if not visible_to(viewer).filter(pk=request.pk).exists():
        return SigningReason.OTHER_PRACTICE
    if verb == SigningVerb.CANCEL:
        return SigningReason.ALREADY_ANSWERED if request.status != RequestStatus.PENDING else None
    if not request.is_open:
        return SigningReason.NOT_WAITING
    if request.is_out_of_date:
        return SigningReason.OUT_OF_DATE
    if request.reminded_at is not None and now - request.reminded_at < REMINDER_INTERVAL:
        return SigningReason.REMINDED_TODAY
    if signer_profile(request) is None:
        return SigningReason.SIGNER_GONE
    return None
