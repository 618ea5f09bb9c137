"""How the practice schedules: its scheduling settings and service types (administrators, audited, refused in words),
and each clinician's weekly hours, time off, buffers and notice (theirs and administrators' to change)."""

from __future__ import annotations

import datetime
import re
from html import unescape
from typing import TYPE_CHECKING

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.practices.models import StaffMember
from haven.scheduling.models import (
    ClinicianSchedule,
    LateCancellation,
    SchedulingSettings,
    ServiceType,
    TimeOff,
    WeeklyHours,
)
from haven.scheduling.tests.factories import CHICAGO, service, weekly_hours
from tests.personas import World

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/staff/admin/scheduling/"


def page(response: TestResponse) -> str:
    return unescape(response.content.decode())


def as_staff(login, member: StaffMember) -> HttpClient:
    return login(member, HttpClient())


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def events_since(before: int, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=before, action=action).order_by("pk"))


def settings_form(**changes: object) -> dict[str, object]:
    return {
        "requests_enabled": "on",
        "self_booking_enabled": "",
        "min_notice_hours": "24",
        "max_horizon_days": "60",
        "slot_minutes": "30",
        "buffer_before_minutes": "0",
        "buffer_after_minutes": "10",
        "cancellation_window_hours": "24",
        "late_cancellation": "refuse",
        "reminder_hours": "48, 2",
        "quiet_hours_start": "21:00",
        "quiet_hours_end": "08:00",
        **changes,
    }


def availability_url(member: StaffMember) -> str:
    return reverse("staff:availability_of", kwargs={"member_id": member.pk})


# --- The practice's settings ----------------------------------------------------------------------------------------


def test_the_settings_page_shows_the_defaults_and_is_linked_from_organization_administration(
    world: World, login
) -> None:
    ada = as_staff(login, world.ada)
    html = page(ada.get(SETTINGS_URL))
    assert 'value="48, 2"' in html and 'value="21:00"' in html and 'value="08:00"' in html
    assert re.search(
        r'<a class="nav-link active" aria-current="page" href="/staff/admin/scheduling/">Scheduling</a>', html
    )
    assert 'href="/staff/admin/scheduling/"' in page(ada.get(reverse("staff:admin_settings")))
    assert not SchedulingSettings.objects.filter(practice=world.riverside).exists()  # looking saves nothing


def test_an_administrator_saves_the_settings_and_the_change_is_audited(world: World, login) -> None:
    ada = as_staff(login, world.ada)
    before = last_event_id()
    response = ada.post(
        SETTINGS_URL,
        settings_form(
            self_booking_enabled="on",
            cancellation_window_hours="48",
            late_cancellation="mark_late",
            reminder_hours="2,  72 ,24",
            quiet_hours_start="22:00",
        ),
    )
    assert response.status_code == 302
    found = SchedulingSettings.objects.get(practice=world.riverside)
    assert found.self_booking_enabled and found.requests_enabled
    assert found.cancellation_window_hours == 48 and found.late_cancellation == LateCancellation.MARK_LATE
    assert found.reminder_hours == [72, 24, 2]
    assert found.quiet_hours_start == datetime.time(22, 0)
    (event,) = events_since(before, "practice.settings_changed")
    assert set(event.details["changed"]) == {
        "self_booking_enabled",
        "cancellation_window_hours",
        "late_cancellation",
        "reminder_hours",
        "quiet_hours_start",
    }
    assert event.details["changed"]["reminder_hours"] == {"from": "48, 2", "to": "72, 24, 2"}
    assert 'value="72, 24, 2"' in page(ada.get(SETTINGS_URL))

    before = last_event_id()
    assert (
        ada.post(
            SETTINGS_URL,
            settings_form(
                self_booking_enabled="on",
                cancellation_window_hours="48",
                late_cancellation="mark_late",
                reminder_hours="72, 24, 2",
                quiet_hours_start="22:00",
            ),
        ).status_code
        == 302
    )
    assert events_since(before, "practice.settings_changed") == []  # nothing changed, nothing audited


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"reminder_hours": "48, soon"}, "Write the hours before the appointment as whole numbers separated by commas"),
        ({"reminder_hours": "0, 2"}, "Each reminder must be between 1 and 336 hours before the appointment."),
        ({"reminder_hours": "1, 2, 3, 4, 5, 6"}, "Send at most 5 reminders."),
        ({"slot_minutes": "2"}, "Offer times at least 5 minutes apart."),
        ({"max_horizon_days": "0"}, "Write at least 1 day."),
        ({"cancellation_window_hours": "many"}, "Write a whole number of hours."),
        ({"buffer_after_minutes": "300"}, "Keep it at 240 minutes or less."),
        ({"quiet_hours_end": "21:00"}, "Quiet hours must end at another time than they start."),
        ({"late_cancellation": "shrug"}, "Choose what happens inside the window."),
    ],
)
def test_wrong_settings_are_refused_in_words_keeping_what_was_typed(
    world: World, login, changes: dict[str, str], words: str
) -> None:
    response = as_staff(login, world.ada).post(SETTINGS_URL, settings_form(min_notice_hours="36", **changes))
    assert response.status_code == 400
    html = page(response)
    assert words in html
    assert 'value="36"' in html  # what was typed stays
    assert not SchedulingSettings.objects.filter(practice=world.riverside).exists()


