"""The messaging policy is the one answer to who reads which message: change it there and the inbox,
its unread count, each message, the signing page and the URL walk all follow."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from haven.audit.models import AuditEvent
from haven.core.policy import Viewer
from haven.messaging import policy
from haven.messaging.actions import post_message
from haven.messaging.models import Message, MessageKind
from haven.portal_access.viewers import PortalViewer
from haven.practices.viewers import StaffViewer
from haven.signing.requests import request_signature
from haven.signing.tests.flow import treatment_plan
from tests.personas import PASSWORD, World
from tests.security.urlwalk import ROUTES, url_for

pytestmark = pytest.mark.django_db

MESSAGE_ROUTES = [route for route in ROUTES if "message_id" in route.kwargs]
ONE_UNREAD = '<span class="visually-hidden">, 1 unread</span>'


def gia_with_max(world: World, http: HttpClient) -> HttpClient:
    assert http.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD}).status_code == 302
    assert http.post("/p/riverside/switch/", {"profile": world.gia_access_max.pk}).status_code == 302
    return http


def notice(world: World) -> Message:
    return post_message(
        by=world.ada, account=world.gia_account, client=world.max, kind=MessageKind.NOTICE, subject="Office closed"
    )


def test_who_reads_a_message_has_one_answer_the_inbox_count_pages_and_url_walk_follow(
    world: World, client: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = notice(world)
    http = gia_with_max(world, client)
    inbox = http.get("/p/riverside/inbox/").content.decode()
    assert f'data-message="{message.pk}"' in inbox and ONE_UNREAD in inbox

    def nobody(viewer: Viewer) -> None:
        return None

    # One change, in one place (whose messages a viewer reads, which ``visible_to`` and the count ask):
    # nobody reads any message.
    monkeypatch.setattr(policy, "addressee", nobody)

    inbox = http.get("/p/riverside/inbox/").content.decode()
    assert f'data-message="{message.pk}"' not in inbox and ONE_UNREAD not in inbox
    since = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    assert MESSAGE_ROUTES
    for route in MESSAGE_ROUTES:
        assert http.get(url_for(route, world, message_id=message.pk)).status_code == 404, route
    refusals = AuditEvent.objects.filter(id__gt=since, action="access.denied")
    assert [event.details["object_type"] for event in refusals] == ["messaging.message"] * len(MESSAGE_ROUTES)
    message.refresh_from_db()
    assert message.read_at is None


def test_opening_the_signing_page_reads_only_the_messages_the_policy_shows(
    world: World, client: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = treatment_plan(world.ada, world.max, pages=1)
    sign_request = request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    record_request = Message.objects.get(signature_request=sign_request)
    http = gia_with_max(world, client)
    monkeypatch.setattr(policy, "addressee", lambda viewer: None)  # whose messages a viewer reads: nobody's
    assert http.get(f"/p/riverside/sign/{sign_request.pk}/").status_code == 200
    record_request.refresh_from_db()
    assert record_request.read_at is None  # the signing page asked the policy, which showed nothing
    monkeypatch.undo()
    assert http.get(f"/p/riverside/sign/{sign_request.pk}/").status_code == 200
    record_request.refresh_from_db()
    assert record_request.read_at is not None


def test_a_message_is_read_only_by_its_login_for_its_profile(world: World) -> None:
    message = notice(world)
    gia = PortalViewer(account=world.gia_account, practice=world.riverside, profile=world.gia_access_max)
    assert list(policy.visible_to(gia)) == [message]
    for other in (
        PortalViewer(account=world.gia_account, practice=world.riverside, profile=world.gia_access_mia),
        PortalViewer(account=world.gia_account, practice=world.riverside, profile=None),
        StaffViewer(world.ada),
    ):
        assert not policy.visible_to(other).exists()
