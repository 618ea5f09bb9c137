"""Forms: the practice's intake forms and dynamic forms, and the builder (FORM-1, FORM-2, FORM-5).

Every staff member sees the library, previews a form, prints it blank and exports it; who may change a form is
the intake policy's answer for its kind (dynamic forms: "Can Add, Edit, and Archive Dynamic Forms"; intake
forms: "Can invite clients to the client portal and manage intake forms"). Anyone else gets the same pages
read-only, and a change they send anyway is refused with the policy's words and 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from haven.core.errors import ApplicationError, ConflictError
from haven.intake.actions import archive_form, copy_form, create_form
from haven.intake.fields import FieldType
from haven.intake.library import (
    Download,
    edition_of,
    export_questionnaire,
    import_form,
    print_blank_form,
    publish_draft,
    save_draft,
)
from haven.intake.models import FormKind, FormVersion, IntakeForm
from haven.intake.policy import IntakeReason, IntakeVerb, forms_visible_to, get_form, may_build, why_not_form
from haven.intake.rendering import HEADING_MAX_CHARS
from haven.intake.scoring import MEASURES, MeasureCode
from haven.practices.access import StaffRequest, staff_view
from haven.staff.forms.form_builder import Builder, Operation
from haven.staff.forms.intake_forms import ImportForm, NewFormForm, Row, condition_words

TABS = (FormKind.INTAKE, FormKind.DYNAMIC)
# A file made here (a PDF opened in its own tab) runs nothing, whatever it holds.
FILE_POLICY = "sandbox; default-src 'none'"


def _measure_name(code: str) -> str:
    return MEASURES[MeasureCode(code)].name if code in MeasureCode else ""


def _form_urls() -> tuple[str, str]:
    """The builder's address as the text before and after a form's id, worked out once per page."""
    stand_in = 987654311
    before, _found, after = reverse("staff:form_detail", args=[stand_in]).partition(str(stand_in))
    return before, after


# --- The library ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryRow:
    """One form as the library lists it."""

    form: IntakeForm
    url: str
    measure: str

    @property
    def version(self) -> FormVersion | None:
        return self.form.current_version


def _library_context(request: StaffRequest, *, tab: str, archived: bool, import_form: ImportForm) -> dict[str, object]:
    before, after = _form_urls()
    rows: dict[str, list[LibraryRow]] = {kind: [] for kind in TABS}
    hidden: dict[str, int] = dict.fromkeys(TABS, 0)
    for form in forms_visible_to(request.viewer).select_related("current_version").order_by("title", "pk"):
        if form.is_archived and not archived:
            hidden[form.kind] += 1
            continue
        rows[form.kind].append(LibraryRow(form, f"{before}{form.pk}{after}", _measure_name(form.measure)))
    may_intake = may_build(request.viewer, FormKind.INTAKE) is None
    may_dynamic = may_build(request.viewer, FormKind.DYNAMIC) is None
    return {
        "nav": "forms",
        "tab": tab,
        "rows": rows[tab],
        "counts": {kind: len(rows[kind]) for kind in TABS},
        "archived_count": hidden[tab],
        "show_archived": archived,
        "may_create": may_intake if tab == FormKind.INTAKE else may_dynamic,
        "may_import": may_intake,
        "import_form": import_form,
    }


def _tab(value: str | None) -> str:
    return value if value in TABS else FormKind.INTAKE


@staff_view()
@require_safe
def form_library(request: StaffRequest) -> HttpResponse:
    """Intake forms and dynamic forms, each with its version and scored measure; archived ones on request."""
    context = _library_context(
        request,
        tab=_tab(request.GET.get("tab")),
        archived=request.GET.get("archived") == "1",
        import_form=ImportForm(),
    )
    return render(request, "staff/forms/library.html", context)


@staff_view()
@require_POST
def form_import(request: StaffRequest) -> HttpResponse:
    """Import (FHIR): a Questionnaire becomes a new intake form, as a draft; anything else is refused in words."""
    upload = ImportForm(request.POST, request.FILES)
    reason = may_build(request.viewer, FormKind.INTAKE)
    if reason is not None:
        context = _library_context(request, tab=FormKind.INTAKE, archived=False, import_form=ImportForm())
        context["refusal"] = reason.words()
        return render(request, "staff/forms/library.html", context, status=403)
    if upload.is_valid():
        try:
            form = import_form(by=request.staff, data=upload.cleaned_data["file"])
        except ApplicationError as error:
            upload.add_error("file", error.message)
        else:
            messages.success(
                request,
                _("“%(title)s” was imported as a new intake form. Check it, then publish it.") % {"title": form.title},
            )
            return redirect("staff:form_detail", form_id=form.pk)
    context = _library_context(request, tab=FormKind.INTAKE, archived=False, import_form=upload)
    context["import_open"] = True
    return render(request, "staff/forms/library.html", context, status=400)


@staff_view()
def form_create(request: StaffRequest) -> HttpResponse:
    """New intake form or New dynamic form: a title and a description; the fields are added in the builder."""
    kind = _tab(request.POST.get("kind") if request.method == "POST" else request.GET.get("kind"))
    reason = may_build(request.viewer, kind)
    details = NewFormForm(request.POST or None, initial={"kind": kind})
    status = 200
    if reason is not None:
        status = 403
    elif request.method == "POST":
        status = 400
        if details.is_valid():
            try:
                form = create_form(
                    by=request.staff,
                    kind=kind,
                    title=details.cleaned_data["title"],
                    description=details.cleaned_data["description"],
                )
            except ApplicationError as error:
                details.add_error(None, error.message)
            else:
                messages.success(request, _("Draft created. Add its fields, then publish it."))
                return redirect("staff:form_detail", form_id=form.pk)
    context = {
        "nav": "forms",
        "kind": kind,
        "kind_label": FormKind(kind).label,
        "details": details,
        "refusal": reason.words() if reason is not None else "",
    }
    return render(request, "staff/forms/new.html", context, status=status)


# --- One form: the builder -------------------------------------------------------------------------------------


def _builder_context(
    request: StaffRequest, form: IntakeForm, builder: Builder, *, show_problems: bool = False, refusal: str = ""
) -> dict[str, object]:
    viewer = request.viewer
    reason = why_not_form(viewer, IntakeVerb.BUILD, form)
    may_change = reason is None and not form.is_archived
    return {
        "nav": "forms",
        "form": form,
        "version": form.current_version,
        "measure": _measure_name(form.measure),
        "builder": builder,
        "items": list(builder.items()),
        "summary": builder.error_summary() if show_problems else [],
        "may_change": may_change,
        "may_archive": reason is None,
        "may_duplicate": may_build(viewer, form.kind) is None and not form.is_archived,
        "may_copy_to_intake": (
            form.kind == FormKind.DYNAMIC and may_build(viewer, FormKind.INTAKE) is None and not form.is_archived
        ),
        "unsaved": may_change and builder.changed_from(form),
        "read_only_reason": (
            IntakeReason.ARCHIVED.words() if form.is_archived else reason.words() if reason is not None else ""
        ),
        "refusal": refusal,
    }


def _refused(request: StaffRequest, form: IntakeForm, words: str, *, status: int = 403) -> HttpResponse:
    """A change this staff member may not make: the form as it is, read-only, with the policy's words."""
    builder = Builder.of(form, based_on=edition_of(form))
    context = _builder_context(request, form, builder, refusal=words)
    return render(request, "staff/forms/builder.html", context, status=status)


