"""Home Activities (APPT-4), the policy and the actions: who sees and does what, files judged from their content and
kept encrypted, a form's activity done when the form is, a weekly one's next occurrence made once, every change
audited, and emails that say only that something waits."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.http import Http404
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.core.encryption import raw_stored_bytes, read_decrypted, stored_names
from haven.core.errors import ApplicationError
from haven.intake.models import AssignmentStatus, FormAssignment, IntakeForm
from haven.portal_access.actions.guardianship import revoke_access
from haven.portal_access.models import AccessKind, AccessStatus, PortalAccount, ProfileAccess
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import StaffMember
from haven.practices.viewers import StaffViewer
from haven.scheduling import activities
from haven.scheduling.activities import Shown, Upload
from haven.scheduling.models import ActivityRepeat, ActivityStatus, HomeActivity
from haven.scheduling.tests.factories import assign_worksheet, tiny_png
from tests.personas import ONE_BLANK_PAGE_PDF, PASSWORD, World, give_ana_a_portal_login

pytestmark = pytest.mark.django_db

CANARY = "Zebracanary42 breathing log"


def gia(world: World, access: ProfileAccess | None = None) -> PortalViewer:
    return PortalViewer(account=world.gia_account, practice=world.riverside, profile=access or world.gia_access_max)


def today() -> datetime.date:
    return activities.practice_today(StaffMember.objects.select_related("practice").first().practice)  # type: ignore[union-attr]


def assign(world: World, **overrides: object) -> HomeActivity:
    defaults = {
        "title": CANARY,
        "instructions": "Write down three breaths a day.",
        "file_name": "breathing.pdf",
        "days": 3,
    }
    return assign_worksheet(world, **(defaults | overrides))


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def overdue(activity: HomeActivity, days: int = 2) -> HomeActivity:
    HomeActivity.objects.filter(pk=activity.pk).update(due_on=today() - datetime.timedelta(days=days))
    activity.refresh_from_db()
    return activity


def phq9(world: World) -> IntakeForm:
    return IntakeForm.objects.get(practice=world.riverside, template_key="phq9")


def a_portal_user_of_max(world: World) -> PortalViewer:
    """Someone the practice added as a portal user of Max's profile: sees, but doesn't act for him."""
    account = PortalAccount(email="uncle@example.com", full_name="Uncle Ulf", email_verified_at=timezone.now())
    account.set_password(PASSWORD)
    account.save()
    access = ProfileAccess.objects.create(
        account=account,
        practice=world.riverside,
        client=world.max,
        kind=AccessKind.PORTAL_USER,
        status=AccessStatus.ACTIVE,
        confirmed_at=timezone.now(),
    )
    return PortalViewer(account=account, practice=world.riverside, profile=access)


# --- Assigning ------------------------------------------------------------------------------------------------------


def test_an_activity_is_assigned_with_its_worksheet_kept_encrypted_and_audited(world: World) -> None:
    activity = assign(world)

    stored = HomeActivity.objects.get(pk=activity.pk)
    assert stored.title == CANARY and stored.file_name == "breathing.pdf"
    assert CANARY not in stored.title_encrypted and "breathing" not in stored.file_name_encrypted
    assert stored.file_storage_name.startswith("activities/")
    assert read_decrypted(stored.file_storage_name) == ONE_BLANK_PAGE_PDF
    assert ONE_BLANK_PAGE_PDF not in raw_stored_bytes(stored.file_storage_name)
    assert stored.file_content_type == "application/pdf" and stored.status == ActivityStatus.ASSIGNED
    (event,) = events("activity.assigned")
    assert event.client_id == world.max.pk and event.object_id == str(activity.pk)
    assert event.object_type == activities.OBJECT_TYPE
    assert event.details == {"has_file": True, "due_on": stored.due_on.isoformat()}  # type: ignore[union-attr]


def test_the_people_who_see_the_client_are_told_something_waits_and_nothing_more(
    world: World, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assign(world)

    assert [message.to for message in mail.outbox] == [["gia@example.com"]]
    message = mail.outbox[0]
    alternatives = [str(content) for content, _mimetype in getattr(message, "alternatives", [])]
    text = " ".join([str(message.subject), str(message.body), *alternatives])
    assert "Zebracanary42" not in text and "breathing" not in text and "Max" not in text
    assert "http://testserver/p/riverside/activities/" in message.body


def test_a_worksheet_that_is_not_a_pdf_png_or_jpeg_is_refused_in_words_and_nothing_is_kept(world: World) -> None:
    with pytest.raises(ApplicationError) as refused:
        assign(world, file=Upload("notes.docx", b"PK\x03\x04 a word document"))
    assert "“notes.docx”" in str(refused.value) and "PDF, PNG and JPEG" in str(refused.value)
    assert not HomeActivity.objects.exists() and not stored_names("activities")
    assert not events("activity.assigned")


def test_a_worksheet_larger_than_a_message_attachment_is_refused(world: World, settings) -> None:
    settings.HAVEN_MESSAGE_ATTACHMENT_MAX_BYTES = 100_000
    with pytest.raises(ApplicationError, match="too large"):
        assign(world, file=Upload("big.pdf", ONE_BLANK_PAGE_PDF + b" " * 100_001))


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"title": "   "}, "Give the activity a title."),
        ({"repeat": ActivityRepeat.WEEKLY, "due_on": None}, "A weekly activity needs a due date"),
        ({"due_on": datetime.date(2000, 1, 1)}, "Choose a due date from today on."),
        ({"repeat": "daily"}, "Choose how often the activity repeats."),
    ],
)
def test_what_an_activity_needs_is_said_in_words(world: World, overrides: dict[str, object], words: str) -> None:
    with pytest.raises(ApplicationError, match=words):
        assign(world, **overrides)


def test_staff_without_the_permission_or_of_another_practice_cannot_assign(world: World) -> None:
    with pytest.raises(ApplicationError, match="Assign Home Activities permission"):
        assign(world, by=world.fran)
    with pytest.raises(ApplicationError, match="not part of your practice"):
        assign(world, by=world.hana)
    assert not HomeActivity.objects.exists()


def test_instructions_only_is_an_activity_too(world: World) -> None:
    activity = assign(world, file=None, due_on=None)
    assert activity.file_storage_name == "" and activity.form_assignment is None


# --- A form from the intake forms -------------------------------------------------------------------------------------


def test_a_form_activity_sends_the_form_and_is_done_when_the_form_is_submitted(world: World) -> None:
    activity = assign(world, by=world.ada, file=None, form=phq9(world), recipient_key=f"contact-{world.gia.pk}")

    assignment = activity.form_assignment
    assert assignment is not None and assignment.client == world.max and assignment.contact == world.gia
    assert activities.shown_status(activity, today()) == Shown.ASSIGNED
    assert events("activity.assigned")[0].details["form"] == phq9(world).pk

    FormAssignment.objects.filter(pk=assignment.pk).update(
        status=AssignmentStatus.SUBMITTED, submitted_at=timezone.now()
    )
    activity = activities.get_activity(gia(world), activity.pk)
    assert activities.is_done(activity) and activities.shown_status(activity, today()) == Shown.DONE
    assert activities.done_at(activity) is not None
    assert activity.status == ActivityStatus.ASSIGNED  # never kept twice: read from the form
    # It is not marked done by hand, and the overdue list leaves it out.
    with pytest.raises(ApplicationError, match="done when its form is submitted"):
        activities.mark_done(viewer=gia(world), activity=activity)
    overdue(activity)
    assert not activities.overdue_page(StaffViewer(world.ada), today()).object_list


def test_a_form_needs_the_permission_to_send_forms_and_is_sent_once(world: World) -> None:
    with pytest.raises(ApplicationError, match="invite clients to the portal"):
        assign(world, by=world.theo, file=None, form=phq9(world), recipient_key=f"contact-{world.gia.pk}")
    with pytest.raises(ApplicationError, match="A form is sent once"):
        assign(world, by=world.ada, file=None, form=phq9(world), repeat=ActivityRepeat.WEEKLY)
    with pytest.raises(ApplicationError, match="a file or a form, not both"):
        assign(world, by=world.ada, form=phq9(world), recipient_key=f"contact-{world.gia.pk}")
    assert not HomeActivity.objects.exists() and not FormAssignment.objects.exists()


def test_withdrawing_a_form_activity_withdraws_its_form_and_the_portal_sees_neither(world: World) -> None:
    activity = assign(world, by=world.ada, file=None, form=phq9(world), recipient_key=f"contact-{world.gia.pk}")
    activities.withdraw_activity(by=world.ada, activity=activity)
    assert FormAssignment.objects.get(home_activity=activity).status == AssignmentStatus.CANCELLED
    assert not activities.visible_to(gia(world)).exists()


# --- Who sees what --------------------------------------------------------------------------------------------------


def denied_ids() -> list[str]:
    return [event.details["object_id"] for event in events("access.denied")]


def test_staff_with_the_permission_see_the_practices_activities_and_no_one_else_does(world: World) -> None:
    activity = assign(world)
    assert activities.get_activity(StaffViewer(world.ada), activity.pk) == activity
    for member in (world.fran, world.bill, world.hana):
        assert not activities.visible_to(StaffViewer(member)).exists()
        with pytest.raises(Http404):
            activities.get_activity(StaffViewer(member), activity.pk, path="/guessed/")
    assert denied_ids() == [str(activity.pk)] * 3
    assert {event.practice_id for event in events("access.denied")} == {world.riverside.pk, world.hilltop.pk}


def test_a_portal_login_sees_only_its_selected_profiles_activities(world: World) -> None:
    for_max = assign(world)
    for_mia = assign(world, client=world.mia)
    for_ana = assign(world, client=world.ana)
    assert list(activities.visible_to(gia(world))) == [for_max]
    assert list(activities.visible_to(gia(world, world.gia_access_mia))) == [for_mia]
    for other in (for_mia, for_ana):
        with pytest.raises(Http404):
            activities.get_activity(gia(world), other.pk)
    assert denied_ids() == [str(for_mia.pk), str(for_ana.pk)]


def test_a_guardian_whose_access_ended_sees_nothing_more(world: World) -> None:
    activity = assign(world)
    revoke_access(by=world.ada, access=world.gia_access_max)
    world.gia_access_max.refresh_from_db()
    # The session would no longer select the revoked profile; asked as her remaining one, Max's is refused.
    with pytest.raises(Http404):
        activities.get_activity(gia(world, world.gia_access_mia), activity.pk)
    assert denied_ids() == [str(activity.pk)]


def test_a_withdrawn_activity_leaves_the_portal(world: World) -> None:
    activity = assign(world)
    activities.withdraw_activity(by=world.theo, activity=activity)
    assert not activities.visible_to(gia(world)).exists()
    assert activities.shown_status(activities.get_activity(StaffViewer(world.ada), activity.pk), today()) == (
        Shown.WITHDRAWN
    )
    (event,) = events("activity.withdrawn")
    assert event.client_id == world.max.pk and event.object_id == str(activity.pk)
    with pytest.raises(ApplicationError, match="withdrew"):
        activities.withdraw_activity(by=world.theo, activity=activity)


# --- Done, undone, and the next week's --------------------------------------------------------------------------------


def test_marking_done_twice_records_it_once(world: World) -> None:
    activity = assign(world)
    activities.mark_done(viewer=gia(world), activity=activity)
    activities.mark_done(viewer=gia(world), activity=activity)

    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DONE and activity.done_by == world.gia_account
    (event,) = events("activity.done")
    assert event.details == {"uploaded": False}
    assert event.acting_for == world.max.full_name and event.client_id == world.max.pk


def test_the_completed_worksheet_is_kept_encrypted_with_its_hash_in_the_record(world: World) -> None:
    import hashlib

    activity = assign(world)
    png = tiny_png()
    activities.mark_done(viewer=gia(world), activity=activity, file=Upload("done.png", png))

    activity.refresh_from_db()
    assert read_decrypted(activity.completed_storage_name) == png
    assert activity.completed_content_type == "image/png" and activity.completed_name == "done.png"
    (event,) = events("activity.done")
    assert event.details == {"uploaded": True, "sha256": hashlib.sha256(png).hexdigest()}
    with pytest.raises(ApplicationError, match="already sent"):
        activities.mark_done(viewer=gia(world), activity=activity, file=Upload("again.png", png))


def test_a_done_activity_may_still_be_sent_its_completed_worksheet(world: World) -> None:
    activity = assign(world)
    activities.mark_done(viewer=gia(world), activity=activity)
    activities.mark_done(viewer=gia(world), activity=activity, file=Upload("late.pdf", ONE_BLANK_PAGE_PDF))
    activity.refresh_from_db()
    assert activity.completed_storage_name and [e.details["uploaded"] for e in events("activity.done")] == [
        False,
        True,
    ]


def test_a_wrong_completed_file_is_refused_and_the_activity_stays_as_it_was(world: World) -> None:
    activity = assign(world)
    with pytest.raises(ApplicationError, match="PDF, PNG and JPEG"):
        activities.mark_done(viewer=gia(world), activity=activity, file=Upload("done.exe", b"MZ\x90\x00"))
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.ASSIGNED and not events("activity.done")


def test_only_the_client_or_a_legal_guardian_marks_done(world: World) -> None:
    activity = assign(world)
    uncle = a_portal_user_of_max(world)
    assert list(activities.visible_to(uncle)) == [activity]  # any profile in effect sees it
    with pytest.raises(ApplicationError, match="Only the client or a legal guardian"):
        activities.mark_done(viewer=uncle, activity=activity)

    ana_access = give_ana_a_portal_login(world)
    anas = assign(world, client=world.ana)
    ana = PortalViewer(account=ana_access.account, practice=world.riverside, profile=ana_access)
    assert activities.mark_done(viewer=ana, activity=anas).status == ActivityStatus.DONE


def test_a_weekly_activity_makes_its_next_occurrence_once(world: World) -> None:
    activity = assign(world, repeat=ActivityRepeat.WEEKLY)
    activities.mark_done(viewer=gia(world), activity=activity)
    activities.mark_done(viewer=gia(world), activity=activity)
    activities.reopen_activity(viewer=gia(world), activity=activity)
    activities.mark_done(viewer=gia(world), activity=activity)

    (following,) = HomeActivity.objects.exclude(pk=activity.pk)
    assert following.previous_id == activity.pk
    assert following.due_on == activity.due_on + datetime.timedelta(days=7)  # type: ignore[operator]
    assert following.title == CANARY and following.repeat == ActivityRepeat.WEEKLY
    assert following.status == ActivityStatus.ASSIGNED and following.file_storage_name == activity.file_storage_name


def test_undo_reopens_and_takes_back_the_completed_worksheet(world: World, django_capture_on_commit_callbacks) -> None:
    activity = assign(world)
    activities.mark_done(viewer=gia(world), activity=activity, file=Upload("done.png", tiny_png()))
    activity.refresh_from_db()
    sent = activity.completed_storage_name
    assert sent in stored_names("activities")

    with django_capture_on_commit_callbacks(execute=True):
        activities.reopen_activity(viewer=gia(world), activity=activity)

    activity.refresh_from_db()
    assert activity.status == ActivityStatus.ASSIGNED and activity.done_at is None
    assert activity.completed_storage_name == "" and sent not in stored_names("activities")
    (event,) = events("activity.reopened")
    assert event.object_id == str(activity.pk)
    with pytest.raises(ApplicationError, match="isn't marked done"):
        activities.reopen_activity(viewer=gia(world), activity=activity)


def test_staff_cannot_withdraw_a_done_activity(world: World) -> None:
    activity = assign(world)
    activities.mark_done(viewer=gia(world), activity=activity)
    with pytest.raises(ApplicationError, match="stays in the record"):
        activities.withdraw_activity(by=world.theo, activity=activity)


# --- Lists ----------------------------------------------------------------------------------------------------------


def test_the_portal_list_puts_what_is_still_to_do_first_soonest_due_first(world: World) -> None:
    later = assign(world, title="Later", due_on=today() + datetime.timedelta(days=9))
    done = assign(world, title="Done")
    undated = assign(world, title="Undated", due_on=None)
    late = overdue(assign(world, title="Late"))
    activities.mark_done(viewer=gia(world), activity=done)
    withdrawn = assign(world, title="Withdrawn")
    activities.withdraw_activity(by=world.theo, activity=withdrawn)

    listed = list(activities.portal_page(gia(world)).object_list)
    assert [a.pk for a in listed] == [late.pk, later.pk, undated.pk, done.pk]
    assert [activities.shown_status(a, today()) for a in listed] == [
        Shown.OVERDUE,
        Shown.ASSIGNED,
        Shown.ASSIGNED,
        Shown.DONE,
    ]
    staff_listed = activities.client_page(StaffViewer(world.ada), world.max).object_list
    assert [a.pk for a in staff_listed] == [late.pk, later.pk, undated.pk, done.pk, withdrawn.pk]


def test_the_overdue_list_holds_every_clients_overdue_ones_longest_overdue_first(world: World) -> None:
    maxs = overdue(assign(world), days=2)
    anas = overdue(assign(world, client=world.ana), days=5)
    done = overdue(assign(world))
    activities.mark_done(viewer=gia(world), activity=done)
    assign(world)  # not due yet
    activities.assign_activity(by=world.hana, client=world.hal, title="Hilltop's")
    HomeActivity.objects.filter(client=world.hal).update(due_on=today() - datetime.timedelta(days=9))

    assert [a.pk for a in activities.overdue_page(StaffViewer(world.ada), today()).object_list] == [anas.pk, maxs.pk]
    assert not activities.overdue_page(StaffViewer(world.fran), today()).object_list
