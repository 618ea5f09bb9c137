"""Share all says with whom it shares, and on a minor without a login, that the guardian will not see it."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.clients.models import RelatedContact, Relationship
from haven.documents.actions import upload_document
from haven.documents.models import Audience, DocumentType, Share
from haven.documents.policy import visible_to_profile
from haven.portal_access.models import AccessKind, AccessStatus, PortalAccount, ProfileAccess
from tests.personas import ONE_BLANK_PAGE_PDF, World

pytestmark = pytest.mark.django_db

SEED_CONFIRMATION = "Continuing will send all documentation to the Client via their portal account."
GUARDIAN_WARNING = "is a minor without a portal login of their own"


def log_url(world: World, client=None) -> str:
    return reverse("staff:activity_log", kwargs={"client_id": (client or world.max).pk})


def share_all_url(world: World, client=None) -> str:
    return reverse("staff:document_share_all", kwargs={"client_id": (client or world.max).pk})


def confirmations(html: str) -> list[str]:
    return [unescape(found) for found in re.findall(r'data-confirm="([^"]+)"', html)]


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_share_all_confirmation_says_with_whom_it_is_shared(world, login):
    upload_document(
        by=world.ada,
        client=world.ana,
        doc_type=DocumentType.objects.get(practice=world.riverside, name="General Document"),
        title="Letter",
        document_date=timezone.localdate(),
        data=ONE_BLANK_PAGE_PDF,
    )
    html = login(world.ada).get(log_url(world, world.ana)).content.decode()
    assert confirmations(html) == [f"{SEED_CONFIRMATION} Who will see it: Ana Alvarez (client) only."]
    assert GUARDIAN_WARNING not in html  # an adult: no guardian to warn about


def test_share_all_on_a_minor_without_a_login_warns_the_guardian_will_not_see_it_and_offers_sharing_with_her(
    world, login
):
    html = login(world.ada).get(log_url(world)).content.decode()
    client_confirm, gia_confirm = confirmations(html)
    assert client_confirm.startswith(f"{SEED_CONFIRMATION} Who will see it: Max Moreno (client) only.")
    assert "Max Moreno is a minor without a portal login of their own" in client_confirm
    assert "their guardian will not see it" in client_confirm
    assert gia_confirm == (
        "Continuing will send all documentation to Gia Moreno (Parent, legal guardian) via their portal account."
    )
    words = text(html)
    assert "Share all sends to the client only" in words
    assert "Share all with Gia Moreno (Parent, legal guardian)" in words
    assert f'name="contact" value="{world.gia.pk}"' in html


def test_a_minor_with_a_portal_login_of_their_own_gets_no_guardian_warning(world, login):
    account = PortalAccount.objects.create(email="max@example.com", full_name="Max Moreno")
    ProfileAccess.objects.create(
        account=account, practice=world.riverside, client=world.max, kind=AccessKind.SELF, status=AccessStatus.PENDING
    )
    html = login(world.ada).get(log_url(world)).content.decode()
    assert GUARDIAN_WARNING not in html and "data-share-all-minor" not in html


def test_after_share_all_the_share_status_names_the_client_instead_of_selected(world, login):
    http = login(world.ada)
    response = http.post(share_all_url(world), follow=True)
    words = text(response.content.decode())
    assert "All documentation successfully portalized for the client. Shared with Max Moreno (client)." in words
    assert "Shared · Max Moreno (client)" in words
    assert "Selected" not in words
    chart = text(http.get(reverse("staff:client_chart", kwargs={"client_id": world.max.pk})).content.decode())
    assert "Shared · Max Moreno (client)" in chart


def test_share_all_with_the_guardian_gives_her_every_available_document_and_tells_her(
    world, login, django_capture_on_commit_callbacks
):
    http = login(world.ada)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(share_all_url(world), {"contact": str(world.gia.pk)}, follow=True)
    words = text(response.content.decode())
    assert "All documentation successfully portalized for Gia Moreno (Parent, legal guardian)." in words
    assert "Shared · Gia Moreno (Parent, legal guardian)" in words
    assert list(visible_to_profile(world.gia_access_max)) == [world.progress_note]
    assert [message.to for message in mail.outbox] == [["gia@example.com"]]
    event = AuditEvent.objects.filter(action="document.shared_all").latest("sequence")
    assert event.details == {
        "audience": Audience.CONTACT,
        "documents": [world.progress_note.pk],
        "contact": world.gia.pk,
    }
    again = http.post(share_all_url(world), {"contact": str(world.gia.pk)}, follow=True)
    assert "Everything available was already shared." in again.content.decode()


def test_share_all_with_another_clients_contact_answers_404_audited_and_shares_nothing(world, login):
    response = login(world.ada).post(share_all_url(world), {"contact": str(world.gia_for_mia.pk)})
    assert response.status_code == 404
    denied = AuditEvent.objects.filter(action="access.denied").latest("sequence")
    assert denied.details["object_id"] == str(world.gia_for_mia.pk)
    assert not Share.objects.exists()


def test_share_all_with_a_contact_without_web_portal_is_refused_in_plain_words(world, login):
    uncle = RelatedContact.objects.create(
        practice=world.riverside,
        client=world.max,
        first_name="Uli",
        last_name="Moreno",
        relationship=Relationship.OTHER,
    )
    response = login(world.ada).post(share_all_url(world), {"contact": str(uncle.pk)}, follow=True)
    assert "Choose among this client's contacts with Web Portal permission." in text(response.content.decode())
    assert not Share.objects.exists()
