"""The portal inbox (SIGN-2): the selected profile's messages, read once, reached after sign-in."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.clients.models import Client
from haven.documents.models import Document
from haven.messaging import policy as messaging_policy
from haven.messaging.actions import post_message
from haven.messaging.models import Message, MessageKind
from haven.portal.tests.helpers import select
from haven.portal.views import inbox
from haven.portal_access import policy as access_policy
from haven.portal_access.models import PortalAccount
from haven.portal_access.viewers import PortalViewer
from haven.signing.models import SignatureRequest
from haven.signing.requests import cancel_request, request_signature
from haven.signing.tests.flow import treatment_plan
from tests.personas import PASSWORD, World, give_ana_a_portal_login

pytestmark = pytest.mark.django_db

INBOX = "/p/riverside/inbox/"


def message_url(message: Message) -> str:
    return f"/p/riverside/inbox/{message.pk}/"


def ask_gia_to_sign(world: World, client: Client, title: str = "Treatment plan") -> SignatureRequest:
    contact = world.gia if client == world.max else world.gia_for_mia
    plan = treatment_plan(world.ada, client, pages=1, title=title)
    return request_signature(by=world.ada, document=plan, signer_key=f"contact-{contact.pk}")


def notice(world: World, client: Client, subject: str, account: PortalAccount | None = None) -> Message:
    return post_message(
        by=world.ada,
        account=account or world.gia_account,
        client=client,
        kind=MessageKind.NOTICE,
        subject=subject,
        body="Our office is closed on Monday.",
    )


def listed_ids(http: HttpClient, url: str = INBOX) -> list[int]:
    response = http.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    return [int(chunk.split('"', 1)[0]) for chunk in body.split('data-message="')[1:]]


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_the_inbox_lists_only_the_selected_profiles_messages_newest_first(world, gia):
    """Max's request and notice show under Max, newest first; Mia's notice only under Mia."""
    request = ask_gia_to_sign(world, world.max)
    maxs_notice = notice(world, world.max, "Office closed Monday")
    mias_notice = notice(world, world.mia, "Mia's appointment moved")
    select(gia, world.gia_access_max)
    request_message = Message.objects.get(signature_request=request)
    assert listed_ids(gia) == [maxs_notice.pk, request_message.pk]
    body = gia.get(INBOX).content.decode()
    assert "Please review and sign: Treatment plan" in body and "Record request" in body
    assert "Mia&#x27;s appointment moved" not in body
    select(gia, world.gia_access_mia)
    assert listed_ids(gia) == [mias_notice.pk]


def test_unread_messages_are_bold_and_say_so(world, gia):
    unread = notice(world, world.max, "Office closed Monday")
    select(gia, world.gia_access_max)
    item = gia.get(INBOX).content.decode().split(f'data-message="{unread.pk}"', 1)[1].split("</li>", 1)[0]
    assert "fw-bold" in item and "Unread:" in item
    gia.get(message_url(unread))
    item = gia.get(INBOX).content.decode().split(f'data-message="{unread.pk}"', 1)[1].split("</li>", 1)[0]
    assert "fw-bold" not in item and "Unread:" not in item


def test_the_inbox_is_paginated_by_twenty(world, gia):
    bulk_messages(world, 25)
    select(gia, world.gia_access_max)
    assert len(listed_ids(gia)) == 20
    assert len(listed_ids(gia, f"{INBOX}?page=2")) == 5
    assert "1\u201320 of 25" in gia.get(INBOX).content.decode()


def test_another_profiles_message_answers_404_and_is_audited(world, gia):
    """Mia's message opens only while Mia is selected; under Max it is 404, audited, and stays unread."""
    mias = notice(world, world.mia, "Mia's appointment moved")
    select(gia, world.gia_access_max)
    before = AuditEvent.objects.count()
    response = gia.get(message_url(mias))
    assert response.status_code == 404
    assert b"appointment moved" not in response.content
    [denied] = AuditEvent.objects.order_by("id")[before:]
    assert denied.action == "access.denied" and denied.actor_kind == "portal"
    assert denied.actor_id == world.gia_account.pk
    assert denied.details == {"object_type": "messaging.message", "object_id": str(mias.pk), "path": message_url(mias)}
    mias.refresh_from_db()
    assert mias.read_at is None
    select(gia, world.gia_access_mia)
    assert gia.get(message_url(mias)).status_code == 200


