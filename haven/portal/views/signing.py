"""Review and sign (SIGN-3) or decline (SIGN-6): the selected profile's own open signature requests."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from pypdfium2 import PdfiumError  # type: ignore[import-untyped]

from haven.audit.denials import not_found
from haven.core.encryption import read_decrypted
from haven.core.errors import ApplicationError
from haven.core.remembered_words import per_language
from haven.core.request_context import origin_of
from haven.documents import policy as documents_policy
from haven.portal.access import PortalRequest, portal_view
from haven.portal.forms import DeclineForm, SignForm
from haven.portal.links import row_link
from haven.portal.profiled import ProfilePrepared
from haven.portal_access.models import AccessKind, PortalAccount, ProfileAccess
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import Practice
from haven.signing import policy as signing_policy
from haven.signing.answers import SigningRefused, decline, refuse, sign_document, view_request
from haven.signing.disclosure import Disclosure, current_disclosure
from haven.signing.eligibility import signer_name_in_chart
from haven.signing.models import SignatureRequest
from haven.signing.policy import SigningReason, SigningVerb, why_not
from haven.signing.previews import MAX_PREVIEW_PAGES, PageOutOfRange, render_page_png, stored_page_count

# Where each refusal is shown on the signing page; any other reason is shown at the top.
FIELD_OF_REFUSAL = {
    SigningReason.WRONG_PASSWORD: "password",
    SigningReason.EMPTY_DRAWING: "signature",
    SigningReason.EMPTY_TYPED_NAME: "typed_name",
    SigningReason.NO_CONSENT: "consent",
}


def _lockout_credentials(account: PortalAccount) -> dict[str, str]:
    # The portal sign-in's own key: wrong signing passwords count toward the same lockout.
    return {"username": f"portal:{account.email.strip().lower()}"}


def _visible_request(selected: ProfileAccess, request_id: int) -> QuerySet[SignatureRequest]:
    """A request among ``signing.policy.visible_to`` of a viewer acting for this profile (what
    ``get_signature_request`` asks), and whether its document is still shared with them (``why_not`` asks)."""
    # The viewer's own profile, as the session holds it (whose it is does not reach the query).
    viewer = PortalViewer(
        account=PortalAccount(pk=selected.account_id), practice=Practice(pk=selected.practice_id), profile=selected
    )
    shared = documents_policy.visible_to_profile(selected).filter(pk=OuterRef("document_id"))
    return (
        signing_policy.visible_to(viewer)
        .filter(pk=request_id)
        .annotate(haven_document_shared=Exists(shared))
        .defer(*_NOT_FOR_THE_SIGNER)
        .order_by()[:1]
    )


# Of the staff member who asked, the signing page shows the name: their password's hash, sign-in times and
# permissions are not read into a portal request.
_NOT_FOR_THE_SIGNER = (
    "requested_by__permissions",
    "requested_by__created_at",
    "requested_by__user__password",
    "requested_by__user__last_login",
    "requested_by__user__date_joined",
    "requested_by__user__password_changed_at",
    "requested_by__user__session_generation",
)


_REQUEST: ProfilePrepared[SignatureRequest] = ProfilePrepared(_visible_request, int)


def _get_request(request: PortalRequest, request_id: int) -> tuple[SignatureRequest, ProfileAccess]:
    """The selected profile's own request (open or not), or 404 with access.denied for anything else."""
    viewer = request.viewer
    selected = viewer.profile
    found: list[SignatureRequest] = []
    if selected is not None and selected.account_id == viewer.account.pk and selected.practice_id == viewer.practice_id:
        found = _REQUEST(selected, request_id)
    if selected is None or not found:
        raise not_found(viewer, object_type=signing_policy.OBJECT_TYPE, object_id=request_id, path=request.path)
    sign_request = found[0]
    signing_policy.seen_by(sign_request, viewer, document_shared=sign_request.haven_document_shared)  # type: ignore[attr-defined]
    return sign_request, selected


def _page_count(sign_request: SignatureRequest) -> int | None:
    """How many pages the document sent for signature has; None if the file can't be read."""
    try:
        return stored_page_count(sign_request.version.storage_name, read_decrypted)
    except (PdfiumError, OSError, ValueError):
        return None


