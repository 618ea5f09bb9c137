"""Appointments in the person's calendar app (APPT-2): "Add to calendar" gives the selected profile's appointment as
an .ics file (another profile's or practice's: 404, audited); the calendar link page makes a private subscription
address shown once, and turns it off; the address itself needs no sign-in, answers a calendar in a constant number
of queries, and 404 once turned off or replaced."""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from haven.audit.models import AuditEvent
from haven.clients.models import Client
from haven.portal.tests.helpers import select
from haven.portal_access.models import AccessKind, AccessStatus, PortalAccount, ProfileAccess
from haven.scheduling.models import Appointment, AppointmentStatus, CalendarFeed, ServiceType
from haven.scheduling.tests.factories import appointment, service
from tests.personas import PASSWORD, World

pytestmark = pytest.mark.django_db

SUBSCRIPTION = "/p/riverside/appointments/calendar/"
SERVICE_NAME = "Zygomorphic Trauma Intake"
TELEHEALTH = "https://video.example.org/room/quixotic-harbour-5531"


@pytest.fixture
def session_type(world: World) -> ServiceType:
    return service(world.riverside, name=SERVICE_NAME)


def booked(world: World, kind: ServiceType, client: Client, days: float = 3, **values: object) -> Appointment:
    starts_at = (timezone.now() + datetime.timedelta(days=days)).replace(second=0, microsecond=0)
    return appointment(
        world.riverside,
        client=client,
        clinician=world.theo,
        service_type=kind,
        starts_at=starts_at,
        facility=world.riverside_facility,
        telehealth_url=TELEHEALTH,
        **values,
    )


def ics_url(item: Appointment, slug: str = "riverside") -> str:
    return reverse("portal:appointment_ics", kwargs={"slug": slug, "appointment_id": item.pk})


def parsed(content: bytes) -> Calendar:
    calendar = Calendar.from_ical(content)
    assert isinstance(calendar, Calendar)
    return calendar


def uids(content: bytes) -> set[str]:
    return {str(event["UID"]) for event in parsed(content).events}


def last_event_id() -> int:
    last = AuditEvent.objects.order_by("-id").first()
    return last.pk if last else 0


def events_since(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=before).order_by("id"))


def make_link(http: HttpClient) -> str:
    """Press "Create my calendar link" and read the address the page shows once."""
    response = http.post(SUBSCRIPTION, {"action": "create"})
    assert response.status_code == 302 and response["Location"] == SUBSCRIPTION
    page = http.get(SUBSCRIPTION).content.decode()
    found = re.search(r'id="calendar-address" type="text" value="([^"]+)"', page)
    assert found, "the new address is shown"
    return found.group(1)


def path_of(address: str) -> str:
    return urlsplit(address).path


# --- "Add to calendar" ----------------------------------------------------------------------------------------------


def test_add_to_calendar_gives_the_selected_profiles_appointment_as_an_ics_file(world, gia, session_type):
    item = booked(world, session_type, world.max)
    select(gia, world.gia_access_max)
    response = gia.get(ics_url(item))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="appointment.ics"'
    assert "no-store" in response["Cache-Control"]
    (event,) = parsed(response.content).events
    assert str(event["UID"]) == f"{item.uid}@haven"
    assert str(event["SUMMARY"]) == "Appointment"
    text = response.content.decode().replace("\r\n ", "")
    for secret in (world.max.first_name, world.max.last_name, "Theo", SERVICE_NAME, "quixotic", "Riverside North"):
        assert secret not in text, secret


def test_another_profiles_appointment_answers_404_and_is_audited(world, gia, session_type):
    maxs = booked(world, session_type, world.max)
    select(gia, world.gia_access_mia)
    before = last_event_id()
    response = gia.get(ics_url(maxs))
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.content and world.max.first_name.encode() not in response.content
    (denied,) = events_since(before)
    assert denied.action == "access.denied"
    assert denied.details["object_type"] == "scheduling.appointment"
    assert denied.details["object_id"] == str(maxs.pk)


