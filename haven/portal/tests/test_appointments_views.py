"""The portal's appointments (APPT-2): the selected profile's upcoming and past appointments and requests, booking an
open time, cancelling or moving one under the practice's cancellation window, and asking for an appointment; what
another profile, another practice or a guessed id reaches (404, audited), and what a contact who may only look sees."""

from __future__ import annotations

import datetime
import html
import re
from typing import TYPE_CHECKING

import pytest
from django.db import connection, reset_queries
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.clients.models import Client, RelatedContact
from haven.portal.tests.helpers import select
from haven.portal_access.models import AccessStatus, ProfileAccess
from haven.practices.models import StaffMember
from haven.scheduling import actions
from haven.scheduling.models import (
    Appointment,
    AppointmentRequest,
    AppointmentStatus,
    BookedBy,
    ClinicianSchedule,
    LateCancellation,
    RequestStatus,
    ServiceType,
)
from haven.scheduling.tests import factories
from tests.personas import World, give_ana_a_portal_login

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

LIST = "/p/riverside/appointments/"
BOOK = "/p/riverside/appointments/book/"
REQUEST = "/p/riverside/appointments/request/"


def detail_url(appointment: Appointment) -> str:
    return f"/p/riverside/appointments/{appointment.pk}/"


def cancel_url(appointment: Appointment) -> str:
    return f"/p/riverside/appointments/{appointment.pk}/cancel/"


def reschedule_url(appointment: Appointment) -> str:
    return f"/p/riverside/appointments/{appointment.pk}/reschedule/"


def withdraw_url(asked: AppointmentRequest) -> str:
    return f"/p/riverside/appointments/requests/{asked.pk}/withdraw/"


def text(response: TestResponse) -> str:
    return html.unescape(response.content.decode())


def denied(object_type: str) -> list[str]:
    return [
        event.details["object_id"]
        for event in AuditEvent.objects.filter(action="access.denied", details__object_type=object_type).order_by("id")
    ]


@pytest.fixture(autouse=True)
def _theo_is_max_and_mias_clinician(world: World) -> None:
    for child in (world.max, world.mia):
        child.clinician = world.theo
        child.save(update_fields=["clinician"])


@pytest.fixture
def therapy(world: World) -> ServiceType:
    return factories.service(world.riverside)


@pytest.fixture
def for_max(gia: HttpClient, world: World) -> HttpClient:
    select(gia, world.gia_access_max)
    gia.get("/p/riverside/home/")  # the "Now showing" message is shown and gone
    return gia


@pytest.fixture
def booking(world: World, therapy: ServiceType) -> ServiceType:
    """Online booking on, Theo working 9 to 5 every day: open times from tomorrow (the default 24 hours' notice)."""
    factories.settings(world.riverside, self_booking_enabled=True)
    factories.weekly_hours(world.theo)
    return therapy


def make(
    world: World,
    service: ServiceType,
    *,
    days: float = 3,
    client: Client | None = None,
    clinician: StaffMember | None = None,
    **values: object,
) -> Appointment:
    starts_at = (timezone.now() + datetime.timedelta(days=days)).replace(second=0, microsecond=0)
    return factories.appointment(
        world.riverside,
        client=client or world.max,
        clinician=clinician or world.theo,
        service_type=service,
        starts_at=starts_at,
        **values,
    )


def listed(http: HttpClient, section: str, url: str = LIST) -> list[int]:
    body = http.get(url).content.decode()
    part = body.split(f'id="{section}-heading"', 1)[1].split("</section>", 1)[0]
    return [int(found) for found in re.findall(r'data-appointment="(\d+)"', part)]


def row_of(http: HttpClient, appointment: Appointment) -> str:
    body = text(http.get(LIST))
    return body.split(f'data-appointment="{appointment.pk}"', 1)[1].split("</li>", 1)[0]


def slot_values(body: str) -> list[str]:
    return re.findall(r'name="starts_at" value="([^"]+)"', body)


def view_only(world: World) -> None:
    """Gia stays Max's mother with Web Portal, no longer his legal guardian: she may look, not act."""
    RelatedContact.objects.filter(pk=world.gia.pk).update(legal_guardian=False)


# --- The list ---------------------------------------------------------------------------------------------------------


