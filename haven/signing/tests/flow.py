"""Shared steps for the Share to Sign tests: a signable document, and its signers' answers."""

from __future__ import annotations

import datetime

from django.utils import timezone

from haven.clients.models import Client
from haven.core.request_context import RequestOrigin
from haven.documents.actions import upload_document
from haven.documents.models import Document, DocumentType
from haven.portal_access.models import PortalAccount, ProfileAccess
from haven.practices.models import StaffMember
from haven.signing.disclosure import current_disclosure
from haven.signing.models import Capacity, RequestStatus, Signature, SignatureRequest
from haven.signing.tests.helpers import document_pdf, signature_png
from tests.personas import PASSWORD, World

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
ORIGIN = RequestOrigin(ip="203.0.113.7", user_agent=PHONE)


def treatment_plan(by: StaffMember, client: Client, *, pages: int = 2, title: str = "Treatment plan") -> Document:
    """A real, rendered PDF of the Treatment Plan type in the client's chart."""
    return upload_document(
        by=by,
        client=client,
        doc_type=DocumentType.objects.get(practice=by.practice, name="Treatment Plan"),
        title=title,
        document_date=client.created_at.date(),
        data=document_pdf(pages),
    )


def sign(
    request: SignatureRequest,
    account: PortalAccount,
    access: ProfileAccess,
    *,
    password: str = PASSWORD,
    image: bytes | None = None,
    typed_name: str = "",
    consented: bool = True,
    origin: RequestOrigin = ORIGIN,
) -> Signature:
    """Sign as the portal would: a drawn signature unless a typed name is given."""
    from haven.signing.answers import sign_document

    return sign_document(
        account=account,
        access=access,
        request=request,
        image_png=None if typed_name else signature_png() if image is None else image,
        typed_name=typed_name,
        password=password,
        consented=consented,
        disclosure_version=current_disclosure().version,
        origin=origin,
    )


def unsaved_request_to_gia(
    world: World,
    document: Document,
    *,
    status: str = RequestStatus.PENDING,
    requested_at: datetime.datetime | None = None,
) -> SignatureRequest:
    """Ada's request to Gia, as Max's guardian, for the document's current version: unsaved, for
    ``bulk_create`` in tests that measure pages as requests grow."""
    version = document.current_version
    assert version is not None
    requested_at = requested_at or timezone.now()
    return SignatureRequest(
        practice=world.riverside,
        document=document,
        version=version,
        sha256=version.sha256,
        capacity=Capacity.GUARDIAN,
        contact=world.gia,
        signer_name=world.gia.full_name,
        status=status,
        requested_by=world.ada,
        requested_at=requested_at,
        expires_at=requested_at + datetime.timedelta(days=30),
    )
