"""A client's intake forms in the chart (FORM-3, FORM-4): sending forms and packets, the forms sent with their
progress, reminders and withdrawals, a form's answers with its score, acknowledging, sending back, exporting as
FHIR, scores over time, and the PHQ-9 safety alert.

Views are thin: the client's lookup (``get_client``) and the form's (``get_assignment``), an action, a response.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST, require_safe

from haven.audit.denials import not_found, object_ids
from haven.clients.models import Client
from haven.clients.policy import get_client
from haven.core.errors import ApplicationError
from haven.documents.models import Document
from haven.intake import actions
from haven.intake.exports import EXPORTABLE, export_response
from haven.intake.models import AssignmentStatus, FormAssignment, IntakeForm
from haven.intake.policy import ASSIGNMENT_OBJECT, IntakeVerb, get_assignment, why_not, why_not_form
from haven.intake.scoring import MEASURES, MeasureCode
from haven.intake.selectors import (
    IntakeSummary,
    PacketGroup,
    alert_of,
    answers_page,
    chart_intake_summary,
    packets_of,
    record_items,
    score_summary,
    score_trends,
    sendable_forms,
    sent_forms,
)
from haven.practices.access import StaffRequest, staff_view
from haven.practices.models import Permission
from haven.staff.forms.intake import PaperReturnForm, SendBackForm, SendFormsForm
from haven.staff.trends import FormUrl, local_day, score_words, trend_chart

# --- Addresses ----------------------------------------------------------------------------------------------

_STAND_IN = 987654399
_ROW_PAGES = {
    "answers": "staff:intake_answers",
    "withdraw": "staff:intake_withdraw",
    "acknowledge": "staff:intake_acknowledge",
    "send_back": "staff:intake_send_back",
    "export": "staff:intake_export",
    "review_alert": "staff:intake_review_alert",
    "paper": "staff:intake_paper",
    "filed": "staff:intake_filed",
    "document": "staff:document_detail",  # the filed PDF's entry in General Documents, by the document's id
}


def _form_urls(client: Client) -> dict[str, FormUrl]:
    """Each address of one of the client's sent forms, reversed once per page with a stand-in id."""
    urls: dict[str, FormUrl] = {}
    for key, name in _ROW_PAGES.items():
        before, _stand_in, after = reverse(name, args=[client.pk, _STAND_IN]).partition(str(_STAND_IN))
        urls[key] = _filled(before, after)
    return urls


def _filled(before: str, after: str) -> FormUrl:
    def url(pk: int) -> str:
        return f"{before}{int(pk)}{after}"

    return url


def _intake_url(client: Client) -> str:
    return reverse("staff:intake_forms", args=[client.pk])


# --- Looking forms up -----------------------------------------------------------------------------------------


def _form_of(request: StaffRequest, client: Client, assignment_id: int) -> FormAssignment:
    """One of the client's sent forms (``get_assignment``); a form of another client is a 404 audited as
    access.denied, exactly like a missing one."""
    assignment = get_assignment(request.viewer, assignment_id, path=request.path)
    if assignment.client_id != client.pk:
        raise not_found(request.viewer, object_type=ASSIGNMENT_OBJECT, object_id=assignment_id, path=request.path)
    return assignment


def _client_and_form(request: StaffRequest, client_id: int, assignment_id: int) -> tuple[Client, FormAssignment]:
    """The client (``get_client``, as every chart page looks it up) and one of its sent forms."""
    client = get_client(request.viewer, client_id, path=request.path)
    return client, _form_of(request, client, assignment_id)


# --- Status badges ----------------------------------------------------------------------------------------------

_BADGES = {
    AssignmentStatus.SENT: "text-bg-light border",
    AssignmentStatus.IN_PROGRESS: "badge-portal",
    AssignmentStatus.RETURNED: "text-bg-light border border-warning",
    AssignmentStatus.SUBMITTED: "text-bg-warning",
    AssignmentStatus.ACKNOWLEDGED: "text-bg-success",
    AssignmentStatus.CANCELLED: "text-bg-secondary",
}