def test_upcoming_and_past_show_when_with_the_zone_who_what_where_and_status_in_words(world, for_max, therapy):
    soon = make(world, therapy, days=3, facility=world.riverside_facility)
    later = make(world, therapy, days=10, telehealth_url="https://video.example/room-1")
    done = make(world, therapy, days=-7, status=AppointmentStatus.COMPLETED)
    missed = make(world, therapy, days=-14, status=AppointmentStatus.NO_SHOW)
    cancelled = make(world, therapy, days=5, status=AppointmentStatus.CANCELLED)
    late = make(world, therapy, days=-1, status=AppointmentStatus.LATE_CANCELLATION)
    mias = make(world, therapy, days=4, client=world.mia)

    assert listed(for_max, "upcoming") == [soon.pk, later.pk]
    assert listed(for_max, "past") == [cancelled.pk, late.pk, done.pk, missed.pk]
    assert mias.pk not in listed(for_max, "upcoming") + listed(for_max, "past")

    row = row_of(for_max, soon)
    assert re.search(r"\b(CST|CDT)\b", row)
    assert timezone.localtime(soon.starts_at, factories.CHICAGO).strftime("%A, %B %-d, %Y") in row
    assert "Theo Therapist · Individual therapy" in row and "Riverside North" in row and "Scheduled" in row
    assert 'href="https://video.example/room-1"' in row_of(for_max, later)
    assert "Completed" in row_of(for_max, done) and "No-show" in row_of(for_max, missed)
    assert "Cancelled" in row_of(for_max, cancelled) and "Late cancellation" in row_of(for_max, late)


def test_past_appointments_come_25_a_page_newest_first(world, for_max, therapy):
    made = [make(world, therapy, days=-(n + 1)) for n in range(27)]

    first = listed(for_max, "past")
    assert first == [appointment.pk for appointment in made[:25]]
    assert listed(for_max, "past", f"{LIST}?page=2") == [made[25].pk, made[26].pk]
    assert "1\u201325 of 27" in text(for_max.get(LIST))


def test_each_upcoming_row_offers_what_the_policy_allows(world, for_max, booking):
    far = make(world, booking, days=5)
    near = make(world, booking, days=0.25)  # inside the 24-hour window: the practice refuses changes online

    row = row_of(for_max, far)
    assert f'href="{reschedule_url(far)}"' in row and f'href="{cancel_url(far)}"' in row
    assert f'href="/p/riverside/appointments/{far.pk}/calendar.ics"' in row and "Add to calendar" in row
    near_row = row_of(for_max, near)
    assert "Reschedule" not in near_row and "Cancel Appointment" not in near_row and "Add to calendar" in near_row

    factories.settings(world.riverside, self_booking_enabled=False)
    row = row_of(for_max, far)
    assert "Reschedule" not in row and f'href="{cancel_url(far)}"' in row


def test_book_and_request_buttons_follow_the_practices_choices(world, for_max):
    body = text(for_max.get(LIST))  # the defaults: requests on, online booking off
    assert 'id="request-appointment"' in body and "Request Appointment" in body
    assert 'id="book-appointment"' not in body

    factories.settings(world.riverside, self_booking_enabled=True)
    body = text(for_max.get(LIST))
    assert 'id="book-appointment"' in body and 'id="request-appointment"' in body

    factories.settings(world.riverside, self_booking_enabled=False, requests_enabled=False)
    body = text(for_max.get(LIST))
    assert 'id="book-appointment"' not in body and 'id="request-appointment"' not in body


def test_the_list_links_the_calendar_subscription(world, for_max):
    assert 'href="/p/riverside/appointments/calendar/"' in for_max.get(LIST).content.decode()


# --- Access -------------------------------------------------------------------------------------------------------


def test_another_profiles_appointment_answers_404_and_is_audited(world, gia, therapy):
    maxs = make(world, therapy)
    select(gia, world.gia_access_mia)

    for url in (detail_url(maxs), cancel_url(maxs), reschedule_url(maxs)):
        assert gia.get(url).status_code == 404
    assert gia.post(cancel_url(maxs)).status_code == 404
    assert gia.post(reschedule_url(maxs), {"starts_at": maxs.starts_at.isoformat()}).status_code == 404

    assert denied("scheduling.appointment") == [str(maxs.pk)] * 5
    maxs.refresh_from_db()
    assert maxs.status == AppointmentStatus.SCHEDULED and maxs.sequence == 0
    assert maxs.pk not in listed(gia, "upcoming")


