"""The signed record (SIGN-4, SIGN-5), built after the signature commits.

The drawn signature goes on the page, the signature certificate is appended, the practice seals
the file, and the result becomes the document's newest version. Running the task twice makes one
signed version: the second run finds it and stops.
"""

from __future__ import annotations

import datetime
import hashlib

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from haven.audit.actions import record_event
from haven.audit.events import SignatureSealed
from haven.audit.models import Actor
from haven.core.encryption import read_decrypted
from haven.documents.models import Document, DocumentVersion, VersionSource
from haven.documents.versions import write_version
from haven.signing.expiry import close_expired_requests
from haven.signing.models import Capacity, Signature
from haven.signing.seal import seal_pdf
from haven.signing.stamping import (
    append_certificate_page,
    find_signature_area,
    render_signature_certificate,
    stamp_signature,
)

PDF = "application/pdf"


class SourceChanged(RuntimeError):
    """The stored version no longer hashes to what the signer was shown; nothing is built from it."""


def build_signed_pdf(signature: Signature) -> tuple[bytes, str]:
    """The sealed PDF and the SHA-256 of the document with the signature drawn on it (before the certificate)."""
    request = signature.request
    practice = request.practice
    original = read_decrypted(request.version.storage_name)
    if hashlib.sha256(original).hexdigest() != signature.sha256_before:
        raise SourceChanged(f"Version {request.version_id} does not match the hash the signer was shown.")
    area = find_signature_area(original)  # else the last page, bottom left
    stamped = stamp_signature(
        original,
        image_png=read_decrypted(signature.image_storage_name),
        page=area.page if area else None,
        box=area.box if area else None,
    )
    sha256_signed = hashlib.sha256(stamped).hexdigest()
    certificate = render_signature_certificate(
        {
            "practice": practice,
            "signer_name": signature.signer_name,
            "account_name": signature.account_name,
            "signer_email": signature.signer_email,
            "capacity": signature.capacity,
            "on_behalf_of": signature.on_behalf_of,
            "method": signature.method,
            "typed_name": signature.typed_name,
            "signed_at": signature.signed_at,
            "ip_address": signature.ip_address or "unknown",
            "user_agent": f"{signature.device} ({signature.user_agent})" if signature.user_agent else signature.device,
            "sha256_before": signature.sha256_before,
            "sha256_after": sha256_signed,
            "disclosure_version": signature.disclosure_version,
            "request_id": f"R-{request.pk}",
            "signature_id": f"S-{signature.pk}",
            "document_title": request.document.title,
        }
    )
    capacity = "self" if signature.capacity == Capacity.SELF else f"guardian of {signature.on_behalf_of}"
    sealed = seal_pdf(
        append_certificate_page(stamped, certificate),
        practice=practice,
        reason=f"Signed electronically by {signature.signer_name} ({capacity}); Haven signature S-{signature.pk}",
    )
    return sealed, sha256_signed


@transaction.atomic
def attach_signed_version(*, signature_id: int, pdf: bytes, sha256_signed: str) -> DocumentVersion | None:
    """Store the sealed PDF as the document's next version and make it current; None if already done."""
    signature = Signature.objects.select_for_update(of=("self",)).select_related("request").get(pk=signature_id)
    if signature.signed_version_id is not None:
        return None
    document = (
        Document.objects.select_for_update(of=("self",))
        .select_related("practice", "client")
        .get(pk=signature.document_id)
    )
    # An amendment added while this ran stays current; the signed version is kept beside it.
    became_current = document.current_version_id == signature.request.version_id

    def record(version: DocumentVersion) -> None:
        signature.signed_version = version
        signature.sha256_signed = sha256_signed
        signature.sealed_at = timezone.now()
        signature.save(update_fields=["signed_version", "sha256_signed", "sealed_at"])
        record_event(
            SignatureSealed(
                document=document.pk,
                version=version.number,
                sha256=version.sha256,
                sha256_signed=sha256_signed,
                current=became_current,
            ),
            actor=Actor.system(),
            practice=document.practice,
            client=document.client,
            target=signature,
        )

    version = write_version(
        document=document,
        data=pdf,
        content_type=PDF,
        source=VersionSource.SIGNED,
        created_by=None,
        record=record,
        filename_stem=f"{document.title} signed",
        make_current=became_current,
    )
    return version


@task()
def seal_signature(*, signature_id: int) -> None:
    """Build, seal and attach the signed PDF for one signature."""
    signature = (
        Signature.objects.select_related("request__version", "request__practice", "request__document")
        .filter(pk=signature_id)
        .first()
    )
    if signature is None or signature.signed_version_id is not None:
        return
    pdf, sha256_signed = build_signed_pdf(signature)
    attach_signed_version(signature_id=signature.pk, pdf=pdf, sha256_signed=sha256_signed)


SEAL_RETRY_AFTER = datetime.timedelta(minutes=10)


@task()
def seal_unsealed_signatures() -> int:
    """The daily safety net: queue the signed PDF again for any signature still without one after a while.

    A sealing run can fail for reasons outside the signature (a full disk, a stopped worker); the
    signature itself is already final, so building its PDF again is always safe. Returns how many.
    """
    waiting = list(
        Signature.objects.filter(
            signed_version__isnull=True, signed_at__lt=timezone.now() - SEAL_RETRY_AFTER
        ).values_list("pk", flat=True)
    )
    for signature_id in waiting:
        seal_signature.enqueue(signature_id=signature_id)
    return len(waiting)


@task()
def close_expired_signature_requests() -> int:
    """Daily: close the signature requests whose 30 days ran out, and tell whoever asked."""
    return close_expired_requests()