def badge_class(status: str) -> str:
    return _BADGES.get(AssignmentStatus(status), "text-bg-light border") if status in AssignmentStatus else ""


# --- The Intake Forms page ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentRow:
    """One sent form in the list, with what staff may do with it now."""

    assignment: FormAssignment
    answers_url: str
    withdraw_url: str
    document_url: str  # the filed form in General Documents, once acknowledged (or returned on paper)
    badge: str
    can_resend: bool
    score: str  # "PHQ-9: 12 of 27 — Moderate", "GAD-7: incomplete, no total", or ""

    @property
    def alert_open(self) -> bool:
        a = self.assignment
        return getattr(a, "alert_raised_at", None) is not None and getattr(a, "alert_reviewed_at", None) is None


@dataclass(frozen=True)
class SentGroup:
    group: PacketGroup
    rows: list[SentRow]

    @property
    def resendable_ids(self) -> list[int]:
        return [row.assignment.pk for row in self.rows if row.can_resend]


def _score_line(assignment: FormAssignment) -> str:
    """A submitted measure's result in a list: its total and band, or that it has none."""
    if not assignment.measure or assignment.status not in (AssignmentStatus.SUBMITTED, AssignmentStatus.ACKNOWLEDGED):
        return ""
    measure = MEASURES[MeasureCode(assignment.measure)]
    if assignment.total is None:
        return _("%(name)s: incomplete, no total") % {"name": measure.name}
    return f"{measure.name}: {score_words(assignment.total, measure, assignment.band_label)}"


def _rows(request: StaffRequest, assignments: Sequence[FormAssignment], urls: dict[str, FormUrl]) -> list[SentGroup]:
    viewer = request.viewer
    groups = []
    for group in packets_of(assignments):
        rows = [
            SentRow(
                assignment=assignment,
                answers_url=urls["answers"](assignment.pk),
                withdraw_url=urls["withdraw"](assignment.pk),
                document_url=urls["document"](assignment.document_id) if assignment.document_id else "",
                badge=badge_class(assignment.status),
                can_resend=why_not(viewer, IntakeVerb.SEND, assignment) is None,
                score=_score_line(assignment),
            )
            for assignment in group.assignments
        ]
        groups.append(SentGroup(group, rows))
    return groups


def alert_notice(request: StaffRequest, client: Client, *, assignment_id: int, count: int, back: str) -> str:
    """The calm flag at the top of the chart while a PHQ-9 answer waits for a clinician's review."""
    stand_in = FormAssignment(pk=assignment_id, practice_id=client.practice_id, client_id=client.pk)
    urls = _form_urls(client)
    return render_to_string(
        "staff/intake/_alert_notice.html",
        {
            "count": count,
            "answers_url": urls["answers"](assignment_id),
            "review_url": urls["review_alert"](assignment_id),
            "can_review": why_not(request.viewer, IntakeVerb.REVIEW_ALERT, stand_in) is None,
            "back": back,
        },
        request=request,
    )


def _intake_context(request: StaffRequest, client: Client, *, form: SendFormsForm | None = None) -> dict[str, object]:
    viewer = request.viewer
    urls = _form_urls(client)
    assignments = sent_forms(viewer, client)
    groups = _rows(request, assignments, urls)
    rows = [row for group in groups for row in group.rows]
    pending = sorted(
        (row for row in rows if row.assignment.status == AssignmentStatus.SUBMITTED),
        key=lambda row: (row.assignment.submitted_at or row.assignment.sent_at, row.assignment.pk),
    )
    alerts = [row for row in rows if row.alert_open]
    alerts.sort(key=lambda row: (row.assignment.alert_raised_at, row.assignment.pk))  # type: ignore[attr-defined]
    if form is None:
        sendable: list[IntakeForm] = sendable_forms(viewer)
        can_send = any(why_not_form(viewer, IntakeVerb.SEND, candidate) is None for candidate in sendable)
        recipients = actions.possible_recipients(client) if can_send else []
        form = SendFormsForm(sendable=sendable, recipients=recipients) if can_send else None
    return {
        "nav": "clients",
        "client": client,
        "tab": "intake",
        "can_see_history": request.staff.has_permission(Permission.ORG_ADMIN),
        "groups": groups,
        "pending": pending,
        "trends": [trend_chart(trend, urls["answers"]) for trend in score_trends(viewer, client)],
        "send_form": form,
        "resend_url": reverse("staff:intake_resend", args=[client.pk]),
        "send_url": reverse("staff:intake_send", args=[client.pk]),
        "chart_notice": (
            alert_notice(request, client, assignment_id=alerts[0].assignment.pk, count=len(alerts), back="intake")
            if alerts
            else ""
        ),
    }


