"""A document's files: uploading a document, adding a version (SIGN-7), and opening one (DOC-9, audited)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from haven.clients.policy import get_client
from haven.core.errors import ApplicationError
from haven.documents import actions
from haven.documents.models import DocumentType, DocumentVersion
from haven.documents.policy import get_document, get_version
from haven.documents.responses import file_response
from haven.practices.access import StaffRequest, staff_view
from haven.practices.models import Permission, StaffMember
from haven.staff.forms.documents import DocumentDetailsForm, VersionUploadForm, uploadable_types
from haven.staff.views.documents._common import chart_context
from haven.staff.views.documents.detail import detail_context


class DocumentUploadForm(DocumentDetailsForm):
    doc_type = forms.ModelChoiceField(
        label=gettext_lazy("Type"),
        queryset=DocumentType.objects.none(),
        empty_label=gettext_lazy("Choose a type"),
        error_messages={"required": gettext_lazy("Choose the type of document.")},
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("A PDF, PNG or JPEG file. It is stored encrypted."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
        error_messages={"required": gettext_lazy("Choose the file to upload.")},
    )
    field_order = ["doc_type", "title", "document_date", "file"]

    def __init__(self, *args: Any, member: StaffMember, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].queryset = uploadable_types(member)  # type: ignore[attr-defined]


@staff_view(Permission.UPLOAD_DOCUMENTS)
def document_upload(request: StaffRequest, client_id: int) -> HttpResponse:
    client = get_client(request.viewer, client_id, path=request.path)
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
    return render(request, "staff/documents/upload.html", chart_context(request, client, form=form), status=status)


@staff_view(Permission.UPLOAD_DOCUMENTS)
@require_POST
def document_version_add(request: StaffRequest, client_id: int, document_id: int) -> HttpResponse:
    """Upload a new version (an amendment, SIGN-7): it becomes current; earlier versions never change."""
    client = get_client(request.viewer, client_id, path=request.path)
    document = get_document(request.viewer, document_id, client=client, path=request.path)
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
    context = detail_context(request, client, document, version_form=form)
    return render(request, "staff/documents/detail.html", context, status=400)


@staff_view()
@require_GET
def document_file(request: StaffRequest, client_id: int, document_id: int) -> HttpResponse:
    """The current version's file, or ?version=<id> of this document; every view and download is audited (DOC-9)."""
    client = get_client(request.viewer, client_id, path=request.path)
    document = get_document(request.viewer, document_id, client=client, path=request.path)
    if "version" in request.GET:
        version: DocumentVersion | None = get_version(
            request.viewer, document, request.GET["version"], path=request.path
        )
    else:
        version = document.current_version
    if version is None:
        raise Http404
    download = request.GET.get("download") == "1"
    response = file_response(version, download=download)
    actions.record_opened(viewer=request.viewer, document=document, version=version, download=download)
    return response
