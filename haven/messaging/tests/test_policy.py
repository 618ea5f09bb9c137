"""Who reads which thread and attachment: the messaging policy is the one answer, and every refused reach is a 404
audited as access.denied (a guessed id looks exactly like one that does not exist)."""

from __future__ import annotations

import pytest
from django.http import Http404

from haven.audit.models import AuditEvent
from haven.core.policy import Viewer
from haven.messaging import policy, selectors
from haven.messaging.actions import archive, assign, mark_read, post_message, reply, write_to_client, write_to_practice
from haven.messaging.models import Attachment, MessageKind, Thread
from haven.messaging.selectors import Box
from haven.messaging.tests.helpers import gia, give_max_a_clinician, pdf, portal_viewer_now, set_team, staff
from haven.portal_access.actions.guardianship import revoke_access
from haven.portal_access.viewers import PortalViewer
from haven.practices.actions import set_staff_permission
from haven.practices.models import Permission
from tests.personas import World, give_ana_a_portal_login

pytestmark = pytest.mark.django_db


def to_gia_about_max(world: World, subject: str = "Next week") -> Thread:
    return write_to_client(
        by=world.ada, access=world.gia_access_max, subject=subject, body="See you Tuesday.", files=[pdf()]
    )


def to_ana(world: World) -> Thread:
    return write_to_client(
        by=world.ada, access=give_ana_a_portal_login(world), subject="Hello", body="Welcome.", files=[pdf()]
    )


def denials_since(since: int) -> list[tuple[str, str]]:
    events = AuditEvent.objects.filter(id__gt=since, action="access.denied").order_by("id")
    return [(e.details["object_type"], e.details["object_id"]) for e in events]


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def assert_refused(viewer: Viewer, thread: Thread) -> None:
    """Neither the thread nor its attachments, each refusal audited with what was asked for."""
    attachment = Attachment.objects.filter(message__thread=thread).first()
    assert attachment is not None
    since = last_event_id()
    with pytest.raises(Http404):
        policy.get_thread(viewer, thread.pk, path=f"/t/{thread.pk}/")
    with pytest.raises(Http404):
        policy.get_attachment(viewer, attachment.pk, path=f"/a/{attachment.pk}/")
    assert denials_since(since) == [
        (policy.OBJECT_TYPE, str(thread.pk)),
        (policy.ATTACHMENT_TYPE, str(attachment.pk)),
    ]
    event = AuditEvent.objects.filter(action="access.denied").latest("id")
    assert event.details["path"] == f"/a/{attachment.pk}/"
    assert not policy.visible_to(viewer).filter(pk=thread.pk).exists()


def test_gia_reads_the_thread_about_max_and_its_attachment(world: World) -> None:
    thread = to_gia_about_max(world)
    attachment = Attachment.objects.get(message__thread=thread)
    viewer = gia(world)
    assert policy.get_thread(viewer, thread.pk) == thread
    assert policy.get_attachment(viewer, attachment.pk) == attachment
    assert [row.thread_id for row in selectors.portal_box(viewer)] == [thread.pk]


def test_a_guardian_of_max_asking_for_a_thread_about_mia_or_another_family_gets_a_404_audited(world: World) -> None:
    about_mia = write_to_client(
        by=world.ada, access=world.gia_access_mia, subject="Mia's week", body="Hello.", files=[pdf()]
    )
    # Gia is Mia's guardian too, but while she acts for Max she reads only Max's threads.
    assert_refused(gia(world), about_mia)
    assert_refused(gia(world), to_ana(world))
    assert policy.get_thread(gia(world, world.gia_access_mia), about_mia.pk) == about_mia


def test_a_contact_whose_access_ended_reads_nothing_more_of_that_client(world: World) -> None:
    thread = to_gia_about_max(world)
    assert selectors.portal_unread(portal_viewer_now(world.gia_account, world.riverside, world.gia_access_max)) == 1
    revoke_access(by=world.ada, access=world.gia_access_max)
    # Her next request acts for the profile she still has (Mia's): Max's thread is gone, its count too.
    viewer = portal_viewer_now(world.gia_account, world.riverside, world.gia_access_max)
    assert viewer.profile is not None and viewer.profile.pk == world.gia_access_mia.pk
    assert_refused(viewer, thread)
    assert selectors.portal_unread(viewer) == 0
    assert not selectors.portal_box(viewer).exists()