@staff_view()
@require_safe
def intake_forms(request: StaffRequest, client_id: int) -> HttpResponse:
    """The client's Intake Forms: the safety alert, forms Pending Acknowledgement, scores over time, sending
    forms, and every form sent with its packet's progress."""
    client = get_client(request.viewer, client_id, path=request.path)
    return render(request, "staff/intake/forms.html", _intake_context(request, client))


@staff_view(Permission.INVITE_PORTAL)
@require_POST
def intake_send(request: StaffRequest, client_id: int) -> HttpResponse:
    """Send intake forms as a packet with its Intake Forms Message, or one form on its own."""
    client = get_client(request.viewer, client_id, path=request.path)
    form = SendFormsForm(
        request.POST,
        sendable=sendable_forms(request.viewer, with_versions=True),
        recipients=actions.possible_recipients(client),
    )
    as_packet = request.POST.get("send_as") != "single"
    if form.is_valid():
        try:
            sent = actions.send_forms(
                by=request.staff,
                client=client,
                forms=form.chosen_in_order(),
                recipient_key=form.cleaned_data["recipient"],
                message=form.cleaned_data["message"],
                as_packet=as_packet,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            name = sent[0].recipient_name
            if as_packet:
                words = ngettext(
                    "An intake packet of %(count)d form was sent to %(name)s.",
                    "An intake packet of %(count)d forms was sent to %(name)s.",
                    len(sent),
                ) % {"count": len(sent), "name": name}
            else:
                words = _("“%(title)s” was sent to %(name)s.") % {"title": sent[0].version.title, "name": name}
            messages.success(request, words)
            return redirect(_intake_url(client) + "#sent-forms")
    return render(request, "staff/intake/forms.html", _intake_context(request, client, form=form), status=400)


@staff_view(Permission.INVITE_PORTAL)
@require_POST
def intake_resend(request: StaffRequest, client_id: int) -> HttpResponse:
    """Resend: remind the person that the named open forms still wait (one email, at most once a day).

    Every form named must be this client's: one that is not makes the whole request a 404."""
    client = get_client(request.viewer, client_id, path=request.path)
    ids = object_ids(
        request.viewer, request.POST.getlist("assignment"), object_type=ASSIGNMENT_OBJECT, path=request.path
    )
    chosen = [_form_of(request, client, pk) for pk in ids]
    try:
        count = actions.remind(by=request.staff, client=client, assignments=chosen)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "A reminder was sent to %(name)s about %(count)d form.",
                "A reminder was sent to %(name)s about %(count)d forms.",
                count,
            )
            % {"name": chosen[0].recipient_name, "count": count},
        )
    return redirect(_intake_url(client) + "#sent-forms")


@staff_view(Permission.INVITE_PORTAL)
@require_POST
def intake_withdraw(request: StaffRequest, client_id: int, assignment_id: int) -> HttpResponse:
    """Withdraw a form not yet submitted: it leaves the portal and every pending list."""
    client, assignment = _client_and_form(request, client_id, assignment_id)
    try:
        actions.cancel(by=request.staff, assignment=assignment)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("“%(title)s” was withdrawn: it is no longer in the portal.") % {"title": assignment.version.title},
        )
    return redirect(_intake_url(client) + "#sent-forms")


