"""Home Activities (APPT-4): worksheets and handouts staff assign to a client, done in the portal.

Who may see and do what (the shapes of ``haven.core.policy``), and every write:

- Staff with Assign Home Activities (``Permission.HOME_ACTIVITIES``) assign, see and withdraw the activities of
  their practice's clients. Staff without it see none: a guessed id answers 404, audited as ``access.denied``.
- An activity is a title and instructions, with an optional due date, once or every week, and either a worksheet or
  handout (a PDF, PNG or JPEG judged from its content, as large as a message attachment may be, kept encrypted) or
  a form of the practice's (sent by the intake forms' own ``send_forms`` to the client or a legal guardian), or
  neither.
- A portal login sees the activities of its selected profile's client, in this practice, while that profile's
  access is in effect (the session checks it on every request), whatever kind of profile it is; never a withdrawn
  one, nor one whose form the practice withdrew.
- Only a profile that may act for the client (the client, or a legal guardian) marks an activity done, sends the
  completed worksheet with it, or undoes Done (which takes that upload back: it is deleted).
- A form activity is done when its form is submitted: its state is read from the form's, never kept twice. It is not
  marked done by hand and does not repeat (the form is sent once).
- Marking a weekly activity done makes its next occurrence, due a week after this one, once: marking it done again,
  or undoing and doing it again, makes no second one.
- Every change and every opening of a file is audited (``ActivityAssigned``, ``ActivityDone``,
  ``ActivityReopened``, ``ActivityWithdrawn``, ``ActivityFileDownloaded``) with the client, and the activity as the
  target. The emails that tell portal users of a new activity say only that something new is waiting, with a link.
"""

from __future__ import annotations

import datetime
import hashlib
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.audit.denials import not_found
from haven.audit.events import (
    ActivityAssigned,
    ActivityDone,
    ActivityFileDownloaded,
    ActivityReopened,
    ActivityWithdrawn,
)
from haven.clients.models import Client
from haven.core.bidi import refuse_bidi_controls
from haven.core.email import send_email_on_commit
from haven.core.encryption import delete_stored, read_decrypted, store_encrypted
from haven.core.errors import ApplicationError
from haven.core.policy import Reason, Viewer
from haven.core.timezones import practice_zone
from haven.documents.files import CheckedFile, Upload, check_upload, safe_filename
from haven.intake import actions as intake_actions
from haven.intake.models import OPEN_STATUSES, AssignmentStatus, IntakeForm
from haven.portal_access.models import ProfileAccess
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import Permission, Practice, StaffMember
from haven.practices.viewers import StaffViewer
from haven.scheduling.models import ActivityRepeat, ActivityStatus, HomeActivity
from haven.scheduling.policy import portal_client

OBJECT_TYPE = "scheduling.homeactivity"
FOLDER = "activities"
PAGE_SIZE = 25
TITLE_MAX = 200
INSTRUCTIONS_MAX = 5_000

# A form activity is done once its form is in the practice's hands.
FORM_DONE = (AssignmentStatus.SUBMITTED, AssignmentStatus.ACKNOWLEDGED)


class ActivityVerb(StrEnum):
    ASSIGN = "assign"  # staff
    WITHDRAW = "withdraw"  # staff
    DONE = "done"  # portal: mark done
    UPLOAD = "upload"  # portal: send the completed worksheet
    REOPEN = "reopen"  # portal: undo Done


class ActivityReason(Reason):
    NO_PERMISSION = "no_permission"
    MAY_NOT_ACT = "may_not_act"
    WITHDRAWN = "withdrawn"
    FORM = "form"
    ALREADY_DONE = "already_done"
    ALREADY_UPLOADED = "already_uploaded"
    NOT_DONE = "not_done"

    def words(self, subject: Any = None) -> str:
        return {
            ActivityReason.NO_PERMISSION: _("Your account doesn't have the Assign Home Activities permission."),
            ActivityReason.MAY_NOT_ACT: _(
                "Only the client or a legal guardian can mark Home Activities done in the portal."
            ),
            ActivityReason.WITHDRAWN: _("The practice withdrew this activity."),
            ActivityReason.FORM: _("This activity is done when its form is submitted."),
            ActivityReason.ALREADY_DONE: _("This activity is done: it stays in the record."),
            ActivityReason.ALREADY_UPLOADED: _(
                "Your completed worksheet was already sent. To send a different one, choose Undo first."
            ),
            ActivityReason.NOT_DONE: _("This activity isn't marked done."),
        }[self]


