"""Portal users who are not contacts (ACC-10) get documents like contacts; the dialog says who each person is."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.core.errors import ApplicationError
from haven.documents.actions import set_recipients
from haven.documents.models import Audience, Share
from haven.documents.policy import visible_to_profile
from haven.portal_access.actions.invitations import add_portal_user
from haven.portal_access.models import AccessStatus, ProfileAccess
from tests.personas import World

pytestmark = pytest.mark.django_db


def portal_user(world: World, *, client=None, name: str = "Pat Park", email: str = "pat@example.com") -> ProfileAccess:
    """A portal user added for the client (Add Portal User) who has signed in, so their access is active."""
    access = add_portal_user(by=world.ada, client=client or world.max, full_name=name, email=email)
    access.mark_confirmed()
    return access


def detail_url(world: World) -> str:
    return reverse("staff:document_detail", kwargs={"client_id": world.max.pk, "document_id": world.progress_note.pk})


def share_url(world: World) -> str:
    return reverse("staff:document_share", kwargs={"client_id": world.max.pk, "document_id": world.progress_note.pk})


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_share_dialog_offers_portal_users_and_says_who_each_person_is(world, login):
    pat = portal_user(world)
    html = login(world.ada).get(detail_url(world)).content.decode()
    assert f'name="portal_user" value="{pat.pk}"' in html
    words = text(html)
    assert "Max Moreno · Client" in words
    assert "Gia Moreno · Parent, legal guardian" in words
    assert "Pat Park · Portal user" in words


def test_staff_share_with_a_portal_user_who_then_sees_it_and_is_told_by_email(
    world, login, django_capture_on_commit_callbacks
):
    pat = portal_user(world)
    http = login(world.ada)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(share_url(world), {"portal_user": str(pat.pk)})
    assert response.status_code == 302
    assert world.progress_note in visible_to_profile(pat)
    assert world.progress_note not in visible_to_profile(world.gia_access_max)
    assert [message.to for message in mail.outbox] == [["pat@example.com"]]
    event = AuditEvent.objects.filter(action="document.shared").latest("sequence")
    assert event.details == {"audience": Audience.PORTAL_USER, "contact": None, "portal_user": pat.pk}
    page = text(http.get(detail_url(world)).content.decode())
    assert "Shared with: Pat Park (portal user)" in page


def test_unselecting_a_portal_user_removes_the_document_from_their_portal_at_once(world):
    pat = portal_user(world)
    set_recipients(
        by=world.ada, document=world.progress_note, all_authorized=False, client=False, contacts=[], portal_users=[pat]
    )
    set_recipients(by=world.ada, document=world.progress_note, all_authorized=False, client=False, contacts=[])
    assert world.progress_note not in visible_to_profile(pat)
    assert Share.objects.get(document=world.progress_note, access=pat).revoked_at is not None


def test_all_authorized_reaches_a_portal_user_while_their_access_is_effective(
    world, django_capture_on_commit_callbacks
):
    pat = portal_user(world)
    removed = portal_user(world, name="Rae Ross", email="rae@example.com")
    removed.mark_ended(AccessStatus.REVOKED)
    with django_capture_on_commit_callbacks(execute=True):
        set_recipients(by=world.ada, document=world.progress_note, all_authorized=True, client=False, contacts=[])
    assert world.progress_note in visible_to_profile(pat)
    assert sorted(message.to[0] for message in mail.outbox) == ["gia@example.com", "pat@example.com"]


def test_a_removed_portal_user_is_no_longer_offered_and_cannot_be_chosen(world):
    pat = portal_user(world)
    pat.mark_ended(AccessStatus.REVOKED)
    with pytest.raises(ApplicationError, match="portal users"):
        set_recipients(
            by=world.ada,
            document=world.progress_note,
            all_authorized=False,
            client=False,
            contacts=[],
            portal_users=[pat],
        )
    assert not Share.objects.filter(document=world.progress_note).exists()


def test_another_clients_portal_user_refuses_the_whole_share_request_with_404_audited(world, login):
    anas_helper = portal_user(world, client=world.ana, name="Ola Ortiz", email="ola@example.com")
    http = login(world.ada)
    response = http.post(share_url(world), {"client": "1", "portal_user": str(anas_helper.pk)})
    assert response.status_code == 404
    assert b"Ola Ortiz" not in response.content
    denied = AuditEvent.objects.filter(action="access.denied").latest("sequence")
    assert denied.details["object_id"] == str(anas_helper.pk)
    assert not Share.objects.filter(document=world.progress_note).exists()


def test_a_portal_user_who_is_not_a_contact_sees_the_shared_document_in_my_documents(world):
    pat = portal_user(world)
    assert list(visible_to_profile(pat)) == []
    set_recipients(
        by=world.ada, document=world.progress_note, all_authorized=False, client=True, contacts=[], portal_users=[pat]
    )
    assert list(visible_to_profile(pat)) == [world.progress_note]
