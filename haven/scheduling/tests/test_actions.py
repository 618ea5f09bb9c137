"""Booking, moving, cancelling and answering requests: the rules of the actions, on the real database."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.core.errors import ApplicationError
from haven.practices.viewers import StaffViewer
from haven.scheduling import actions
from haven.scheduling.actions import AppointmentDetails, Overlap, SlotTaken
from haven.scheduling.models import (
    Appointment,
    AppointmentStatus,
    LateCancellation,
    Recurrence,
    Reminder,
    RequestStatus,
)
from haven.scheduling.tests.factories import NEW_YORK, local, portal_viewer, service, settings, weekly_hours

pytestmark = pytest.mark.django_db

NOW = local(2026, 12, 1, 8)  # a Tuesday morning in Riverside


def details(world, starts_at, **values) -> AppointmentDetails:
    return AppointmentDetails(
        client=values.pop("client", world.max),
        clinician=values.pop("clinician", world.theo),
        service=values.pop("service_type", None) or service(world.riverside),
        starts_at=starts_at,
        **values,
    )


def events(code: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=code))


def test_staff_book_an_appointment_and_it_is_audited(world):
    made = actions.create_appointment(by=world.fran, details=details(world, local(2026, 12, 8, 10)))
    assert len(made) == 1
    booked = made[0]
    assert booked.status == AppointmentStatus.SCHEDULED
    assert booked.ends_at - booked.starts_at == datetime.timedelta(minutes=50)
    [event] = events("appointment.created")
    assert event.client_id == world.max.pk and event.object_id == str(booked.pk)


def test_an_overlapping_appointment_is_refused_in_words_naming_the_clash(world):
    therapy = service(world.riverside)
    actions.create_appointment(by=world.fran, details=details(world, local(2026, 12, 8, 10), service_type=therapy))
    with pytest.raises(Overlap) as refused:
        actions.create_appointment(
            by=world.fran, details=details(world, local(2026, 12, 8, 10, 30), client=world.ana, service_type=therapy)
        )
    assert "already has an appointment" in str(refused.value)
    assert "(Dec 8, 2026, 10 a.m. to 10:50 a.m.)" in str(refused.value)
    assert Appointment.objects.count() == 1


def test_back_to_back_appointments_are_allowed_for_staff(world):
    therapy = service(world.riverside)
    actions.create_appointment(by=world.fran, details=details(world, local(2026, 12, 8, 10), service_type=therapy))
    actions.create_appointment(
        by=world.fran, details=details(world, local(2026, 12, 8, 10, 50), client=world.ana, service_type=therapy)
    )
    assert Appointment.objects.count() == 2


def test_a_cancelled_appointment_frees_its_time(world):
    therapy = service(world.riverside)
    [first] = actions.create_appointment(
        by=world.fran, details=details(world, local(2026, 12, 8, 10), service_type=therapy)
    )
    actions.cancel_appointment(viewer=StaffViewer(member=world.fran), appointment=first)
    again = actions.create_appointment(
        by=world.fran, details=details(world, local(2026, 12, 8, 10), client=world.ana, service_type=therapy)
    )
    assert again[0].starts_at == first.starts_at


def test_a_weekly_series_keeps_its_wall_clock_time_across_the_daylight_saving_change(world):
    world.riverside.time_zone = "America/New_York"
    world.riverside.save(update_fields=["time_zone"])
    world.fran.practice.refresh_from_db()
    made = actions.create_appointment(
        by=world.fran,
        details=details(world, local(2026, 10, 20, 9, zone=NEW_YORK), recurrence=Recurrence.WEEKLY, occurrences=3),
    )
    assert [timezone.localtime(a.starts_at, NEW_YORK).strftime("%m-%d %H:%M") for a in made] == [
        "10-20 09:00",
        "10-27 09:00",
        "11-03 09:00",
    ]
    assert made[0].starts_at.utcoffset() == datetime.timedelta(0)
    assert made[1].starts_at.astimezone(datetime.UTC).hour == 13  # EDT
    assert made[2].starts_at.astimezone(datetime.UTC).hour == 14  # EST
    assert len({a.series_id for a in made}) == 1
    assert len(events("appointment.created")) == 1


def test_every_other_week_series_and_a_clash_in_one_week_refuses_the_whole_series(world):
    therapy = service(world.riverside)
    actions.create_appointment(
        by=world.fran, details=details(world, local(2026, 12, 22, 10), client=world.ana, service_type=therapy)
    )
    with pytest.raises(Overlap):
        actions.create_appointment(
            by=world.fran,
            details=details(
                world, local(2026, 12, 8, 10), service_type=therapy, recurrence=Recurrence.BIWEEKLY, occurrences=3
            ),
        )
    assert Appointment.objects.count() == 1


def test_staff_without_scheduling_are_refused(world):
    with pytest.raises(ApplicationError):
        actions.create_appointment(by=world.bill, details=details(world, local(2026, 12, 8, 10)))


def test_another_practices_client_cannot_be_booked(world):
    with pytest.raises(ApplicationError):
        actions.create_appointment(by=world.fran, details=details(world, local(2026, 12, 8, 10), client=world.hal))


def test_rescheduling_keeps_the_uid_grows_the_sequence_and_replans_reminders(world):
    [booked] = actions.create_appointment(by=world.fran, details=details(world, local(2026, 12, 10, 10)))
    uid = booked.uid
    moved = actions.reschedule(
        viewer=StaffViewer(member=world.fran), appointment=booked, starts_at=local(2026, 12, 11, 14)
    )
    assert moved.uid == uid
    assert moved.sequence == booked.sequence + 1
    assert (
        Reminder.objects.filter(appointment=moved, sequence=moved.sequence).count()
        == Reminder.objects.filter(appointment=moved, sequence=moved.sequence - 1).count()
    )
    assert not Reminder.objects.filter(appointment=moved, sequence=0, cancelled_at__isnull=True, sent_at__isnull=True)
    assert len(events("appointment.rescheduled")) == 1


def test_a_change_of_place_is_a_change_not_a_move(world):
    [booked] = actions.create_appointment(by=world.fran, details=details(world, local(2026, 12, 10, 10)))
    changed = actions.change_appointment(
        by=world.fran,
        appointment=booked,
        details=details(
            world, booked.starts_at, service_type=booked.service, telehealth_url="https://video.example.com/r/1"
        ),
    )
    assert changed.telehealth_url.endswith("/r/1")
    [event] = events("appointment.changed")
    assert event.details["fields"] == ["telehealth_url"]


def test_marking_completed_and_no_show(world):
    [booked] = actions.create_appointment(by=world.fran, details=details(world, local(2026, 12, 10, 10)))
    done = actions.set_status(by=world.theo, appointment=booked, status=AppointmentStatus.NO_SHOW)
    assert done.status == AppointmentStatus.NO_SHOW
    with pytest.raises(ApplicationError):
        actions.set_status(by=world.theo, appointment=done, status=AppointmentStatus.CANCELLED)


# --- the portal, under the practice's rules --------------------------------------------------------------------


def test_a_guardian_cancels_outside_the_window(world):
    [booked] = actions.create_appointment(by=world.fran, details=details(world, local(2026, 12, 10, 10)))
    cancelled = actions.cancel_appointment(viewer=portal_viewer(world.gia_access_max), appointment=booked, now=NOW)
    assert cancelled.status == AppointmentStatus.CANCELLED
    assert cancelled.sequence == booked.sequence + 1
    [event] = events("appointment.cancelled")
    assert event.details == {"late": False, "by_portal": True}
    assert event.acting_for == world.max.full_name


def test_inside_the_window_the_portal_is_refused_when_the_practice_refuses(world):
    settings(world.riverside, cancellation_window_hours=24, late_cancellation=LateCancellation.REFUSE)
    [booked] = actions.create_appointment(by=world.fran, details=details(world, local(2026, 12, 1, 18)))
    with pytest.raises(ApplicationError) as refused:
        actions.cancel_appointment(viewer=portal_viewer(world.gia_access_max), appointment=booked, now=NOW)
    assert "24 hours" in str(refused.value)
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.SCHEDULED


def test_inside_the_window_the_portal_cancellation_is_marked_late_when_the_practice_says_so(world):
    settings(world.riverside, cancellation_window_hours=24, late_cancellation=LateCancellation.MARK_LATE)
    [booked] = actions.create_appointment(by=world.fran, details=details(world, local(2026, 12, 1, 18)))
    cancelled = actions.cancel_appointment(viewer=portal_viewer(world.gia_access_max), appointment=booked, now=NOW)
    assert cancelled.status == AppointmentStatus.LATE_CANCELLATION


def test_staff_are_not_bound_by_the_window(world):
    settings(world.riverside, cancellation_window_hours=48, late_cancellation=LateCancellation.REFUSE)
    [booked] = actions.create_appointment(by=world.fran, details=details(world, local(2026, 12, 1, 18)))
    cancelled = actions.cancel_appointment(viewer=StaffViewer(member=world.fran), appointment=booked, now=NOW)
    assert cancelled.status == AppointmentStatus.CANCELLED
    [booked2] = actions.create_appointment(by=world.fran, details=details(world, local(2026, 12, 1, 18)))
    moved = actions.reschedule(
        viewer=StaffViewer(member=world.fran), appointment=booked2, starts_at=local(2026, 12, 1, 16)
    )
    assert moved.starts_at == local(2026, 12, 1, 16)


def test_a_contact_who_may_only_see_cannot_cancel(world):
    world.gia.legal_guardian = False
    world.gia.save(update_fields=["legal_guardian"])
    world.gia_access_max.refresh_from_db()
    [booked] = actions.create_appointment(by=world.fran, details=details(world, local(2026, 12, 10, 10)))
    with pytest.raises(ApplicationError):
        actions.cancel_appointment(viewer=portal_viewer(world.gia_access_max), appointment=booked, now=NOW)


def test_self_booking_takes_an_open_slot_and_the_second_booking_of_it_is_told_it_was_taken(world):
    settings(world.riverside, self_booking_enabled=True, min_notice_hours=0, buffer_after_minutes=0)
    weekly_hours(world.theo, start="09:00", end="12:00")
    therapy = service(world.riverside)
    slot = local(2026, 12, 3, 9)
    booked = actions.book(
        viewer=portal_viewer(world.gia_access_max), clinician=world.theo, service=therapy, starts_at=slot, now=NOW
    )
    assert booked.booked_by == "portal" and booked.booked_by_account == world.gia_account
    with pytest.raises(SlotTaken) as taken:
        actions.book(
            viewer=portal_viewer(world.gia_access_mia), clinician=world.theo, service=therapy, starts_at=slot, now=NOW
        )
    assert "just taken" in str(taken.value)
    [event] = events("appointment.booked")
    assert event.client_id == world.max.pk


def test_self_booking_refuses_a_time_outside_the_clinicians_hours(world):
    settings(world.riverside, self_booking_enabled=True, min_notice_hours=0)
    weekly_hours(world.theo, start="09:00", end="12:00")
    with pytest.raises(SlotTaken):
        actions.book(
            viewer=portal_viewer(world.gia_access_max),
            clinician=world.theo,
            service=service(world.riverside),
            starts_at=local(2026, 12, 3, 15),
            now=NOW,
        )


def test_self_booking_is_refused_while_the_practice_has_it_off(world):
    weekly_hours(world.theo)
    with pytest.raises(ApplicationError) as refused:
        actions.book(
            viewer=portal_viewer(world.gia_access_max),
            clinician=world.theo,
            service=service(world.riverside),
            starts_at=local(2026, 12, 3, 9),
            now=NOW,
        )
    assert "online booking" in str(refused.value)


def test_a_request_is_approved_into_an_appointment(world):
    request = actions.request_appointment(
        viewer=portal_viewer(world.gia_access_max),
        clinician=None,
        service=None,
        preferred_times="Weekday afternoons after 3",
        note="Max has school until 2:30",
    )
    assert request.status == RequestStatus.REQUESTED
    request.refresh_from_db()
    assert request.note == "Max has school until 2:30"
    assert "school" not in request.note_encrypted
    booked = actions.approve_request(by=world.fran, request=request, details=details(world, local(2026, 12, 9, 15, 30)))
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and request.appointment == booked
    assert booked.booked_by == "request"
    with pytest.raises(ApplicationError):
        actions.decline_request(by=world.fran, request=request, reason="No")


def test_a_request_is_declined_with_words_for_the_client_and_can_be_withdrawn_only_while_waiting(world):
    viewer = portal_viewer(world.gia_access_max)
    request = actions.request_appointment(
        viewer=viewer, clinician=world.theo, service=None, preferred_times="Mornings", note=""
    )
    with pytest.raises(ApplicationError):
        actions.decline_request(by=world.fran, request=request, reason="  ")
    declined = actions.decline_request(by=world.fran, request=request, reason="Dr. Theo's mornings are full.")
    assert declined.decline_reason == "Dr. Theo's mornings are full."
    with pytest.raises(ApplicationError):
        actions.withdraw_request(viewer=viewer, request=declined)
    other = actions.request_appointment(viewer=viewer, clinician=None, service=None, preferred_times="Any", note="")
    assert actions.withdraw_request(viewer=viewer, request=other).status == RequestStatus.WITHDRAWN


def test_a_request_without_preferred_times_is_refused_in_words(world):
    with pytest.raises(ApplicationError) as refused:
        actions.request_appointment(
            viewer=portal_viewer(world.gia_access_max), clinician=None, service=None, preferred_times=" ", note=""
        )
    assert "times that suit you" in str(refused.value)


def test_requests_are_refused_when_the_practice_turned_them_off(world):
    settings(world.riverside, requests_enabled=False)
    with pytest.raises(ApplicationError):
        actions.request_appointment(
            viewer=portal_viewer(world.gia_access_max), clinician=None, service=None, preferred_times="Any", note=""
        )


def test_a_request_for_another_practices_clinician_is_refused(world):
    with pytest.raises(ApplicationError):
        actions.request_appointment(
            viewer=portal_viewer(world.gia_access_max),
            clinician=world.hana,
            service=None,
            preferred_times="Any",
            note="",
        )


def test_a_stale_page_cannot_cancel_an_appointment_someone_moved(world):
    [booked] = actions.create_appointment(by=world.fran, details=details(world, local(2026, 12, 10, 10)))
    stale = Appointment.objects.get(pk=booked.pk)
    actions.reschedule(viewer=StaffViewer(member=world.theo), appointment=booked, starts_at=local(2026, 12, 10, 14))
    with pytest.raises(ApplicationError):
        actions.cancel_appointment(viewer=StaffViewer(member=world.fran), appointment=stale)


def test_the_portal_user_who_asked_is_emailed_a_link_when_the_practice_answers(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    viewer = portal_viewer(world.gia_access_max)
    asked = actions.request_appointment(
        viewer=viewer, clinician=None, service=None, preferred_times="Tuesday mornings", note="Max's school play"
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.decline_request(by=world.fran, request=asked, reason="Tuesdays are full for Theo Therapist.")
    [email] = mailoutbox
    assert email.to == [world.gia_account.email]
    assert "/p/riverside/appointments/" in email.body
    for secret in ("Tuesday", "school play", "Theo", "Max"):
        assert secret not in email.subject and secret not in email.body


def test_nobody_is_emailed_once_their_access_ended(world, mailoutbox, django_capture_on_commit_callbacks):
    asked = actions.request_appointment(
        viewer=portal_viewer(world.gia_access_max), clinician=None, service=None, preferred_times="Any", note=""
    )
    world.gia.web_portal = False
    world.gia.save(update_fields=["web_portal"])
    with django_capture_on_commit_callbacks(execute=True):
        actions.approve_request(by=world.fran, request=asked, details=details(world, local(2026, 12, 9, 15, 30)))
    assert mailoutbox == []
