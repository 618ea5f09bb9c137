"""Appointment reminders (APPT-3): planned when an appointment is booked or moved, each sent by a task at its time.

- **Planning** (``plan``, in the transaction that books or moves the appointment): one ``Reminder`` row per
  offset the practice set (default 48 and 2 hours before), per channel (email unless turned off; text
  messages when turned on with a number) and per portal login that may act for the client (the client, or a
  legal guardian in the network, whose access is in effect). The rows belong to the appointment's current
  ``sequence``: a moved appointment gets new ones and the old ones are never sent. A unique constraint makes
  planning twice change nothing. Each new row gets a task queued, on commit, to run at its due time.
- **When**: an offset is counted on the practice's wall clock, so the 48-hour reminder of a 09:00 appointment
  comes at 09:00 two days before, across a daylight-saving change too. A time inside the practice's quiet
  hours moves earlier, to the moment quiet hours begin that evening; a time already past is skipped.
- **Sending** is ``haven.scheduling.tasks`` (``send``, also reachable here): at most once, only while still
  wanted, saying the practice's name, the day and time and a link, never a name. ``set_preference`` keeps a
  login's choices (email, text messages and the number) and plans its upcoming appointments again.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.core.errors import ApplicationError
from haven.core.sms import InvalidNumber, normalize_number
from haven.core.timezones import practice_zone
from haven.portal_access.models import AccessStatus, PortalAccount, ProfileAccess
from haven.scheduling import policy
from haven.scheduling.models import (
    Appointment,
    AppointmentStatus,
    Reminder,
    ReminderPreference,
    SchedulingSettings,
)
from haven.scheduling.tasks import (
    acting_access,
    aware,
    channels_of,
    in_quiet_hours,
    practice_of,
    preference_of,
    queue_reminder,
    send,
)

__all__ = ["drop", "due_at", "offsets", "plan", "preference_of", "send", "set_preference"]


# --- When ------------------------------------------------------------------------------------------------------


def offsets(scheduling: SchedulingSettings) -> list[int]:
    """The practice's reminder offsets in hours, largest first; anything but a positive whole number is left out."""
    hours = scheduling.reminder_hours if isinstance(scheduling.reminder_hours, list) else []
    return sorted(
        {hour for hour in hours if isinstance(hour, int) and not isinstance(hour, bool) and hour > 0}, reverse=True
    )


def due_at(
    starts_at: datetime.datetime,
    offset_hours: int,
    *,
    zone: datetime.tzinfo,
    quiet_start: datetime.time,
    quiet_end: datetime.time,
) -> datetime.datetime:
    """When the reminder ``offset_hours`` before an appointment goes out, in UTC.

    Counted on the practice's wall clock; moved earlier, to the start of that evening's quiet hours, when it
    would fall inside them.
    """
    wall = timezone.localtime(starts_at, zone).replace(tzinfo=None) - datetime.timedelta(hours=offset_hours)
    local = aware(wall, zone)
    clock = local.time().replace(tzinfo=None)
    if in_quiet_hours(clock, quiet_start, quiet_end):
        day = local.date()
        if quiet_start > quiet_end and clock < quiet_end:
            day -= datetime.timedelta(days=1)  # after midnight: quiet hours began the evening before
        local = aware(datetime.datetime.combine(day, quiet_start), zone)
    return local.astimezone(datetime.UTC)


# --- Planning --------------------------------------------------------------------------------------------------


def plan(appointment: Appointment, *, now: datetime.datetime | None = None) -> None:
    """Make the reminders of the appointment's current sequence and queue their tasks on commit.

    Called by the actions that book or move an appointment, inside their transaction. Planning again makes
    nothing new (one row per appointment, sequence, offset, channel and login). Pending reminders of an
    earlier sequence are cancelled: the appointment moved.
    """
    if appointment.status != AppointmentStatus.SCHEDULED:
        return
    now = now or timezone.now()
    Reminder.objects.filter(
        appointment=appointment, sequence__lt=appointment.sequence, sent_at__isnull=True, cancelled_at__isnull=True
    ).update(cancelled_at=now)
    practice = practice_of(appointment.practice_id)
    scheduling = policy.settings_of(practice.pk)
    zone = practice_zone(practice)
    accounts = [access.account_id for access in acting_access(practice, appointment.client_id)]
    preferences = {pref.account_id: pref for pref in ReminderPreference.objects.filter(account_id__in=accounts)}
    times: dict[int, datetime.datetime] = {}
    for hours in offsets(scheduling):
        when = due_at(
            appointment.starts_at,
            hours,
            zone=zone,
            quiet_start=scheduling.quiet_hours_start,
            quiet_end=scheduling.quiet_hours_end,
        )
        if when not in times.values():  # two offsets moved to the same evening make one reminder, not two at once
            times[hours] = when
    wanted = [
        Reminder(
            appointment=appointment,
            account_id=account_id,
            sequence=appointment.sequence,
            offset_hours=hours,
            channel=channel,
            due_at=when,
        )
        for account_id in accounts
        for channel in channels_of(preferences.get(account_id) or ReminderPreference(account_id=account_id))
        for hours, when in times.items()
        if when > now
    ]
    if not wanted:
        return
    current = Reminder.objects.filter(appointment=appointment, sequence=appointment.sequence)
    existing = {
        (hours, channel, account_id): pk
        for pk, hours, channel, account_id in current.values_list("pk", "offset_hours", "channel", "account_id")
    }
    new = [row for row in wanted if (row.offset_hours, row.channel, row.account_id) not in existing]
    if not new:
        return
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    queued = list(
        current.filter(sent_at__isnull=True, cancelled_at__isnull=True)
        .exclude(pk__in=list(existing.values()))
        .values_list("pk", "due_at")
    )
    transaction.on_commit(lambda: _queue_all(queued))


def _queue_all(reminders: list[tuple[int, datetime.datetime]]) -> None:
    for reminder_id, when in reminders:
        queue_reminder(reminder_id, when)


def drop(appointment: Appointment, *, now: datetime.datetime | None = None) -> None:
    """Cancel the appointment's pending reminders (it was cancelled, or moved: ``plan`` then makes new ones)."""
    Reminder.objects.filter(appointment=appointment, sent_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=now or timezone.now()
    )


# --- Choices ---------------------------------------------------------------------------------------------------


def set_preference(
    *, account: PortalAccount, email: bool, sms: bool, phone: str, now: datetime.datetime | None = None
) -> ReminderPreference:
    """How the login wants its reminders. A number, when given, is kept in E.164 form; texts need one.

    The upcoming appointments it hears of are planned again, so reminders of a channel just turned on
    come for them too (one turned off is left out when its reminders are due).
    """
    try:
        number = normalize_number(phone) if phone.strip() else ""
    except InvalidNumber as refusal:
        raise ApplicationError(str(refusal)) from refusal
    if sms and not number:
        raise ApplicationError(_("Type your mobile number to get text messages."))
    with transaction.atomic():
        preference, _created = ReminderPreference.objects.update_or_create(
            account=account, defaults={"email": email, "sms": sms, "phone": number}
        )
        now = now or timezone.now()
        clients = ProfileAccess.objects.filter(account=account, status=AccessStatus.ACTIVE).values("client_id")
        for appointment in Appointment.objects.filter(
            client_id__in=clients, status=AppointmentStatus.SCHEDULED, starts_at__gt=now
        ):
            plan(appointment, now=now)
    return preference
