"""Check a document's seal (SIGN-5): an uploaded PDF, or a signed document's stored current version."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_safe

from haven.core.encryption import read_decrypted
from haven.core.forms import NOT_A_PDF
from haven.documents.policy import get_document, visible_to
from haven.portal.access import PortalRequest, portal_view
from haven.portal.forms import VerifyForm
from haven.portal_access.actions import portal_actor
from haven.signing.verification import Verification, verify_file


def _check(request: PortalRequest, pdf: bytes) -> dict[str, Any]:
    """Verify the file and say which document it is, only when that document is shared with this profile."""
    selected = request.portal.selected
    verification = verify_file(
        pdf,
        practice=request.portal.practice,
        actor=portal_actor(request.portal.account),
        acting_for=selected.client.full_name if selected is not None else "",
    )
    return {"verification": verification, "match": _visible_match(request, verification)}


def _visible_match(request: PortalRequest, verification: Verification) -> Any:
    version = verification.version
    if version is None:
        return None
    document = visible_to(request.viewer).filter(pk=version.document_id).first()
    if document is None:
        return None
    return {"document": document, "version": version, "signature": verification.signature}


@portal_view
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: PortalRequest) -> HttpResponse:
    """Upload a PDF to learn whether its seal is intact and valid."""
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            context.update(_check(request, form.cleaned_data["file"]))
            context["form"] = VerifyForm()
        else:
            status = 400
    return render(request, "portal/verify/verify.html", context, status=status)


@portal_view
@require_safe
def document_verify(request: PortalRequest, document_id: int) -> HttpResponse:
    """Check seal: the stored current version of a document shared with this profile."""
    document = get_document(request.viewer, document_id, path=request.path)
    version = document.current_version
    context: dict[str, Any] = {"form": VerifyForm(), "checked_document": document}
    if version is None or version.content_type != "application/pdf":
        context["not_pdf"] = NOT_A_PDF
    else:
        context.update(_check(request, read_decrypted(version.storage_name)))
    return render(request, "portal/verify/verify.html", context)