def test_only_administrators_reach_the_settings(world: World, login) -> None:
    before = last_event_id()
    for member in (world.theo, world.fran, world.bill):
        http = as_staff(login, member)
        assert http.get(SETTINGS_URL).status_code == 403
        assert http.post(SETTINGS_URL, settings_form(requests_enabled="")).status_code == 403
        assert http.get(reverse("staff:service_type_new")).status_code == 403
    assert len(events_since(before, "access.forbidden")) == 9
    assert not SchedulingSettings.objects.filter(practice=world.riverside).exists()
    assert as_staff(login, world.hana).get(SETTINGS_URL).status_code == 200  # her own practice's


# --- Service types --------------------------------------------------------------------------------------------------


def test_service_types_are_added_edited_and_no_longer_offered(world: World, login) -> None:
    ada = as_staff(login, world.ada)
    before = last_event_id()
    response = ada.post(
        reverse("staff:service_type_new"),
        {
            "name": " Intake assessment ",
            "duration_minutes": "60",
            "billing_code": "90791",
            "bookable_online": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    intake = ServiceType.objects.get(practice=world.riverside)
    assert (intake.name, intake.duration_minutes, intake.billing_code) == ("Intake assessment", 60, "90791")
    assert not intake.bookable_online and intake.is_active
    html = page(ada.get(SETTINGS_URL))
    assert "Intake assessment" in html and "60 min · 90791" in html

    edit = reverse("staff:service_type_edit", kwargs={"service_type_id": intake.pk})
    assert 'value="Intake assessment"' in page(ada.get(edit))
    assert (
        ada.post(edit, {"name": "Intake assessment", "duration_minutes": "60", "billing_code": "90791"}).status_code
        == 302
    )
    intake.refresh_from_db()
    assert not intake.is_active
    assert "no longer offered" in page(ada.get(SETTINGS_URL))
    changed = [e.details["changed"] for e in events_since(before, "practice.settings_changed")]
    assert changed[0]["service_type.name"] == {"from": "", "to": "Intake assessment"}
    assert changed[1] == {"service_type.is_active": {"from": "True", "to": "False"}}

    duplicate = ada.post(reverse("staff:service_type_new"), {"name": "intake ASSESSMENT", "duration_minutes": "50"})
    assert duplicate.status_code == 400
    assert "The practice already has a service type called “intake ASSESSMENT”." in page(duplicate)
    assert 'value="intake ASSESSMENT"' in page(duplicate)
    too_short = ada.post(reverse("staff:service_type_new"), {"name": "Check-in", "duration_minutes": "3"})
    assert too_short.status_code == 400 and "It must last at least 5 minutes." in page(too_short)
    assert ServiceType.objects.filter(practice=world.riverside).count() == 1


def test_another_practices_service_type_answers_404_and_is_audited(world: World, login) -> None:
    theirs = service(world.riverside)
    hana = as_staff(login, world.hana)
    before = last_event_id()
    url = reverse("staff:service_type_edit", kwargs={"service_type_id": theirs.pk})
    assert hana.get(url).status_code == 404
    assert hana.post(url, {"name": "Renamed", "duration_minutes": "50"}).status_code == 404
    denied = events_since(before, "access.denied")
    assert [(e.details["object_type"], e.details["object_id"]) for e in denied] == [
        ("scheduling.servicetype", str(theirs.pk))
    ] * 2
    theirs.refresh_from_db()
    assert theirs.name == "Individual therapy"


# --- A clinician's availability -------------------------------------------------------------------------------------


def test_a_clinician_adds_and_removes_their_weekly_hours_and_an_overlap_is_refused(world: World, login) -> None:
    theo = as_staff(login, world.theo)
    own = reverse("staff:availability")
    assert "Your availability" in page(theo.get(own))
    before = last_event_id()
    added = theo.post(own, {"op": "hours", "hours-weekday": "0", "hours-start": "09:00", "hours-end": "12:00"})
    assert added.status_code == 302
    assert (
        theo.post(own, {"op": "hours", "hours-weekday": "0", "hours-start": "13:00", "hours-end": "17:00"}).status_code
        == 302
    )
    assert list(WeeklyHours.objects.filter(staff=world.theo).values_list("weekday", "start", "end")) == [
        (0, datetime.time(9), datetime.time(12)),
        (0, datetime.time(13), datetime.time(17)),
    ]
    html = page(theo.get(added["Location"]))
    assert "9:00 AM\N{EN DASH}12:00 PM" in html and "1:00 PM\N{EN DASH}5:00 PM" in html

    overlap = theo.post(own, {"op": "hours", "hours-weekday": "0", "hours-start": "11:00", "hours-end": "14:00"})
    assert overlap.status_code == 400
    assert "These hours overlap Monday 09:00-12:00." in page(overlap)
    assert 'value="11:00"' in page(overlap) and 'value="14:00"' in page(overlap)
    backwards = theo.post(own, {"op": "hours", "hours-weekday": "1", "hours-start": "17:00", "hours-end": "09:00"})
    assert backwards.status_code == 400 and "The hours must end after they start (on the same day)." in page(backwards)

    morning = WeeklyHours.objects.get(staff=world.theo, start=datetime.time(9))
    assert theo.post(own, {"op": "remove_hours", "hours_id": morning.pk}).status_code == 302
    assert WeeklyHours.objects.filter(staff=world.theo).count() == 1
    changed = [e.details["changed"] for e in events_since(before, "practice.settings_changed")]
    assert changed == [
        {"weekly_hours": {"from": "", "to": "Monday 09:00-12:00"}},
        {"weekly_hours": {"from": "", "to": "Monday 13:00-17:00"}},
        {"weekly_hours": {"from": "Monday 09:00-12:00", "to": ""}},
    ]
    assert all(e.object_id == str(world.theo.pk) for e in events_since(before, "practice.settings_changed"))


def test_time_off_runs_whole_days_in_the_practices_zone_and_is_removed(world: World, login) -> None:
    theo = as_staff(login, world.theo)
    own = reverse("staff:availability")
    response = theo.post(
        own, {"op": "time_off", "off-starts_on": "2031-07-01", "off-ends_on": "2031-07-03", "off-reason": "Vacation"}
    )
    assert response.status_code == 302
    off = TimeOff.objects.get(staff=world.theo)
    assert off.starts_at == datetime.datetime(2031, 7, 1, tzinfo=CHICAGO)
    assert off.ends_at == datetime.datetime(2031, 7, 4, tzinfo=CHICAGO)
    assert off.reason == "Vacation"
    html = page(theo.get(own))
    assert "Tue, Jul 1, 2031 12:00 AM \N{EN DASH} Fri, Jul 4, 2031 12:00 AM" in html and "Vacation" in html

    backwards = theo.post(
        own,
        {
            "op": "time_off",
            "off-starts_on": "2031-07-03",
            "off-starts_time": "13:00",
            "off-ends_on": "2031-07-03",
            "off-ends_time": "09:00",
        },
    )
    assert backwards.status_code == 400 and "The time off must end after it starts." in page(backwards)
    assert theo.post(own, {"op": "remove_time_off", "time_off_id": off.pk}).status_code == 302
    assert not TimeOff.objects.filter(staff=world.theo).exists()


def test_a_clinician_sets_their_buffers_notice_and_online_booking(world: World, login) -> None:
    theo = as_staff(login, world.theo)
    own = reverse("staff:availability")
    html = page(theo.get(own))
    assert "Leave empty for the practice's: 10." in html  # the buffer after
    response = theo.post(
        own,
        {
            "op": "preferences",
            "prefs-accepts_online_booking": "",
            "prefs-buffer_before_minutes": "5",
            "prefs-buffer_after_minutes": "",
            "prefs-min_notice_hours": "48",
        },
    )
    assert response.status_code == 302
    found = ClinicianSchedule.objects.get(staff=world.theo)
    assert not found.accepts_online_booking
    assert (found.buffer_before_minutes, found.buffer_after_minutes, found.min_notice_hours) == (5, None, 48)
    too_long = theo.post(own, {"op": "preferences", "prefs-buffer_before_minutes": "500"})
    assert too_long.status_code == 400 and "Keep it at 240 minutes or less." in page(too_long)


def test_administrators_change_anyones_hours_other_staff_only_look_and_other_practices_get_404(
    world: World, login
) -> None:
    weekly_hours(world.theo, days=range(1))
    url = availability_url(world.theo)
    ada = as_staff(login, world.ada)
    assert "Availability of Theo Therapist" in page(ada.get(url))
    assert (
        ada.post(url, {"op": "hours", "hours-weekday": "2", "hours-start": "08:00", "hours-end": "10:00"}).status_code
        == 302
    )
    assert WeeklyHours.objects.filter(staff=world.theo, weekday=2).exists()

    fran = as_staff(login, world.fran)
    html = page(fran.get(url))
    assert "Only the clinician or an administrator can change these hours." in html
    assert 'name="op"' not in html
    refused = fran.post(url, {"op": "hours", "hours-weekday": "3", "hours-start": "08:00", "hours-end": "10:00"})
    assert refused.status_code == 403
    assert not WeeklyHours.objects.filter(staff=world.theo, weekday=3).exists()
    assert "You take no appointments yourself" in page(fran.get(reverse("staff:availability")))

    theo = as_staff(login, world.theo)
    assert (
        theo.post(
            availability_url(world.ada),
            {"op": "hours", "hours-weekday": "3", "hours-start": "08:00", "hours-end": "10:00"},
        ).status_code
        == 403
    )

    before = last_event_id()
    hana = as_staff(login, world.hana)
    assert hana.get(url).status_code == 404
    assert (
        hana.post(url, {"op": "hours", "hours-weekday": "3", "hours-start": "08:00", "hours-end": "10:00"}).status_code
        == 404
    )
    assert as_staff(login, world.ada).get(availability_url(world.bill)).status_code == 404  # takes no appointments
    # Hours of another clinician named under Theo's page: 404, audited, nothing removed.
    adas = WeeklyHours.objects.create(staff=world.ada, weekday=4, start=datetime.time(9), end=datetime.time(10))
    assert ada.post(url, {"op": "remove_hours", "hours_id": adas.pk}).status_code == 404
    assert WeeklyHours.objects.filter(pk=adas.pk).exists()
    denied = events_since(before, "access.denied")
    assert [e.details["object_type"] for e in denied] == [
        "practices.staffmember",
        "practices.staffmember",
        "practices.staffmember",
        "scheduling.weeklyhours",
    ]
    assert not WeeklyHours.objects.filter(staff=world.theo, weekday=3).exists()
