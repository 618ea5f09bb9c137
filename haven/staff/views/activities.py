"""Home Activities for staff (APPT-4): a client's activities with their status, assigning one, withdrawing it, its
worksheet and the completed one a portal user sent, and the practice's overdue activities.

Views are thin: ``haven.scheduling.activities`` finds the activity (a 404, audited, for anyone else's), an action
does the work, the page shows what came of it. Staff without Assign Home Activities are refused by ``staff_view``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from haven.clients.models import Client
from haven.clients.policy import get_client
from haven.core.errors import ApplicationError
from haven.documents.responses import stored_file_response
from haven.intake.actions import possible_recipients
from haven.intake.policy import forms_to_send
from haven.practices.access import StaffRequest, staff_view
from haven.practices.models import Permission
from haven.scheduling import activities
from haven.scheduling.activities import Shown
from haven.scheduling.models import ActivityRepeat, HomeActivity
from haven.staff.forms.activities import AssignActivityForm
from haven.staff.links import id_link

HOME_ACTIVITIES = Permission.HOME_ACTIVITIES


@dataclass(frozen=True)
class ActivityRow:
    """One activity as the staff lists show it."""

    pk: int
    title: str
    instructions: str
    status: Shown
    status_label: str
    due_on: datetime.date | None
    done_at: datetime.datetime | None
    weekly: bool
    assigned_by: str
    client_name: str = ""
    client_url: str = ""
    file_url: str = ""
    completed_url: str = ""
    form_title: str = ""
    form_url: str = ""
    may_withdraw: bool = False


def _rows(request: StaffRequest, listed: Sequence[HomeActivity], *, with_client: bool = False) -> list[ActivityRow]:
    today = timezone.localdate()
    file_url = id_link("staff:activity_file")
    completed_url = id_link("staff:activity_completed")
    client_url = id_link("staff:client_activities")
    rows = []
    for activity in listed:
        status = activities.shown_status(activity, today)
        form = activity.form_assignment if activity.form_assignment_id is not None else None
        rows.append(
            ActivityRow(
                pk=activity.pk,
                title=activity.title,
                instructions=activity.instructions,
                status=status,
                status_label=activities.status_words(status),
                due_on=activity.due_on,
                done_at=activities.done_at(activity),
                weekly=activity.repeat == ActivityRepeat.WEEKLY,
                assigned_by=activity.assigned_by.user.full_name,
                client_name=activity.client.full_name if with_client else "",
                client_url=client_url(activity.client_id) if with_client else "",
                file_url=file_url(activity.pk) if activity.file_storage_name else "",
                completed_url=completed_url(activity.pk) if activity.completed_storage_name else "",
                form_title=form.form.title if form is not None and not with_client else "",
                form_url=reverse("staff:intake_answers", args=[activity.client_id, form.pk])
                if form is not None and not with_client
                else "",
                may_withdraw=status in (Shown.ASSIGNED, Shown.OVERDUE),
            )
        )
    return rows


def _chart(request: StaffRequest, client: Client, **extra: object) -> dict[str, object]:
    return {
        "nav": "clients",
        "client": client,
        "tab": "activities",  # no tab of the strip: the page is reached from the Chart Face
        "can_see_history": request.staff.has_permission(Permission.ORG_ADMIN),
        **extra,
    }


@staff_view(HOME_ACTIVITIES)
@require_safe
def client_activities(request: StaffRequest, client_id: int) -> HttpResponse:
    """The client's Home Activities with their status, still to do first, 25 a page, in a constant number of
    queries."""
    client = get_client(request.viewer, client_id, path=request.path)
    page = activities.client_page(request.viewer, client, request.GET.get("page"))
    return render(
        request,
        "staff/activities/client.html",
        _chart(request, client, page=page, rows=_rows(request, list(page.object_list))),
    )


def _assign_form(request: StaffRequest, client: Client, *, bound: bool) -> AssignActivityForm:
    recipients = [(recipient.key, recipient.name) for recipient in possible_recipients(client)]
    choices = forms_to_send(request.viewer)
    if bound:
        return AssignActivityForm(request.POST, request.FILES, choices=choices, recipients=recipients)
    return AssignActivityForm(choices=choices, recipients=recipients)


@staff_view(HOME_ACTIVITIES)
@require_http_methods(["GET", "HEAD", "POST"])
def activity_assign(request: StaffRequest, client_id: int) -> HttpResponse:
    """Assign a worksheet or handout, a form, or instructions only; a refusal keeps what was typed."""
    client = get_client(request.viewer, client_id, path=request.path)
    form = _assign_form(request, client, bound=request.method == "POST")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activities.assign_activity(
                by=request.staff,
                client=client,
                title=data["title"],
                instructions=data["instructions"],
                due_on=data["due_on"],
                repeat=data["repeat"] or ActivityRepeat.NONE,
                file=data["worksheet"],
                form=data["intake_form"],
                recipient_key=data.get("recipient") or "",
            )
        except ApplicationError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("The Home Activity was assigned to %(name)s.") % {"name": client.full_name})
            return redirect("staff:client_activities", client_id=client.pk)
    context = _chart(
        request,
        client,
        form=form,
        may_send_forms=request.staff.has_permission(Permission.INVITE_PORTAL),
    )
    return render(request, "staff/activities/assign.html", context, status=400 if request.method == "POST" else 200)


@staff_view(HOME_ACTIVITIES)
@require_POST
def activity_withdraw(request: StaffRequest, activity_id: int) -> HttpResponse:
    """Take an activity out of the portal; one already done stays in the record."""
    activity = activities.get_activity(request.viewer, activity_id, path=request.path)
    try:
        activities.withdraw_activity(by=request.staff, activity=activity)
    except ApplicationError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("“%(title)s” was withdrawn.") % {"title": activity.title})
    return redirect("staff:client_activities", client_id=activity.client_id)


def _file(request: StaffRequest, activity_id: int, *, completed: bool) -> HttpResponse:
    activity = activities.get_activity(request.viewer, activity_id, path=request.path)
    try:
        data = activities.open_file(request.viewer, activity, completed=completed)
    except LookupError:
        words = (
            _("No completed worksheet was sent for “%(title)s”.") if completed else _("“%(title)s” has no worksheet.")
        )
        messages.info(request, words % {"title": activity.title})
        return redirect("staff:client_activities", client_id=activity.client_id)
    return stored_file_response(
        data,
        content_type=activity.completed_content_type if completed else activity.file_content_type,
        filename=activities.download_name(activity, completed=completed),
        download=completed or request.GET.get("download") == "1",
    )


@staff_view(HOME_ACTIVITIES)
@require_safe
def activity_file(request: StaffRequest, activity_id: int) -> HttpResponse:
    """The worksheet or handout, opened (``?download=1``: saved); every opening audited."""
    return _file(request, activity_id, completed=False)


@staff_view(HOME_ACTIVITIES)
@require_safe
def activity_completed(request: StaffRequest, activity_id: int) -> HttpResponse:
    """The completed worksheet a portal user sent, downloaded; every download audited."""
    return _file(request, activity_id, completed=True)


@staff_view(HOME_ACTIVITIES)
@require_safe
def overdue_activities(request: StaffRequest) -> HttpResponse:
    """The practice's overdue Home Activities, every client, the longest overdue first: 25 a page, in a constant
    number of queries."""
    page = activities.overdue_page(request.viewer, timezone.localdate(), request.GET.get("page"))
    return render(
        request,
        "staff/activities/overdue.html",
        {"nav": "activities", "page": page, "rows": _rows(request, list(page.object_list), with_client=True)},
    )


def activities_face(request: StaffRequest, client: Client) -> str:
    """The Chart Face's Home Activities card, the way to the client's activities and to Assign; nothing for staff
    without Assign Home Activities. It asks no query: the chart's queries stay few."""
    if not activities.may_assign(request.staff):
        return ""
    return render_to_string("staff/activities/_face.html", {"client": client}, request=request)