def test_a_contact_who_loses_web_portal_permission_reads_nothing_more(world: World) -> None:
    thread = to_gia_about_max(world)
    world.gia.web_portal = False
    world.gia.save(update_fields=["web_portal"])
    viewer = portal_viewer_now(world.gia_account, world.riverside, world.gia_access_max)
    assert viewer.profile is not None and viewer.profile.pk != world.gia_access_max.pk
    assert_refused(viewer, thread)


def test_staff_of_another_practice_get_a_404_audited(world: World) -> None:
    thread = to_gia_about_max(world)
    assert_refused(staff(world.hana), thread)
    assert not policy.visible_to(staff(world.hana)).exists()


def test_a_portal_user_guessing_thread_and_attachment_ids_gets_the_same_404_as_for_ids_that_do_not_exist(
    world: World,
) -> None:
    theirs = to_ana(world)
    attachment = Attachment.objects.get(message__thread=theirs)
    viewer = gia(world)
    since = last_event_id()
    for guess in (theirs.pk, theirs.pk + 1000):
        with pytest.raises(Http404):
            policy.get_thread(viewer, guess)
    for guess in (attachment.pk, attachment.pk + 1000):
        with pytest.raises(Http404):
            policy.get_attachment(viewer, guess)
    assert denials_since(since) == [
        (policy.OBJECT_TYPE, str(theirs.pk)),
        (policy.OBJECT_TYPE, str(theirs.pk + 1000)),
        (policy.ATTACHMENT_TYPE, str(attachment.pk)),
        (policy.ATTACHMENT_TYPE, str(attachment.pk + 1000)),
    ]
    # Before a profile is chosen, nothing at all.
    assert_refused(PortalViewer(account=world.gia_account, practice=world.riverside, profile=None), theirs)


def test_staff_without_secure_messages_see_nothing(world: World) -> None:
    thread = to_gia_about_max(world)
    write_to_practice(gia(world), recipient="team", subject="A question", body="Hello.", files=[pdf()])
    # Bill (billing) never had it; Ada, who wrote, loses it.
    set_staff_permission(by=world.ada, member=world.ada, permission=Permission.SECURE_MESSAGES, granted=False)
    for member in (world.bill, world.ada):
        viewer = staff(member)
        assert not policy.visible_to(viewer).exists()
        assert selectors.staff_unread(viewer.member).total == 0
        for box in Box:
            assert not selectors.staff_box(viewer.member, box).exists()
        assert_refused(viewer, thread)
    assert policy.why_not(staff(world.bill), policy.MessagingVerb.REPLY, thread) is policy.MessagingReason.NO_PERMISSION


def test_a_team_thread_is_read_by_the_team_and_those_named_in_it_only(world: World) -> None:
    set_team(world.riverside, world.fran)
    give_max_a_clinician(world, world.theo)
    to_team = write_to_practice(gia(world), recipient="team", subject="Forms", body="Which forms?", files=[pdf()])
    to_theo = write_to_practice(gia(world), recipient="clinician", subject="Sleep", body="Better.", files=[pdf()])
    # Fran is the team; Theo is named in his own thread only; Ada, an administrator, is neither (a team is chosen).
    assert set(policy.visible_to(staff(world.fran))) == {to_team}
    assert set(policy.visible_to(staff(world.theo))) == {to_theo}
    assert_refused(staff(world.theo), to_team)
    assert_refused(staff(world.ada), to_team)
    assert_refused(staff(world.fran), to_theo)


