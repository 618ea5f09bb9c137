"""Forms (FORM-3, FORM-5): the selected profile's intake forms, filled in online or on paper.

Every form is reached through ``haven.intake.policy.get_assignment`` for the selected profile; anything else
answers 404 and is audited. The intake actions check and keep the answers; these views only turn what was
posted into answers and show the actions' answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from haven.core.errors import ApplicationError
from haven.core.forms import FileUploadForm
from haven.core.templatetags.haven_time import when
from haven.documents.files import safe_filename
from haven.intake.actions import FormIncomplete, record_viewed, save_draft, submit, upload_paper
from haven.intake.fields import Answer
from haven.intake.models import AssignmentStatus, FormAssignment
from haven.intake.policy import IntakeVerb, get_assignment, why_not
from haven.intake.portal import forms_overview, print_blank_form, shown_answers
from haven.portal.access import PortalRequest, portal_view
from haven.portal.intake_fields import Question, posted_answers, questions
from haven.portal.templatetags.portal_urls import portal_url


class PaperUploadForm(FileUploadForm):
    """The filled-in paper form, scanned or photographed: judged from its content by ``upload_paper``."""

    file = forms.FileField(
        label=gettext_lazy("The filled-in form"),
        help_text=gettext_lazy("A PDF (best for several pages), or a photo of the form as PNG or JPEG."),
        widget=forms.ClearableFileInput(attrs={"accept": FileUploadForm.ACCEPT}),
        error_messages={
            "required": gettext_lazy("Choose the file of the filled-in form."),
            "empty": gettext_lazy("That file is empty. Please choose the file again."),
        },
    )


# --- The Forms list -----------------------------------------------------------------------------------------


@portal_view
@require_safe
def forms_list(request: PortalRequest) -> HttpResponse:
    """Packets with their Intake Forms Message and progress, then forms sent on their own."""
    overview = forms_overview(request.viewer) if request.viewer.profile is not None else None
    return render(request, "portal/forms/list.html", {"overview": overview})


# --- One form: fill in, save a draft, submit -----------------------------------------------------------------


def _summary_line(question: Question) -> str:
    """A problem as the error summary lists it: which question, then what is wrong."""
    label = Truncator(question.label.rstrip(" :")).words(12)
    return _("%(question)s — %(problem)s") % {"question": label, "problem": question.problem}


@dataclass(frozen=True)
class _Summary:
    """What ``forms/error_summary.html`` reads: each problem and the id its link moves focus to."""

    error_summary: list[tuple[str, str]]


def _fill_page(
    request: PortalRequest,
    assignment: FormAssignment,
    *,
    answers: Mapping[str, Answer],
    problems: Mapping[str, str] | None = None,
    upload_form: PaperUploadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    schema = assignment.version.schema
    listed = questions(schema, answers, problems or {}, set(assignment.prefilled))
    summary = [(_summary_line(q), q.anchor) for q in listed if q.problem and q.shown]
    slug = request.practice.slug
    context = {
        "assignment": assignment,
        "version": assignment.version,
        "questions": listed,
        "summary": _Summary(summary),
        "has_signature": schema.has_signature,
        "upload_form": upload_form or PaperUploadForm(),
        "fill_url": portal_url("portal:form_fill", slug, assignment.pk),
        "autosave_url": portal_url("portal:form_autosave", slug, assignment.pk),
        "blank_url": portal_url("portal:form_blank", slug, assignment.pk),
        "upload_url": portal_url("portal:form_upload", slug, assignment.pk),
        "returned": assignment.status == AssignmentStatus.RETURNED,
    }
    return render(request, "portal/forms/fill.html", context, status=status)


def _answers_page(
    request: PortalRequest, assignment: FormAssignment, *, problem: str = "", status: int = 200
) -> HttpResponse:
    """A form no longer waiting for answers: what was submitted, to read (or why there is nothing to fill)."""
    answers = assignment.answers if assignment.status != AssignmentStatus.CANCELLED else {}
    context = {
        "assignment": assignment,
        "version": assignment.version,
        "shown": shown_answers(assignment.version.schema, answers) if not assignment.on_paper else [],
        "problem": problem,
    }
    return render(request, "portal/forms/answers.html", context, status=status)


def _assignment(request: PortalRequest, assignment_id: int) -> FormAssignment:
    return get_assignment(request.viewer, assignment_id, path=request.path)


@portal_view
@require_http_methods(["GET", "HEAD", "POST"])
def form_fill(request: PortalRequest, assignment_id: int) -> HttpResponse:
    """GET shows the form to fill in (or, once submitted, its answers to read); POST saves a draft or submits."""
    assignment = _assignment(request, assignment_id)
    if request.method != "POST":
        record_viewed(viewer=request.viewer, assignment=assignment)
        if not assignment.is_open:
            return _answers_page(request, assignment)
        return _fill_page(request, assignment, answers=assignment.answers)
    if not assignment.is_open:
        return _refused(request, assignment)
    raw = posted_answers(assignment.version.schema, request.POST, assignment.answers)
    if request.POST.get("action") == "draft":
        try:
            save_draft(viewer=request.viewer, assignment=assignment, raw=raw)
        except ApplicationError as refusal:
            return _refused(request, assignment, refusal.message)
        messages.success(request, _("Draft saved. You can come back to it at any time."))
        return redirect(portal_url("portal:form_fill", request.practice.slug, assignment.pk))
    try:
        submit(viewer=request.viewer, assignment=assignment, raw=raw)
    except FormIncomplete as refused:
        kept = assignment.version.schema.check(raw, submitting=False).answers
        return _fill_page(request, assignment, answers=kept, problems=refused.problems, status=400)
    except ApplicationError as refusal:
        return _refused(request, assignment, refusal.message)
    messages.success(
        request, _("Thank you. Your answers were sent to %(practice)s.") % {"practice": request.practice.name}
    )
    return redirect(portal_url("portal:forms", request.practice.slug))


def _refused(request: PortalRequest, assignment: FormAssignment, message: str = "") -> HttpResponse:
    """A post to a form that no longer takes answers: its state now, why, and nothing changed."""
    assignment.refresh_from_db(fields=["status", "answers_encrypted", "on_paper", "submitted_at"])
    if not message:
        reason = why_not(request.viewer, IntakeVerb.FILL, assignment)
        message = reason.words(assignment) if reason is not None else ""
    return _answers_page(request, assignment, problem=message, status=409)


@portal_view
@require_POST
def form_autosave(request: PortalRequest, assignment_id: int) -> HttpResponse:
    """The page's answers kept as a draft while the person types (and as the page is left): a quiet status."""
    assignment = _assignment(request, assignment_id)
    raw = posted_answers(assignment.version.schema, request.POST, assignment.answers)
    try:
        save_draft(viewer=request.viewer, assignment=assignment, raw=raw)
    except ApplicationError as refusal:
        return JsonResponse({"saved": False, "status": refusal.message}, status=409)
    saved = timezone.localtime(timezone.now())
    # Worded as the page words it when loaded ("Draft saved Dec 3, 2026, 5:29 a.m. CST").
    return JsonResponse({"saved": True, "status": _("Draft saved %(moment)s") % {"moment": when(saved)}})


