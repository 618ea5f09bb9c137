"""Appointments as iCalendar and the private subscription (APPT-2): RFC 5545 entries that parse with the icalendar
library, keep their UID across changes while SEQUENCE grows, say STATUS:CANCELLED when cancelled and name only the
practice; a subscription shows every appointment of the login's profiles in effect, from 90 days back, in a constant
number of queries; its token is kept only as a hash, and a new or turned-off one ends the old address."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from icalendar import Calendar

from haven.audit.models import AuditEvent
from haven.clients.models import Client
from haven.core.tokens import hash_token
from haven.portal_access.models import AccessStatus
from haven.scheduling.calendars import FEED_DAYS_BACK, PRODID, appointment_ics, feed_ics
from haven.scheduling.feeds import feed_for, issue_feed, live_feed, mark_fetched, revoke_feed
from haven.scheduling.models import Appointment, AppointmentStatus, CalendarFeed, ServiceType
from haven.scheduling.tests.factories import appointment, portal_viewer, service
from tests.personas import World, give_ana_a_portal_login

pytestmark = pytest.mark.django_db

# Strings that must never reach a calendar: each one distinctive, so finding it anywhere is a leak.
SERVICE_NAME = "Zygomorphic Trauma Intake"
BILLING_CODE = "Q7731"
TELEHEALTH = "https://video.example.org/room/quixotic-harbour-5531"
FACILITY_NAME = "Marmalade Annex"


@pytest.fixture
def session_type(world: World) -> ServiceType:
    kind = service(world.riverside, name=SERVICE_NAME, minutes=50)
    kind.billing_code = BILLING_CODE
    kind.save(update_fields=["billing_code"])
    return kind


def booked(
    world: World, kind: ServiceType, *, client: Client | None = None, days: float = 3, **values: object
) -> Appointment:
    """An appointment with Theo ``days`` from now (Max's unless told), at the facility and with a video link."""
    facility = world.riverside_facility
    if facility.name != FACILITY_NAME:
        facility.name = FACILITY_NAME
        facility.save(update_fields=["name"])
    starts_at = (timezone.now() + datetime.timedelta(days=days)).replace(second=0, microsecond=0)
    return appointment(
        world.riverside,
        client=client or world.max,
        clinician=world.theo,
        service_type=kind,
        starts_at=starts_at,
        facility=facility,
        telehealth_url=TELEHEALTH,
        **values,
    )


def parsed(content: bytes) -> Calendar:
    calendar = Calendar.from_ical(content)
    assert isinstance(calendar, Calendar)
    return calendar


def uids(content: bytes) -> set[str]:
    return {str(event["UID"]) for event in parsed(content).events}


def uid_of(item: Appointment) -> str:
    return f"{item.uid}@haven"


def move(item: Appointment, hours: int = 2) -> None:
    """What rescheduling does to the row (the actions' job; done here by the ORM)."""
    item.starts_at += datetime.timedelta(hours=hours)
    item.ends_at += datetime.timedelta(hours=hours)
    item.sequence += 1
    item.updated_at = timezone.now() + datetime.timedelta(seconds=5)
    item.save(update_fields=["starts_at", "ends_at", "sequence", "updated_at"])


def cancel(item: Appointment, status: str = AppointmentStatus.CANCELLED) -> None:
    item.status = status
    item.cancelled_at = timezone.now()
    item.sequence += 1
    item.updated_at = timezone.now()
    item.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])


def assert_says_nothing_of_the_client(content: bytes, world: World) -> None:
    text = content.decode()
    unfolded = text.replace("\r\n ", "")
    for secret in (
        world.max.first_name,
        world.max.last_name,
        world.mia.first_name,
        world.gia.first_name,
        world.theo.user.full_name,
        "Theo",
        SERVICE_NAME,
        BILLING_CODE,
        TELEHEALTH,
        "quixotic",
        FACILITY_NAME,
        "Marmalade",
    ):
        assert secret not in unfolded, secret


# --- One appointment ---------------------------------------------------------------------------------------------


def test_an_appointment_is_one_rfc_5545_event_saying_appointment_and_the_practice(world, session_type):
    item = booked(world, session_type)
    calendar = parsed(appointment_ics(item))
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    (event,) = calendar.events
    assert str(event["UID"]) == uid_of(item)
    assert event.start == item.starts_at and event.end == item.ends_at
    assert isinstance(event.start, datetime.datetime) and event.start.utcoffset() == datetime.timedelta(0)
    assert item.updated_at.replace(microsecond=0) == event.DTSTAMP
    assert event.sequence == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Appointment"
    assert str(event["LOCATION"]) == "Riverside Counseling"
    assert str(event["DESCRIPTION"]) == "Riverside Counseling"


