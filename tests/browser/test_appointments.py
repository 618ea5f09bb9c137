"""Appointments and Home Activities in real browsers (APPT-1, APPT-2, APPT-4).

Gia, on her phone, books an open time for Max next week and moves it to this week; Fran, at the front desk, finds it
in the week; Gia adds it to her calendar, then cancels it inside the practice's window and reads that it was recorded
as a Late cancellation. Ada assigns Max a worksheet from his chart; Gia sends it back done from her phone (a wrong file
refused first) and Ada downloads it. Every page passes axe-core and is kept as a screenshot."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import BrowserContext, expect

from haven.scheduling.models import (
    ActivityStatus,
    Appointment,
    AppointmentStatus,
    HomeActivity,
    LateCancellation,
    WeeklyHours,
)
from haven.scheduling.tests.factories import service, settings
from tests.browser.conftest import OpenPage
from tests.browser.helpers import assert_accessible, log_in, phone_context, save_screenshots
from tests.browser.test_portal_notices import portal_sign_in
from tests.personas import ONE_BLANK_PAGE_PDF, World

pytestmark = pytest.mark.browser


def test_a_guardian_books_from_her_phone_staff_see_it_in_the_week_and_she_cancels_late(
    world: World,
    open_page: OpenPage,
    new_context: Callable[..., BrowserContext],
    live_server: Any,
    tmp_path: Path,
) -> None:
    world.max.clinician = world.theo
    world.max.save(update_fields=["clinician"])
    # Online booking from now on; cancelling online within three days of the time counts as late.
    settings(
        world.riverside,
        self_booking_enabled=True,
        min_notice_hours=0,
        cancellation_window_hours=72,
        late_cancellation=LateCancellation.MARK_LATE,
    )
    for weekday in range(7):
        WeeklyHours.objects.create(staff=world.theo, weekday=weekday, start=datetime.time(9), end=datetime.time(17))
    service(world.riverside, name="Individual therapy")

    # 1. Gia, on her phone: Appointments, Book an appointment, the first open time.
    gia = phone_context(new_context, live_server.url).new_page()
    portal_sign_in(gia, world.gia_account.email)
    gia.get_by_role("navigation", name="Portal").get_by_role("link", name="Appointments").click()
    expect(gia.locator("#upcoming-empty")).to_be_visible()
    assert_accessible(gia, "the portal's appointments")
    gia.get_by_role("link", name="Book an appointment").click()
    expect(gia.locator("#open-times")).to_be_visible()
    assert_accessible(gia, "open times")
    save_screenshots(gia, "appointments-portal-book", desktop=False)
    # A time next week, outside the practice's three-day window.
    gia.locator("#next-week").click()
    gia.locator("#open-times button.slot").first.click()
    expect(gia.get_by_role("status").filter(has_text="Your appointment is booked")).to_be_visible()
    booked = Appointment.objects.get(client=world.max)
    assert booked.status == AppointmentStatus.SCHEDULED and booked.clinician_id == world.theo.pk
    assert booked.booked_by_account_id == world.gia_account.pk
    assert booked.starts_at - timezone.now() > datetime.timedelta(hours=72)
    assert_accessible(gia, "a booked appointment")
    save_screenshots(gia, "appointments-portal-booked", desktop=False)

    # She moves it to the first open time this week: still the same appointment, one change later.
    gia.get_by_role("link", name="Reschedule").click()
    assert_accessible(gia, "reschedule")
    gia.locator("#open-times button.slot").first.click()
    expect(gia.get_by_role("status").filter(has_text="Your appointment is moved")).to_be_visible()
    moved = Appointment.objects.get(client=world.max)
    assert moved.pk == booked.pk and moved.uid == booked.uid and moved.sequence == booked.sequence + 1
    assert moved.starts_at < booked.starts_at
    booked = moved

    # 2. Add to calendar: an .ics that says only "Appointment" and the practice.
    with gia.expect_download() as download:
        gia.get_by_role("link", name="Add to calendar").click()
    [event] = Calendar.from_ical(Path(download.value.path()).read_bytes()).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Appointment"
    assert "Max" not in Path(download.value.path()).read_text()

    # 3. Fran, at the front desk: the week of the appointment shows it, with Max's name.
    fran = open_page(bypass_csp=True)
    log_in(fran, world.fran.user.email)
    fran.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar").click()
    day = timezone.localtime(booked.starts_at).date()
    fran.goto(f"/staff/calendar/?view=week&date={day.isoformat()}")
    entry = fran.locator(f"[data-appointment='{booked.pk}']")
    expect(entry).to_contain_text("Max Moreno")
    expect(entry).to_contain_text("Individual therapy")
    assert_accessible(fran, "the staff week")
    save_screenshots(fran, "appointments-staff-week")
    entry.click()
    expect(fran.get_by_text("Booked online")).to_be_visible()
    assert_accessible(fran, "the appointment window")
    save_screenshots(fran, "appointments-staff-appointment")

    # 4. Gia cancels inside the window: warned first, then told it is recorded as a Late cancellation.
    gia.get_by_role("link", name="Cancel Appointment").click()
    expect(gia.locator("#late-warning")).to_contain_text("Late cancellation")
    assert_accessible(gia, "cancel inside the window")
    save_screenshots(gia, "appointments-portal-cancel-late", desktop=False)
    gia.get_by_role("button", name="Cancel Appointment").click()
    expect(gia.locator("#appointment-status")).to_have_text(re.compile("Late cancellation"))
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.LATE_CANCELLATION
    assert_accessible(gia, "a late-cancelled appointment")
    save_screenshots(gia, "appointments-portal-cancelled", desktop=False)

    # 5. The week shows it cancelled.
    fran.goto(f"/staff/calendar/?view=week&date={day.isoformat()}")
    expect(fran.locator(f"[data-appointment='{booked.pk}']")).to_have_attribute("data-status", "late_cancellation")


def test_a_home_activity_goes_round_trip_from_the_chart_to_a_phone_and_back(
    world: World,
    open_page: OpenPage,
    new_context: Callable[..., BrowserContext],
    live_server: Any,
    tmp_path: Path,
) -> None:
    # 1. Ada assigns a worksheet to Max from his chart.
    ada = open_page(bypass_csp=True)
    log_in(ada, world.ada.user.email)
    ada.goto(f"/staff/clients/{world.max.pk}/")
    ada.locator("#face-activities").locator("xpath=ancestor::section").get_by_role("link", name="Assign").click()
    ada.get_by_label("Title").fill("Worry thermometer")
    ada.get_by_label("Instructions").fill("Each evening, colour in how big the worry felt.")
    worksheet = tmp_path / "worry-thermometer.pdf"
    worksheet.write_bytes(ONE_BLANK_PAGE_PDF)
    ada.get_by_label("Worksheet or handout (optional)").set_input_files(str(worksheet))
    assert_accessible(ada, "assign a Home Activity")
    ada.get_by_role("button", name="Assign").click()
    expect(ada.get_by_role("status").filter(has_text="The Home Activity was assigned")).to_be_visible()
    activity = HomeActivity.objects.get(client=world.max)
    row = ada.locator(f"[data-activity='{activity.pk}']")
    expect(row).to_contain_text("Worry thermometer")
    save_screenshots(ada, "activities-staff-client")

    # 2. Gia, on her phone: Home Activities, the worksheet, and her completed one sent back (a wrong file first).
    gia = phone_context(new_context, live_server.url).new_page()
    portal_sign_in(gia, world.gia_account.email)
    gia.get_by_role("navigation", name="Portal").get_by_role("link", name="Home Activities").click()
    gia.get_by_role("link", name=re.compile("Worry thermometer")).click()
    expect(gia.locator("#activity-instructions")).to_contain_text("colour in")
    assert_accessible(gia, "a Home Activity")
    not_an_image = tmp_path / "done.png"
    not_an_image.write_bytes(b"just text\n")
    gia.get_by_label("Your completed worksheet (optional)").set_input_files(str(not_an_image))
    gia.get_by_role("button", name="Mark as done").click()
    expect(gia.locator("#id_completed_error")).to_contain_text("PDF, PNG and JPEG")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.ASSIGNED
    save_screenshots(gia, "activities-portal-refused", desktop=False)
    done = tmp_path / "done.pdf"
    done.write_bytes(ONE_BLANK_PAGE_PDF)
    gia.get_by_label("Your completed worksheet (optional)").set_input_files(str(done))
    gia.get_by_role("button", name="Mark as done").click()
    expect(gia.locator("#completed-link")).to_be_visible()
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DONE and activity.completed_storage_name
    assert_accessible(gia, "a done Home Activity")
    save_screenshots(gia, "activities-portal-done", desktop=False)

    # 3. Ada sees it done, with the completed worksheet to open.
    ada.reload()
    expect(row).to_contain_text("Done")
    with ada.expect_download() as download:
        row.get_by_role("link", name="Download completed worksheet").click()
    assert Path(download.value.path()).read_bytes() == ONE_BLANK_PAGE_PDF
    assert_accessible(ada, "the client's Home Activities")