def test_another_practices_appointment_and_guessed_ids_answer_404_and_are_audited(world, for_max):
    hilltop_service = factories.service(world.hilltop)
    hals = factories.appointment(
        world.hilltop,
        client=world.hal,
        clinician=world.hana,
        service_type=hilltop_service,
        starts_at=timezone.now() + datetime.timedelta(days=3),
    )

    assert for_max.get(detail_url(hals)).status_code == 404
    assert for_max.get("/p/riverside/appointments/424242/").status_code == 404
    assert for_max.post("/p/riverside/appointments/requests/424242/withdraw/").status_code == 404

    assert denied("scheduling.appointment") == [str(hals.pk), "424242"]
    assert denied("scheduling.appointmentrequest") == ["424242"]


def test_another_profiles_request_cannot_be_withdrawn(world, gia):
    ana = give_ana_a_portal_login(world)
    anas = actions.request_appointment(
        viewer=factories.portal_viewer(ana), clinician=None, service=None, preferred_times="Mornings", note=""
    )
    select(gia, world.gia_access_max)

    assert gia.post(withdraw_url(anas)).status_code == 404
    assert denied("scheduling.appointmentrequest") == [str(anas.pk)]
    anas.refresh_from_db()
    assert anas.status == RequestStatus.REQUESTED


def test_a_guardian_whose_access_ended_sees_the_appointment_no_more(world, for_max, therapy):
    maxs = make(world, therapy)
    assert for_max.get(detail_url(maxs)).status_code == 200

    RelatedContact.objects.filter(pk=world.gia.pk).update(web_portal=False)

    assert for_max.get(detail_url(maxs)).status_code == 404
    assert for_max.post(cancel_url(maxs)).status_code == 404
    assert maxs.pk not in listed(for_max, "upcoming")  # the session fell back to Mia
    assert denied("scheduling.appointment") == [str(maxs.pk)] * 2
    maxs.refresh_from_db()
    assert maxs.status == AppointmentStatus.SCHEDULED


def test_without_any_profile_the_pages_answer_404_and_the_appointments_are_audited(world, for_max, therapy):
    maxs = make(world, therapy)
    ProfileAccess.objects.filter(account=world.gia_account).update(status=AccessStatus.REVOKED)

    for url in (LIST, BOOK, REQUEST, detail_url(maxs), cancel_url(maxs)):
        assert for_max.get(url).status_code == 404
    assert denied("scheduling.appointment") == [str(maxs.pk)] * 2  # the objects' 404s are audited


def test_a_contact_who_may_only_look_sees_the_list_without_buttons_and_is_refused_in_words(world, for_max, booking):
    maxs = make(world, booking, days=5)
    asked = actions.request_appointment(
        viewer=factories.portal_viewer(world.gia_access_max),
        clinician=None,
        service=None,
        preferred_times="Mornings",
        note="",
    )
    view_only(world)

    body = text(for_max.get(LIST))
    assert maxs.pk in listed(for_max, "upcoming") and f'data-request="{asked.pk}"' in body
    for button in ("Book an appointment", "Request Appointment", "Reschedule", "Cancel Appointment", "Withdraw"):
        assert button not in body, button
    assert "Only the client or a legal guardian can make or change appointments in the portal." in body
    detail = text(for_max.get(detail_url(maxs)))
    assert "Reschedule" not in detail and "Cancel Appointment</a>" not in detail

    words = "Only the client or a legal guardian can make or change appointments in the portal."
    slot = timezone.localtime(maxs.starts_at + datetime.timedelta(days=1)).isoformat()
    refused = [
        for_max.post(cancel_url(maxs)),
        for_max.post(reschedule_url(maxs), {"starts_at": slot}),
        for_max.post(BOOK, {"clinician": world.theo.pk, "service": booking.pk, "starts_at": slot}),
        for_max.post(REQUEST, {"preferred_times": "Evenings"}),
        for_max.post(withdraw_url(asked)),
    ]
    for response in refused:
        assert response.status_code == 403 and words in text(response)
    maxs.refresh_from_db()
    asked.refresh_from_db()
    assert (maxs.status, maxs.sequence, asked.status) == (AppointmentStatus.SCHEDULED, 0, RequestStatus.REQUESTED)
    assert Appointment.objects.count() == 1 and AppointmentRequest.objects.count() == 1


# --- Cancelling ------------------------------------------------------------------------------------------------------


