"""The portal's reminder choices: email on or off, text messages on or off with a mobile number checked in words."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from haven.scheduling.models import Reminder, ReminderPreference
from haven.scheduling.tests.factories import appointment, service

pytestmark = pytest.mark.django_db

PAGE = "/p/riverside/reminders/"


def preference(world) -> ReminderPreference | None:
    return ReminderPreference.objects.filter(account=world.gia_account).first()


def test_the_page_shows_email_on_and_texts_off_until_changed(world, gia):
    response = gia.get(PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Appointment reminders" in body
    assert 'name="email" class="form-check-input" id="id_email" checked' in body
    assert 'name="sms" class="form-check-input" id="id_sms">' in body
    assert 'type="tel"' in body
    assert preference(world) is None


def test_turning_texts_on_keeps_the_number_in_international_form(world, gia):
    response = gia.post(PAGE, {"email": "on", "sms": "on", "phone": "(555) 555-0123"}, follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    assert "Saved. Your reminders will come as you chose." in response.content.decode()
    saved = preference(world)
    assert saved is not None
    assert (saved.email, saved.sms, saved.phone) == (True, True, "+15555550123")
    assert 'value="+15555550123"' in gia.get(PAGE).content.decode()


def test_a_number_that_cant_be_texted_is_refused_in_words_and_kept_as_typed(world, gia):
    response = gia.post(PAGE, {"email": "on", "sms": "on", "phone": "555-01234"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "That number has 8 digits." in body
    assert 'value="555-01234"' in body
    assert 'aria-invalid="true"' in body
    assert preference(world) is None


def test_texts_need_a_number(world, gia):
    response = gia.post(PAGE, {"email": "on", "sms": "on", "phone": "  "})
    assert response.status_code == 400
    assert "Type your mobile number to get text messages." in response.content.decode()
    assert preference(world) is None


def test_turning_everything_off_says_no_reminders_will_come(world, gia):
    response = gia.post(PAGE, {"phone": ""}, follow=True)
    assert "Saved. You won&#x27;t get appointment reminders." in response.content.decode()
    saved = preference(world)
    assert saved is not None
    assert (saved.email, saved.sms) == (False, False)


def test_turning_texts_on_adds_text_reminders_to_upcoming_appointments(world, gia):
    booked = appointment(
        world.riverside,
        client=world.max,
        clinician=world.theo,
        service_type=service(world.riverside),
        starts_at=timezone.now() + datetime.timedelta(days=10),
    )
    gia.post(PAGE, {"email": "on", "sms": "on", "phone": "555 555 0123"})
    assert set(Reminder.objects.filter(appointment=booked).values_list("channel", flat=True)) == {"email", "sms"}


def test_signed_out_visitors_are_sent_to_sign_in(world, client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/p/riverside/?next=")


def test_staff_logins_do_not_reach_the_page(world, login):
    response = login(world.ada).get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/p/riverside/?next=")
