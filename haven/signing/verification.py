"""Checking a PDF (SIGN-5): is its seal intact and valid, and which document and signature is it?

A file is recognised by its SHA-256 among the practice's stored versions. What a portal user
is told about the match is limited to documents they can already see.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from haven.audit.actions import record_event
from haven.audit.events import SignatureVerified
from haven.audit.models import Actor
from haven.documents.models import DocumentVersion
from haven.practices.models import Practice
from haven.signing.models import Signature
from haven.signing.seal import SealReport, verify_pdf


@dataclass(frozen=True)
class Verification:
    report: SealReport
    sha256: str
    version: DocumentVersion | None
    signature: Signature | None

    @property
    def ok(self) -> bool:
        return self.report.ok


def verify_file(pdf: bytes, *, practice: Practice, actor: Actor, acting_for: str = "") -> Verification:
    """Check the seal and look the file up among this practice's versions; audited either way."""
    sha256 = hashlib.sha256(pdf).hexdigest()
    report = verify_pdf(pdf, practice=practice)
    version = (
        DocumentVersion.objects.select_related("document__client", "document__type")
        .filter(sha256=sha256, document__practice=practice)
        .order_by("-pk")
        .first()
    )
    signature = None
    if version is not None:
        signature = Signature.objects.select_related("request").filter(signed_version=version).first()
    record_event(
        SignatureVerified(
            sha256=sha256, intact=report.intact, valid=report.valid, version=version.pk if version is not None else None
        ),
        actor=actor,
        acting_for=acting_for,
        practice=practice,
        client=version.document.client if version is not None else None,
        target=signature,
    )
    return Verification(report=report, sha256=sha256, version=version, signature=signature)
