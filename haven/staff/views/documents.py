"""The Activity Log: a client's documents, uploading, and sharing them to the portal (DOC-1..DOC-6, DOC-9)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST, require_safe

from haven.audit.actions import record_event
from haven.audit.models import Actor
from haven.clients.models import Client, RelatedContact
from haven.clients.policy import get_client, get_contact
from haven.clients.selectors import contacts_of
from haven.core.errors import ApplicationError
from haven.core.forms import DateInput, HavenForm
from haven.documents import actions, selectors
from haven.documents.access import get_document_for_staff
from haven.documents.models import (
    Audience,
    Document,
    DocumentType,
    DocumentVersion,
    VersionSource,
    client_label,
    contact_label,
    contact_role,
)
from haven.documents.responses import file_response
from haven.portal_access.models import ProfileAccess
from haven.portal_access.policy import get_profile_access
from haven.practices.access import StaffRequest, deny, staff_view
from haven.practices.models import Permission, StaffMember
from haven.signing.actions import Signer, possible_signers, share_to_sign_blocker
from haven.signing.models import Capacity, RequestStatus, Signature, SignatureRequest
from haven.signing.selectors import requests_for_document, staff_signature_status
from haven.staff.forms import ShareToSignForm, VersionUploadForm

PAGE_SIZE = 25


class DocumentUploadForm(HavenForm):
    doc_type = forms.ModelChoiceField(
        label=gettext_lazy("Type"),
        queryset=DocumentType.objects.none(),
        empty_label=gettext_lazy("Choose a type"),
        error_messages={"required": gettext_lazy("Choose the type of document.")},
    )
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        error_messages={"required": gettext_lazy("Give the document a title.")},
    )
    document_date = forms.DateField(
        label=gettext_lazy("Date"),
        widget=DateInput(),
        error_messages={
            "required": gettext_lazy("Enter the document's date."),
            "invalid": gettext_lazy("Enter a date like 2025-03-14."),
        },
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("A PDF, PNG or JPEG file. It is stored encrypted."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
        error_messages={"required": gettext_lazy("Choose the file to upload.")},
    )

    def __init__(self, *args: Any, member: StaffMember, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = selectors.document_types(member.practice_id)
        if not selectors.reads_clinical(member):
            types = types.filter(clinical=False)  # nobody adds a document they could not open
        self.fields["doc_type"].queryset = types  # type: ignore[attr-defined]
        self.fields["document_date"].initial = timezone.localdate()


def _chart_context(request: StaffRequest, client: Client, **extra: object) -> dict[str, object]:
    return {
        "nav": "clients",
        "client": client,
        "tab": "documents",
        "can_see_history": request.staff.has_permission(Permission.ORG_ADMIN),
        **extra,
    }


def _type_filter(raw: str, allowed: set[int]) -> int | None:
    """The ?type= filter, kept only when it names one of the practice's types."""
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value in allowed else None


@dataclass(frozen=True)
class ShareAllChoice:
    """Share all with one guardian, offered when Share all to the client would reach nobody."""

    contact: RelatedContact
    label: str
    confirm: str


def _share_all_context(client: Client) -> dict[str, object]:
    """What Share all says before it runs: with whom; for a minor without a login, that the guardian won't see it."""
    confirm = "{} {}".format(
        _("Continuing will send all documentation to the Client via their portal account."),
        _("Who will see it: %(name)s only.") % {"name": client_label(client)},
    )
    minor_without_login = client.is_minor_on(timezone.localdate()) and not selectors.has_own_portal_login(client)
    guardians: list[ShareAllChoice] = []
    if minor_without_login:
        confirm += " " + _(
            "%(name)s is a minor without a portal login of their own: it waits until they have one, "
            "and their guardian will not see it."
        ) % {"name": client.full_name}
        for contact in selectors.portal_guardians(client):
            label = contact_label(contact)
            guardians.append(
                ShareAllChoice(
                    contact=contact,
                    label=label,
                    confirm=_("Continuing will send all documentation to %(name)s via their portal account.")
                    % {"name": label},
                )
            )
    return {
        "share_all_confirm": confirm,
        "share_all_minor_without_login": minor_without_login,
        "share_all_guardians": guardians,
    }