class Shown(StrEnum):
    """An activity's status as people see it."""

    ASSIGNED = "assigned"
    OVERDUE = "overdue"
    DONE = "done"
    WITHDRAWN = "withdrawn"


# --- The state of an activity, from its own row and its form's -----------------------------------------------------

# In SQL: still to do (assigned, and any form still waiting for answers); done (by hand, or its form submitted).
_FORM_OPEN = Q(form_assignment__isnull=True) | Q(form_assignment__status__in=OPEN_STATUSES)
OPEN = Q(status=ActivityStatus.ASSIGNED) & _FORM_OPEN
DONE = Q(status=ActivityStatus.DONE) | Q(status=ActivityStatus.ASSIGNED, form_assignment__status__in=FORM_DONE)


def is_done(activity: HomeActivity) -> bool:
    if activity.status == ActivityStatus.DONE:
        return True
    form = activity.form_assignment
    return activity.status == ActivityStatus.ASSIGNED and form is not None and form.status in FORM_DONE


def is_withdrawn(activity: HomeActivity) -> bool:
    """Withdrawn, or its form withdrawn in the intake forms (it left the portal with it)."""
    form = activity.form_assignment
    return activity.status == ActivityStatus.WITHDRAWN or (
        form is not None and form.status == AssignmentStatus.CANCELLED and not is_done(activity)
    )


def done_at(activity: HomeActivity) -> datetime.datetime | None:
    """When it was done: marked done, or its form submitted."""
    if activity.status == ActivityStatus.DONE:
        return activity.done_at
    form = activity.form_assignment
    return form.submitted_at if form is not None and is_done(activity) else None


def shown_status(activity: HomeActivity, today: datetime.date) -> Shown:
    if is_withdrawn(activity):
        return Shown.WITHDRAWN
    if is_done(activity):
        return Shown.DONE
    if activity.due_on is not None and activity.due_on < today:
        return Shown.OVERDUE
    return Shown.ASSIGNED


def status_words(shown: Shown) -> str:
    return {
        Shown.ASSIGNED: _("Assigned"),
        Shown.OVERDUE: _("Overdue"),
        Shown.DONE: _("Done"),
        Shown.WITHDRAWN: _("Withdrawn"),
    }[shown]


# --- What each viewer sees ----------------------------------------------------------------------------------------


def may_assign(member: StaffMember) -> bool:
    return member.has_permission(Permission.HOME_ACTIVITIES)


def visible_to(viewer: Viewer) -> QuerySet[HomeActivity]:
    """The activities this viewer may see."""
    if isinstance(viewer, StaffViewer):
        if not may_assign(viewer.member):
            return HomeActivity.objects.none()
        return HomeActivity.objects.filter(practice_id=viewer.practice_id)
    client_id = portal_client(viewer)
    if client_id is None:
        return HomeActivity.objects.none()
    return (
        HomeActivity.objects.filter(practice_id=viewer.practice_id, client_id=client_id)
        .exclude(status=ActivityStatus.WITHDRAWN)
        .exclude(form_assignment__status=AssignmentStatus.CANCELLED)
    )


def get_activity(viewer: Viewer, activity_id: int, *, path: str = "") -> HomeActivity:
    """An activity this viewer may see, or a 404 audited as access.denied."""
    found = (
        visible_to(viewer)
        .filter(pk=activity_id)
        .select_related("client", "form_assignment", "assigned_by__user")
        .first()
    )
    if found is None:
        raise not_found(viewer, object_type=OBJECT_TYPE, object_id=activity_id, path=path)
    return found


def why_not(viewer: Viewer, verb: ActivityVerb, activity: HomeActivity | None = None) -> Reason | None:
    """None when the viewer may do this (to an activity they can see: ``get_activity`` checked that)."""
    if isinstance(viewer, StaffViewer):
        if not may_assign(viewer.member):
            return ActivityReason.NO_PERMISSION
        if verb is ActivityVerb.ASSIGN:
            return None
        if verb is ActivityVerb.WITHDRAW and activity is not None:
            if is_withdrawn(activity):
                return ActivityReason.WITHDRAWN
            return ActivityReason.ALREADY_DONE if is_done(activity) else None
        return ActivityReason.MAY_NOT_ACT
    if not isinstance(viewer, PortalViewer) or viewer.profile is None or not viewer.profile.may_act_for_client:
        return ActivityReason.MAY_NOT_ACT
    if verb not in (ActivityVerb.DONE, ActivityVerb.UPLOAD, ActivityVerb.REOPEN) or activity is None:
        return ActivityReason.MAY_NOT_ACT
    if is_withdrawn(activity):
        return ActivityReason.WITHDRAWN
    if activity.form_assignment_id is not None:
        return ActivityReason.FORM
    if verb is ActivityVerb.REOPEN:
        return None if activity.status == ActivityStatus.DONE else ActivityReason.NOT_DONE
    if verb is ActivityVerb.UPLOAD and activity.completed_storage_name:
        return ActivityReason.ALREADY_UPLOADED
    return None