@staff_view()
def form_detail(request: StaffRequest, form_id: int) -> HttpResponse:
    """The form's page: its fields, read-only or in the builder, and what can be done with it."""
    form = get_form(request.viewer, form_id, path=request.path)
    if request.method != "POST":
        builder = Builder.of(form, based_on=edition_of(form))
        return render(request, "staff/forms/builder.html", _builder_context(request, form, builder))
    reason = why_not_form(request.viewer, IntakeVerb.BUILD, form)
    if reason is not None:
        return _refused(request, form, reason.words(form))
    if form.is_archived:
        return _refused(request, form, IntakeReason.ARCHIVED.words(form), status=409)
    builder = Builder.posted(form, request.POST)
    operation = Operation.parse(request.POST.get("op", ""))
    status = 200
    if not builder.apply_editor():
        status = 400
    elif operation.name in ("save", "publish"):
        status = _save(request, form, builder, publish=operation.name == "publish")
        if status == 302:
            return redirect("staff:form_detail", form_id=form.pk)
    elif operation.name == "add":
        status = 200 if builder.add() else 400
        builder.focus_editor()
    elif operation.name == "open":
        builder.open_row(operation.index)
        builder.focus_editor()
    elif operation.name == "close":
        builder.open_row(None)
    elif operation.name in ("up", "down") and operation.index is not None:
        builder.move(operation.index, -1 if operation.name == "up" else 1)
    elif operation.name == "remove" and operation.index is not None:
        for label in builder.remove(operation.index):
            messages.info(request, _("“%(label)s” is now always shown.") % {"label": label})
    context = _builder_context(request, form, builder, show_problems=status >= 400)
    return render(request, "staff/forms/builder.html", context, status=status)


def _save(request: StaffRequest, form: IntakeForm, builder: Builder, *, publish: bool) -> int:
    """Save draft or Publish: the status of the answer (302 when done), every problem kept in ``builder``."""
    if not builder.add_pending() or not builder.check():
        return 400
    details = builder.details.cleaned_data
    try:
        if publish:
            version = publish_draft(
                by=request.staff,
                form=form,
                title=details["title"],
                description=details["description"],
                fields=builder.fields_json(),
                based_on=builder.based_on,
            )
        else:
            save_draft(
                by=request.staff,
                form=form,
                title=details["title"],
                description=details["description"],
                fields=builder.fields_json(),
                based_on=builder.based_on,
            )
    except ConflictError as error:
        builder.errors.append(error.message)
        form.refresh_from_db()
        builder.based_on = edition_of(form)  # the next save keeps these changes, knowingly
        return 409
    except ApplicationError as error:
        builder.errors.append(error.message)
        return 400
    if publish:
        messages.success(
            request,
            _("Version %(number)d published. Forms sent from now on use it; forms already sent keep theirs.")
            % {"number": version.number},
        )
    else:
        messages.success(request, _("Draft saved. Clients get these changes once you publish them."))
    return 302