def test_a_calendar_entry_names_no_client_clinician_service_facility_or_link(world, session_type):
    item = booked(world, session_type)
    assert_says_nothing_of_the_client(appointment_ics(item), world)
    feed, _token = issue_feed(portal_viewer(world.gia_access_max))
    assert_says_nothing_of_the_client(feed_ics(feed), world)


def test_the_uid_stays_and_the_sequence_grows_as_an_appointment_is_moved(world, session_type):
    item = booked(world, session_type)
    before = parsed(appointment_ics(item)).events[0]
    move(item)
    item.refresh_from_db()
    after = parsed(appointment_ics(item)).events[0]
    assert str(after["UID"]) == str(before["UID"]) == uid_of(item)
    assert after.sequence == before.sequence + 1
    assert after.start == before.start + datetime.timedelta(hours=2)
    assert after.DTSTAMP > before.DTSTAMP
    move(item)
    item.refresh_from_db()
    assert parsed(appointment_ics(item)).events[0].sequence == 2


@pytest.mark.parametrize("status", [AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLATION])
def test_a_cancelled_appointment_is_status_cancelled_with_a_higher_sequence(world, session_type, status):
    item = booked(world, session_type)
    cancel(item, status)
    item.refresh_from_db()
    (event,) = parsed(appointment_ics(item)).events
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.sequence == 1
    assert str(event["UID"]) == uid_of(item)


@pytest.mark.parametrize("status", [AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW])
def test_an_appointment_that_held_its_time_stays_confirmed(world, session_type, status):
    item = booked(world, session_type, days=-2, status=status)
    assert str(parsed(appointment_ics(item)).events[0]["STATUS"]) == "CONFIRMED"


def test_a_practice_name_with_commas_and_semicolons_comes_back_whole(world, session_type):
    world.riverside.name = "Smith, Jones; Partners"
    world.riverside.save(update_fields=["name"])
    item = booked(world, session_type)
    assert str(parsed(appointment_ics(item)).events[0]["LOCATION"]) == "Smith, Jones; Partners"
    feed, _token = issue_feed(portal_viewer(world.gia_access_max))
    # Escaped as TEXT, the default type of an X- property (RFC 5545 3.8.8.2), as calendar apps write it themselves.
    assert b"\r\nX-WR-CALNAME:Smith\\, Jones\\; Partners\r\n" in feed_ics(feed)


# --- The subscription --------------------------------------------------------------------------------------------


def test_a_feed_is_named_after_the_practice_and_asks_to_be_fetched_hourly(world, session_type):
    feed, _token = issue_feed(portal_viewer(world.gia_access_max))
    content = feed_ics(feed)
    calendar = parsed(content)
    assert str(calendar["PRODID"]) == PRODID and str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Riverside Counseling"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in content
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in content


def test_a_feed_holds_both_of_gias_profiles_while_both_are_in_effect_and_drops_one_whose_access_ended(
    world, session_type
):
    maxs = booked(world, session_type, client=world.max, days=2)
    mias = booked(world, session_type, client=world.mia, days=4)
    anas = booked(world, session_type, client=world.ana, days=6)
    feed, _token = issue_feed(portal_viewer(world.gia_access_max))
    assert uids(feed_ics(feed)) == {uid_of(maxs), uid_of(mias)}
    assert uid_of(anas) not in uids(feed_ics(feed))
    world.gia_access_mia.mark_ended(AccessStatus.REVOKED)
    assert uids(feed_ics(feed)) == {uid_of(maxs)}


def test_a_feed_drops_a_client_who_came_of_age(world, session_type):
    """The guardian's access still reads Active, waiting for the daily task, but no longer works."""
    maxs = booked(world, session_type, client=world.max, days=2)
    mias = booked(world, session_type, client=world.mia, days=4)
    feed, _token = issue_feed(portal_viewer(world.gia_access_max))
    world.mia.date_of_birth = world.mia.date_of_birth.replace(year=world.mia.date_of_birth.year - 10)
    world.mia.save(update_fields=["date_of_birth"])
    assert uids(feed_ics(feed)) == {uid_of(maxs)}
    assert uid_of(mias) not in uids(feed_ics(feed))


def test_a_feed_reaches_90_days_back_and_keeps_cancelled_ones_as_cancelled(world, session_type):
    old = booked(world, session_type, days=-(FEED_DAYS_BACK + 1), status=AppointmentStatus.COMPLETED)
    recent = booked(world, session_type, days=-(FEED_DAYS_BACK - 1), status=AppointmentStatus.COMPLETED)
    cancelled = booked(world, session_type, days=5)
    cancel(cancelled)
    feed, _token = issue_feed(portal_viewer(world.gia_access_max))
    events = {str(event["UID"]): event for event in parsed(feed_ics(feed)).events}
    assert set(events) == {uid_of(recent), uid_of(cancelled)}
    assert uid_of(old) not in events
    assert str(events[uid_of(cancelled)]["STATUS"]) == "CANCELLED"
    assert str(events[uid_of(recent)]["STATUS"]) == "CONFIRMED"


