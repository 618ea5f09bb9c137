"""The staff calendar (APPT-1): day, week and month views, the appointment window (book, a series, edit, cancel,
mark), the requests queue (approve, decline); who is refused; the same queries however many appointments."""

from __future__ import annotations

import datetime
import re
from html import unescape
from typing import TYPE_CHECKING

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.practices.models import StaffMember
from haven.practices.viewers import StaffViewer
from haven.scheduling import actions
from haven.scheduling.models import (
    Appointment,
    AppointmentRequest,
    AppointmentStatus,
    RequestStatus,
    ServiceType,
)
from haven.scheduling.tests.factories import CHICAGO, portal_viewer, service
from tests.personas import World

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db


# --- Helpers --------------------------------------------------------------------------------------------------------


def page(response: TestResponse) -> str:
    return unescape(response.content.decode())


def as_staff(login, member: StaffMember) -> HttpClient:
    return login(member, HttpClient())


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def events_since(before: int, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=before, action=action).order_by("pk"))


def next_monday() -> datetime.date:
    """A Monday at least a week away, in Riverside's zone (staff book freely; the portal's notice is not in play)."""
    today = timezone.localdate(timezone=CHICAGO)
    return today + datetime.timedelta(days=7 + (7 - today.weekday()) % 7)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=CHICAGO)


def book(
    world: World, starts_at: datetime.datetime, *, client=None, clinician=None, kind: ServiceType | None = None
) -> Appointment:
    details = actions.AppointmentDetails(
        client=client or world.ana,
        clinician=clinician or world.theo,
        service=kind or ServiceType.objects.get(practice=world.riverside, name="Individual therapy"),
        starts_at=starts_at,
    )
    return actions.create_appointment(by=world.ada, details=details)[0]


def calendar_url(**query: object) -> str:
    return reverse("staff:calendar") + "?" + "&".join(f"{key}={value}" for key, value in query.items())