@staff_view()
@require_safe
def intake_filed(request: StaffRequest, client_id: int, assignment_id: int) -> HttpResponse:
    """Whether an acknowledged form's PDF is filed yet: the answers page asks every few seconds until it is. Only
    the link to the filed document comes back (no answers), so asking is not a view of the form."""
    client, assignment = _client_and_form(request, client_id, assignment_id)
    urls = _form_urls(client)
    document_id = assignment.document_id
    filed = document_id is not None and (
        assignment.on_paper or Document.objects.filter(pk=document_id, current_version__isnull=False).exists()
    )
    return render(
        request,
        "staff/intake/_filed.html",
        {
            "filed": filed,
            "document_url": urls["document"](document_id) if document_id is not None and filed else "",
            "filed_url": urls["filed"](assignment.pk),
        },
    )


@staff_view(Permission.INVITE_PORTAL)
@require_POST
def intake_paper(request: StaffRequest, client_id: int, assignment_id: int) -> HttpResponse:
    """A form returned on paper: its scan filed in General Documents, and the form acknowledged."""
    client, assignment = _client_and_form(request, client_id, assignment_id)
    form = PaperReturnForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors.get("file", [])))
        return redirect(_answers_url(client, assignment))
    try:
        actions.receive_paper(by=request.staff, assignment=assignment, data=form.data_bytes())
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The returned “%(title)s” is filed in General Documents and acknowledged.")
            % {"title": assignment.version.title},
        )
    return redirect(_answers_url(client, assignment))


# --- One form's answers ------------------------------------------------------------------------------------------


def _answers_context(
    request: StaffRequest, client: Client, assignment: FormAssignment, *, send_back_form: SendBackForm | None = None
) -> dict[str, object]:
    viewer = request.viewer
    urls = _form_urls(client)
    extras = answers_page(viewer, assignment)
    shown = assignment.status in (AssignmentStatus.SUBMITTED, AssignmentStatus.ACKNOWLEDGED, AssignmentStatus.RETURNED)
    can_acknowledge = why_not(viewer, IntakeVerb.ACKNOWLEDGE, assignment) is None
    document_url = urls["document"](assignment.document_id) if assignment.document_id is not None else ""
    return {
        "nav": "clients",
        "client": client,
        "tab": "intake",
        "can_see_history": request.staff.has_permission(Permission.ORG_ADMIN),
        "assignment": assignment,
        "extras": extras,
        "badge": badge_class(assignment.status),
        "items": record_items(assignment) if shown and not assignment.on_paper else [],
        "answers_shown": shown and not assignment.on_paper,
        "score": score_summary(assignment) if shown and not assignment.on_paper else None,
        "can_acknowledge": can_acknowledge,
        "send_back_form": send_back_form or (SendBackForm() if can_acknowledge else None),
        "can_review": extras.alert_open and why_not(viewer, IntakeVerb.REVIEW_ALERT, assignment) is None,
        "can_export": assignment.status in EXPORTABLE and not assignment.on_paper,
        "document_url": document_url,
        "filed": assignment.on_paper or extras.filed_version_id is not None,
        "intake_url": _intake_url(client),
        "acknowledge_url": urls["acknowledge"](assignment.pk),
        "paper_form": PaperReturnForm()
        if assignment.is_open and why_not(viewer, IntakeVerb.SEND, assignment) is None
        else None,
        "paper_url": urls["paper"](assignment.pk),
        "filed_url": urls["filed"](assignment.pk),
        "send_back_url": urls["send_back"](assignment.pk),
        "export_url": urls["export"](assignment.pk),
        "review_url": urls["review_alert"](assignment.pk),
    }


@staff_view()
@require_safe
def intake_answers(request: StaffRequest, client_id: int, assignment_id: int) -> HttpResponse:
    """One sent form: the questions of its own version with the answers, its score, and what to do with it.
    Opening it is audited."""
    client, assignment = _client_and_form(request, client_id, assignment_id)
    actions.record_viewed(viewer=request.viewer, assignment=assignment)
    return render(request, "staff/intake/answers.html", _answers_context(request, client, assignment))


def _answers_url(client: Client, assignment: FormAssignment) -> str:
    return reverse("staff:intake_answers", args=[client.pk, assignment.pk])


