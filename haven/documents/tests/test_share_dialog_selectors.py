"""The document page's share dialog reads its shares and people as values: each named as the models name them
(``Share.recipient_label``, ``RelatedContact.full_name``, ``contact_role``), in the same order."""

from __future__ import annotations

import pytest

from haven.clients.models import Client, RelatedContact, Relationship
from haven.documents import selectors
from haven.documents.actions import set_recipients
from haven.documents.models import Share, contact_role
from haven.portal_access.actions.invitations import add_portal_user
from haven.portal_access.models import ProfileAccess
from tests.personas import World, years_ago

pytestmark = pytest.mark.django_db


def _people(world: World) -> tuple[RelatedContact, RelatedContact, ProfileAccess]:
    """Beside Gia (Max's guardian): Leo, a contact who is himself a client (linked), and Pat, a portal user."""
    leo = Client.objects.create(
        practice=world.riverside, first_name="Leo <b>", last_name="Lane & Co", date_of_birth=years_ago(30)
    )
    linked = RelatedContact.objects.create(
        practice=world.riverside,
        client=world.max,
        linked_client=leo,
        relationship=Relationship.SIBLING,
        web_portal=True,
    )
    pat = add_portal_user(by=world.ada, client=world.max, full_name="Pat Park", email="pat@example.com")
    pat.mark_confirmed()
    return world.gia, linked, pat


def test_open_shares_are_named_as_each_share_names_itself(world: World) -> None:
    gia, linked, pat = _people(world)
    document = world.progress_note
    set_recipients(
        by=world.ada, document=document, all_authorized=True, client=True, contacts=[gia, linked], portal_users=[pat]
    )
    shares = (
        Share.objects.open()
        .filter(document=document)
        .order_by("audience", "contact__last_name", "access__display_name")
    )

    read = selectors.open_shares_of(document)

    assert [(s.audience, s.contact_id, s.access_id, s.recipient_label) for s in read] == [
        (s.audience, s.contact_id, s.access_id, s.recipient_label) for s in shares
    ]
    assert len(read) == 5


def test_the_dialog_offers_contacts_and_portal_users_named_as_the_models_name_them(world: World) -> None:
    gia, linked, pat = _people(world)

    contacts, portal_users = selectors.share_dialog_people(world.max)

    assert [(c.pk, c.name, c.role) for c in contacts] == [(c.pk, c.full_name, contact_role(c)) for c in (gia, linked)]
    assert [(p.pk, p.name) for p in portal_users] == [(pat.pk, "Pat Park")]
