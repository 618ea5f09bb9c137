"""Sending appointment reminders (APPT-3): each reminder is a task queued to run at its time.

``haven.scheduling.reminders`` plans the reminders and queues their tasks (``queue_reminder``); this module
sends them (``send``, run by the ``send_reminder`` task) and holds the rules both halves share: who may be
reminded, on which channels, and when quiet hours are.

A reminder is sent only while still pending and due, for an appointment still scheduled at the same
sequence and not started, to a login whose access is still in effect and that still wants that channel.
It is marked sent and audited in one transaction, under a lock on its row; the email is queued and the
text handed over only once that commits. So it goes out at most once, whatever runs it twice.

A reminder says the practice's name, the day and time in the practice's zone and links to the portal's
appointments page: never the client's, clinician's or service's name, nor where the appointment is.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.audit.events import AppointmentReminderSent
from haven.core.actors import Actor
from haven.core.bidi import strip_bidi_controls
from haven.core.email import send_email_on_commit
from haven.core.sms import send_text, texts_available
from haven.core.timezones import practice_zone
from haven.portal_access.models import PortalAccount, ProfileAccess
from haven.practices.models import Practice
from haven.scheduling import policy
from haven.scheduling.models import (
    Appointment,
    AppointmentStatus,
    Channel,
    Reminder,
    ReminderPreference,
    SchedulingSettings,
)

logger = logging.getLogger(__name__)

# A worker whose clock runs a little ahead may start a task early: that close, the reminder is due.
EARLY_TOLERANCE = datetime.timedelta(minutes=1)
# A reminder sent this late (a worker that was stopped) is held back if it would now land in quiet hours.
LATE_TOLERANCE = datetime.timedelta(minutes=15)

TEMPLATE = "appointment_reminder"


# --- Rules the planning shares ---------------------------------------------------------------------------------


def practice_of(practice_id: int) -> Practice:
    return Practice.objects.defer("logo").get(pk=practice_id)


def acting_access(practice: Practice, client_id: int) -> list[ProfileAccess]:
    """The accesses to the client that are in effect and may act for it (the client, or a legal guardian in the
    network), of logins that are turned on: whom reminders go to."""
    found = list(
        ProfileAccess.objects.effective(practice)
        .filter(client_id=client_id, account__is_active=True)
        .select_related("account", "contact")
        .order_by("pk")
    )
    for access in found:
        access.practice = practice  # ``may_act_for_client`` asks whether the practice runs a contact network
    return [access for access in found if access.may_act_for_client]


def preference_of(account: PortalAccount) -> ReminderPreference:
    """The login's reminder choices (the defaults, unsaved, when never changed: email on, texts off)."""
    found = ReminderPreference.objects.filter(account_id=account.pk).first()
    return found if found is not None else ReminderPreference(account=account)


def channels_of(preference: ReminderPreference) -> list[str]:
    wanted = [Channel.EMAIL.value] if preference.email else []
    if preference.sms and preference.phone and texts_available():
        wanted.append(Channel.SMS.value)
    return wanted


def aware(wall: datetime.datetime, zone: datetime.tzinfo) -> datetime.datetime:
    """A wall-clock time in ``zone`` as a real moment (a time a daylight-saving change skips lands just after it)."""
    return wall.replace(tzinfo=zone).astimezone(datetime.UTC).astimezone(zone)


def in_quiet_hours(moment: datetime.time, start: datetime.time, end: datetime.time) -> bool:
    """Whether a wall-clock time falls in quiet hours (``start`` is the last moment before them; none when equal)."""
    if start == end:
        return False
    if start < end:
        return start < moment < end
    return moment > start or moment < end  # over midnight, e.g. 21:00 to 08:00


def quiet_until(
    now: datetime.datetime, zone: datetime.tzinfo, scheduling: SchedulingSettings
) -> datetime.datetime | None:
    """When the quiet hours that ``now`` falls in end (None when it falls in none)."""
    local = timezone.localtime(now, zone)
    clock = local.time().replace(tzinfo=None)
    start, end = scheduling.quiet_hours_start, scheduling.quiet_hours_end
    if not in_quiet_hours(clock, start, end):
        return None
    day = local.date() + datetime.timedelta(days=1) if clock > end else local.date()
    return aware(datetime.datetime.combine(day, end), zone).astimezone(datetime.UTC)


def queue_reminder(reminder_id: int, when: datetime.datetime, *, again: bool = False) -> None:
    """Queue the reminder's task to run at ``when``.

    A task backend that cannot run a task later (the tests' immediate one) runs it at once, when it is
    early and sends nothing; it is then not queued again, or it would run again at once, for ever.
    """
    if send_reminder.get_backend().supports_defer:
        send_reminder.using(run_after=when).enqueue(reminder_id)
    elif not again:
        send_reminder.enqueue(reminder_id)


# --- What a reminder says --------------------------------------------------------------------------------------