def _closed(request: PortalRequest, sign_request: SignatureRequest, message: str, *, status: int = 200) -> HttpResponse:
    # As it is now, not as it was when this request began: a refused post may have met a change meanwhile.
    sign_request.refresh_from_db(fields=["status", "answered_at"])
    sign_request.document.refresh_from_db(fields=["current_version"])
    return render(
        request,
        "portal/signing/closed.html",
        {"sign_request": sign_request, "document": sign_request.document, "problem": message},
        status=status,
    )


# The signing page's form as it first shows, with nothing typed: the same HTML for every signer (labels, help text,
# the current disclosure's words and version), kept per language and disclosure version: its field groups, and its
# disclosure and signature part (``portal/signing/_signature_fields.html``).
_BLANK: dict[tuple[str, str], tuple[dict[str, str], str]] = per_language()


def _form_parts(
    form: SignForm | None, decline_form: DeclineForm | None, disclosure: Disclosure
) -> tuple[dict[str, str], str]:
    """The page's field groups and its disclosure and signature part: rendered from the forms when either holds an
    answer, else the blank ones (the forms are then built only the first time, to render them)."""
    if (form is not None and form.is_bound) or (decline_form is not None and decline_form.is_bound):
        return _render_parts(form or _blank_form(disclosure), decline_form or DeclineForm(), disclosure)
    key = (get_language() or "", disclosure.version)
    blank = _BLANK.get(key)
    if blank is None:
        blank = _BLANK[key] = _render_parts(_blank_form(disclosure), DeclineForm(), disclosure)
    return blank


def _blank_form(disclosure: Disclosure) -> SignForm:
    return SignForm(initial={"disclosure_version": disclosure.version})


def _render_parts(form: SignForm, decline_form: DeclineForm, disclosure: Disclosure) -> tuple[dict[str, str], str]:
    fields = {
        "disclosure_version": str(form["disclosure_version"]),
        "consent": form["consent"].as_field_group(),
        "typed_name": form["typed_name"].as_field_group(),
        "signature": str(form["signature"]),
        "password": form["password"].as_field_group(),
        "decline": str(decline_form),
    }
    part = get_template("portal/signing/_signature_fields.html").render(
        {"form": form, "fields": fields, "disclosure": disclosure}
    )
    return fields, part


def _preview_pages(request: PortalRequest, sign_request: SignatureRequest, count: int | None) -> list[tuple[str, str]]:
    """Each page image's address and words, worked out once for the page rather than once per image."""
    if not count or count > MAX_PREVIEW_PAGES:
        return []
    link = row_link("portal:sign_page_image", slug=request.practice.slug, id_kwarg="page", request_id=sign_request.pk)
    words = _("Page %(number)s of %(total)s of the document. Open the document for text a screen reader can read.")
    return [(link(number), words % {"number": number, "total": count}) for number in range(1, count + 1)]