@staff_view()
@require_safe
def activity_log(request: StaffRequest, client_id: int) -> HttpResponse:
    """The client's documents, newest first, each with its globe and Share Status; a fixed number of queries."""
    client = get_client(request.viewer, client_id, path=request.path)
    types = list(selectors.document_types(client.practice_id))
    type_id = _type_filter(request.GET.get("type", ""), {doc_type.pk for doc_type in types})
    listed = selectors.activity_log(client, type_id=type_id)
    documents = staff_signature_status(selectors.readable_by(request.staff, listed))
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _chart_context(
        request,
        client,
        page=page,
        types=types,
        type_id=type_id,
        withheld=selectors.withheld_count(request.staff, listed),
        all_shared=selectors.all_shared_with_client(client),
        can_share=request.staff.has_permission(Permission.WEB_PORTAL),
        can_upload=request.staff.has_permission(Permission.UPLOAD_DOCUMENTS),
        can_write_notes=request.staff.has_permission(Permission.DYNAMIC_FORMS),
        **_share_all_context(client),
    )
    return render(request, "staff/documents/activity_log.html", context)


@staff_view(Permission.UPLOAD_DOCUMENTS)
def document_upload(request: StaffRequest, client_id: int) -> HttpResponse:
    client = get_client(request.viewer, client_id, path=request.path)
    actions.ensure_default_types(request.staff.practice)
    form = DocumentUploadForm(request.POST or None, request.FILES or None, member=request.staff)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            # One byte past the limit is enough for the action to refuse it with its own message.
            data = form.cleaned_data["file"].read(settings.HAVEN_MAX_UPLOAD_BYTES + 1)
            try:
                document = actions.upload_document(
                    by=request.staff,
                    client=client,
                    doc_type=form.cleaned_data["doc_type"],
                    title=form.cleaned_data["title"],
                    document_date=form.cleaned_data["document_date"],
                    data=data,
                )
            except ApplicationError as error:
                form.add_error("file", error.message)
            else:
                messages.success(request, _("“%(title)s” was added to the Activity Log.") % {"title": document.title})
                return redirect("staff:activity_log", client_id=client.pk)
    return render(request, "staff/documents/upload.html", _chart_context(request, client, form=form), status=status)


def _recipients(document: Document) -> tuple[set[str], set[int], set[int], list[str]]:
    """Who the document is open to now: audiences, contact ids, portal user access ids, and who they are."""
    audiences: set[str] = set()
    contact_ids: set[int] = set()
    access_ids: set[int] = set()
    names: list[str] = []
    shares = (
        document.shares.open()
        .select_related("document__client", "contact__linked_client", "access__account")
        .order_by("audience", "contact__last_name", "access__display_name")
    )
    for share in shares:
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
    rows = [
        RecipientRow("contact", contact.pk, contact.full_name, contact_role(contact), contact.pk in contact_ids)
        for contact in contacts_of(client).filter(web_portal=True)
    ]
    rows += [
        RecipientRow(
            "portal_user",
            access.pk,
            access.display_name or access.account.full_name,
            _("Portal user"),
            access.pk in access_ids,
        )
        for access in selectors.open_portal_users(client)
    ]
    return rows


PDF = "application/pdf"


@dataclass(frozen=True)
class RequestRow:
    """One signature request as the detail page shows it."""

    request: SignatureRequest
    signature: Signature | None
    capacity_label: str
    document_changed: bool  # still open, but the document has a newer version the signer can't sign


@dataclass(frozen=True)
class VersionRow:
    version: DocumentVersion
    is_current: bool
    signature: Signature | None  # the signature this version was sealed for, if it is a signed version

    @property
    def is_pdf(self) -> bool:
        return self.version.content_type == PDF


def _signature_of(request: SignatureRequest) -> Signature | None:
    try:
        return request.signature
    except Signature.DoesNotExist:
        return None


def _request_rows(document: Document, client: Client) -> list[RequestRow]:
    rows = []
    for sign_request in requests_for_document(document):
        if sign_request.capacity == Capacity.GUARDIAN:
            capacity = _("Legal guardian for %(client)s") % {"client": client.full_name}
        else:
            capacity = _("Self")
        rows.append(
            RequestRow(
                request=sign_request,
                signature=_signature_of(sign_request) if sign_request.status == RequestStatus.SIGNED else None,
                capacity_label=capacity,
                document_changed=sign_request.is_open and sign_request.version_id != document.current_version_id,
            )
        )
    return rows