def test_taken_off_the_team_a_staff_member_stops_seeing_team_threads_but_keeps_those_they_answered(
    world: World,
) -> None:
    set_team(world.riverside, world.fran, world.theo)
    read_only = write_to_practice(gia(world), recipient="team", subject="Parking", body="Where?", files=[pdf()])
    answered = write_to_practice(gia(world), recipient="team", subject="Bills", body="When?", files=[pdf()])
    reply(staff(world.theo), answered, body="Next week.")
    for thread in (read_only, answered):
        assert policy.get_thread(staff(world.fran), thread.pk) == thread
    assert selectors.staff_unread(staff(world.fran).member).team == 2

    set_team(world.riverside, world.theo)

    fran = staff(world.fran)
    assert not policy.visible_to(fran).exists()
    assert selectors.staff_unread(fran.member).total == 0
    assert not selectors.staff_box(fran.member, Box.TEAM).exists()
    assert_refused(fran, read_only)
    # Theo answered one: he takes part in it by name, on the team or not.
    set_team(world.riverside, world.ada)
    theo = staff(world.theo)
    assert set(policy.visible_to(theo)) == {answered}
    assert [row.thread_id for row in selectors.staff_box(theo.member, Box.MINE)] == [answered.pk]


def test_with_no_team_chosen_the_administrators_are_the_team(world: World) -> None:
    thread = write_to_practice(gia(world), recipient="team", subject="Hello", body="Hi.", files=[pdf()])
    assert policy.team_of(world.riverside) == [world.ada]
    assert policy.get_thread(staff(world.ada), thread.pk) == thread
    assert_refused(staff(world.fran), thread)


def test_assigning_a_team_thread_makes_it_the_assignees_by_name(world: World) -> None:
    set_team(world.riverside, world.fran)
    thread = write_to_practice(gia(world), recipient="team", subject="Hello", body="Hi.", files=[pdf()])
    assign(staff(world.fran), thread, to=world.theo)
    theo = staff(world.theo)
    assert policy.get_thread(theo, thread.pk) == thread
    assert [row.thread_id for row in selectors.staff_box(theo.member, Box.MINE)] == [thread.pk]
    to_client = to_gia_about_max(world)
    assert policy.why_not(staff(world.ada), policy.MessagingVerb.ASSIGN, to_client) is (
        policy.MessagingReason.NOT_A_TEAM_THREAD
    )


def test_when_clients_may_not_start_conversations_they_may_still_answer_staff(world: World) -> None:
    from haven.messaging.models import MessagingSettings

    MessagingSettings.objects.create(practice=world.riverside, client_messages_enabled=False)
    assert policy.portal_recipients(gia(world)) == []
    from_staff = to_gia_about_max(world)
    notice = post_message(
        by=None, account=world.gia_account, client=world.max, kind=MessageKind.NOTICE, subject="Office closed"
    ).thread
    assert policy.why_not(gia(world), policy.MessagingVerb.REPLY, from_staff) is None
    assert policy.why_not(gia(world), policy.MessagingVerb.REPLY, notice) is policy.MessagingReason.REPLIES_OFF


def test_the_inboxes_counts_and_each_thread_follow_one_change_to_the_policy(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = to_gia_about_max(world)
    viewer = gia(world)
    assert selectors.portal_unread(viewer) == 1 and selectors.portal_box(viewer).exists()

    def nobody(viewer: Viewer) -> None:
        return None

    # One change, in one place (whose threads a portal viewer reads): the box, the count and the thread follow.
    monkeypatch.setattr(policy, "addressee", nobody)
    assert selectors.portal_unread(viewer) == 0
    assert not selectors.portal_box(viewer).exists()
    assert not policy.visible_to(viewer).exists()
    with pytest.raises(Http404):
        policy.get_thread(viewer, thread.pk)


def test_archiving_and_reading_are_for_the_viewers_own_row_only(world: World) -> None:
    set_team(world.riverside, world.fran, world.theo)
    thread = write_to_practice(gia(world), recipient="team", subject="Hello", body="Hi.")
    archive(staff(world.fran), thread)
    mark_read(staff(world.theo), thread)
    assert selectors.portal_box(gia(world)).get().archived_at is None
    assert not selectors.staff_box(staff(world.fran).member, Box.TEAM).exists()
    assert selectors.staff_box(staff(world.theo).member, Box.TEAM).get().unread == 0