def test_a_feed_shows_nothing_of_another_practice(world):
    hilltop_kind = service(world.hilltop, name="Hilltop session")
    hals = appointment(
        world.hilltop,
        client=world.hal,
        clinician=world.hana,
        service_type=hilltop_kind,
        starts_at=timezone.now() + datetime.timedelta(days=1),
    )
    feed, _token = issue_feed(portal_viewer(world.gia_access_max))
    assert uid_of(hals) not in uids(feed_ics(feed))


@pytest.mark.parametrize("count", [3, 60])
def test_a_feed_takes_the_same_queries_however_many_appointments(world, session_type, count, django_assert_num_queries):
    start = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=1)
    Appointment.objects.bulk_create(
        Appointment(
            practice=world.riverside,
            client=world.max if number % 2 else world.mia,
            clinician=world.theo,
            service=session_type,
            starts_at=start + datetime.timedelta(hours=2 * number),
            ends_at=start + datetime.timedelta(hours=2 * number, minutes=50),
            status=AppointmentStatus.CANCELLED if number % 5 == 0 else AppointmentStatus.SCHEDULED,
        )
        for number in range(count)
    )
    _feed, token = issue_feed(portal_viewer(world.gia_access_max))
    with django_assert_num_queries(2):  # the feed with its login; the appointments of its profiles in effect
        found = feed_for(token, practice=world.riverside)
        assert found is not None
        content = feed_ics(found)
    assert len(parsed(content).events) == count


# --- Its address -------------------------------------------------------------------------------------------------


def test_a_feed_keeps_only_the_hash_of_its_long_random_token_and_the_issue_is_audited(world):
    feed, token = issue_feed(portal_viewer(world.gia_access_max))
    assert len(token) >= 43  # 256 random bits
    assert feed.token_hash == hash_token(token) and token not in feed.token_hash
    assert not CalendarFeed.objects.filter(token_hash=token).exists()
    assert feed_for(token) == feed and feed_for(token, practice=world.riverside) == feed
    assert live_feed(portal_viewer(world.gia_access_mia)) == feed  # one per login and practice, whichever profile
    (event,) = AuditEvent.objects.filter(action="calendar.feed_issued")
    assert event.details == {"feed": feed.pk}
    assert event.practice_id == world.riverside.pk and event.client_id is None
    assert event.actor_kind == "portal" and event.actor_id == world.gia_account.pk


def test_a_new_feed_ends_the_old_address(world):
    viewer = portal_viewer(world.gia_access_max)
    old, old_token = issue_feed(viewer)
    new, new_token = issue_feed(viewer)
    assert feed_for(old_token) is None
    assert feed_for(new_token) == new
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert live_feed(viewer) == new
    assert CalendarFeed.objects.filter(account=world.gia_account, revoked_at__isnull=True).count() == 1
    latest = AuditEvent.objects.filter(action="calendar.feed_issued").latest("id")
    assert latest.details == {"feed": new.pk, "replaced": old.pk}


def test_a_turned_off_feed_is_found_no_more_and_turning_it_off_is_audited_once(world):
    viewer = portal_viewer(world.gia_access_max)
    feed, token = issue_feed(viewer)
    assert revoke_feed(viewer, feed) is True
    assert feed_for(token) is None
    assert live_feed(viewer) is None
    assert revoke_feed(viewer, feed) is False
    (event,) = AuditEvent.objects.filter(action="calendar.feed_revoked")
    assert event.details == {"feed": feed.pk}


def test_no_one_turns_off_another_logins_feed(world):
    feed, token = issue_feed(portal_viewer(world.gia_access_max))
    assert revoke_feed(portal_viewer(give_ana_a_portal_login(world)), feed) is False
    assert feed_for(token) == feed


def test_a_feed_of_an_inactive_login_or_another_practice_or_a_wrong_token_is_not_found(world):
    _feed, token = issue_feed(portal_viewer(world.gia_access_max))
    assert feed_for(token, practice=world.hilltop) is None
    assert feed_for(token[:-1]) is None
    assert feed_for("") is None
    assert feed_for("x" * 500) is None
    world.gia_account.is_active = False
    world.gia_account.save(update_fields=["is_active"])
    assert feed_for(token) is None


def test_fetching_marks_last_used_at_most_every_few_minutes(world):
    feed, _token = issue_feed(portal_viewer(world.gia_access_max))
    now = timezone.now()
    mark_fetched(feed, now=now)
    mark_fetched(feed, now=now + datetime.timedelta(minutes=1))
    feed.refresh_from_db()
    assert feed.last_fetched_at == now
    later = now + datetime.timedelta(minutes=10)
    mark_fetched(feed, now=later)
    feed.refresh_from_db()
    assert feed.last_fetched_at == later