def appointments_link(practice: Practice) -> str:
    return settings.HAVEN_BASE_URL + reverse("portal:appointments", kwargs={"slug": practice.slug})


def email_context(appointment: Appointment, practice: Practice) -> dict[str, str]:
    """What the reminder email says: the practice, the day and time in its zone, and the link. Nothing else."""
    local = timezone.localtime(appointment.starts_at, practice_zone(practice))
    return {
        "sender": practice.name,
        "day": format_date(local, "l, F j, Y"),
        "time": format_date(local, "P T"),
        "portal": appointments_link(practice),
    }


def text_body(appointment: Appointment, practice: Practice) -> str:
    """The reminder as a text message: as short, and as free of names, as the email."""
    local = timezone.localtime(appointment.starts_at, practice_zone(practice))
    body = _("%(practice)s: reminder of an appointment on %(day)s at %(time)s. Details: %(link)s") % {
        "practice": practice.name,
        "day": format_date(local, "D, M j"),
        "time": format_date(local, "P T"),
        "link": appointments_link(practice),
    }
    return strip_bidi_controls(body)


# --- Sending ---------------------------------------------------------------------------------------------------


def _why_not_send(
    reminder: Reminder, practice: Practice, preference: ReminderPreference, now: datetime.datetime
) -> str:
    """Why this reminder will never be sent ("" when it may be): logged, never shown."""
    appointment = reminder.appointment
    if appointment.status != AppointmentStatus.SCHEDULED:
        return "the appointment is no longer scheduled"
    if appointment.sequence != reminder.sequence:
        return "the appointment moved"
    if now >= appointment.starts_at:
        return "the appointment has started"
    if not any(access.account_id == reminder.account_id for access in acting_access(practice, appointment.client_id)):
        return "the login's access to the client is no longer in effect"
    if reminder.channel not in channels_of(preference):
        return "the login turned this kind of reminder off"
    return ""


def _cancel(reminder: Reminder, now: datetime.datetime, reason: str) -> bool:
    reminder.cancelled_at = now
    reminder.save(update_fields=["cancelled_at"])
    logger.info("Reminder %s not sent: %s.", reminder.pk, reason)
    return False


def send(reminder_id: int, *, now: datetime.datetime | None = None) -> bool:
    """Send one reminder if it is still wanted and due; True when it was sent.

    Safe to run twice, or at once from two workers: the row is locked, and marked sent in the same
    transaction as its audit event; the email is queued and the text handed over only once that
    commits. A second run finds it sent (or cancelled) and does nothing. A run before its time (a
    worker's clock ahead) sends nothing and queues it again for its time; a late run that would land
    in quiet hours waits for their end.
    """
    now = now or timezone.now()
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related("appointment", "account")
            .filter(pk=reminder_id)
            .first()
        )
        if reminder is None or reminder.sent_at is not None or reminder.cancelled_at is not None:
            return False
        if now < reminder.due_at - EARLY_TOLERANCE:
            due = reminder.due_at
            transaction.on_commit(lambda: queue_reminder(reminder_id, due, again=True))
            return False
        appointment = reminder.appointment
        practice = practice_of(appointment.practice_id)
        preference = preference_of(reminder.account)
        reason = _why_not_send(reminder, practice, preference, now)
        if reason:
            return _cancel(reminder, now, reason)
        if now > reminder.due_at + LATE_TOLERANCE:
            morning = quiet_until(now, practice_zone(practice), policy.settings_of(practice.pk))
            if morning is not None and morning >= appointment.starts_at:
                return _cancel(reminder, now, "late, and quiet hours last until the appointment")
            if morning is not None:
                transaction.on_commit(lambda: queue_reminder(reminder_id, morning, again=True))
                return False
        reminder.sent_at = now
        reminder.save(update_fields=["sent_at"])
        record_event(
            AppointmentReminderSent(
                reminder=reminder.pk,
                channel=reminder.channel,
                offset_hours=reminder.offset_hours,
                account=reminder.account_id,
            ),
            actor=Actor.system(),
            practice=practice,
            client=appointment.client,
            target=appointment,
        )
        if reminder.channel == Channel.SMS:
            to, body, practice_id = preference.phone, text_body(appointment, practice), practice.pk
            transaction.on_commit(lambda: send_text(to, body, practice_id=practice_id))
        else:
            send_email_on_commit(
                to=reminder.account.email,
                template=TEMPLATE,
                context=email_context(appointment, practice),
                practice=practice,
            )
    return True


@task()
def send_reminder(reminder_id: int) -> None:
    """Send one appointment reminder at its time (``send``).

    Safe to run twice: the reminder's row is locked while it is sent and marked sent in the same
    transaction, so a second run finds it sent and sends nothing; the email or text leaves only once
    that transaction commits. A run before its time sends nothing and queues the reminder again.
    """
    send(reminder_id)