@staff_view(Permission.INVITE_PORTAL)
@require_POST
def intake_acknowledge(request: StaffRequest, client_id: int, assignment_id: int) -> HttpResponse:
    """Acknowledge: the form leaves the pending lists and its sealed PDF is filed in General Documents."""
    client, assignment = _client_and_form(request, client_id, assignment_id)
    try:
        actions.acknowledge(by=request.staff, assignment=assignment)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("“%(title)s” was acknowledged. Its PDF is being filed in General Documents.")
            % {"title": assignment.version.title},
        )
    return redirect(_answers_url(client, assignment))


@staff_view(Permission.INVITE_PORTAL)
@require_POST
def intake_send_back(request: StaffRequest, client_id: int, assignment_id: int) -> HttpResponse:
    """Send a submitted form back to the person with a note: they can change it and submit again."""
    client, assignment = _client_and_form(request, client_id, assignment_id)
    form = SendBackForm(request.POST)
    if form.is_valid():
        try:
            actions.send_back(by=request.staff, assignment=assignment, note=form.cleaned_data["note"])
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("“%(title)s” was sent back to %(name)s with your note.")
                % {"title": assignment.version.title, "name": assignment.recipient_name},
            )
            return redirect(_answers_url(client, assignment))
    context = _answers_context(request, client, assignment, send_back_form=form)
    return render(request, "staff/intake/answers.html", context, status=400)


@staff_view()
@require_GET
def intake_export(request: StaffRequest, client_id: int, assignment_id: int) -> HttpResponse:
    """The submitted answers as a FHIR QuestionnaireResponse (JSON), downloaded; every export is audited."""
    client, assignment = _client_and_form(request, client_id, assignment_id)
    try:
        exported = export_response(viewer=request.viewer, assignment=assignment)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(_answers_url(client, assignment))
    response = HttpResponse(exported.content, content_type="application/fhir+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


_BACK = {"face", "intake", "answers"}


@staff_view()
@require_POST
def intake_review_alert(request: StaffRequest, client_id: int, assignment_id: int) -> HttpResponse:
    """Mark a safety alert reviewed (a clinician, as the policy says): the flag leaves the chart; the record stays."""
    client, assignment = _client_and_form(request, client_id, assignment_id)
    alert = alert_of(request.viewer, assignment)
    if alert is None:
        messages.error(request, _("This form raised no safety alert."))
    else:
        try:
            actions.review_alert(by=request.staff, alert=alert)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The safety alert was marked reviewed. It stays on the form's record."))
    back = request.POST.get("back", "")
    if back == "face":
        return redirect(client.get_absolute_url())
    if back == "intake":
        return redirect(_intake_url(client))
    return redirect(_answers_url(client, assignment))


# --- The Chart Face -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LatestLine:
    """ "PHQ-9: 12 (Moderate), 3 Dec"."""

    name: str
    total: int
    band: str
    day: str


def intake_face(request: StaffRequest, client: Client) -> dict[str, object]:
    """What the Chart Face shows of intake forms (one query): the safety flag under the chart's tabs
    (``chart_notice``), and a card (``face_cards``) with the forms Pending Acknowledgement and each measure's
    latest total. Nothing at all when there is nothing to say."""
    summary: IntakeSummary = chart_intake_summary(request.viewer, client)
    if summary.is_empty:
        return {}
    context: dict[str, object] = {}
    if summary.alert_assignment_id is not None:
        context["chart_notice"] = alert_notice(
            request, client, assignment_id=summary.alert_assignment_id, count=summary.alerts, back="face"
        )
    if summary.pending or summary.latest:
        context["face_cards"] = render_to_string(
            "staff/intake/_face.html",
            {
                "intake_url": _intake_url(client),
                "pending": summary.pending,
                "latest": [
                    LatestLine(
                        latest.measure.name,
                        latest.total,
                        latest.band.label if latest.band else "",
                        local_day(
                            latest.submitted_at,
                            timezone.localtime(latest.submitted_at).year != timezone.localdate().year,
                        ),
                    )
                    for latest in summary.latest
                ],
            },
        )
    return context