def test_another_logins_message_answers_404_and_is_audited(world, gia):
    """A message to Ana's own login, about Ana, never opens for Gia."""
    account = give_ana_a_portal_login(world).account
    anas = notice(world, world.ana, "Your invoice", account=account)
    select(gia, world.gia_access_max)
    response = gia.get(message_url(anas))
    assert response.status_code == 404
    assert [event.details["object_id"] for event in events("access.denied")] == [str(anas.pk)]


def test_reading_a_message_marks_it_read_once_and_is_audited_once(world, gia):
    message = notice(world, world.max, "Office closed Monday")
    select(gia, world.gia_access_max)
    first = gia.get(message_url(message))
    assert first.status_code == 200
    body = first.content.decode()
    assert "Office closed Monday" in body and "Our office is closed on Monday." in body
    message.refresh_from_db()
    read_at = message.read_at
    assert read_at is not None
    assert gia.get(message_url(message)).status_code == 200
    message.refresh_from_db()
    assert message.read_at == read_at
    [read] = events("message.read")
    assert (read.actor_kind, read.actor_id, read.acting_for) == ("portal", world.gia_account.pk, "Max Moreno")
    assert read.client_id == world.max.pk and read.object_id == str(message.pk)


def test_a_message_says_which_child_it_is_about(world, gia):
    """Gia has two children in one login: the message page names the profile it is about."""
    message = notice(world, world.mia, "Office closed Monday")
    select(gia, world.gia_access_mia)
    body = gia.get(message_url(message)).content.decode()
    header = body.split('id="message-subject"')[0].split('class="card-body')[1]
    assert "About Mia Moreno" in header


def test_a_record_request_offers_review_and_sign_while_open(world, gia):
    request = ask_gia_to_sign(world, world.max)
    message = Message.objects.get(signature_request=request)
    select(gia, world.gia_access_max)
    body = gia.get(message_url(message)).content.decode()
    assert f'href="/p/riverside/sign/{request.pk}/"' in body and "Review and sign" in body
    assert f'href="/p/riverside/documents/{request.document_id}/"' in body


def test_a_record_request_no_longer_open_shows_its_status_instead(world, gia):
    request = ask_gia_to_sign(world, world.max)
    cancel_request(by=world.ada, request=request)
    message = Message.objects.get(signature_request=request)
    select(gia, world.gia_access_max)
    body = gia.get(message_url(message)).content.decode()
    assert "/sign/" not in body
    assert "Cancelled" in body and "The practice cancelled this signature request. Nothing was signed." in body


def test_the_nav_shows_the_unread_count_in_words(world, gia):
    """The Inbox link reads "Inbox, 2 unread" to assistive technology, and the count drops as messages are read."""
    first = notice(world, world.max, "Office closed Monday")
    notice(world, world.max, "New forms")
    notice(world, world.mia, "Mia's appointment moved")  # another profile: not counted under Max
    select(gia, world.gia_access_max)
    body = gia.get("/p/riverside/home/").content.decode()
    assert '<span class="visually-hidden">, 2 unread</span>' in body
    assert "You have 2 unread messages." in body
    gia.get(message_url(first))
    body = gia.get("/p/riverside/documents/").content.decode()
    assert '<span class="visually-hidden">, 1 unread</span>' in body
    select(gia, world.gia_access_mia)
    assert '<span class="visually-hidden">, 1 unread</span>' in gia.get(INBOX).content.decode()


def test_sign_in_lands_in_the_inbox_of_the_profile_with_an_unread_record_request(world, client):
    """Seed 004: the record request is for Mia (not the first profile): sign-in selects Mia and opens her inbox."""
    request = ask_gia_to_sign(world, world.mia)
    response = client.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD})
    assert response.status_code == 302 and urlsplit(response["Location"]).path == INBOX
    assert listed_ids(client) == [Message.objects.get(signature_request=request).pk]