def test_cancelling_outside_the_window_asks_then_cancels(world, for_max, therapy):
    maxs = make(world, therapy, days=3)

    page = text(for_max.get(cancel_url(maxs)))
    assert "Do you want to cancel this appointment?" in page and "Late cancellation" not in page
    response = for_max.post(cancel_url(maxs))

    assert response.status_code == 302 and response["Location"] == detail_url(maxs)
    maxs.refresh_from_db()
    assert maxs.status == AppointmentStatus.CANCELLED
    shown = text(for_max.get(detail_url(maxs)))
    assert "Your appointment is cancelled." in shown and 'id="appointment-status">Cancelled' in shown
    assert "Add to calendar" not in shown
    assert AuditEvent.objects.filter(action="appointment.cancelled").count() == 1


def test_inside_the_window_a_practice_that_refuses_says_so_and_nothing_changes(world, for_max, therapy):
    factories.settings(world.riverside, cancellation_window_hours=24, late_cancellation=LateCancellation.REFUSE)
    maxs = make(world, therapy, days=0.5)
    words = "Appointments can't be changed online less than 24 hours before they start. Please call the practice."

    assert words in text(for_max.get(detail_url(maxs)))
    page = for_max.get(cancel_url(maxs))
    assert page.status_code == 200 and words in text(page) and 'id="confirm-cancel"' not in text(page)
    response = for_max.post(cancel_url(maxs))

    assert response.status_code == 409 and words in text(response)
    maxs.refresh_from_db()
    assert maxs.status == AppointmentStatus.SCHEDULED


def test_inside_the_window_a_practice_that_marks_late_cancellations_warns_and_marks(world, for_max, therapy):
    factories.settings(world.riverside, cancellation_window_hours=24, late_cancellation=LateCancellation.MARK_LATE)
    maxs = make(world, therapy, days=0.5)

    assert "recorded as a Late cancellation" in text(for_max.get(detail_url(maxs)))
    page = text(for_max.get(cancel_url(maxs)))
    assert 'id="late-warning"' in page and "less than 24 hours before this appointment" in page
    response = for_max.post(cancel_url(maxs))

    assert response.status_code == 302
    maxs.refresh_from_db()
    assert maxs.status == AppointmentStatus.LATE_CANCELLATION
    assert "It is recorded as a Late cancellation." in text(for_max.get(detail_url(maxs)))
    assert "Late cancellation" in row_of(for_max, maxs) and maxs.pk in listed(for_max, "past")


def test_an_appointment_already_cancelled_cannot_be_cancelled_again(world, for_max, therapy):
    maxs = make(world, therapy, status=AppointmentStatus.CANCELLED)

    response = for_max.post(cancel_url(maxs))

    assert response.status_code == 409 and "This appointment is no longer scheduled." in text(response)


# --- Rescheduling -----------------------------------------------------------------------------------------------


def test_rescheduling_offers_the_clinicians_open_times_and_moves_it(world, for_max, booking):
    maxs = make(world, booking, days=3)

    page = for_max.get(reschedule_url(maxs))
    assert page.status_code == 200
    offered = slot_values(page.content.decode())
    assert offered and re.search(r"\b(CST|CDT)\b", text(page))
    chosen = offered[-1]
    response = for_max.post(reschedule_url(maxs), {"starts_at": chosen})

    assert response.status_code == 302 and response["Location"] == detail_url(maxs)
    maxs.refresh_from_db()
    assert maxs.starts_at == datetime.datetime.fromisoformat(chosen) and maxs.sequence == 1
    assert "Your appointment is moved to" in text(for_max.get(detail_url(maxs)))


def test_moving_to_a_time_just_taken_says_so_and_shows_the_times_left(world, for_max, booking):
    maxs = make(world, booking, days=3)
    offered = slot_values(for_max.get(reschedule_url(maxs)).content.decode())
    taken = datetime.datetime.fromisoformat(offered[0])
    factories.appointment(
        world.riverside, client=world.ana, clinician=world.theo, service_type=booking, starts_at=taken
    )

    response = for_max.post(reschedule_url(maxs), {"starts_at": offered[0]})

    assert response.status_code == 409
    body = text(response)
    assert "That time was just taken." in body
    left = slot_values(response.content.decode())
    assert left and offered[0] not in left
    before = maxs.starts_at
    maxs.refresh_from_db()
    assert maxs.starts_at == before and maxs.sequence == 0


