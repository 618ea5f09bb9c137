"""Text messages go through the backend the settings name; mobile numbers are checked and kept in E.164 form."""

from __future__ import annotations

import pytest

from haven.core import sms
from haven.core.models import DemoOutboxEmail
from haven.core.sms import InvalidNumber, normalize_number, send_text


@pytest.fixture(autouse=True)
def texts(settings) -> list[sms.TextMessage]:
    settings.HAVEN_SMS_BACKEND = "haven.core.sms.LocmemBackend"
    sms.outbox.clear()
    return sms.outbox


def test_the_test_backend_keeps_each_text_in_the_outbox(texts):
    send_text("+15555550123", "Riverside Counseling: reminder", practice_id=7)
    send_text("+15555550199", "Another")
    assert texts == [
        sms.TextMessage(to="+15555550123", body="Riverside Counseling: reminder", practice_id=7),
        sms.TextMessage(to="+15555550199", body="Another", practice_id=None),
    ]


def test_the_console_backend_prints_each_text_and_keeps_none(settings, texts, capsys):
    settings.HAVEN_SMS_BACKEND = "haven.core.sms.ConsoleBackend"
    send_text("+15555550123", "Riverside Counseling: reminder")
    printed = capsys.readouterr().out
    assert "Text message to +15555550123" in printed
    assert "Riverside Counseling: reminder" in printed
    assert texts == []


def test_the_backend_setting_is_read_when_a_text_is_sent(settings, texts, capsys):
    send_text("+15555550123", "first")
    settings.HAVEN_SMS_BACKEND = "haven.core.sms.ConsoleBackend"
    send_text("+15555550123", "second")
    assert [text.body for text in texts] == ["first"]
    assert "second" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_demo_backend_puts_texts_on_the_demo_outbox_page_under_their_practice(world, login, settings, capsys):
    settings.HAVEN_DEMO_OUTBOX = True
    settings.HAVEN_SMS_BACKEND = "haven.core.sms.DemoOutboxBackend"
    send_text(
        "+15555550123", "Riverside Counseling: see http://testserver/p/riverside/", practice_id=world.riverside.pk
    )
    send_text("+15555550199", "Hilltop Therapy: reminder", practice_id=world.hilltop.pk)

    kept = DemoOutboxEmail.objects.get(practice_id=world.riverside.pk)
    assert (kept.to, kept.subject) == ("+15555550123", "Text message")
    page = login(world.theo).get("/staff/demo-outbox/").content.decode()
    assert "+15555550123" in page
    assert '<a href="http://testserver/p/riverside/"' in page
    assert "Hilltop" not in page
    assert "Text message to +15555550123" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("(555) 555-0123", "+15555550123"),
        ("555.555.0123", "+15555550123"),
        ("1 555 555 0123", "+15555550123"),
        ("+1 555 555 0123", "+15555550123"),
        (" +44 20 7946 0958 ", "+442079460958"),
        ("0044 20 7946 0958", "+442079460958"),
    ],
)
def test_a_mobile_number_is_kept_in_e164_form(typed, kept):
    assert normalize_number(typed) == kept


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("555-0123", "That number has 7 digits."),
        ("call me maybe", "only digits"),
        ("555 555 0123 ext 4", "only digits"),
        ("+1 555 0123", "ten digits after +1"),
        ("+0 555 555 0123", "country code"),
        ("+12", "country code"),
        ("+1234567890123456", "8 to 15 digits"),
    ],
)
def test_a_number_that_cant_be_texted_is_refused_in_words(typed, words):
    with pytest.raises(InvalidNumber) as refusal:
        normalize_number(typed)
    assert words in str(refusal.value)


def test_texts_are_offered_in_production_only_once_a_provider_is_configured(settings) -> None:
    from haven.core.sms import texts_available

    settings.PRODUCTION = True
    settings.HAVEN_SMS_BACKEND = "haven.core.sms.ConsoleBackend"
    assert not texts_available()
    settings.HAVEN_SMS_BACKEND = "provider.sms.Backend"
    assert texts_available()
    settings.PRODUCTION = False
    settings.HAVEN_SMS_BACKEND = "haven.core.sms.ConsoleBackend"
    assert texts_available()