def _refuse(reason: Reason | None) -> None:
    if reason is not None:
        raise ApplicationError(reason.words())


# --- Lists --------------------------------------------------------------------------------------------------------


def _ranked(activities: QuerySet[HomeActivity]) -> QuerySet[HomeActivity]:
    """Still to do first (soonest due first, those without a date after), then done (latest first), then withdrawn."""
    return (
        activities.annotate(
            rank=Case(
                When(OPEN, then=Value(0)), When(DONE, then=Value(1)), default=Value(2), output_field=IntegerField()
            ),
            due_first=Case(When(OPEN, then=F("due_on")), default=None),
            finished_at=Coalesce("done_at", "form_assignment__submitted_at"),
        )
        .select_related("form_assignment")
        .order_by("rank", F("due_first").asc(nulls_last=True), F("finished_at").desc(nulls_last=True), "-pk")
    )


def _page(activities: QuerySet[HomeActivity], number: str | int | None) -> Page[HomeActivity]:
    return Paginator(activities, PAGE_SIZE).get_page(number)


def portal_page(viewer: Viewer, number: str | int | None = 1) -> Page[HomeActivity]:
    """The selected profile's activities: still to do first, with their due dates, then done ones. Two queries."""
    return _page(_ranked(visible_to(viewer)), number)


def client_page(viewer: Viewer, client: Client, number: str | int | None = 1) -> Page[HomeActivity]:
    """A client's activities for staff, withdrawn ones last. Two queries."""
    return _page(
        _ranked(visible_to(viewer).filter(client=client)).select_related("assigned_by__user", "form_assignment__form"),
        number,
    )


def overdue_page(viewer: Viewer, today: datetime.date, number: str | int | None = 1) -> Page[HomeActivity]:
    """The practice's overdue activities, every client, the longest overdue first. Two queries."""
    overdue = (
        visible_to(viewer)
        .filter(OPEN, due_on__lt=today)
        .select_related("client", "assigned_by__user")
        .order_by("due_on", "pk")
    )
    return _page(overdue, number)


# --- Files --------------------------------------------------------------------------------------------------------


def check_file(upload: Upload) -> CheckedFile:
    """The file judged from its content (PDF, PNG or JPEG), no larger than a message attachment, or refused in words
    that name it."""
    return check_upload(
        upload,
        fallback_name=_("worksheet"),
        limit=settings.HAVEN_MESSAGE_ATTACHMENT_MAX_BYTES,
        too_large=_("“%(name)s” is too large. Please choose a file under %(size)s MB."),
        refused=_("“%(name)s”: %(reason)s"),
    )


def open_file(viewer: Viewer, activity: HomeActivity, *, completed: bool) -> bytes:
    """The worksheet (or the completed one a portal user sent) of an activity the viewer may see; every opening
    audited. An activity without that file raises ``LookupError``."""
    name = activity.completed_storage_name if completed else activity.file_storage_name
    if not name:
        raise LookupError("no such file")
    data = read_decrypted(name)
    record_event(
        ActivityFileDownloaded(completed=completed),
        actor=viewer.actor,
        acting_for=viewer.acting_for,
        practice_id=activity.practice_id,
        client=activity.client,
        target=activity,
    )
    return data


def download_name(activity: HomeActivity, *, completed: bool) -> str:
    """A safe name to save the file under, made from the title (never from the uploaded name)."""
    if completed:
        return safe_filename(f"{activity.title} completed", activity.completed_content_type)
    return safe_filename(activity.title, activity.file_content_type)


# --- Assigning and withdrawing (staff) -------------------------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise ApplicationError(_("Give the activity a title."))
    if len(title) > TITLE_MAX:
        raise ApplicationError(_("Keep the title under %(count)d characters.") % {"count": TITLE_MAX})
    refuse_bidi_controls(title)
    return title