def test_rescheduling_inside_the_window_is_refused_in_words(world, for_max, booking):
    maxs = make(world, booking, days=0.5)

    page = for_max.get(reschedule_url(maxs))
    assert page.status_code == 200 and "less than 24 hours before they start" in text(page)
    assert not slot_values(page.content.decode())
    assert for_max.post(reschedule_url(maxs), {"starts_at": maxs.starts_at.isoformat()}).status_code == 409


# --- Booking ----------------------------------------------------------------------------------------------------


def test_with_online_booking_off_the_book_page_says_so(world, for_max, therapy):
    page = for_max.get(BOOK)

    assert page.status_code == 200 and "doesn't offer online booking" in text(page)
    assert not slot_values(page.content.decode())
    response = for_max.post(BOOK, {"clinician": world.theo.pk, "service": therapy.pk, "starts_at": "x"})
    assert response.status_code == 403 and Appointment.objects.count() == 0


def test_booking_shows_the_clients_clinicians_open_times_by_day_and_books_one(world, for_max, booking):
    page = for_max.get(BOOK)

    assert page.status_code == 200
    body = page.content.decode()
    assert re.search(rf'<option value="{world.theo.pk}" selected>Theo Therapist</option>', body)
    offered = slot_values(body)
    assert offered and 'data-day="' in body
    response = for_max.post(BOOK, {"clinician": world.theo.pk, "service": booking.pk, "starts_at": offered[0]})

    booked = Appointment.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(booked)
    assert (booked.client, booked.clinician, booked.service) == (world.max, world.theo, booking)
    assert booked.booked_by == BookedBy.PORTAL and booked.booked_by_account == world.gia_account
    assert booked.starts_at == datetime.datetime.fromisoformat(offered[0])
    shown = text(for_max.get(detail_url(booked)))
    assert "Your appointment is booked for" in shown and "with Theo Therapist" in shown


def test_a_time_just_taken_says_so_keeps_the_choice_and_offers_the_times_left(world, for_max, booking):
    offered = slot_values(for_max.get(BOOK).content.decode())
    taken = datetime.datetime.fromisoformat(offered[0])
    factories.appointment(
        world.riverside, client=world.ana, clinician=world.theo, service_type=booking, starts_at=taken
    )

    response = for_max.post(BOOK, {"clinician": world.theo.pk, "service": booking.pk, "starts_at": offered[0]})

    assert response.status_code == 409
    body = response.content.decode()
    assert "That time was just taken." in text(response)
    left = slot_values(body)
    assert offered[-1] in left and offered[0] not in left
    assert re.search(rf'<option value="{booking.pk}" selected>', body)
    assert Appointment.objects.filter(client=world.max).count() == 0


def test_the_weeks_of_open_times_go_as_far_as_the_practices_horizon(world, for_max, booking):
    factories.settings(world.riverside, self_booking_enabled=True, max_horizon_days=10)
    query = f"?clinician={world.theo.pk}&service={booking.pk}&week="

    first = for_max.get(BOOK).content.decode()
    assert f'href="{query}1"' in html.unescape(first) and 'id="earlier-week"' not in first
    last = for_max.get(f"{BOOK}{query}1").content.decode()
    assert 'id="next-week"' not in last and f'href="{query}0"' in html.unescape(last)
    horizon = timezone.now() + datetime.timedelta(days=10)
    assert all(datetime.datetime.fromisoformat(value) <= horizon for value in slot_values(last))
    assert for_max.get(f"{BOOK}{query}99").status_code == 200  # the nearest week offered


def test_a_clinician_who_takes_no_online_bookings_is_not_offered(world, for_max, booking):
    ClinicianSchedule.objects.create(staff=world.theo, accepts_online_booking=False)

    body = text(for_max.get(BOOK))

    assert "Theo Therapist" not in body and not slot_values(body)


# --- Requests ---------------------------------------------------------------------------------------------------


def test_a_request_with_a_problem_keeps_what_was_typed(world, for_max, therapy):
    page = text(for_max.get(REQUEST))
    assert "Any clinician" in page and "Theo Therapist" in page and "Individual therapy (50 min)" in page

    response = for_max.post(REQUEST, {"clinician": world.theo.pk, "preferred_times": "", "note": "Max has school."})

    assert response.status_code == 400
    body = text(response)
    assert "Write the days or times that suit you" in body and "Max has school." in body
    assert re.search(rf'<option value="{world.theo.pk}" selected>', body)
    assert AppointmentRequest.objects.count() == 0


