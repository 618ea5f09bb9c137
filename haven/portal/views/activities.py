"""The portal's Home Activities (APPT-4): the selected profile's activities, one activity with its instructions and
worksheet (View, Download, Print), Mark as done with the completed worksheet if the person has one, and Undo.

Every activity is reached through ``haven.scheduling.activities`` for the selected profile; anything else answers
404 and is audited. Any profile in effect may read them; only the client or a legal guardian marks them done. A
refused upload comes back with the page as it was, and words that say why (the file must be chosen again: no browser
keeps it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from haven.core.errors import ApplicationError
from haven.core.forms import FileUploadForm, HavenForm
from haven.documents.files import Upload
from haven.documents.responses import stored_file_response
from haven.intake import policy as intake_policy
from haven.portal.access import PortalRequest, portal_view
from haven.portal.links import row_link
from haven.portal.templatetags.portal_urls import portal_url
from haven.scheduling import activities
from haven.scheduling.activities import ActivityVerb, Shown
from haven.scheduling.forms import read_upload
from haven.scheduling.models import ActivityRepeat, ActivityStatus, HomeActivity


class DoneForm(HavenForm):
    """Mark as done, with the completed worksheet if the person has one (PDF, PNG or JPEG, judged from content)."""

    completed = forms.FileField(
        label=gettext_lazy("Your completed worksheet (optional)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": FileUploadForm.ACCEPT + ",.pdf,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["completed"].help_text = _("A PDF, or a photo as PNG or JPEG, up to %(size)s MB.") % {
            "size": f"{settings.HAVEN_MESSAGE_ATTACHMENT_MAX_BYTES / 1_000_000:g}"
        }

    def clean_completed(self) -> Upload | None:
        return read_upload(self.cleaned_data.get("completed"))


# --- The list -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """One activity as the list shows it."""

    pk: int
    url: str
    title: str
    status: Shown
    status_label: str
    due_on: datetime.date | None
    done_at: datetime.datetime | None
    weekly: bool


def _rows(listed: list[HomeActivity], slug: str) -> list[_Row]:
    link = row_link("portal:activity", slug=slug, id_kwarg="activity_id")
    today = timezone.localdate()
    rows = []
    for activity in listed:
        status = activities.shown_status(activity, today)
        rows.append(
            _Row(
                pk=activity.pk,
                url=link(activity.pk),
                title=activity.title,
                status=status,
                status_label=activities.status_words(status),
                due_on=activity.due_on,
                done_at=activities.done_at(activity),
                weekly=activity.repeat == ActivityRepeat.WEEKLY,
            )
        )
    return rows


@portal_view
@require_safe
def activity_list(request: PortalRequest) -> HttpResponse:
    """The selected profile's Home Activities: still to do first with their due dates, then done ones; 25 a page,
    in a constant number of queries."""
    context: dict[str, Any] = {"page": None, "rows": []}
    if request.viewer.profile is not None:
        page = activities.portal_page(request.viewer, request.GET.get("page"))
        context.update(page=page, rows=_rows(list(page.object_list), request.practice.slug))
    return render(request, "portal/activities/list.html", context)


# --- One activity ---------------------------------------------------------------------------------------------------


def _activity_page(
    request: PortalRequest, activity: HomeActivity, form: DoneForm | None = None, *, status: int = 200
) -> HttpResponse:
    slug = request.practice.slug
    shown = activities.shown_status(activity, timezone.localdate())
    done_reason = activities.why_not(request.viewer, ActivityVerb.DONE, activity)
    upload_reason = activities.why_not(request.viewer, ActivityVerb.UPLOAD, activity)
    assignment = activity.form_assignment
    context = {
        "activity": activity,
        "status": shown,
        "status_label": activities.status_words(shown),
        "done_at": activities.done_at(activity),
        "weekly": activity.repeat == ActivityRepeat.WEEKLY,
        "is_done": shown == Shown.DONE,
        "file_url": portal_url("portal:activity_file", slug, activity.pk) if activity.file_storage_name else "",
        "completed_url": portal_url("portal:activity_completed", slug, activity.pk)
        if activity.completed_storage_name
        else "",
        # A form activity: the form's own page, when the form is addressed to this profile.
        "form_url": portal_url("portal:form_fill", slug, assignment.pk)
        if assignment is not None and intake_policy.visible_to(request.viewer).filter(pk=assignment.pk).exists()
        else "",
        "form_for": assignment.recipient_name if assignment is not None else "",
        "may_mark_done": done_reason is None and activity.status == ActivityStatus.ASSIGNED,
        "may_upload": upload_reason is None and activity.status == ActivityStatus.DONE,
        "may_undo": activities.why_not(request.viewer, ActivityVerb.REOPEN, activity) is None,
        "may_not_act": done_reason == activities.ActivityReason.MAY_NOT_ACT,
        "done_form": form or DoneForm(),
    }
    return render(request, "portal/activities/detail.html", context, status=status)


@portal_view
@require_safe
def activity_detail(request: PortalRequest, activity_id: int) -> HttpResponse:
    """An activity: its instructions, its worksheet, Mark as done (or Undo)."""
    activity = activities.get_activity(request.viewer, activity_id, path=request.path)
    return _activity_page(request, activity)


@portal_view
@require_POST
def activity_done(request: PortalRequest, activity_id: int) -> HttpResponse:
    """Mark as done, with the completed worksheet or without (or send it after): refused in words, nothing lost."""
    activity = activities.get_activity(request.viewer, activity_id, path=request.path)
    form = DoneForm(request.POST, request.FILES)
    if form.is_valid() and form.cleaned_data["completed"] is None and activity.status == ActivityStatus.DONE:
        form.add_error("completed", _("Choose your completed worksheet to send."))
    if form.is_valid():
        upload = form.cleaned_data["completed"]
        try:
            activities.mark_done(viewer=request.viewer, activity=activity, file=upload)
        except ApplicationError as refusal:
            form.add_error("completed" if upload is not None else None, refusal.message)
        else:
            if upload is not None:
                messages.success(
                    request,
                    _("Thank you. Your completed worksheet was sent to %(practice)s.")
                    % {"practice": request.practice.name},
                )
            else:
                messages.success(request, _("Marked as done. Thank you."))
            return redirect(portal_url("portal:activity", request.practice.slug, activity.pk))
    return _activity_page(request, activity, form, status=400)


@portal_view
@require_POST
def activity_reopen(request: PortalRequest, activity_id: int) -> HttpResponse:
    """Undo Done: the activity is to do again (a completed worksheet sent with it is taken back)."""
    activity = activities.get_activity(request.viewer, activity_id, path=request.path)
    try:
        activities.reopen_activity(viewer=request.viewer, activity=activity)
    except ApplicationError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Done was undone: the activity is to do again."))
    return redirect(portal_url("portal:activity", request.practice.slug, activity.pk))


def _file(request: PortalRequest, activity_id: int, *, completed: bool) -> HttpResponse:
    activity = activities.get_activity(request.viewer, activity_id, path=request.path)
    try:
        data = activities.open_file(request.viewer, activity, completed=completed)
    except LookupError:
        messages.info(request, _("There is no file to open for this activity."))
        return redirect(portal_url("portal:activity", request.practice.slug, activity.pk))
    return stored_file_response(
        data,
        content_type=activity.completed_content_type if completed else activity.file_content_type,
        filename=activities.download_name(activity, completed=completed),
        download=request.GET.get("download") == "1",
    )


@portal_view
@require_safe
def activity_file(request: PortalRequest, activity_id: int) -> HttpResponse:
    """The worksheet or handout: opened in the browser to read or print (``?download=1``: saved); audited."""
    return _file(request, activity_id, completed=False)


@portal_view
@require_safe
def activity_completed(request: PortalRequest, activity_id: int) -> HttpResponse:
    """The completed worksheet the person sent, to check it; audited."""
    return _file(request, activity_id, completed=True)
