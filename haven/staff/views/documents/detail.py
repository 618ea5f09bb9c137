"""A document's page: its versions, the share dialog (DOC-3), Share to Sign and its requests (SIGN-1, SIGN-4)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from haven.clients.models import Client
from haven.clients.policy import get_client
from haven.core.remembered_words import per_language
from haven.documents import selectors
from haven.documents.models import Audience, Document, VersionSource
from haven.documents.policy import DocumentVerb, get_document, why_not
from haven.documents.selectors import PageVersion
from haven.practices.access import StaffRequest, staff_view
from haven.practices.models import Permission
from haven.practices.viewers import StaffViewer
from haven.signing.eligibility import Signer, possible_signers
from haven.signing.models import Capacity, RequestStatus, Signature, SignatureRequest
from haven.signing.selectors import staff_requests_for_document
from haven.staff.forms.documents import VersionUploadForm
from haven.staff.forms.signing import ShareToSignForm
from haven.staff.views.documents._common import PDF, chart_context, document_item_urls, document_urls


def _recipients(document: Document) -> tuple[set[str], set[int], set[int], list[str]]:
    """Who the document is open to now: audiences, contact ids, portal user access ids, and who they are."""
    audiences: set[str] = set()
    contact_ids: set[int] = set()
    access_ids: set[int] = set()
    names: list[str] = []
    for share in selectors.open_shares_of(document):
        audiences.add(share.audience)
        if share.contact_id is not None:
            contact_ids.add(share.contact_id)
        if share.access_id is not None:
            access_ids.add(share.access_id)
        if share.audience == Audience.ALL_AUTHORIZED:
            names.insert(0, share.recipient_label)
        else:
            names.append(share.recipient_label)
    return audiences, contact_ids, access_ids, names


@dataclass(frozen=True)
class RecipientRow:
    """One person the share dialog offers, saying who they are to the client."""

    field: str  # the checkbox's name: "contact" or "portal_user"
    value: int
    name: str
    role: str
    shared: bool

    @property
    def dom_id(self) -> str:
        return f"share-{self.field.replace('_', '-')}-{self.value}"


def _recipient_rows(client: Client, contact_ids: set[int], access_ids: set[int]) -> list[RecipientRow]:
    contacts, portal_users = selectors.share_dialog_people(client)
    rows = [
        RecipientRow("contact", contact.pk, contact.name, contact.role, contact.pk in contact_ids)
        for contact in contacts
    ]
    if portal_users:
        portal_user = _("Portal user")
        rows += [
            RecipientRow("portal_user", access.pk, access.name, portal_user, access.pk in access_ids)
            for access in portal_users
        ]
    return rows


@dataclass(frozen=True)
class RequestRow:
    """One signature request as the detail page shows it."""

    request: SignatureRequest
    signature: Signature | None
    capacity_label: str
    document_changed: bool  # still open, but the document has a newer version the signer can't sign
    remind_url: str
    cancel_url: str
    verify_url: str  # Check seal for the signed version, once there is one; else empty


@dataclass(frozen=True)
class VersionRow:
    version: PageVersion
    is_current: bool
    signature: Signature | None  # the signature this version was sealed for, if it is a signed version
    file_url: str  # the document's file (View and Download add ``?version=``)
    verify_url: str  # Check seal

    @property
    def is_pdf(self) -> bool:
        return self.version.content_type == PDF


def _signature_of(request: SignatureRequest) -> Signature | None:
    try:
        return request.signature
    except Signature.DoesNotExist:
        return None


def _item_url(pattern: tuple[str, str], item_id: int) -> str:
    """A request's or version's address from ``document_item_urls``."""
    before, after = pattern
    return before + str(int(item_id)) + after


def _request_rows(
    viewer: StaffViewer, document: Document, client: Client, item_urls: dict[str, tuple[str, str]]
) -> list[RequestRow]:
    rows = []
    for sign_request in staff_requests_for_document(viewer, document):
        if sign_request.capacity == Capacity.GUARDIAN:
            capacity = _("Legal guardian for %(client)s") % {"client": client.full_name}
        else:
            capacity = _("Self")
        signature = _signature_of(sign_request) if sign_request.status == RequestStatus.SIGNED else None
        signed_version_id = signature.signed_version_id if signature is not None else None
        rows.append(
            RequestRow(
                request=sign_request,
                signature=signature,
                capacity_label=capacity,
                document_changed=sign_request.is_open and sign_request.version_id != document.current_version_id,
                remind_url=_item_url(item_urls["remind"], sign_request.pk),
                cancel_url=_item_url(item_urls["cancel"], sign_request.pk),
                verify_url="" if signed_version_id is None else _item_url(item_urls["verify"], signed_version_id),
            )
        )
    return rows


def _share_to_sign_state(
    request: StaffRequest, document: Document, rows: list[RequestRow]
) -> tuple[str, list[Signer], RequestRow | None]:
    """Whether Share to Sign can be offered now, and if not, why: a word the template explains."""
    waiting = next((row for row in rows if row.request.is_open), None)
    reason = why_not(request.viewer, DocumentVerb.SHARE_TO_SIGN, document)
    if reason is not None:
        return str(reason), [], None
    if waiting is not None:
        return "waiting", [], waiting
    signers = possible_signers(document)
    if not signers:
        return "no_signers", [], None
    return "ready", signers, None


_BLANK_VERSION_FORMS: dict[str, str] = per_language()  # safe strings, as the form renders them


def _blank_version_form() -> str:
    """The empty amendment form as it renders, made once per language: it holds nothing of any client or request
    (the CSRF token is the page's, outside it)."""
    language = get_language() or ""
    found = _BLANK_VERSION_FORMS.get(language)
    if found is None:
        found = _BLANK_VERSION_FORMS[language] = VersionUploadForm().render()
    return found


def detail_context(
    request: StaffRequest,
    client: Client,
    document: Document,
    *,
    share_to_sign_form: ShareToSignForm | None = None,
    version_form: VersionUploadForm | None = None,
) -> dict[str, object]:
    """What the document page shows; ``version_form`` is an amendment form with its errors, else the blank one."""
    audiences, contact_ids, access_ids, names = _recipients(document)
    item_urls = document_item_urls(client, document)
    versions, asked_to_sign = selectors.versions_of(document)
    # Its signature requests are looked for only if anyone was ever asked to sign it (a request names one of its
    # versions, so a document without versions has none).
    rows = _request_rows(request.viewer, document, client, item_urls) if asked_to_sign else []
    signed_by_version = {row.signature.signed_version_id: row.signature for row in rows if row.signature is not None}
    sign_state, signers, waiting = _share_to_sign_state(request, document, rows)
    # Shared and Signed: the dialog says who signed and when, and a new request is a choice, not a default.
    current_signature = signed_by_version.get(document.current_version_id) if sign_state == "ready" else None
    if share_to_sign_form is None and sign_state == "ready":
        share_to_sign_form = ShareToSignForm(
            signers=signers, client_name=client.full_name, preselect=current_signature is None
        )
    can_upload = request.staff.has_permission(Permission.UPLOAD_DOCUMENTS)
    urls = document_urls(client, document)
    return chart_context(
        request,
        client,
        document=document,
        document_url=urls,
        versions=[
            VersionRow(
                version=version,
                is_current=version.pk == document.current_version_id,
                signature=signed_by_version.get(version.pk) if version.source == VersionSource.SIGNED else None,
                file_url=urls["file"],
                verify_url=_item_url(item_urls["verify"], version.pk),
            )
            for version in versions
        ],
        excepted=not document.type.shareable,
        can_share=request.staff.has_permission(Permission.WEB_PORTAL),
        can_upload=can_upload,
        is_admin=request.staff.has_permission(Permission.ORG_ADMIN),
        shared_all=Audience.ALL_AUTHORIZED in audiences,
        shared_client=Audience.CLIENT in audiences,
        recipient_rows=_recipient_rows(client, contact_ids, access_ids),
        recipient_names=names,
        sign_state=sign_state,
        share_to_sign_form=share_to_sign_form,
        current_signature=current_signature,
        waiting=waiting,
        request_rows=rows,
        version_form=version_form or (_blank_version_form() if can_upload else None),
    )


@staff_view()
@require_safe
def document_detail(request: StaffRequest, client_id: int, document_id: int) -> HttpResponse:
    """The document, its versions, the share dialog (DOC-3), Share to Sign and its requests (SIGN-1, SIGN-4)."""
    client = get_client(request.viewer, client_id, path=request.path)
    document = get_document(request.viewer, document_id, client=client, path=request.path)
    return render(request, "staff/documents/detail.html", detail_context(request, client, document))