def _signing_page(
    request: PortalRequest,
    sign_request: SignatureRequest,
    selected: ProfileAccess,
    *,
    form: SignForm | None = None,
    decline_form: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    disclosure = current_disclosure()
    count = _page_count(sign_request)
    fields, signature_fields = _form_parts(form, decline_form, disclosure)
    context: dict[str, Any] = {
        "sign_request": sign_request,
        "document": sign_request.document,
        "version": sign_request.version,
        "page_count": count,
        "preview_pages": _preview_pages(request, sign_request, count),
        "for_self": selected.kind == AccessKind.SELF,
        "signer_name": signer_name_in_chart(sign_request, selected),
        "client": selected.client,
        "asked_by": sign_request.requested_by.user.full_name,
        "disclosure": disclosure,
        "fields": fields,
        "signature_fields": signature_fields,
        "decline_open": decline_form is not None,
    }
    return render(request, "portal/signing/sign.html", context, status=status)


@portal_view
@require_http_methods(["GET", "HEAD", "POST"])
def sign(request: PortalRequest, request_id: int) -> HttpResponse:
    """GET shows the document to sign (audited as signature.viewed); POST signs it."""
    sign_request, selected = _get_request(request, request_id)
    if request.method == "POST":
        return _post_signature(request, sign_request, selected)
    reason = why_not(request.viewer, SigningVerb.SIGN, sign_request)
    if reason is not None:
        return _closed(request, sign_request, reason.words(sign_request))
    view_request(request.viewer, sign_request)
    return _signing_page(request, sign_request, selected)


def _post_signature(request: PortalRequest, sign_request: SignatureRequest, selected: ProfileAccess) -> HttpResponse:
    account = request.portal.account
    form = SignForm(request.POST)
    if not form.is_valid():
        return _signing_page(request, sign_request, selected, form=form, status=400)
    credentials = _lockout_credentials(account)
    if AxesProxyHandler.is_locked(request, credentials):
        form.add_error(None, refuse(request.viewer, sign_request.pk, SigningReason.LOCKED_OUT).message)
        return _signing_page(request, sign_request, selected, form=form, status=429)
    try:
        sign_document(
            account=account,
            access=selected,
            request=sign_request,
            image_png=form.drawn,
            typed_name=form.typed,
            password=form.cleaned_data["password"],
            consented=form.cleaned_data["consent"],
            disclosure_version=form.cleaned_data["disclosure_version"],
            origin=origin_of(request),
        )
    except SigningRefused as refusal:
        if refusal.code.closes_request:
            return _closed(request, sign_request, refusal.message, status=409)
        status = 400
        message = refusal.message
        if refusal.code == SigningReason.WRONG_PASSWORD:
            AxesProxyHandler.user_login_failed(sender=PortalAccount, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                # Shown here, on the signing page, rather than the sign-in's lockout page.
                request.axes_locked_out = False  # type: ignore[attr-defined]
                status, message = 429, SigningReason.LOCKED_OUT.words()
                form.add_error(None, message)
                return _signing_page(request, sign_request, selected, form=form, status=status)
        form.add_error(FIELD_OF_REFUSAL.get(refusal.code), message)
        return _signing_page(request, sign_request, selected, form=form, status=status)
    AxesProxyHandler.reset_attempts(
        username=credentials["username"], ip_address=getattr(request, "axes_ip_address", None)
    )
    messages.success(
        request,
        _("Thank you. Your signature was recorded. The signed document will appear in My Documents in a moment."),
    )
    return redirect("portal:my_documents", slug=request.practice.slug)


@portal_view
@require_POST
def decline_request(request: PortalRequest, request_id: int) -> HttpResponse:
    """Decline to sign, with a reason the practice sees."""
    sign_request, selected = _get_request(request, request_id)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            decline(
                account=request.portal.account,
                access=selected,
                request=sign_request,
                reason=form.cleaned_data["reason"],
            )
        except SigningRefused as refusal:
            if refusal.code.closes_request:
                return _closed(request, sign_request, refusal.message, status=409)
            form.add_error(None, refusal.message)
        except ApplicationError as error:
            form.add_error("reason", error.message)
        else:
            messages.success(request, _("You declined to sign. The practice will see your reason."))
            return redirect("portal:my_documents", slug=request.practice.slug)
    reason = why_not(request.viewer, SigningVerb.DECLINE, sign_request)
    if reason is not None:
        return _closed(request, sign_request, reason.words(sign_request), status=409)
    return _signing_page(request, sign_request, selected, decline_form=form, status=400)


@portal_view
@require_safe
def page_image(request: PortalRequest, request_id: int, page: int) -> HttpResponse:
    """One page of the document sent for signature, as an image, for reading on the signing page.

    Only while the request is open for the selected profile; viewing the signing page is what the
    audit trail records (signature.viewed), not each of its pages.
    """
    sign_request, _selected = _get_request(request, request_id)
    if why_not(request.viewer, SigningVerb.SIGN, sign_request) is not None:
        raise Http404
    try:
        png = render_page_png(read_decrypted(sign_request.version.storage_name), page - 1)
    except (PageOutOfRange, PdfiumError):  # no such page, or a file PDFium can't read (the page links none)
        raise Http404 from None
    response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="page-{page}.png"'
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, no_store=True, private=True)
    return response