def test_where_sign_in_lands_is_the_policies_answer(world, client, monkeypatch):
    """Which profiles (``portal_access.policy``) and which messages (``messaging.policy``): a rule changed in
    either changes where sign-in lands, as it changes every other portal page."""
    ask_gia_to_sign(world, world.mia)
    original_messages = messaging_policy.visible_to
    monkeypatch.setattr(messaging_policy, "visible_to", lambda viewer: original_messages(viewer).none())
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
    Message.objects.filter(signature_request=request).update(read_at=timezone.now())
    fresh = HttpClient()
    response = fresh.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD})
    assert urlsplit(response["Location"]).path == "/p/riverside/home/"


def test_an_unread_notice_alone_does_not_redirect_sign_in(world, client):
    notice(world, world.max, "Office closed Monday")
    response = client.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD})
    assert urlsplit(response["Location"]).path == "/p/riverside/home/"


def test_inbox_and_message_query_counts_are_flat_as_messages_grow(world, gia, django_assert_max_num_queries):
    select(gia, world.gia_access_max)
    gia.get(INBOX)  # the "Now showing" message is shown and gone
    bulk_messages(world, 5)
    first = Message.objects.filter(client=world.max).first()
    assert first is not None
    with CaptureQueriesContext(connection) as small_list:
        assert len(listed_ids(gia)) == 5
    with CaptureQueriesContext(connection) as small_message:
        gia.get(message_url(first))
    bulk_messages(world, 295)
    with django_assert_max_num_queries(len(small_list.captured_queries)):
        assert len(listed_ids(gia)) == 20
    latest = Message.objects.filter(client=world.max).first()
    assert latest is not None
    with django_assert_max_num_queries(len(small_message.captured_queries)):
        gia.get(message_url(latest))


def bulk_messages(world: World, count: int) -> list[Message]:
    """Many notices to Gia about Max, some pointing at a document, made directly."""
    start = Message.objects.filter(client=world.max).count()
    now = timezone.now()
    document: Document = world.progress_note
    return Message.objects.bulk_create(
        Message(
            practice=world.riverside,
            client=world.max,
            account=world.gia_account,
            kind=MessageKind.NOTICE,
            subject=f"Notice {start + n}",
            document=document if n % 2 else None,
            created_at=now - datetime.timedelta(minutes=start + n),
        )
        for n in range(count)
    )


def test_opening_the_signing_page_reads_the_request_message(world, gia):
    """Going straight to My Documents and Review and sign leaves no stale unread record request behind."""
    request = ask_gia_to_sign(world, world.max)
    select(gia, world.gia_access_max)
    assert gia.get(f"/p/riverside/sign/{request.pk}/").status_code == 200
    message = Message.objects.get(signature_request=request)
    assert message.read_at is not None
    assert [event.object_id for event in events("message.read")] == [str(message.pk)]


def test_the_first_page_and_the_count_are_the_policys_messages(world: World) -> None:
    """The inbox's prepared first page holds the newest of the messages the policy shows the viewer, and counts them."""
    for number in range(25):
        post_message(
            by=world.ada, account=world.gia_account, client=world.max, kind=MessageKind.NOTICE, subject=f"N{number}"
        )
    post_message(by=world.ada, account=world.gia_account, client=world.mia, kind=MessageKind.NOTICE, subject="Mia")
    gia = PortalViewer(account=world.gia_account, practice=world.riverside, profile=world.gia_access_max)
    addressee = messaging_policy.addressee(gia)
    assert addressee is not None

    inbox._FIRST_PAGE.check(*addressee)
    shown = list(messaging_policy.visible_to(gia))
    assert [m.pk for m in inbox._FIRST_PAGE(*addressee)] == [m.pk for m in shown[:20]]
    assert inbox._COUNT(*addressee) == [len(shown)] == [25]
