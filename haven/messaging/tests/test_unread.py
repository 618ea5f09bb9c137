"""Unread counts stay right after reading, replying, archiving and assigning, for each participant on their own;
each count is one query. Read marks say who read through which message, and when."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from haven.messaging import selectors
from haven.messaging.actions import archive, assign, mark_read, reply, restore, write_to_client, write_to_practice
from haven.messaging.models import Message, Thread
from haven.messaging.selectors import StaffUnread
from haven.messaging.tests.helpers import gia, set_team, staff
from haven.practices.models import StaffMember
from tests.personas import World

pytestmark = pytest.mark.django_db


def staff_count(member: StaffMember, django_assert_num_queries) -> StaffUnread:
    fresh = staff(member).member
    with django_assert_num_queries(1):
        return selectors.staff_unread(fresh)


def portal_count(world: World, django_assert_num_queries) -> int:
    viewer = gia(world)
    with django_assert_num_queries(1):
        return selectors.portal_unread(viewer)


def test_the_portal_count_after_a_message_reading_a_reply_and_archiving(world: World, django_assert_num_queries):
    def count() -> int:
        return portal_count(world, django_assert_num_queries)

    thread = write_to_client(by=world.ada, access=world.gia_access_max, subject="Forms", body="Two forms wait.")
    assert count() == 1
    reply(staff(world.ada), thread, body="And a third.")
    assert count() == 1  # one thread unread, however many of its messages
    mark_read(gia(world), thread)
    assert count() == 0
    reply(gia(world), thread, body="Thank you.")
    assert count() == 0  # her own message is not news to her
    reply(staff(world.ada), thread, body="You're welcome.")
    assert count() == 1
    archive(gia(world), thread)
    assert count() == 0
    reply(staff(world.ada), thread, body="One more thing.")
    assert count() == 1  # a new message brings the thread back
    assert selectors.portal_box(gia(world)).get().thread_id == thread.pk
    # Another profile's threads are not counted under Max's.
    write_to_client(by=world.ada, access=world.gia_access_mia, subject="Mia", body="Hello.")
    assert count() == 1
    assert selectors.portal_unread(gia(world, world.gia_access_mia)) == 1


def test_the_staff_count_after_reading_replying_and_archiving(world: World, django_assert_num_queries):
    def count() -> StaffUnread:
        return staff_count(world.ada, django_assert_num_queries)

    thread = write_to_client(by=world.ada, access=world.gia_access_max, subject="Forms", body="Two forms wait.")
    assert count() == StaffUnread(mine=0, team=0)  # her own message
    reply(gia(world), thread, body="Done.")
    reply(gia(world), thread, body="And signed.")
    assert count() == StaffUnread(mine=1, team=0)
    assert selectors.staff_box(staff(world.ada).member, selectors.Box.MINE).get().unread == 2
    mark_read(staff(world.ada), thread)
    assert count() == StaffUnread(mine=0, team=0)
    reply(gia(world), thread, body="One question.")
    assert count().mine == 1
    reply(staff(world.ada), thread, body="Yes?")
    assert count().mine == 0  # replying reads
    reply(gia(world), thread, body="When?")
    archive(staff(world.ada), thread)
    assert count().mine == 0
    assert selectors.staff_box(staff(world.ada).member, selectors.Box.ARCHIVED).get().thread_id == thread.pk
    restore(staff(world.ada), thread)
    assert count().mine == 0  # archiving read it
    archive(staff(world.ada), thread)
    reply(gia(world), thread, body="Tuesday?")
    assert count().mine == 1
    assert not selectors.staff_box(staff(world.ada).member, selectors.Box.ARCHIVED).exists()


def test_two_staff_on_a_team_thread_each_have_their_own_count(world: World, django_assert_num_queries):
    set_team(world.riverside, world.fran, world.theo)
    thread = write_to_practice(gia(world), recipient="team", subject="Parking", body="Where do I park?")

    def counts() -> tuple[StaffUnread, StaffUnread]:
        return (
            staff_count(world.fran, django_assert_num_queries),
            staff_count(world.theo, django_assert_num_queries),
        )

    assert counts() == (StaffUnread(mine=0, team=1), StaffUnread(mine=0, team=1))
    mark_read(staff(world.fran), thread)
    assert counts() == (StaffUnread(mine=0, team=0), StaffUnread(mine=0, team=1))
    reply(staff(world.theo), thread, body="Behind the building.")
    # Theo answered: it is his by name now, read; Fran has his answer to read, still as one of the team.
    assert counts() == (StaffUnread(mine=0, team=1), StaffUnread(mine=0, team=0))
    reply(gia(world), thread, body="Thanks!")
    assert counts() == (StaffUnread(mine=0, team=1), StaffUnread(mine=1, team=0))
    archive(staff(world.fran), thread)
    assert counts() == (StaffUnread(mine=0, team=0), StaffUnread(mine=1, team=0))
    assert staff_count(world.ada, django_assert_num_queries).total == 0  # not on the chosen team


def test_assigning_moves_the_count_to_the_assignees_own(world: World, django_assert_num_queries):
    set_team(world.riverside, world.fran, world.theo)
    thread = write_to_practice(gia(world), recipient="team", subject="Billing", body="A question.")
    assign(staff(world.fran), thread, to=world.theo)
    assert staff_count(world.theo, django_assert_num_queries) == StaffUnread(mine=1, team=0)
    assert staff_count(world.fran, django_assert_num_queries) == StaffUnread(mine=0, team=1)
    # Assigned to someone off the team: theirs by name, with what they have not read.
    assign(staff(world.fran), thread, to=world.ada)
    assert staff_count(world.ada, django_assert_num_queries) == StaffUnread(mine=1, team=0)
    mark_read(staff(world.ada), thread)
    assert staff_count(world.ada, django_assert_num_queries) == StaffUnread(mine=0, team=0)
    assert Thread.objects.get(pk=thread.pk).assigned_to_id == world.ada.pk


def test_read_marks_say_when_the_portal_user_read_through_which_message(world: World):
    def gias_mark() -> list[tuple[int, datetime.datetime]]:
        marks = selectors.read_marks(thread)
        return [(m.through, m.at) for m in marks if m.account_id == world.gia_account.pk]  # type: ignore[misc]

    thread = write_to_client(by=world.ada, access=world.gia_access_max, subject="Forms", body="Two forms wait.")
    first = Message.objects.get(thread=thread)
    assert [mark.name for mark in selectors.read_marks(thread)] == ["Ada Admin"]  # the writer has read her own
    assert gias_mark() == []
    before = timezone.now()
    mark_read(gia(world), thread)
    [(through, at)] = gias_mark()
    assert through == first.pk and before <= at <= timezone.now()
    assert [m.name for m in selectors.read_marks(thread) if m.account_id] == ["Gia Moreno"]
    second = reply(staff(world.ada), thread, body="And a third.")
    assert gias_mark() == [(first.pk, at)]  # she has not read the new one yet
    mark_read(gia(world), thread)
    [(through, later)] = gias_mark()
    assert through == second.pk and later >= at
    mark_read(gia(world), thread)  # nothing new: the first reading of it stays
    assert gias_mark() == [(second.pk, later)]


def test_reading_twice_is_recorded_once(world: World):
    from haven.audit.models import AuditEvent

    thread = write_to_client(by=world.ada, access=world.gia_access_max, subject="Forms", body="Two forms wait.")
    mark_read(gia(world), thread)
    mark_read(gia(world), thread)
    assert AuditEvent.objects.filter(action="message.read").count() == 1


def test_reading_one_message_of_a_thread_leaves_what_came_after_it_unread(world: World):
    """Opening a signature request reads its record request only: a reply written after it stays unread."""
    thread = write_to_client(by=world.ada, access=world.gia_access_max, subject="Please sign", body="The plan.")
    first = thread.messages.get()
    reply(staff(world.ada), thread, body="A question about the plan, too.")
    mark_read(gia(world), thread, through=first.pk)
    row = thread.participants.get(account=world.gia_account)
    assert (row.read_through, row.unread) == (first.pk, 1)
    assert selectors.portal_unread(gia(world)) == 1
    mark_read(gia(world), thread, through=first.pk)  # again: nothing changes, nothing more is audited
    assert thread.participants.get(account=world.gia_account).unread == 1
    mark_read(gia(world), thread)
    assert selectors.portal_unread(gia(world)) == 0
