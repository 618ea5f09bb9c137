"""Share to Sign from the staff side: asking, reminding, cancelling, and checking a PDF's seal (SIGN-1..SIGN-7)."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from haven.audit.models import Actor
from haven.clients.models import Client
from haven.clients.policy import get_client
from haven.core.encryption import read_decrypted
from haven.core.errors import ApplicationError
from haven.documents.models import Document
from haven.documents.policy import get_document, get_version, may_see
from haven.practices.access import StaffRequest, staff_view
from haven.practices.models import Permission
from haven.signing.eligibility import possible_signers
from haven.signing.models import SignatureRequest
from haven.signing.policy import get_signature_request
from haven.signing.requests import cancel_request, remind, request_signature
from haven.signing.verification import verify_file
from haven.staff.forms.signing import ShareToSignForm, VerifyForm
from haven.staff.views.documents import PDF, _chart_context, _detail_context

SHARE_TO_SIGN_ANCHOR = "#share-to-sign"
REQUESTS_ANCHOR = "#signature-requests"


def _document(request: StaffRequest, client_id: int, document_id: int) -> tuple[Client, Document]:
    client = get_client(request.viewer, client_id, path=request.path)
    return client, get_document(request.viewer, document_id, client=client, path=request.path)


def _detail_url(client: Client, document: Document, anchor: str) -> str:
    return reverse("staff:document_detail", kwargs={"client_id": client.pk, "document_id": document.pk}) + anchor


def _get_request_for_staff(request: StaffRequest, document: Document, request_id: int) -> SignatureRequest:
    """One of this document's signature requests the staff member may see, or 404 (audited)."""
    return get_signature_request(request.viewer, request_id, document=document, path=request.path)


@staff_view(Permission.WEB_PORTAL)
@require_POST
def document_share_to_sign(request: StaffRequest, client_id: int, document_id: int) -> HttpResponse:
    """Share to Sign (SIGN-1): share the current version with one signer and put a record request in their inbox."""
    client, document = _document(request, client_id, document_id)
    signers = possible_signers(document)
    form = ShareToSignForm(request.POST, signers=signers, client_name=client.full_name)
    if form.is_valid():
        try:
            request_signature(by=request.staff, document=document, signer_key=form.cleaned_data["signer"])
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The document was shared for signature."))
            return redirect(_detail_url(client, document, REQUESTS_ANCHOR))
        return redirect(_detail_url(client, document, SHARE_TO_SIGN_ANCHOR))
    if not signers:
        messages.error(
            request, _("Nobody can be asked to sign yet. Invite the client or a legal guardian to the portal first.")
        )
        return redirect(_detail_url(client, document, SHARE_TO_SIGN_ANCHOR))
    context = _detail_context(request, client, document, share_to_sign_form=form)
    return render(request, "staff/documents/detail.html", context, status=400)


@staff_view(Permission.WEB_PORTAL)
@require_POST
def signature_request_remind(request: StaffRequest, client_id: int, document_id: int, request_id: int) -> HttpResponse:
    """Send reminder: email the signer that something waits in the portal (no health information)."""
    client, document = _document(request, client_id, document_id)
    sign_request = _get_request_for_staff(request, document, request_id)
    try:
        remind(by=request.staff, request=sign_request)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("A reminder was sent to %(name)s.") % {"name": sign_request.signer_name})
    return redirect(_detail_url(client, document, REQUESTS_ANCHOR))


@staff_view(Permission.WEB_PORTAL)
@require_POST
def signature_request_cancel(request: StaffRequest, client_id: int, document_id: int, request_id: int) -> HttpResponse:
    """Cancel request: the signer can no longer sign it; the document stays shared until sharing is changed."""
    client, document = _document(request, client_id, document_id)
    sign_request = _get_request_for_staff(request, document, request_id)
    try:
        cancel_request(by=request.staff, request=sign_request)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The signature request to %(name)s was cancelled.") % {"name": sign_request.signer_name}
        )
    return redirect(_detail_url(client, document, REQUESTS_ANCHOR))


# --- Checking a seal (SIGN-5) -------------------------------------------------------------------


@staff_view()
@require_safe
def document_version_verify(request: StaffRequest, client_id: int, document_id: int, version_id: int) -> HttpResponse:
    """Check seal: verify one stored version of this document, as anyone holding the file would."""
    client, document = _document(request, client_id, document_id)
    version = get_version(request.viewer, document, version_id, path=request.path)
    verification = None
    if version.content_type == PDF:
        verification = verify_file(
            read_decrypted(version.storage_name), practice=request.staff.practice, actor=Actor.staff(request.staff.user)
        )
    context = _chart_context(request, client, document=document, version=version, verification=verification)
    return render(request, "staff/signing/version_verify.html", context)


@staff_view()
def verify(request: StaffRequest) -> HttpResponse:
    """Check a PDF: upload any file and learn whether its seal holds and which stored document it is."""
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    verification = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            verification = verify_file(
                form.cleaned_data["file"], practice=request.staff.practice, actor=Actor.staff(request.staff.user)
            )
            if verification.version is not None and not may_see(request.viewer, verification.version.document):
                # The seal's answer stands; which clinical record the file is stays with those who read them.
                verification = replace(verification, version=None, signature=None)
            form = VerifyForm()
        else:
            status = 400
    return render(
        request,
        "staff/signing/verify.html",
        {"nav": "verify", "form": form, "verification": verification},
        status=status,
    )
