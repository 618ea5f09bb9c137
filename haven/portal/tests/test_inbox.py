"""The portal inbox (SIGN-2, MSG-1): the selected profile's threads, read once, reached after sign-in; record
requests offer Review and sign from their thread."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client as HttpClient

from haven.audit.models import AuditEvent
from haven.clients.models import Client
from haven.messaging import policy as messaging_policy
from haven.messaging.actions import post_message, reply
from haven.messaging.models import MessageKind, Participant, Thread
from haven.portal.tests.helpers import select
from haven.portal_access import policy as access_policy
from haven.portal_access.models import PortalAccount
from haven.practices.viewers import StaffViewer
from haven.signing.models import SignatureRequest
from haven.signing.requests import cancel_request, request_signature
from haven.signing.tests.flow import treatment_plan
from tests.personas import PASSWORD, World

pytestmark = pytest.mark.django_db

INBOX = "/p/riverside/inbox/"


def thread_url(thread: Thread) -> str:
    return f"/p/riverside/inbox/{thread.pk}/"


def ask_gia_to_sign(world: World, client: Client, title: str = "Treatment plan") -> SignatureRequest:
    contact = world.gia if client == world.max else world.gia_for_mia
    plan = treatment_plan(world.ada, client, pages=1, title=title)
    return request_signature(by=world.ada, document=plan, signer_key=f"contact-{contact.pk}")


def request_thread(request: SignatureRequest) -> Thread:
    return Thread.objects.get(messages__signature_request=request)


def notice(world: World, client: Client, subject: str, account: PortalAccount | None = None) -> Thread:
    return post_message(
        by=world.ada,
        account=account or world.gia_account,
        client=client,
        kind=MessageKind.NOTICE,
        subject=subject,
        body="Our office is closed on Monday.",
    ).thread


def listed_ids(http: HttpClient, url: str = INBOX) -> list[int]:
    response = http.get(url)
    assert response.status_code == 200
    return [int(found) for found in re.findall(r'data-thread="(\d+)"', response.content.decode())]


def item_of(http: HttpClient, thread: Thread) -> str:
    return http.get(INBOX).content.decode().split(f'data-thread="{thread.pk}"', 1)[1].split("</li>", 1)[0]


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_the_inbox_lists_only_the_selected_profiles_threads_newest_first(world, gia):
    """Max's request and notice show under Max, newest first; Mia's notice only under Mia."""
    request = ask_gia_to_sign(world, world.max)
    maxs_notice = notice(world, world.max, "Office closed Monday")
    mias_notice = notice(world, world.mia, "Mia's appointment moved")
    select(gia, world.gia_access_max)
    assert listed_ids(gia) == [maxs_notice.pk, request_thread(request).pk]
    body = gia.get(INBOX).content.decode()
    assert "Please review and sign: Treatment plan" in body and "Record request" in body
    assert "Mia&#x27;s appointment moved" not in body
    select(gia, world.gia_access_mia)
    assert listed_ids(gia) == [mias_notice.pk]


def test_a_thread_with_a_new_message_comes_back_to_the_top(world, gia):
    first = notice(world, world.max, "First")
    notice(world, world.max, "Second")
    reply(StaffViewer(world.ada), first, body="One more thing.")
    select(gia, world.gia_access_max)
    assert listed_ids(gia)[0] == first.pk


def test_unread_threads_are_bold_and_say_so(world, gia):
    unread = notice(world, world.max, "Office closed Monday")
    select(gia, world.gia_access_max)
    item = item_of(gia, unread)
    assert "fw-bold" in item and "Unread:" in item
    gia.get(thread_url(unread))
    item = item_of(gia, unread)
    assert "fw-bold" not in item and "Unread:" not in item


def test_the_inbox_shows_the_last_activity_in_the_practices_zone(world, gia):
    thread = notice(world, world.max, "Office closed Monday")
    select(gia, world.gia_access_max)
    item = item_of(gia, thread)
    assert re.search(r"\b(CST|CDT)\b", item)


def test_the_inbox_is_paginated_by_twenty_five(world, gia):
    for number in range(27):
        notice(world, world.max, f"Notice {number}")
    select(gia, world.gia_access_max)
    assert len(listed_ids(gia)) == 25
    assert len(listed_ids(gia, f"{INBOX}?page=2")) == 2
    assert "1\u201325 of 27" in gia.get(INBOX).content.decode()


def test_reading_a_thread_marks_it_read_once_and_is_audited_once(world, gia):
    thread = notice(world, world.max, "Office closed Monday")
    select(gia, world.gia_access_max)
    first = gia.get(thread_url(thread))
    assert first.status_code == 200
    body = first.content.decode()
    assert "Office closed Monday" in body and "Our office is closed on Monday." in body
    row = Participant.objects.get(thread=thread, account=world.gia_account)
    assert row.unread == 0 and row.read_at is not None
    assert gia.get(thread_url(thread)).status_code == 200
    row.refresh_from_db()
    assert Participant.objects.get(pk=row.pk).read_at == row.read_at
    [read] = events("message.read")
    assert (read.actor_kind, read.actor_id, read.acting_for) == ("portal", world.gia_account.pk, "Max Moreno")
    assert read.client_id == world.max.pk and read.object_id == str(thread.pk)


def test_a_thread_says_which_child_it_is_about_and_who_wrote(world, gia):
    """Gia has two children in one login: the thread page names the profile it is about."""
    thread = notice(world, world.mia, "Office closed Monday")
    select(gia, world.gia_access_mia)
    body = gia.get(thread_url(thread)).content.decode()
    header = body.split('id="thread-about"', 1)[1].split("</p>", 1)[0]
    assert "About Mia Moreno" in header
    assert '<strong class="text-break">Ada Admin</strong>' in body


def test_a_record_request_offers_review_and_sign_while_open(world, gia):
    request = ask_gia_to_sign(world, world.max)
    select(gia, world.gia_access_max)
    body = gia.get(thread_url(request_thread(request))).content.decode()
    assert f'href="/p/riverside/sign/{request.pk}/"' in body and "Review and sign" in body
    assert f'href="/p/riverside/documents/{request.document_id}/"' in body


def test_a_record_request_no_longer_open_shows_its_status_instead(world, gia):
    request = ask_gia_to_sign(world, world.max)
    cancel_request(by=world.ada, request=request)
    select(gia, world.gia_access_max)
    body = gia.get(thread_url(request_thread(request))).content.decode()
    assert "/sign/" not in body
    assert "Cancelled" in body and "The practice cancelled this signature request. Nothing was signed." in body


def test_the_nav_shows_the_unread_count_in_words(world, gia):
    """The Inbox link reads "Inbox, 2 unread" to assistive technology, and the count drops as threads are read."""
    first = notice(world, world.max, "Office closed Monday")
    notice(world, world.max, "New forms")
    notice(world, world.mia, "Mia's appointment moved")  # another profile: not counted under Max
    select(gia, world.gia_access_max)
    body = gia.get("/p/riverside/home/").content.decode()
    assert '<span class="visually-hidden">, 2 unread</span>' in body
    assert "You have 2 unread messages." in body
    gia.get(thread_url(first))
    body = gia.get("/p/riverside/documents/").content.decode()
    assert '<span class="visually-hidden">, 1 unread</span>' in body
    select(gia, world.gia_access_mia)
    assert '<span class="visually-hidden">, 1 unread</span>' in gia.get(INBOX).content.decode()


def test_the_inbox_link_is_marked_current_on_a_thread(world, gia):
    thread = notice(world, world.max, "Office closed Monday")
    select(gia, world.gia_access_max)
    body = gia.get(thread_url(thread)).content.decode()
    assert re.search(r'<a class="nav-link px-0 fw-semibold" href="/p/riverside/inbox/"', body)


def test_sign_in_lands_in_the_inbox_of_the_profile_with_an_unread_record_request(world, client):
    """Seed 004: the record request is for Mia (not the first profile): sign-in selects Mia and opens her inbox."""
    request = ask_gia_to_sign(world, world.mia)
    response = client.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD})
    assert response.status_code == 302 and urlsplit(response["Location"]).path == INBOX
    assert listed_ids(client) == [request_thread(request).pk]


def test_where_sign_in_lands_is_the_policies_answer(world, client, monkeypatch):
    """Which profiles (``portal_access.policy``) and which threads (``messaging.policy``): a rule changed in
    either changes where sign-in lands, as it changes every other portal page."""
    ask_gia_to_sign(world, world.mia)
    original_threads = messaging_policy.visible_to
    monkeypatch.setattr(messaging_policy, "visible_to", lambda viewer: original_threads(viewer).none())
    response = client.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD})
    assert urlsplit(response["Location"]).path == "/p/riverside/home/"

    monkeypatch.undo()
    original_profiles = access_policy.visible_to
    hidden = world.gia_access_mia.pk
    monkeypatch.setattr(access_policy, "visible_to", lambda viewer: original_profiles(viewer).exclude(pk=hidden))
    response = HttpClient().post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD})
    assert urlsplit(response["Location"]).path == "/p/riverside/home/"


def test_sign_in_goes_home_once_the_request_was_read_and_to_next_when_given(world, client):
    request = ask_gia_to_sign(world, world.max)
    explicit = client.post(
        "/p/riverside/?next=/p/riverside/documents/", {"username": "gia@example.com", "password": PASSWORD}
    )
    assert explicit["Location"] == "/p/riverside/documents/"
    Participant.objects.filter(thread=request_thread(request)).update(unread=0)
    fresh = HttpClient()
    response = fresh.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD})
    assert urlsplit(response["Location"]).path == "/p/riverside/home/"


def test_an_unread_notice_alone_does_not_redirect_sign_in(world, client):
    notice(world, world.max, "Office closed Monday")
    response = client.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD})
    assert urlsplit(response["Location"]).path == "/p/riverside/home/"


def test_opening_the_signing_page_reads_the_request_thread(world, gia):
    """Going straight to My Documents and Review and sign leaves no stale unread record request behind."""
    request = ask_gia_to_sign(world, world.max)
    select(gia, world.gia_access_max)
    assert gia.get(f"/p/riverside/sign/{request.pk}/").status_code == 200
    thread = request_thread(request)
    assert Participant.objects.get(thread=thread, account=world.gia_account).unread == 0
    assert [event.object_id for event in events("message.read")] == [str(thread.pk)]