def _clean_instructions(instructions: str) -> str:
    instructions = instructions.strip()
    if len(instructions) > INSTRUCTIONS_MAX:
        raise ApplicationError(_("Keep the instructions under %(count)d characters.") % {"count": INSTRUCTIONS_MAX})
    refuse_bidi_controls(instructions)
    return instructions


def practice_today(practice: Practice) -> datetime.date:
    return timezone.localdate(timezone=practice_zone(practice))


@transaction.atomic
def assign_activity(
    *,
    by: StaffMember,
    client: Client,
    title: str,
    instructions: str = "",
    due_on: datetime.date | None = None,
    repeat: str = ActivityRepeat.NONE,
    file: Upload | None = None,
    form: IntakeForm | None = None,
    recipient_key: str = "",
) -> HomeActivity:
    """Assign an activity to a client: with a worksheet or handout, or a form (sent to ``recipient_key``: the
    client, or a legal guardian's ``contact-<id>``, as the intake forms name them), or instructions only. The
    people who see the client in the portal are emailed that something new is waiting (a form's recipient is
    told by the intake forms, with an inbox message)."""
    viewer = StaffViewer(by)
    _refuse(why_not(viewer, ActivityVerb.ASSIGN))
    if client.practice_id != by.practice_id:
        raise ApplicationError(_("That client is not part of your practice."))
    title = _clean_title(title)
    instructions = _clean_instructions(instructions)
    if repeat not in ActivityRepeat.values:
        raise ApplicationError(_("Choose how often the activity repeats."))
    if due_on is not None and due_on < practice_today(by.practice):
        raise ApplicationError(_("Choose a due date from today on."))
    if repeat == ActivityRepeat.WEEKLY and due_on is None:
        raise ApplicationError(_("A weekly activity needs a due date: each next one is due a week later."))
    if file is not None and form is not None:
        raise ApplicationError(_("Choose a file or a form, not both."))
    if form is not None and repeat:
        raise ApplicationError(_("A form is sent once. Choose Once, and assign it again when it is due again."))
    if form is not None and form.practice_id != by.practice_id:
        raise ApplicationError(_("Choose one of your practice's forms."))
    checked = check_file(file) if file is not None else None
    assignment = None
    if form is not None:
        (assignment,) = intake_actions.send_forms(
            by=by, client=client, forms=[form], recipient_key=recipient_key, as_packet=False
        )
    activity = HomeActivity(
        practice_id=by.practice_id,
        client=client,
        assigned_by=by,
        due_on=due_on,
        repeat=repeat,
        form_assignment=assignment,
    )
    activity.title = title
    activity.instructions = instructions
    stored = ""
    try:
        if checked is not None:
            stored = store_encrypted(checked.data, folder=FOLDER)
            activity.file_storage_name = stored
            activity.file_content_type = checked.content_type
            activity.file_name = checked.name
        activity.save()
        record_event(
            ActivityAssigned(
                has_file=checked is not None,
                form=form.pk if form is not None else None,
                due_on=due_on.isoformat() if due_on is not None else None,
                repeat=repeat or None,
            ),
            actor=viewer.actor,
            practice_id=by.practice_id,
            client=client,
            target=activity,
        )
    except Exception:
        if stored:  # nothing half-written remains when the transaction rolls back
            delete_stored(stored)
        raise
    if assignment is None:
        _announce(by.practice, client)
    return activity


def _locked(activity: HomeActivity) -> HomeActivity:
    return (
        HomeActivity.objects.select_for_update(of=("self",))
        .select_related("client", "form_assignment")
        .get(pk=activity.pk)
    )


@transaction.atomic
def withdraw_activity(*, by: StaffMember, activity: HomeActivity) -> HomeActivity:
    """Take an activity still to do out of the portal (its form too, while it waits for answers). A done one stays."""
    viewer = StaffViewer(by)
    locked = _locked(activity)
    _refuse(why_not(viewer, ActivityVerb.WITHDRAW, locked))
    form = locked.form_assignment
    if form is not None and form.status in OPEN_STATUSES:
        intake_actions.cancel(by=by, assignment=form)
    locked.status = ActivityStatus.WITHDRAWN
    locked.save(update_fields=["status"])
    record_event(
        ActivityWithdrawn(), actor=viewer.actor, practice_id=locked.practice_id, client=locked.client, target=locked
    )
    return locked