def _share_to_sign_state(
    request: StaffRequest, document: Document, rows: list[RequestRow]
) -> tuple[str, list[Signer], RequestRow | None]:
    """Whether Share to Sign can be offered now, and if not, why: a word the template explains."""
    waiting = next((row for row in rows if row.request.is_open), None)
    blocker = share_to_sign_blocker(request.staff, document)
    if blocker is not None:
        return blocker, [], None
    if waiting is not None:
        return "waiting", [], waiting
    signers = possible_signers(document)
    if not signers:
        return "no_signers", [], None
    return "ready", signers, None


def _detail_context(
    request: StaffRequest,
    client: Client,
    document: Document,
    *,
    share_to_sign_form: ShareToSignForm | None = None,
    version_form: VersionUploadForm | None = None,
) -> dict[str, object]:
    audiences, contact_ids, access_ids, names = _recipients(document)
    rows = _request_rows(document, client)
    signed_by_version = {row.signature.signed_version_id: row.signature for row in rows if row.signature is not None}
    versions = document.versions.select_related("created_by__user").order_by("-number")
    sign_state, signers, waiting = _share_to_sign_state(request, document, rows)
    # Shared and Signed: the dialog says who signed and when, and a new request is a choice, not a default.
    current_signature = signed_by_version.get(document.current_version_id) if sign_state == "ready" else None
    if share_to_sign_form is None and sign_state == "ready":
        share_to_sign_form = ShareToSignForm(
            signers=signers, client_name=client.full_name, preselect=current_signature is None
        )
    can_upload = request.staff.has_permission(Permission.UPLOAD_DOCUMENTS)
    return _chart_context(
        request,
        client,
        document=document,
        versions=[
            VersionRow(
                version=version,
                is_current=version.pk == document.current_version_id,
                signature=signed_by_version.get(version.pk) if version.source == VersionSource.SIGNED else None,
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
        version_form=version_form or (VersionUploadForm() if can_upload else None),
    )


@staff_view()
@require_safe
def document_detail(request: StaffRequest, client_id: int, document_id: int) -> HttpResponse:
    """The document, its versions, the share dialog (DOC-3), Share to Sign and its requests (SIGN-1, SIGN-4)."""
    client = get_client(request.viewer, client_id, path=request.path)
    document = get_document_for_staff(request.staff, client, document_id, path=request.path)
    return render(request, "staff/documents/detail.html", _detail_context(request, client, document))


@staff_view(Permission.UPLOAD_DOCUMENTS)
@require_POST
def document_version_add(request: StaffRequest, client_id: int, document_id: int) -> HttpResponse:
    """Upload a new version (an amendment, SIGN-7): it becomes current; earlier versions never change."""
    client = get_client(request.viewer, client_id, path=request.path)
    document = get_document_for_staff(request.staff, client, document_id, path=request.path)
    form = VersionUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = actions.add_version(by=request.staff, document=document, data=form.data_bytes())
        except ApplicationError as error:
            form.add_error("file", error.message)
        else:
            messages.success(
                request, _("Version %(number)s was added and is now the current version.") % {"number": version.number}
            )
            return redirect("staff:document_detail", client_id=client.pk, document_id=document.pk)
    context = _detail_context(request, client, document, version_form=form)
    return render(request, "staff/documents/detail.html", context, status=400)


@staff_view(Permission.WEB_PORTAL)
@require_POST
def document_share(request: StaffRequest, client_id: int, document_id: int) -> HttpResponse:
    """Make the open shares exactly the ticked recipients; any contact outside this client refuses it all."""
    client = get_client(request.viewer, client_id, path=request.path)
    document = get_document_for_staff(request.staff, client, document_id, path=request.path)
    contacts: dict[int, RelatedContact] = {}
    for raw in request.POST.getlist("contact"):
        try:
            contact_id = int(raw)
        except ValueError:
            raise deny(
                request.staff, object_type="clients.relatedcontact", object_id=raw[:40], path=request.path
            ) from None
        if contact_id not in contacts:
            contacts[contact_id] = get_contact(request.viewer, client, contact_id, path=request.path)
    portal_users: dict[int, ProfileAccess] = {}
    for raw in request.POST.getlist("portal_user"):
        try:
            access_id = int(raw)
        except ValueError:
            raise deny(
                request.staff, object_type="portal_access.profileaccess", object_id=raw[:40], path=request.path
            ) from None
        if access_id not in portal_users:
            portal_users[access_id] = get_profile_access(request.viewer, client, access_id, path=request.path)
    try:
        actions.set_recipients(
            by=request.staff,
            document=document,
            all_authorized=request.POST.get("all_authorized") == "1",
            client=request.POST.get("client") == "1",
            contacts=list(contacts.values()),
            portal_users=list(portal_users.values()),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Sharing updated."))
    return redirect("staff:document_detail", client_id=client.pk, document_id=document.pk)


@staff_view(Permission.WEB_PORTAL)
@require_POST
def share_all(request: StaffRequest, client_id: int) -> HttpResponse:
    """The Activity Log's globe (DOC-5): every available document, to the client only, or to one guardian."""
    client = get_client(request.viewer, client_id, path=request.path)
    raw_contact = request.POST.get("contact", "")
    try:
        if raw_contact:
            try:
                contact_id = int(raw_contact)
            except ValueError:
                raise deny(
                    request.staff, object_type="clients.relatedcontact", object_id=raw_contact[:40], path=request.path
                ) from None
            contact = get_contact(request.viewer, client, contact_id, path=request.path)
            shared = actions.share_all_with_contact(by=request.staff, contact=contact)
            done = _("All documentation successfully portalized for %(name)s.") % {"name": contact_label(contact)}
        else:
            shared = actions.share_all_with_client(by=request.staff, client=client)
            done = "{} {}".format(
                _("All documentation successfully portalized for the client."),
                _("Shared with %(name)s.") % {"name": client_label(client)},
            )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if shared:
            messages.success(request, done)
        else:
            messages.info(request, _("Everything available was already shared."))
    return redirect("staff:activity_log", client_id=client.pk)


def _get_version_for_staff(request: StaffRequest, document: Document, raw_id: object) -> DocumentVersion:
    """One of this document's versions, or 404 (audited) for anything else."""
    try:
        version_id = int(str(raw_id))
    except ValueError:
        version_id = None
    version = document.versions.filter(pk=version_id).first() if version_id is not None else None
    if version is None:
        raise deny(
            request.staff, object_type="documents.documentversion", object_id=str(raw_id)[:40], path=request.path
        )
    return version


@staff_view()
@require_GET
def document_file(request: StaffRequest, client_id: int, document_id: int) -> HttpResponse:
    """The current version's file, or ?version=<id> of this document; every view and download is audited (DOC-9)."""
    client = get_client(request.viewer, client_id, path=request.path)
    document = get_document_for_staff(request.staff, client, document_id, path=request.path)
    if "version" in request.GET:
        version: DocumentVersion | None = _get_version_for_staff(request, document, request.GET["version"])
    else:
        version = document.current_version
    if version is None:
        raise Http404
    download = request.GET.get("download") == "1"
    response = file_response(version, download=download)
    record_event(
        action="document.downloaded" if download else "document.viewed",
        actor=Actor.staff(request.staff.user),
        practice=request.staff.practice,
        client=client,
        target=document,
        details={"version": version.number},
    )
    return response


# --- Organization Administration: portal document exceptions (DOC-2) -------------------------


def _get_type_for_admin(request: StaffRequest, type_id: int) -> DocumentType:
    doc_type = selectors.document_types(request.staff.practice_id).filter(pk=type_id).first()
    if doc_type is None:
        raise deny(request.staff, object_type="documents.documenttype", object_id=type_id, path=request.path)
    return doc_type


@staff_view(Permission.ORG_ADMIN)
@require_safe
def document_types(request: StaffRequest) -> HttpResponse:
    actions.ensure_default_types(request.staff.practice)
    return render(
        request,
        "staff/admin/document_types.html",
        {
            "nav": "admin",
            "section": "document_types",
            "types": list(selectors.document_types(request.staff.practice_id)),
        },
    )


@staff_view(Permission.ORG_ADMIN)
@require_POST
def document_type_update(request: StaffRequest, type_id: int) -> HttpResponse:
    doc_type = _get_type_for_admin(request, type_id)
    try:
        actions.set_type_exceptions(
            by=request.staff,
            doc_type=doc_type,
            never_share=request.POST.get("never_share") == "1",
            hidden_from_portal=request.POST.get("hidden_from_portal") == "1",
            share_to_sign=request.POST.get("share_to_sign") == "1",
            clinical=request.POST.get("clinical") == "1",
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Portal document exceptions saved for %(type)s.") % {"type": doc_type.name})
    return redirect("staff:admin_document_types")
