"""Sending: the per-login rate limit, and who is emailed that a message waits (never what it says)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from haven.core.errors import ApplicationError
from haven.messaging.actions import (
    assign,
    frequency_of,
    reply,
    send_daily_digests,
    set_frequency,
    write_to_client,
    write_to_practice,
)
from haven.messaging.models import Frequency, Message, Thread
from haven.messaging.tests.helpers import gia, give_max_a_clinician, set_team, staff
from tests.personas import World

pytestmark = pytest.mark.django_db


def thread_link(world: World, thread: Thread) -> str:
    return "http://testserver" + reverse("portal:thread", kwargs={"slug": world.riverside.slug, "thread_id": thread.pk})


def staff_link(thread: Thread) -> str:
    return "http://testserver" + reverse("staff:thread", kwargs={"thread_id": thread.pk})


def recipients(outbox: list[mail.EmailMessage]) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


# --- The rate limit ---------------------------------------------------------------------------------------------


@override_settings(HAVEN_PORTAL_MESSAGES_PER_HOUR=3)
def test_a_portal_login_sending_more_than_the_hourly_limit_is_refused_in_words(world: World) -> None:
    thread = write_to_practice(gia(world), recipient="team", subject="One", body="First.")
    reply(gia(world), thread, body="Second.")
    reply(gia(world), thread, body="Third.")
    with pytest.raises(ApplicationError) as refused:
        reply(gia(world), thread, body="Fourth.")
    assert "You have sent 3 messages in the last hour" in refused.value.message
    assert "please send it a little later" in refused.value.message
    with pytest.raises(ApplicationError, match="in the last hour"):
        write_to_practice(gia(world), recipient="team", subject="Two", body="Another.")
    assert Message.objects.count() == 3
    # Another login of the practice is not held back by hers, nor is staff's answer.
    reply(staff(world.ada), thread, body="We'll call you.")
    # An hour later she may write again.
    Message.objects.filter(sent_by_account=world.gia_account).update(
        created_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1, minutes=1)
    )
    reply(gia(world), thread, body="Fourth, later.")


def test_the_twenty_first_portal_message_in_an_hour_is_refused_by_default(world: World, settings) -> None:
    assert settings.HAVEN_PORTAL_MESSAGES_PER_HOUR == 20
    thread = write_to_practice(gia(world), recipient="team", subject="Many", body="1")
    for n in range(2, 21):
        reply(gia(world), thread, body=str(n))
    with pytest.raises(ApplicationError, match="You have sent 20 messages in the last hour"):
        reply(gia(world), thread, body="21")


@override_settings(HAVEN_STAFF_MESSAGES_PER_HOUR=2)
def test_staff_have_an_hourly_limit_too(world: World) -> None:
    thread = write_to_client(by=world.ada, access=world.gia_access_max, subject="Hello", body="One.")
    reply(staff(world.ada), thread, body="Two.")
    with pytest.raises(ApplicationError, match="in the last hour"):
        reply(staff(world.ada), thread, body="Three.")


# --- Emails -----------------------------------------------------------------------------------------------------


def test_a_portal_user_is_emailed_at_once_with_a_link_to_the_thread(
    world: World, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        thread = write_to_client(by=world.ada, access=world.gia_access_max, subject="Forms", body="Two wait.")
    [email] = mailoutbox
    assert email.to == ["gia@example.com"]
    assert thread_link(world, thread) in email.body
    with django_capture_on_commit_callbacks(execute=True):
        reply(staff(world.ada), thread, body="And one more.")
    assert len(mailoutbox) == 2 and thread_link(world, thread) in mailoutbox[1].body


def test_a_daily_digest_instead_once_and_only_when_something_new_came(
    world: World, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    set_frequency(frequency=Frequency.DAILY, account=world.gia_account)
    assert frequency_of(account=world.gia_account) == Frequency.DAILY
    with django_capture_on_commit_callbacks(execute=True):
        thread = write_to_client(by=world.ada, access=world.gia_access_max, subject="Forms", body="Two wait.")
        reply(staff(world.ada), thread, body="And one more.")
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert send_daily_digests() == 1
    [email] = mailoutbox
    assert email.to == ["gia@example.com"]
    assert "http://testserver" + reverse("portal:inbox", kwargs={"slug": world.riverside.slug}) in email.body
    with django_capture_on_commit_callbacks(execute=True):
        assert send_daily_digests() == 0  # nothing new since
    assert len(mailoutbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        reply(staff(world.ada), thread, body="A reminder.")
        assert send_daily_digests() == 1
    assert len(mailoutbox) == 2


def test_staff_who_turned_emails_off_get_none(world: World, mailoutbox, django_capture_on_commit_callbacks) -> None:
    set_team(world.riverside, world.fran, world.theo)
    set_frequency(frequency=Frequency.OFF, staff=world.fran)
    with pytest.raises(ApplicationError):
        set_frequency(frequency=Frequency.DAILY, staff=world.fran)  # staff: right away or never
    with django_capture_on_commit_callbacks(execute=True):
        thread = write_to_practice(gia(world), recipient="team", subject="Hello", body="Hi.")
    assert recipients(mailoutbox) == ["theo@riverside.example"]
    assert staff_link(thread) in mailoutbox[0].body


def test_a_team_thread_emails_each_team_member_and_a_clinician_thread_the_clinician(
    world: World, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    set_team(world.riverside, world.fran, world.theo)
    with django_capture_on_commit_callbacks(execute=True):
        write_to_practice(gia(world), recipient="team", subject="Hello", body="Hi.")
    assert recipients(mailoutbox) == ["fran@riverside.example", "theo@riverside.example"]
    mailoutbox.clear()
    give_max_a_clinician(world, world.ada)
    with django_capture_on_commit_callbacks(execute=True):
        write_to_practice(gia(world), recipient="clinician", subject="Hello", body="Hi.")
    assert recipients(mailoutbox) == ["ada@riverside.example"]


def test_once_assigned_only_the_assignee_is_emailed(
    world: World, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    set_team(world.riverside, world.fran, world.theo)
    thread = write_to_practice(gia(world), recipient="team", subject="Hello", body="Hi.")
    with django_capture_on_commit_callbacks(execute=True):
        assign(staff(world.fran), thread, to=world.theo)
    assert recipients(mailoutbox) == ["theo@riverside.example"]  # told of the assignment
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply(gia(world), Thread.objects.get(pk=thread.pk), body="Any news?")
    assert recipients(mailoutbox) == ["theo@riverside.example"]