@staff_view()
@require_POST
def form_archive(request: StaffRequest, form_id: int) -> HttpResponse:
    """Archive (it can no longer be sent; everything sent with it stays) or Restore."""
    form = get_form(request.viewer, form_id, path=request.path)
    restore = request.POST.get("restore") == "1"
    reason = why_not_form(request.viewer, IntakeVerb.BUILD, form)
    if reason is not None:
        return _refused(request, form, reason.words(form))
    archive_form(by=request.staff, form=form, restore=restore)
    if restore:
        messages.success(request, _("“%(title)s” is restored: it can be sent again.") % {"title": form.title})
    else:
        messages.success(
            request,
            _("“%(title)s” is archived: it can't be sent; everything sent with it stays.") % {"title": form.title},
        )
    return redirect("staff:form_detail", form_id=form.pk)


@staff_view()
@require_POST
def form_copy(request: StaffRequest, form_id: int) -> HttpResponse:
    """Copy to intake form (a dynamic form's fields as a new intake form), or Duplicate; the copy is a draft."""
    form = get_form(request.viewer, form_id, path=request.path)
    kind = request.POST.get("kind", form.kind)
    kind = kind if kind in TABS else form.kind
    reason = may_build(request.viewer, kind)
    if reason is not None:
        return _refused(request, form, reason.words(form))
    try:
        copy = copy_form(by=request.staff, form=form, kind=kind)
    except ApplicationError as error:
        return _refused(request, form, error.message, status=400)
    if kind != form.kind:
        messages.success(request, _("Copied to a new intake form, as a draft. Check it, then publish it."))
    else:
        messages.success(request, _("Duplicated as a new draft. Check it, then publish it."))
    return redirect("staff:form_detail", form_id=copy.pk)


# --- Reading a form: preview, print, export ---------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewItem:
    """One field as the preview shows it: a question numbered as the person sees it, a heading or a statement."""

    row: Row
    number: int | None
    condition: str

    @property
    def statement(self) -> bool:
        """A heading that is words to read (a consent's policy), not a section's title: as the PDF tells them."""
        label = self.row.label.strip()
        return len(label) > HEADING_MAX_CHARS or label.endswith((".", "?", "!", ":", ";"))


@staff_view()
@require_safe
def form_preview(request: StaffRequest, form_id: int) -> HttpResponse:
    """The form as the portal shows it, read-only: the saved draft, or the published version (``?version=current``)."""
    form = get_form(request.viewer, form_id, path=request.path)
    version = form.current_version
    published = request.GET.get("version") == "current" and version is not None
    schema = version.schema if published and version is not None else form.draft_schema
    rows = [Row.of(item) for item in schema.fields]
    by_key = {row.key: row for row in rows}
    items = []
    number = 0
    for row in rows:
        question = row.field_type.holds_answer and row.field_type != FieldType.SIGNATURE
        if question:
            number += 1
        condition = condition_words(row.show_when, by_key) if row.show_when else ""
        items.append(PreviewItem(row, number if question else None, condition))
    context = {
        "nav": "forms",
        "form": form,
        "version": version,
        "published": published,
        "title": version.title if published and version is not None else form.title,
        "items": items,
        "differs": version is not None and form.has_unpublished_changes,
    }
    return render(request, "staff/forms/preview.html", context)


def _download(download: Download, *, content_type: str, disposition: str) -> HttpResponse:
    response = HttpResponse(download.content, content_type=content_type)
    response["Content-Disposition"] = f'{disposition}; filename="{download.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY
    patch_cache_control(response, no_store=True, private=True)
    return response


@staff_view()
@require_safe
def form_print(request: StaffRequest, form_id: int) -> HttpResponse:
    """Print blank form (FORM-5): the published version as a PDF to fill in by hand; audited."""
    form = get_form(request.viewer, form_id, path=request.path)
    try:
        download = print_blank_form(by=request.staff, form=form)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("staff:form_detail", form_id=form.pk)
    return _download(download, content_type="application/pdf", disposition="inline")


@staff_view()
@require_safe
def form_export(request: StaffRequest, form_id: int) -> HttpResponse:
    """Export (FHIR): the published version as a FHIR R4 Questionnaire, downloaded as JSON; audited."""
    form = get_form(request.viewer, form_id, path=request.path)
    try:
        download = export_questionnaire(by=request.staff, form=form)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("staff:form_detail", form_id=form.pk)
    return _download(download, content_type="application/fhir+json", disposition="attachment")
