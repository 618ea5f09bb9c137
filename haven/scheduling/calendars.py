"""Appointments as iCalendar (RFC 5545): one appointment to add to a calendar, and a portal login's subscription.

A calendar entry leaves the practice: it is synced to other devices, shown on lock screens and in shared
family calendars. So an entry says only "Appointment", when, and the practice's name: never the client,
the clinician, the service, the facility or the telehealth link.

Each entry keeps its UID for the appointment's whole life (``Appointment.uid``), its SEQUENCE grows with
each change a calendar should notice (``Appointment.sequence``, kept by the actions), and a cancelled one
stays in the feed as STATUS:CANCELLED so calendars take it out. Times are in UTC, which every calendar
shows in its own zone: no VTIMEZONE is needed.
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration, vText

from haven.core.bidi import strip_bidi_controls
from haven.portal_access.models import ProfileAccess
from haven.practices.models import Practice
from haven.scheduling.models import Appointment, CalendarFeed

PRODID = "-//Haven//Appointments//EN"
# How far back a subscription reaches: recent appointments stay in the calendar, old ones fall away.
FEED_DAYS_BACK = 90
# How often a calendar app should fetch a subscription again (apps may wait longer).
REFRESH_INTERVAL = datetime.timedelta(hours=1)

# All a calendar entry needs of an appointment (the practice's name comes from the caller's practice).
_ENTRY_FIELDS = ("uid", "sequence", "status", "starts_at", "ends_at", "created_at", "updated_at", "practice_id")


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(microsecond=0)


def _practice_name(practice: Practice) -> str:
    return strip_bidi_controls(practice.name)


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    return calendar


def _event(appointment: Appointment, practice_name: str) -> Event:
    """One appointment as a VEVENT: when, how it stands, and the practice's name; nothing else."""
    event = Event()
    event.add("uid", f"{appointment.uid}@haven")
    event.add("dtstamp", _utc(appointment.updated_at))
    event.add("dtstart", _utc(appointment.starts_at))
    event.add("dtend", _utc(appointment.ends_at))
    event.add("sequence", appointment.sequence)
    event.add("status", "CANCELLED" if appointment.is_cancelled else "CONFIRMED")
    event.add("summary", _("Appointment"))
    event.add("location", practice_name)
    event.add("description", practice_name)
    # Calendars shared with others (Outlook, Exchange) show a private entry as busy time only.
    event.add("class", "PRIVATE")
    event.add("created", _utc(appointment.created_at))
    event.add("last-modified", _utc(appointment.updated_at))
    return event


def appointment_ics(appointment: Appointment, *, practice: Practice | None = None) -> bytes:
    """The appointment alone, to add to a calendar ("Add to calendar"). ``practice`` is the appointment's own,
    when the caller has it at hand (a portal page does): it saves reading it again."""
    if practice is None or practice.pk != appointment.practice_id:
        practice = appointment.practice
    calendar = _calendar()
    calendar.add_component(_event(appointment, _practice_name(practice)))
    return calendar.to_ical()


def feed_appointments(feed: CalendarFeed, *, now: datetime.datetime | None = None) -> QuerySet[Appointment]:
    """The appointments a subscription shows: those of every client the feed's login may see in its practice
    right now (a guardian whose access ended sees no more of that client), from ``FEED_DAYS_BACK`` ago on,
    cancelled ones included. One query."""
    now = now or timezone.now()
    clients = ProfileAccess.objects.effective(feed.practice).filter(account_id=feed.account_id).values("client_id")
    return (
        Appointment.objects.filter(
            practice_id=feed.practice_id,
            client_id__in=clients,
            starts_at__gte=now - datetime.timedelta(days=FEED_DAYS_BACK),
        )
        .only(*_ENTRY_FIELDS)
        .order_by("starts_at", "pk")
    )


def feed_ics(feed: CalendarFeed, *, now: datetime.datetime | None = None) -> bytes:
    """A portal login's private subscription: its appointments in the feed's practice, named after the practice."""
    name = _practice_name(feed.practice)
    calendar = _calendar()
    calendar.add("x-wr-calname", vText(name))
    # RFC 7986 asks for VALUE=DURATION on REFRESH-INTERVAL; X-PUBLISHED-TTL is what Outlook and Apple read.
    calendar.add("refresh-interval", vDuration(REFRESH_INTERVAL), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    for appointment in feed_appointments(feed, now=now):
        calendar.add_component(_event(appointment, name))
    return calendar.to_ical()