def test_a_request_shows_as_requested_until_withdrawn(world, for_max, therapy):
    response = for_max.post(
        REQUEST,
        {"clinician": "", "service": therapy.pk, "preferred_times": "Weekday mornings", "note": "After 9, please."},
    )

    assert response.status_code == 302 and response["Location"] == LIST
    asked = AppointmentRequest.objects.get()
    assert (asked.client, asked.clinician, asked.service) == (world.max, None, therapy)
    assert (asked.preferred_times, asked.note) == ("Weekday mornings", "After 9, please.")
    body = text(for_max.get(LIST))
    assert "Your request was sent to Riverside Counseling." in body
    item = body.split(f'data-request="{asked.pk}"', 1)[1].split("</li>", 1)[0]
    assert "Requested" in item and "Any clinician · Individual therapy" in item and "Weekday mornings" in item
    assert f'action="{withdraw_url(asked)}"' in item

    response = for_max.post(withdraw_url(asked))

    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == RequestStatus.WITHDRAWN
    body = text(for_max.get(LIST))
    assert "Your request is withdrawn." in body and f'data-request="{asked.pk}"' not in body
    assert for_max.post(withdraw_url(asked)).status_code == 409


def test_a_declined_request_shows_the_practices_reason(world, for_max):
    asked = actions.request_appointment(
        viewer=factories.portal_viewer(world.gia_access_max),
        clinician=None,
        service=None,
        preferred_times="Saturdays",
        note="",
    )
    actions.decline_request(by=world.ada, request=asked, reason="We are closed on Saturdays. Please call us.")

    item = text(for_max.get(LIST)).split(f'data-request="{asked.pk}"', 1)[1].split("</li>", 1)[0]

    assert "Declined" in item and "We are closed on Saturdays. Please call us." in item
    assert "Withdraw" not in item


def test_with_requests_off_the_request_page_says_so(world, for_max):
    factories.settings(world.riverside, requests_enabled=False)

    assert "takes appointment requests by phone" in text(for_max.get(REQUEST))
    response = for_max.post(REQUEST, {"preferred_times": "Mornings"})
    assert response.status_code == 403 and AppointmentRequest.objects.count() == 0


# --- Home -------------------------------------------------------------------------------------------------------


def test_home_links_to_appointments(world, for_max):
    assert f'href="{LIST}"' in for_max.get("/p/riverside/home/").content.decode()


# --- Queries -----------------------------------------------------------------------------------------------------


def grow(world: World, service: ServiceType, count: int) -> None:
    """``count`` past and ``count`` upcoming appointments for Max, and ``count`` requests."""
    start = timezone.now().replace(second=0, microsecond=0)
    existing = Appointment.objects.filter(client=world.max).count()
    rows = []
    for n in range(count):
        for sign in (1, -1):
            begins = start + sign * datetime.timedelta(hours=3 * (existing + n + 1)) + datetime.timedelta(days=2 * sign)
            rows.append(
                Appointment(
                    practice=world.riverside,
                    client=world.max,
                    clinician=world.theo,
                    service=service,
                    starts_at=begins,
                    ends_at=begins + datetime.timedelta(minutes=50),
                    facility=world.riverside_facility if n % 2 else None,
                    status=AppointmentStatus.NO_SHOW if sign < 0 and n % 3 == 0 else AppointmentStatus.SCHEDULED,
                )
            )
    Appointment.objects.bulk_create(rows)
    viewer = factories.portal_viewer(world.gia_access_max)
    for n in range(count):
        actions.request_appointment(
            viewer=viewer, clinician=world.theo if n % 2 else None, service=service, preferred_times="Any", note=""
        )


def queries(http: HttpClient, url: str) -> int:
    http.get(url)
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200
    return len(captured)


def test_the_list_runs_as_many_queries_for_many_appointments_as_for_a_few(
    world, for_max, booking, django_assert_max_num_queries
):
    grow(world, booking, 2)
    few = queries(for_max, LIST)
    grow(world, booking, 40)
    many = queries(for_max, LIST)

    assert many == few
    # The session, the practice, the account with its profiles; the Inbox's unread count; the settings; each
    # list's count and page; the requests.
    with django_assert_max_num_queries(11):
        for_max.get(LIST)


def test_the_book_page_runs_as_many_queries_however_full_the_week(world, for_max, booking):
    few = queries(for_max, BOOK)
    grow(world, booking, 30)
    assert queries(for_max, BOOK) == few