def test_an_appointment_whose_guardian_access_ended_answers_404_and_is_audited(world, gia, session_type):
    maxs = booked(world, session_type, world.max)
    select(gia, world.gia_access_max)
    world.gia_access_max.mark_ended(AccessStatus.EXPIRED)
    before = last_event_id()
    assert gia.get(ics_url(maxs)).status_code == 404
    assert "access.denied" in [event.action for event in events_since(before)]


def test_another_practices_appointment_answers_404_and_is_audited(world):
    hilltop_kind = service(world.hilltop, name="Hilltop session")
    riverside_kind = service(world.riverside, name="Riverside session")
    hals = appointment(
        world.hilltop,
        client=world.hal,
        clinician=world.hana,
        service_type=hilltop_kind,
        starts_at=timezone.now() + datetime.timedelta(days=1),
    )
    maxs = booked(world, riverside_kind, world.max)
    hal = PortalAccount(email=world.hal.email, full_name=world.hal.full_name, email_verified_at=timezone.now())
    hal.set_password(PASSWORD)
    hal.save()
    ProfileAccess.objects.create(
        account=hal,
        practice=world.hilltop,
        client=world.hal,
        kind=AccessKind.SELF,
        status=AccessStatus.ACTIVE,
        confirmed_at=timezone.now(),
    )
    http = HttpClient()
    assert http.post("/p/hilltop/", {"username": hal.email, "password": PASSWORD}).status_code == 302
    assert http.get(ics_url(hals, "hilltop")).status_code == 200
    before = last_event_id()
    response = http.get(ics_url(maxs, "hilltop"))
    assert response.status_code == 404
    assert [event.action for event in events_since(before)] == ["access.denied"]


def test_add_to_calendar_asks_an_anonymous_visitor_to_sign_in(world, client, session_type):
    item = booked(world, session_type, world.max)
    response = client.get(ics_url(item))
    assert response.status_code == 302 and urlsplit(response["Location"]).path == "/p/riverside/"


# --- The calendar link page ----------------------------------------------------------------------------------------


def test_the_page_explains_the_link_and_shows_it_is_off(world, gia):
    response = gia.get(SUBSCRIPTION)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Create my calendar link" in page
    assert "Anyone who has the link can see the times of your appointments (but never names)" in page
    assert 'id="calendar-address"' not in page


def test_a_new_link_is_shown_once_with_a_copy_button_and_a_webcal_link(world, gia):
    address = make_link(gia)
    assert address.startswith("http://testserver/p/riverside/calendar/") and address.endswith(".ics")
    feed = CalendarFeed.objects.get(account=world.gia_account, revoked_at__isnull=True)
    token = path_of(address).removeprefix("/p/riverside/calendar/").removesuffix(".ics")
    assert len(token) >= 43 and token not in feed.token_hash
    page = gia.get(SUBSCRIPTION).content.decode()
    assert token not in page and 'id="calendar-address"' not in page  # only once
    assert "Turn off this link" in page


def test_the_new_link_page_offers_copy_and_the_calendar_app(world, gia):
    gia.post(SUBSCRIPTION, {"action": "create"})
    page = gia.get(SUBSCRIPTION).content.decode()
    assert 'data-copy-from="calendar-address"' in page
    webcal = re.search(r'href="(webcal://testserver/p/riverside/calendar/[^"]+\.ics)"', page)
    assert webcal, "a webcal:// link opens the calendar app"


def test_the_feed_needs_no_sign_in_and_holds_the_logins_appointments(world, gia, session_type):
    maxs = booked(world, session_type, world.max, days=2)
    mias = booked(world, session_type, world.mia, days=4)
    booked(world, session_type, world.ana, days=6)
    address = make_link(gia)
    calendar_app = HttpClient()
    response = calendar_app.get(path_of(address))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert "Set-Cookie" not in response.headers and not response.cookies
    assert uids(response.content) == {f"{maxs.uid}@haven", f"{mias.uid}@haven"}
    assert str(parsed(response.content)["X-WR-CALNAME"]) == "Riverside Counseling"
    assert CalendarFeed.objects.get(account=world.gia_account).last_fetched_at is not None
    assert calendar_app.head(path_of(address)).status_code == 200