# --- Paper (FORM-5) ------------------------------------------------------------------------------------------


@portal_view
@require_safe
def form_blank(request: PortalRequest, assignment_id: int) -> HttpResponse:
    """The form as a blank PDF, to print and fill in by hand (audited as form.printed)."""
    assignment = _assignment(request, assignment_id)
    try:
        pdf = print_blank_form(viewer=request.viewer, assignment=assignment)
    except ApplicationError as refusal:
        return _answers_page(request, assignment, problem=refusal.message, status=409)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = safe_filename(assignment.version.title, "application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    patch_cache_control(response, no_store=True, private=True)
    return response


@portal_view
@require_POST
def form_upload(request: PortalRequest, assignment_id: int) -> HttpResponse:
    """The form filled in on paper, uploaded: filed with the practice like a form submitted online."""
    assignment = _assignment(request, assignment_id)
    if not assignment.is_open:
        return _refused(request, assignment)
    form = PaperUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            upload_paper(viewer=request.viewer, assignment=assignment, data=form.data_bytes())
        except ApplicationError as refusal:
            form.add_error("file", refusal.message)
        else:
            messages.success(
                request,
                _("Thank you. Your filled-in form was sent to %(practice)s.") % {"practice": request.practice.name},
            )
            return redirect(portal_url("portal:forms", request.practice.slug))
    return _fill_page(request, assignment, answers=assignment.answers, upload_form=form, status=400)