def _announce(practice: Practice, client: Client) -> None:
    """Tell each portal login that sees the client now that something new waits: a link, nothing about it."""
    emails = set(
        ProfileAccess.objects.effective(practice).filter(client=client).values_list("account__email", flat=True)
    )
    link = settings.HAVEN_BASE_URL + reverse("portal:activities", kwargs={"slug": practice.slug})
    for email in sorted(emails):
        send_email_on_commit(
            to=email,
            template="portal_new_document",
            context={"sender": practice.name, "portal": link},
            practice=practice,
        )


# --- Done, and undone (portal) ---------------------------------------------------------------------------------------


@transaction.atomic
def mark_done(*, viewer: PortalViewer, activity: HomeActivity, file: Upload | None = None) -> HomeActivity:
    """The activity is done, with the completed worksheet or without; done again changes nothing. A done activity
    without an upload may still be sent one. A weekly activity's next occurrence is made, once."""
    checked = check_file(file) if file is not None else None
    locked = _locked(activity)
    _refuse(why_not(viewer, ActivityVerb.UPLOAD if checked is not None else ActivityVerb.DONE, locked))
    already = locked.status == ActivityStatus.DONE
    if already and checked is None:
        return locked
    fields: list[str] = []
    sha256 = None
    stored = ""
    try:
        if checked is not None:
            stored = store_encrypted(checked.data, folder=FOLDER)
            sha256 = hashlib.sha256(checked.data).hexdigest()
            locked.completed_storage_name = stored
            locked.completed_content_type = checked.content_type
            locked.completed_name = checked.name
            fields += ["completed_storage_name", "completed_content_type", "completed_name_encrypted"]
        if not already:
            locked.status = ActivityStatus.DONE
            locked.done_at = timezone.now()
            locked.done_by = viewer.account
            fields += ["status", "done_at", "done_by"]
        locked.save(update_fields=fields)
        record_event(
            ActivityDone(uploaded=checked is not None, sha256=sha256),
            actor=viewer.actor,
            acting_for=viewer.acting_for,
            practice_id=locked.practice_id,
            client=locked.client,
            target=locked,
        )
        if not already:
            _next_occurrence(locked)
    except Exception:
        if stored:
            delete_stored(stored)
        raise
    return locked


def _next_occurrence(done: HomeActivity) -> HomeActivity | None:
    """A weekly activity's next one, due a week after this one, unless it was made already (done, undone, done)."""
    if done.repeat != ActivityRepeat.WEEKLY or HomeActivity.objects.filter(previous=done).exists():
        return None
    base = done.due_on or timezone.localdate()
    following = HomeActivity(
        practice_id=done.practice_id,
        client_id=done.client_id,
        assigned_by_id=done.assigned_by_id,
        title_encrypted=done.title_encrypted,
        instructions_encrypted=done.instructions_encrypted,
        file_name_encrypted=done.file_name_encrypted,
        file_storage_name=done.file_storage_name,  # the same handout, never changed or deleted
        file_content_type=done.file_content_type,
        due_on=base + datetime.timedelta(days=7),
        repeat=ActivityRepeat.WEEKLY,
        previous=done,
    )
    following.save()
    return following


@transaction.atomic
def reopen_activity(*, viewer: PortalViewer, activity: HomeActivity) -> HomeActivity:
    """Undo Done: the activity is to do again, and a completed worksheet sent with it is taken back (deleted once
    this commits). A weekly activity's next occurrence stays."""
    locked = _locked(activity)
    _refuse(why_not(viewer, ActivityVerb.REOPEN, locked))
    taken_back = locked.completed_storage_name
    locked.status = ActivityStatus.ASSIGNED
    locked.done_at = None
    locked.done_by = None
    locked.completed_storage_name = ""
    locked.completed_content_type = ""
    locked.completed_name = ""
    locked.save(
        update_fields=[
            "status",
            "done_at",
            "done_by",
            "completed_storage_name",
            "completed_content_type",
            "completed_name_encrypted",
        ]
    )
    record_event(
        ActivityReopened(),
        actor=viewer.actor,
        acting_for=viewer.acting_for,
        practice_id=locked.practice_id,
        client=locked.client,
        target=locked,
    )
    if taken_back:
        transaction.on_commit(lambda: delete_stored(taken_back))
    return locked