def test_the_feed_shows_a_cancelled_appointment_as_cancelled(world, gia, session_type):
    maxs = booked(world, session_type, world.max, status=AppointmentStatus.CANCELLED, sequence=1)
    address = make_link(gia)
    (event,) = parsed(HttpClient().get(path_of(address)).content).events
    assert str(event["UID"]) == f"{maxs.uid}@haven" and str(event["STATUS"]) == "CANCELLED"


def test_a_turned_off_link_answers_404_and_turning_it_off_is_audited(world, gia):
    address = make_link(gia)
    before = last_event_id()
    response = gia.post(SUBSCRIPTION, {"action": "turn_off"})
    assert response.status_code == 302
    assert [event.action for event in events_since(before)] == ["calendar.feed_revoked"]
    assert HttpClient().get(path_of(address)).status_code == 404
    page = gia.get(SUBSCRIPTION).content.decode()
    assert "Create my calendar link" in page and "Turn off this link" not in page


def test_a_new_link_ends_the_old_one(world, gia):
    old = make_link(gia)
    new = make_link(gia)
    assert old != new
    assert HttpClient().get(path_of(old)).status_code == 404
    assert HttpClient().get(path_of(new)).status_code == 200
    issued = AuditEvent.objects.filter(action="calendar.feed_issued").order_by("id")
    assert [event.details.get("replaced") for event in issued] == [None, issued[0].details["feed"]]


def test_an_unknown_token_or_another_practices_address_answers_a_plain_404(world, gia):
    address = make_link(gia)
    before = last_event_id()
    calendar_app = HttpClient()
    assert calendar_app.get("/p/riverside/calendar/not-a-real-token.ics").status_code == 404
    other = path_of(address).replace("/p/riverside/", "/p/hilltop/")
    response = calendar_app.get(other)
    assert response.status_code == 404 and b"BEGIN:VCALENDAR" not in response.content
    assert calendar_app.get(path_of(address).replace("/p/riverside/", "/p/nowhere/")).status_code == 404
    assert events_since(before) == []


def test_the_feed_of_a_disabled_login_answers_404(world, gia):
    address = make_link(gia)
    world.gia_account.is_active = False
    world.gia_account.save(update_fields=["is_active"])
    assert HttpClient().get(path_of(address)).status_code == 404


def test_the_feed_drops_a_profile_whose_access_ended(world, gia, session_type):
    maxs = booked(world, session_type, world.max, days=2)
    booked(world, session_type, world.mia, days=4)
    address = make_link(gia)
    world.gia_access_mia.mark_ended(AccessStatus.REVOKED)
    assert uids(HttpClient().get(path_of(address)).content) == {f"{maxs.uid}@haven"}


def test_an_unknown_action_is_refused(world, gia):
    assert gia.post(SUBSCRIPTION, {"action": "delete_everything"}).status_code == 400
    assert not CalendarFeed.objects.exists()


def test_the_link_page_asks_an_anonymous_visitor_to_sign_in(world, client):
    for response in (client.get(SUBSCRIPTION), client.post(SUBSCRIPTION, {"action": "create"})):
        assert response.status_code == 302 and urlsplit(response["Location"]).path == "/p/riverside/"
    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize("count", [3, 60])
def test_the_feed_answers_in_the_same_queries_however_many_appointments(
    world, gia, session_type, count, django_assert_num_queries
):
    start = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=1)
    Appointment.objects.bulk_create(
        Appointment(
            practice=world.riverside,
            client=world.max if number % 2 else world.mia,
            clinician=world.theo,
            service=session_type,
            starts_at=start + datetime.timedelta(hours=2 * number),
            ends_at=start + datetime.timedelta(hours=2 * number, minutes=50),
        )
        for number in range(count)
    )
    path = path_of(make_link(gia))
    calendar_app = HttpClient()
    # The practice its address names, the feed with its login, "last used", the appointments.
    with django_assert_num_queries(4):
        response = calendar_app.get(path)
    assert len(parsed(response.content).events) == count
