"""Appointment reminders (APPT-3): planned once per offset and channel, sent once at their time, never for a
cancelled or moved appointment, never in quiet hours, and saying nothing but the practice, the time and a link.

Times are passed in (``now=``), so each test says exactly when it plans and when the task runs.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from haven.audit.models import AuditEvent
from haven.core import sms
from haven.portal_access.models import AccessStatus, PortalAccount
from haven.scheduling import reminders
from haven.scheduling.models import (
    Appointment,
    AppointmentStatus,
    Channel,
    Reminder,
    ReminderPreference,
)
from haven.scheduling.tasks import send_reminder
from haven.scheduling.tests.factories import NEW_YORK, appointment, local, service
from haven.scheduling.tests.factories import settings as scheduling_settings
from tests.personas import give_ana_a_portal_login

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# Monday 2026-06-15, 10:00 in Riverside's zone (Chicago): far from any daylight-saving change.
STARTS = local(2026, 6, 15, 10)
PLANNED = STARTS - datetime.timedelta(days=7)


@pytest.fixture(autouse=True)
def texts(settings) -> list[sms.TextMessage]:
    """Texts go to the in-memory backend, empty at the start of each test (as Django's mail.outbox)."""
    settings.HAVEN_SMS_BACKEND = "haven.core.sms.LocmemBackend"
    sms.outbox.clear()
    return sms.outbox


@pytest.fixture
def database_queue(settings) -> None:
    """The real database queue, to see what is queued and for when (nothing runs it here)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def max_appointment(world, starts_at: datetime.datetime = STARTS, **values: object) -> Appointment:
    return appointment(
        world.riverside,
        client=world.max,
        clinician=world.theo,
        service_type=service(world.riverside),
        starts_at=starts_at,
        **values,
    )


def texts_on(account: PortalAccount, phone: str = "+15555550123") -> None:
    ReminderPreference.objects.update_or_create(account=account, defaults={"sms": True, "phone": phone})


@pytest.fixture
def send_due(django_capture_on_commit_callbacks) -> Callable[..., int]:
    """Run the appointment's reminders as their tasks would at their due time; how many were sent."""

    def _send(booked: Appointment, *, late: datetime.timedelta = datetime.timedelta(0)) -> int:
        sent = 0
        for reminder in Reminder.objects.filter(appointment=booked).order_by("pk"):
            with django_capture_on_commit_callbacks(execute=True):
                sent += reminders.send(reminder.pk, now=reminder.due_at + late)
        return sent

    return _send


def keys(booked: Appointment) -> list[tuple[int, str, int]]:
    return sorted(Reminder.objects.filter(appointment=booked).values_list("offset_hours", "channel", "account_id"))


# --- Planning -----------------------------------------------------------------------------------------------


def test_planning_twice_makes_exactly_one_reminder_per_offset_and_channel(world):
    texts_on(world.gia_account)
    booked = max_appointment(world)

    reminders.plan(booked, now=PLANNED)
    first = list(Reminder.objects.filter(appointment=booked).values_list("pk", "due_at"))
    reminders.plan(booked, now=PLANNED)

    gia = world.gia_account.pk
    assert keys(booked) == [(2, "email", gia), (2, "sms", gia), (48, "email", gia), (48, "sms", gia)]
    assert list(Reminder.objects.filter(appointment=booked).values_list("pk", "due_at")) == first


def test_each_reminder_gets_one_task_queued_on_commit_to_run_at_its_time(
    world, database_queue, django_capture_on_commit_callbacks
):
    booked = max_appointment(world)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        reminders.plan(booked, now=PLANNED)
        assert DBTaskResult.objects.count() == 0  # nothing is queued before the booking commits
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        reminders.plan(booked, now=PLANNED)  # planning again queues nothing more

    queued = {(task.args_kwargs["args"][0], task.run_after) for task in DBTaskResult.objects.all()}
    assert {task.task_path for task in DBTaskResult.objects.all()} == {"haven.scheduling.tasks.send_reminder"}
    assert queued == set(Reminder.objects.filter(appointment=booked).values_list("pk", "due_at"))
    assert len(queued) == 2


def test_the_practices_offsets_are_used(world):
    scheduling_settings(world.riverside, reminder_hours=[24, 1, 24, 0, "x"])
    booked = max_appointment(world)
    reminders.plan(booked, now=PLANNED)
    assert [offset for offset, _channel, _account in keys(booked)] == [1, 24]
    due = dict(Reminder.objects.filter(appointment=booked).values_list("offset_hours", "due_at"))
    assert due == {24: STARTS - datetime.timedelta(hours=24), 1: STARTS - datetime.timedelta(hours=1)}


def test_a_reminder_whose_time_has_passed_is_not_planned(world):
    booked = max_appointment(world)
    reminders.plan(booked, now=STARTS - datetime.timedelta(hours=5))
    assert [offset for offset, _channel, _account in keys(booked)] == [2]


def test_only_logins_that_may_act_for_the_client_are_reminded(world):
    ana_access = give_ana_a_portal_login(world)
    for_ana = appointment(
        world.riverside,
        client=world.ana,
        clinician=world.theo,
        service_type=service(world.riverside),
        starts_at=STARTS + datetime.timedelta(days=1),
    )
    # Gia may see Max's portal but is no longer his legal guardian in the network: she only sees.
    world.gia.legal_guardian = False
    world.gia.save(update_fields=["legal_guardian"])
    for_max = max_appointment(world)

    reminders.plan(for_ana, now=PLANNED)
    reminders.plan(for_max, now=PLANNED)

    assert {account for _offset, _channel, account in keys(for_ana)} == {ana_access.account_id}
    assert keys(for_max) == []


def test_a_login_that_is_turned_off_gets_no_reminders(world):
    PortalAccount.objects.filter(pk=world.gia_account.pk).update(is_active=False)
    booked = max_appointment(world)
    reminders.plan(booked, now=PLANNED)
    assert keys(booked) == []


def test_email_turned_off_and_no_number_means_no_reminders(world):
    ReminderPreference.objects.create(account=world.gia_account, email=False, sms=True, phone="")
    booked = max_appointment(world)
    reminders.plan(booked, now=PLANNED)
    assert keys(booked) == []


# --- When ---------------------------------------------------------------------------------------------------


def test_quiet_hours_move_a_two_hour_reminder_to_the_evening_before(world):
    """08:30 less 2 hours is 06:30, inside quiet hours (21:00 to 08:00): it goes at 21:00 the evening before."""
    booked = max_appointment(world, starts_at=local(2026, 6, 16, 8, 30))
    reminders.plan(booked, now=PLANNED)
    due = Reminder.objects.get(appointment=booked, offset_hours=2).due_at
    assert due == datetime.datetime(2026, 6, 16, 2, 0, tzinfo=UTC)  # 21:00 CDT on the 15th
    assert timezone.localtime(due, local(2026, 6, 15, 0).tzinfo).strftime("%Y-%m-%d %H:%M") == "2026-06-15 21:00"


def test_a_reminder_due_just_as_quiet_hours_begin_or_end_stays_where_it_is(world):
    scheduling_settings(world.riverside, reminder_hours=[12, 1])
    booked = max_appointment(world, starts_at=local(2026, 6, 16, 9))  # 12 h before: 21:00; 1 h before: 08:00
    reminders.plan(booked, now=PLANNED)
    due = dict(Reminder.objects.filter(appointment=booked).values_list("offset_hours", "due_at"))
    assert due == {12: local(2026, 6, 15, 21), 1: local(2026, 6, 16, 8)}


def test_two_reminders_moved_to_the_same_evening_make_one(world):
    scheduling_settings(world.riverside, reminder_hours=[12, 2])
    booked = max_appointment(world, starts_at=local(2026, 6, 16, 9))  # 12 h before: 21:00; 2 h before: 07:00 → 21:00
    reminders.plan(booked, now=PLANNED)
    due = dict(Reminder.objects.filter(appointment=booked).values_list("offset_hours", "due_at"))
    assert due == {12: local(2026, 6, 15, 21)}


def test_a_practice_without_quiet_hours_reminds_at_any_hour(world):
    scheduling_settings(world.riverside, quiet_hours_start=datetime.time(0, 0), quiet_hours_end=datetime.time(0, 0))
    booked = max_appointment(world, starts_at=local(2026, 6, 16, 8, 30))
    reminders.plan(booked, now=PLANNED)
    assert Reminder.objects.get(appointment=booked, offset_hours=2).due_at == local(2026, 6, 16, 6, 30)


def test_the_48_hour_reminder_keeps_the_wall_clock_time_across_the_spring_change(world, send_due, mailoutbox):
    """DST began on 2026-03-08 in New York: 09:00 EDT on Monday 9 March is reminded at 09:00 EST on Saturday 7."""
    world.riverside.time_zone = "America/New_York"
    world.riverside.save(update_fields=["time_zone"])
    booked = max_appointment(world, starts_at=local(2026, 3, 9, 9, zone=NEW_YORK))
    assert booked.starts_at == datetime.datetime(2026, 3, 9, 13, 0, tzinfo=UTC)

    reminders.plan(booked, now=local(2026, 3, 1, 12, zone=NEW_YORK))
    reminder = Reminder.objects.get(appointment=booked, offset_hours=48)

    assert reminder.due_at == datetime.datetime(2026, 3, 7, 14, 0, tzinfo=UTC)  # 09:00 EST
    assert reminders.send(reminder.pk, now=reminder.due_at - datetime.timedelta(minutes=5)) is False
    assert reminders.send(reminder.pk, now=reminder.due_at) is True


def test_the_48_hour_reminder_keeps_the_wall_clock_time_across_the_autumn_change(world):
    """DST ended on 2026-11-01 in New York: 09:00 EST on Monday 2 November is reminded at 09:00 EDT on the 31st."""
    world.riverside.time_zone = "America/New_York"
    world.riverside.save(update_fields=["time_zone"])
    booked = max_appointment(world, starts_at=local(2026, 11, 2, 9, zone=NEW_YORK))
    reminders.plan(booked, now=local(2026, 10, 20, 12, zone=NEW_YORK))
    assert Reminder.objects.get(appointment=booked, offset_hours=48).due_at == datetime.datetime(
        2026, 10, 31, 13, 0, tzinfo=UTC
    )


# --- Sending ------------------------------------------------------------------------------------------------


def test_each_reminder_is_sent_once_even_when_its_task_runs_twice(world, send_due, mailoutbox):
    booked = max_appointment(world)
    reminders.plan(booked, now=PLANNED)

    assert send_due(booked) == 2
    assert send_due(booked) == 0
    assert send_due(booked, late=datetime.timedelta(minutes=5)) == 0

    assert len(mailoutbox) == 2
    assert all(message.to == ["gia@example.com"] for message in mailoutbox)
    assert Reminder.objects.filter(appointment=booked, sent_at__isnull=False).count() == 2
    events = AuditEvent.objects.filter(action="appointment.reminder_sent")
    assert events.count() == 2
    assert {(event.actor_kind, event.client_id, event.object_id) for event in events} == {
        ("system", world.max.pk, str(booked.pk))
    }


def test_the_task_sends_its_reminder_once_when_the_worker_runs_it_twice(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    """The task itself, run by a worker at its time (no quiet hours, so the hour the test runs at doesn't matter)."""
    scheduling_settings(world.riverside, quiet_hours_start=datetime.time(0, 0), quiet_hours_end=datetime.time(0, 0))
    booked = max_appointment(world, starts_at=timezone.now() + datetime.timedelta(minutes=90))
    reminders.plan(booked, now=timezone.now() - datetime.timedelta(days=3))
    reminder = Reminder.objects.get(appointment=booked, offset_hours=2)  # due half an hour ago

    with django_capture_on_commit_callbacks(execute=True):
        send_reminder.call(reminder.pk)
    with django_capture_on_commit_callbacks(execute=True):
        send_reminder.call(reminder.pk)

    assert len(mailoutbox) == 1
    reminder.refresh_from_db()
    assert reminder.sent_at is not None


def test_a_task_run_early_sends_nothing_and_is_queued_again_for_its_time(
    world, database_queue, mailoutbox, django_capture_on_commit_callbacks
):
    booked = max_appointment(world)
    reminders.plan(booked, now=PLANNED)
    reminder = Reminder.objects.get(appointment=booked, offset_hours=48)

    with django_capture_on_commit_callbacks(execute=True):
        sent = reminders.send(reminder.pk, now=reminder.due_at - datetime.timedelta(minutes=10))

    assert sent is False
    assert mailoutbox == []
    reminder.refresh_from_db()
    assert (reminder.sent_at, reminder.cancelled_at) == (None, None)
    queued = DBTaskResult.objects.get()
    assert (queued.args_kwargs["args"], queued.run_after) == ([reminder.pk], reminder.due_at)


def test_a_task_a_few_seconds_early_counts_as_on_time(world, send_due, mailoutbox):
    booked = max_appointment(world)
    reminders.plan(booked, now=PLANNED)
    assert send_due(booked, late=-datetime.timedelta(seconds=30)) == 2


def test_no_reminder_after_the_appointment_is_cancelled(world, send_due, mailoutbox, texts):
    texts_on(world.gia_account)
    booked = max_appointment(world)
    reminders.plan(booked, now=PLANNED)

    booked.status = AppointmentStatus.CANCELLED
    booked.save(update_fields=["status"])
    reminders.drop(booked)

    assert send_due(booked) == 0
    assert mailoutbox == [] and texts == []
    assert not Reminder.objects.filter(appointment=booked, cancelled_at__isnull=True).exists()


@pytest.mark.parametrize("status", [AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLATION])
def test_no_reminder_for_a_cancelled_appointment_even_if_its_reminders_were_not_dropped(
    world, send_due, mailoutbox, status
):
    booked = max_appointment(world)
    reminders.plan(booked, now=PLANNED)
    Appointment.objects.filter(pk=booked.pk).update(status=status)

    assert send_due(booked) == 0
    assert mailoutbox == []
    assert Reminder.objects.filter(appointment=booked, cancelled_at__isnull=False).count() == 2


def test_a_moved_appointment_is_reminded_only_at_its_new_time(world, send_due, mailoutbox):
    booked = max_appointment(world)
    reminders.plan(booked, now=PLANNED)
    old = set(Reminder.objects.filter(appointment=booked).values_list("pk", flat=True))

    moved_to = STARTS + datetime.timedelta(days=2)
    Appointment.objects.filter(pk=booked.pk).update(
        starts_at=moved_to, ends_at=moved_to + booked.duration, sequence=booked.sequence + 1
    )
    booked.refresh_from_db()
    reminders.plan(booked, now=PLANNED)  # as the move's action does (after drop, or without it)

    new = Reminder.objects.filter(appointment=booked).exclude(pk__in=old)
    assert sorted(new.values_list("sequence", "due_at")) == [
        (1, moved_to - datetime.timedelta(hours=48)),
        (1, moved_to - datetime.timedelta(hours=2)),
    ]
    assert send_due(booked) == 2
    assert set(Reminder.objects.filter(sent_at__isnull=False).values_list("pk", flat=True)) == set(
        new.values_list("pk", flat=True)
    )
    assert len(mailoutbox) == 2


def test_an_old_reminder_whose_appointment_moved_on_is_not_sent_even_if_planning_missed_it(world, send_due, mailoutbox):
    booked = max_appointment(world)
    reminders.plan(booked, now=PLANNED)
    Appointment.objects.filter(pk=booked.pk).update(sequence=1)  # moved, and nothing else told the reminders

    assert send_due(booked) == 0
    assert mailoutbox == []


def test_a_guardian_whose_access_ended_gets_nothing(world, send_due, mailoutbox):
    booked = max_appointment(world)
    reminders.plan(booked, now=PLANNED)
    world.gia_access_max.mark_ended(AccessStatus.REVOKED)

    assert send_due(booked) == 0
    assert mailoutbox == []
    reminders.plan(max_appointment(world, starts_at=STARTS + datetime.timedelta(days=7)), now=PLANNED)
    assert Reminder.objects.filter(cancelled_at__isnull=True).count() == 0


def test_a_channel_turned_off_after_booking_is_not_used(world, send_due, mailoutbox):
    booked = max_appointment(world)
    reminders.plan(booked, now=PLANNED)
    ReminderPreference.objects.create(account=world.gia_account, email=False)

    assert send_due(booked) == 0
    assert mailoutbox == []


def test_a_late_run_inside_quiet_hours_waits_for_the_morning(world, database_queue, django_capture_on_commit_callbacks):
    """A worker that was stopped catches up at night: the reminder waits until quiet hours end, then goes."""
    booked = max_appointment(world, starts_at=local(2026, 6, 16, 14))
    reminders.plan(booked, now=PLANNED)
    reminder = Reminder.objects.get(appointment=booked, offset_hours=48)  # due 14:00 on the 14th

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send(reminder.pk, now=local(2026, 6, 15, 2)) is False
    assert DBTaskResult.objects.get().run_after == local(2026, 6, 15, 8)
    assert reminders.send(reminder.pk, now=local(2026, 6, 15, 8)) is True


def test_no_reminder_once_the_appointment_has_started(world, send_due, mailoutbox):
    booked = max_appointment(world)
    reminders.plan(booked, now=PLANNED)
    assert send_due(booked, late=datetime.timedelta(days=3)) == 0
    assert mailoutbox == []


# --- What it says -------------------------------------------------------------------------------------------

CLIENT_FIRST, CLIENT_LAST = "Zebulon", "Quillfeather"
CLINICIAN = "Xanthippe Oakhurst"
SERVICE = "Pomegranate Family Therapy"
FACILITY = "Marigold House"
TELEHEALTH = "https://video.example/room-marmalade"


def test_a_reminder_says_the_practice_day_time_and_link_and_never_a_name(world, send_due, mailoutbox, texts):
    world.max.first_name, world.max.last_name = CLIENT_FIRST, CLIENT_LAST
    world.max.save(update_fields=["first_name", "last_name"])
    world.theo.user.full_name = CLINICIAN
    world.theo.user.save(update_fields=["full_name"])
    world.riverside_facility.name = FACILITY
    world.riverside_facility.save(update_fields=["name"])
    texts_on(world.gia_account)
    booked = appointment(
        world.riverside,
        client=world.max,
        clinician=world.theo,
        service_type=service(world.riverside, name=SERVICE),
        starts_at=STARTS,
        facility=world.riverside_facility,
        telehealth_url=TELEHEALTH,
    )
    reminders.plan(booked, now=PLANNED)
    Reminder.objects.filter(appointment=booked).exclude(offset_hours=48).delete()

    assert send_due(booked) == 2
    [email] = mailoutbox
    [text] = texts
    html = email.alternatives[0][0]
    link = "http://testserver" + reverse("portal:appointments", kwargs={"slug": "riverside"})
    assert email.subject == "Appointment reminder from Riverside Counseling"
    for words in (email.body, html, text.body):
        assert "Riverside Counseling" in words
        assert link in words
        assert "10 a.m. CDT" in words
    assert "Monday, June 15, 2026" in email.body and "Monday, June 15, 2026" in html
    assert "Mon, Jun 15" in text.body
    for words in (email.subject, email.body, html, text.body):
        for secret in (CLIENT_FIRST, CLIENT_LAST, CLINICIAN, SERVICE, FACILITY, TELEHEALTH, "marmalade", "Oakhurst"):
            assert secret not in words


def test_texts_go_through_the_configured_backend_to_the_number_on_file(world, send_due, mailoutbox, texts):
    ReminderPreference.objects.create(account=world.gia_account, email=False, sms=True, phone="+15555550123")
    booked = max_appointment(world)
    reminders.plan(booked, now=PLANNED)

    assert send_due(booked) == 2
    assert mailoutbox == []
    assert [(text.to, text.practice_id) for text in texts] == [("+15555550123", world.riverside.pk)] * 2
    assert set(
        AuditEvent.objects.filter(action="appointment.reminder_sent").values_list("details__channel", flat=True)
    ) == {Channel.SMS.value}


def test_a_new_number_is_the_one_texted(world, send_due, texts):
    texts_on(world.gia_account, "+15555550123")
    booked = max_appointment(world)
    reminders.plan(booked, now=PLANNED)
    ReminderPreference.objects.filter(account=world.gia_account).update(phone="+15555550199")

    send_due(booked)
    assert {text.to for text in texts} == {"+15555550199"}


# --- Choices ------------------------------------------------------------------------------------------------


def test_turning_texts_on_plans_texts_for_upcoming_appointments(world):
    now = timezone.now()
    upcoming = max_appointment(world, starts_at=now + datetime.timedelta(days=10))
    past = max_appointment(world, starts_at=now - datetime.timedelta(days=10))
    reminders.plan(upcoming, now=now)

    reminders.set_preference(account=world.gia_account, email=True, sms=True, phone="(555) 555-0123", now=now)

    assert ReminderPreference.objects.get(account=world.gia_account).phone == "+15555550123"
    assert sorted(Reminder.objects.filter(appointment=upcoming).values_list("channel", flat=True)) == [
        "email",
        "email",
        "sms",
        "sms",
    ]
    assert not Reminder.objects.filter(appointment=past).exists()