def shown_appointments(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-appointment="(\d+)"', html)]


def form_data(world: World, day: datetime.date, time: str = "10:00", **extra: object) -> dict[str, object]:
    return {
        "client": world.ana.pk,
        "clinician": world.theo.pk,
        "service": ServiceType.objects.get(practice=world.riverside, name="Individual therapy").pk,
        "date": day.isoformat(),
        "start_time": time,
        "facility": "",
        "telehealth_url": "",
        "recurrence": "",
        "occurrences": "1",
        **extra,
    }


def gia_requests(
    world: World, times: str = "Weekday afternoons after 3", note: str = "Max prefers Theo"
) -> AppointmentRequest:
    return actions.request_appointment(
        viewer=portal_viewer(world.gia_access_max), clinician=None, service=None, preferred_times=times, note=note
    )


@pytest.fixture
def therapy(world: World) -> ServiceType:
    return service(world.riverside)


# --- The calendar ---------------------------------------------------------------------------------------------------


def test_the_week_shows_each_appointment_with_time_client_service_and_status_and_cancelled_ones_struck(
    world: World, login, therapy: ServiceType
) -> None:
    monday = next_monday()
    held = book(world, at(monday, 9))
    dropped = book(world, at(monday + datetime.timedelta(days=2), 14, 30), client=world.max)
    actions.cancel_appointment(viewer=StaffViewer(world.ada), appointment=dropped, late=True)
    book(world, at(monday + datetime.timedelta(days=7), 9), client=world.ben)  # the week after: not shown
    gia_requests(world)

    html = page(as_staff(login, world.fran).get(calendar_url(view="week", date=monday.isoformat())))

    assert shown_appointments(html) == [held.pk, dropped.pk]
    assert html.count('data-day="') == 7
    held_block = re.search(rf'data-appointment="{held.pk}".*?</a>', html, re.S).group(0)  # type: ignore[union-attr]
    assert "9:00 AM" in held_block and "9:50 AM" in held_block
    assert "Ana Alvarez" in held_block and "Individual therapy" in held_block and "Theo Therapist" in held_block
    assert "Scheduled" in held_block
    dropped_block = re.search(rf'data-appointment="{dropped.pk}".*?</a>', html, re.S).group(0)  # type: ignore[union-attr]
    assert "2:30 PM" in dropped_block and "Late cancellation" in dropped_block
    assert "text-decoration-line-through" in dropped_block and "Max Moreno" in dropped_block
    assert re.search(r'href="/staff/calendar/requests/"[^>]*>Requests <span[^>]*data-pending>1<', html)
    assert "Ben Brooks" not in html


def test_the_day_view_lists_each_clinicians_day_and_the_month_view_counts_each_day(
    world: World, login, therapy: ServiceType
) -> None:
    monday = next_monday()
    theo_first = book(world, at(monday, 13))
    theo_second = book(world, at(monday, 9), client=world.ben)
    ada_one = book(world, at(monday, 11), clinician=world.ada, client=world.max)
    fran = as_staff(login, world.fran)

    day = page(fran.get(calendar_url(view="day", date=monday.isoformat())))
    theo_column = re.search(rf'data-clinician="{world.theo.pk}".*?</section>', day, re.S).group(0)  # type: ignore[union-attr]
    assert shown_appointments(theo_column) == [theo_second.pk, theo_first.pk]  # by time
    ada_column = re.search(rf'data-clinician="{world.ada.pk}".*?</section>', day, re.S).group(0)  # type: ignore[union-attr]
    assert shown_appointments(ada_column) == [ada_one.pk]
    assert monday.strftime("%A") in day

    month = page(fran.get(calendar_url(view="month", date=monday.isoformat())))
    cell = re.search(rf'data-day="{monday.isoformat()}".*?</section>', month, re.S).group(0)  # type: ignore[union-attr]
    assert 'data-count="3"' in cell and "3 appointments" in cell
    assert "9:00 AM Ben Brooks" in cell

    only_theo = page(fran.get(calendar_url(view="week", date=monday.isoformat(), clinician=world.theo.pk)))
    assert shown_appointments(only_theo) == [theo_second.pk, theo_first.pk]


def test_previous_next_and_today_move_by_the_view(world: World, login, therapy: ServiceType) -> None:
    fran = as_staff(login, world.fran)
    html = page(fran.get(calendar_url(view="month", date="2031-01-31", clinician=world.theo.pk)))
    assert f'href="/staff/calendar/?view=month&amp;date=2030-12-31&amp;clinician={world.theo.pk}" rel="prev"' in (
        fran.get(calendar_url(view="month", date="2031-01-31", clinician=world.theo.pk)).content.decode()
    )
    assert "January 2031" in html
    week = fran.get(calendar_url(view="week", date="2031-01-01")).content.decode()
    assert 'href="/staff/calendar/?view=week&amp;date=2031-01-08" rel="next"' in week
    assert "Dec 30, 2030 \N{EN DASH} Jan 5, 2031" in unescape(week)
    default = page(fran.get(reverse("staff:calendar")))  # the week of today
    today = timezone.localdate(timezone=CHICAGO)
    assert f'data-day="{today.isoformat()}"' in default and "Today" in default


@pytest.mark.parametrize("count", [4, 30])
def test_the_week_view_reads_the_same_queries_however_many_appointments(
    world: World, login, therapy: ServiceType, django_assert_max_num_queries, count: int
) -> None:
    monday = next_monday()
    clients = [world.ana, world.ben, world.max, world.mia]
    for n in range(count):
        day = monday + datetime.timedelta(days=n % 7)
        book(world, at(day, 7 + n // 7, 0), client=clients[n % len(clients)])
    fran = as_staff(login, world.fran)
    url = calendar_url(view="week", date=monday.isoformat())
    fran.get(url)  # the session's first request
    with django_assert_max_num_queries(8):
        html = page(fran.get(url))
    assert len(shown_appointments(html)) == count


# --- Who may see it -------------------------------------------------------------------------------------------------


def test_staff_without_scheduling_are_refused_everywhere_and_see_no_calendar_link(
    world: World, login, therapy: ServiceType
) -> None:
    appointment = book(world, at(next_monday(), 9))
    found = gia_requests(world)
    bill = as_staff(login, world.bill)
    before = last_event_id()
    gets = [
        reverse("staff:calendar"),
        reverse("staff:appointment_new"),
        reverse("staff:appointment", args=[appointment.pk]),
        reverse("staff:appointment_edit", args=[appointment.pk]),
        reverse("staff:appointment_requests"),
        reverse("staff:appointment_request", args=[found.pk]),
        reverse("staff:availability"),
    ]
    for url in gets:
        response = bill.get(url)
        assert response.status_code == 403, url
        assert "Ana Alvarez" not in page(response)
    posts = [
        reverse("staff:appointment_cancel", args=[appointment.pk]),
        reverse("staff:appointment_request_decline", args=[found.pk]),
    ]
    for url in posts:
        assert bill.post(url, {"kind": "cancelled", "decline-reason": "No"}).status_code == 403, url
    forbidden = events_since(before, "access.forbidden")
    assert len(forbidden) == len(gets) + len(posts)
    assert {event.details["permission"] for event in forbidden} == {"scheduling"}
    appointment.refresh_from_db()
    found.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED and found.status == RequestStatus.REQUESTED
    assert 'href="/staff/calendar/"' not in page(bill.get(reverse("staff:client_list")))
    link = re.search(
        r'<a class="nav-link[^"]*" href="/staff/calendar/">Calendar</a>',
        page(as_staff(login, world.fran).get(reverse("staff:client_list"))),
    )
    assert link is not None


def test_another_practice_and_guessed_ids_answer_404_and_each_is_audited(
    world: World, login, therapy: ServiceType
) -> None:
    appointment = book(world, at(next_monday(), 9))
    found = gia_requests(world)
    hana = as_staff(login, world.hana)
    before = last_event_id()
    urls = [
        ("GET", reverse("staff:appointment", args=[appointment.pk])),
        ("GET", reverse("staff:appointment_edit", args=[appointment.pk])),
        ("POST", reverse("staff:appointment_edit", args=[appointment.pk])),
        ("POST", reverse("staff:appointment_cancel", args=[appointment.pk])),
        ("POST", reverse("staff:appointment_status", args=[appointment.pk])),
        ("GET", reverse("staff:appointment_request", args=[found.pk])),
        ("POST", reverse("staff:appointment_request_approve", args=[found.pk])),
        ("POST", reverse("staff:appointment_request_decline", args=[found.pk])),
        ("GET", reverse("staff:appointment", args=[2_000_000_000])),
    ]
    for method, url in urls:
        response = hana.get(url) if method == "GET" else hana.post(url, {"kind": "cancelled", "status": "completed"})
        assert response.status_code == 404, (method, url)
        body = page(response)
        assert "Ana Alvarez" not in body and "Max Moreno" not in body
    denied = events_since(before, "access.denied")
    assert len(denied) == len(urls)
    assert {event.details["object_type"] for event in denied} == {
        "scheduling.appointment",
        "scheduling.appointmentrequest",
    }
    assert all(event.actor_id == world.hana.user.pk and event.practice_id == world.hilltop.pk for event in denied)
    # Her own calendar shows nothing of Riverside's.
    calendar = page(hana.get(calendar_url(view="week", date=next_monday().isoformat())))
    assert shown_appointments(calendar) == [] and "Theo Therapist" not in calendar
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED
    # A client of another practice named to prefill a new appointment: 404, audited.
    before = last_event_id()
    assert (
        as_staff(login, world.ada).get(reverse("staff:appointment_new") + f"?client={world.hal.pk}").status_code == 404
    )
    assert [e.details["object_type"] for e in events_since(before, "access.denied")] == ["clients.client"]


# --- The appointment window -----------------------------------------------------------------------------------------


def test_a_new_appointment_from_a_chart_is_prefilled_and_booked(world: World, login, therapy: ServiceType) -> None:
    world.max.clinician = world.theo
    world.max.save()
    fran = as_staff(login, world.fran)
    html = page(fran.get(reverse("staff:appointment_new") + f"?client={world.max.pk}"))
    assert re.search(rf'<option value="{world.max.pk}" selected>Moreno, Max', html)
    assert re.search(rf'<option value="{world.theo.pk}" selected>Theo Therapist', html)
    assert re.search(rf'<option value="{world.riverside_facility.pk}" selected>Riverside North', html)
    assert f'value="{world.bill.pk}"' not in html  # billing staff take no appointments

    monday = next_monday()
    data = form_data(world, monday, "15:30", client=world.max.pk, facility=world.riverside_facility.pk)
    response = fran.post(reverse("staff:appointment_new"), data)
    assert response.status_code == 302
    made = Appointment.objects.get(client=world.max)
    assert response["Location"] == reverse("staff:appointment", args=[made.pk])
    assert made.starts_at == at(monday, 15, 30) and made.ends_at == at(monday, 16, 20)
    assert made.facility == world.riverside_facility and made.clinician == world.theo
    assert AuditEvent.objects.filter(action="appointment.created", object_id=str(made.pk)).count() == 1


def test_an_overlapping_appointment_is_refused_in_words_keeping_what_was_typed(
    world: World, login, therapy: ServiceType
) -> None:
    monday = next_monday()
    book(world, at(monday, 10), client=world.ben)
    fran = as_staff(login, world.fran)
    data = form_data(world, monday, "10:30", telehealth_url="https://meet.example.com/ana-typed")
    response = fran.post(reverse("staff:appointment_new"), data)
    assert response.status_code == 400
    html = page(response)
    refusal = re.search(r'id="form-refusal">(.*?)</div>', html, re.S)
    assert refusal is not None
    assert "Theo Therapist already has an appointment" in refusal.group(1)
    assert "10 a.m." in refusal.group(1) and "10:50 a.m." in refusal.group(1)
    assert 'value="https://meet.example.com/ana-typed"' in html
    assert f'value="{monday.isoformat()}"' in html and 'value="10:30"' in html
    assert re.search(rf'<option value="{world.ana.pk}" selected>', html)
    assert Appointment.objects.filter(client=world.ana).count() == 0


def test_a_time_the_clocks_skip_is_refused_in_words(world: World, login, therapy: ServiceType) -> None:
    # Riverside is in America/Chicago: 2:30 AM on the second Sunday of March 2031 doesn't happen.
    response = as_staff(login, world.fran).post(
        reverse("staff:appointment_new"), form_data(world, datetime.date(2031, 3, 9), "02:30")
    )
    assert response.status_code == 400
    assert "The clocks change that night and 02:30 doesn't happen." in page(response)


def test_a_weekly_series_of_four_makes_four_appointments_each_in_its_week(
    world: World, login, therapy: ServiceType
) -> None:
    monday = next_monday()
    fran = as_staff(login, world.fran)
    response = fran.post(
        reverse("staff:appointment_new"), form_data(world, monday, "16:00", recurrence="weekly", occurrences="4")
    )
    assert response.status_code == 302
    made = list(Appointment.objects.filter(client=world.ana).order_by("starts_at"))
    assert len(made) == 4 and len({a.series_id for a in made}) == 1
    assert [a.starts_at for a in made] == [at(monday + datetime.timedelta(weeks=n), 16) for n in range(4)]
    assert "4 appointments booked, every week from" in page(fran.get(response["Location"]))
    for n, appointment in enumerate(made):
        week = page(fran.get(calendar_url(view="week", date=(monday + datetime.timedelta(weeks=n)).isoformat())))
        assert shown_appointments(week) == [appointment.pk]
    detail = page(fran.get(reverse("staff:appointment", args=[made[2].pk])))
    assert "Every week: appointment 3 of 4" in detail

    refused = fran.post(
        reverse("staff:appointment_new"), form_data(world, monday, "09:00", occurrences="53", recurrence="biweekly")
    )
    assert refused.status_code == 400 and "A series can have at most 52 appointments." in page(refused)


def test_the_appointment_window_shows_everything_and_the_clients_portal_status(
    world: World, login, therapy: ServiceType
) -> None:
    appointment = book(world, at(next_monday(), 9))
    appointment.telehealth_url = "https://meet.example.com/room"
    appointment.save()
    html = page(as_staff(login, world.fran).get(reverse("staff:appointment", args=[appointment.pk])))
    assert "Ana Alvarez" in html and "Theo Therapist" in html and "Individual therapy" in html
    assert "50 min" in html and "90834" in html and "https://meet.example.com/room" in html
    assert 'id="appointment-portal-status"' in html and "portal-status--no_account" in html  # email, no account yet
    assert "Edit or reschedule" in html and "Cancel Appointment" in html and "Mark No-show" in html
    assert f'href="{reverse("staff:client_chart", args=[world.ana.pk])}"' in html
    assert "Add to calendar" not in html  # the portal's


def test_the_appointment_window_lists_the_reminders_of_its_time_and_whether_they_went(
    world: World, login, therapy: ServiceType
) -> None:
    fran = as_staff(login, world.fran)
    without = book(world, at(next_monday(), 9))  # Ana has no portal login: nobody to remind
    assert 'id="no-reminders"' in page(fran.get(reverse("staff:appointment", args=[without.pk])))
    appointment = book(world, at(next_monday(), 11), client=world.max)  # Gia, Max's guardian, is reminded
    sent = appointment.reminders.order_by("due_at").first()
    assert sent is not None
    sent.sent_at = timezone.now()
    sent.save(update_fields=["sent_at"])
    html = page(fran.get(reverse("staff:appointment", args=[appointment.pk])))
    assert html.count("data-reminder=") == 2
    assert "Email to Gia Moreno · 48 hours before" in html and "Sent " in html
    assert "Email to Gia Moreno · 2 hours before" in html and "Planned for " in html


def test_editing_reschedules_and_a_stale_page_is_refused(world: World, login, therapy: ServiceType) -> None:
    monday = next_monday()
    appointment = book(world, at(monday, 9))
    fran = as_staff(login, world.fran)
    edit = reverse("staff:appointment_edit", args=[appointment.pk])
    html = page(fran.get(edit))
    assert 'value="09:00"' in html and 'name="recurrence"' not in html and 'name="client"' not in html

    data = form_data(world, monday, "11:00", sequence=appointment.sequence)
    del data["client"]
    assert fran.post(edit, data).status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == at(monday, 11) and appointment.sequence == 1
    assert AuditEvent.objects.filter(action="appointment.rescheduled", object_id=str(appointment.pk)).count() == 1

    stale = fran.post(edit, {**data, "start_time": "12:00", "sequence": 0})  # a tab opened before the move
    assert stale.status_code == 400
    assert "Someone changed this appointment a moment ago." in page(stale)
    appointment.refresh_from_db()
    assert appointment.starts_at == at(monday, 11)


def test_cancelling_as_late_and_marking_completed_or_no_show(world: World, login, therapy: ServiceType) -> None:
    monday = next_monday()
    first, second = book(world, at(monday, 9)), book(world, at(monday, 11))
    fran = as_staff(login, world.fran)

    response = fran.post(
        reverse("staff:appointment_cancel", args=[first.pk]), {"kind": "late_cancellation", "sequence": 0}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == AppointmentStatus.LATE_CANCELLATION
    event = AuditEvent.objects.get(action="appointment.cancelled", object_id=str(first.pk))
    assert event.details["late"] is True and event.details["by_portal"] is False
    html = page(fran.get(response["Location"]))
    assert "The appointment was marked Late cancellation." in html
    assert "Cancel Appointment" not in html and "Edit or reschedule" not in html

    assert fran.post(reverse("staff:appointment_status", args=[second.pk]), {"status": "no_show"}).status_code == 302
    second.refresh_from_db()
    assert second.status == AppointmentStatus.NO_SHOW
    assert "Back to Scheduled" in page(fran.get(reverse("staff:appointment", args=[second.pk])))
    refused = fran.post(reverse("staff:appointment_status", args=[first.pk]), {"status": "completed"})
    assert refused.status_code == 302
    assert "A cancelled appointment can't be marked." in page(fran.get(refused["Location"]))
    first.refresh_from_db()
    assert first.status == AppointmentStatus.LATE_CANCELLATION


# --- Requests -------------------------------------------------------------------------------------------------------


def test_the_queue_lists_waiting_requests_first_with_times_note_and_when(
    world: World, login, therapy: ServiceType
) -> None:
    older = gia_requests(world, times="Mondays at 4", note="After school")
    newer = gia_requests(world, times="Any morning", note="")
    answered = gia_requests(world, times="Friday")
    actions.decline_request(by=world.ada, request=answered, reason="Theo is away then.")
    html = page(as_staff(login, world.fran).get(reverse("staff:appointment_requests")))
    order = [int(pk) for pk in re.findall(r'data-request="(\d+)"', html)]
    assert order == [older.pk, newer.pk, answered.pk]
    assert "Mondays at 4" in html and "After school" in html and "asked by Gia Moreno" in html
    assert 'data-request-status="declined"' in html


def test_approving_a_request_books_it_and_declining_tells_the_reason(world: World, login, therapy: ServiceType) -> None:
    monday = next_monday()
    first, second = gia_requests(world), gia_requests(world, times="Tuesday mornings")
    fran = as_staff(login, world.fran)
    html = page(fran.get(reverse("staff:appointment_request", args=[first.pk])))
    assert "Weekday afternoons after 3" in html and "Max prefers Theo" in html
    assert 'name="approve-client"' not in html  # the client is the one who asked for

    approve = reverse("staff:appointment_request_approve", args=[first.pk])
    data = {f"approve-{k}": v for k, v in form_data(world, monday, "15:30").items() if k != "client"}
    response = fran.post(approve, data)
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == RequestStatus.APPROVED and first.decided_by == world.fran
    made = first.appointment
    assert made is not None and made.client == world.max and made.starts_at == at(monday, 15, 30)
    assert response["Location"] == reverse("staff:appointment", args=[made.pk])
    assert AuditEvent.objects.filter(action="appointment.request_approved").count() == 1
    again = fran.post(approve, data)  # answered already: said so, nothing booked twice
    assert again.status_code == 400 and "This request has already been answered." in page(again)
    assert Appointment.objects.filter(client=world.max).count() == 1

    overlapping = fran.post(reverse("staff:appointment_request_approve", args=[second.pk]), data)
    assert overlapping.status_code == 400
    assert "Theo Therapist already has an appointment" in page(overlapping)
    assert 'value="15:30"' in page(overlapping)

    decline = reverse("staff:appointment_request_decline", args=[second.pk])
    empty = fran.post(decline, {"decline-reason": ""})
    assert empty.status_code == 400 and "Write a reason for the person who asked." in page(empty)
    assert fran.post(decline, {"decline-reason": "Theo has no mornings free."}).status_code == 302
    second.refresh_from_db()
    assert second.status == RequestStatus.DECLINED and second.decline_reason == "Theo has no mornings free."
    answered = page(fran.get(reverse("staff:appointment_request", args=[second.pk])))
    assert "Theo has no mornings free." in answered and "Approve and book" not in answered
