"""Related contacts: new people or existing clients, with Web Portal and guardian flags."""

from __future__ import annotations

import pytest

from haven.audit.models import AuditEvent
from haven.clients.actions import add_contact, remove_contact, update_contact
from haven.clients.models import RelatedContact, Relationship
from haven.core.errors import ApplicationError, ConflictError

pytestmark = pytest.mark.django_db

NEW_PARENT = {
    "first_name": "Paz",
    "last_name": "Alvarez",
    "email": "paz@example.com",
    "phone": "",
    "relationship": Relationship.PARENT,
    "web_portal": False,
    "legal_guardian": False,
}


def test_add_new_person_as_contact_is_audited(world):
    contact = add_contact(by=world.theo, client=world.ana, data=NEW_PARENT)
    assert contact.full_name == "Paz Alvarez"
    event = AuditEvent.objects.get(action="contact.added")
    assert event.client == world.ana
    assert event.object_id == str(contact.pk)


def test_add_existing_client_as_contact_uses_that_clients_details(world):
    contact = add_contact(
        by=world.theo,
        client=world.ben,
        linked_client=world.ana,
        data={"relationship": Relationship.SPOUSE, "first_name": "ignored", "email": "ignored@example.com"},
    )
    assert contact.full_name == "Ana Alvarez"
    assert contact.contact_email == "ana@example.com"
    assert contact.first_name == ""


def test_client_cannot_be_their_own_contact(world):
    with pytest.raises(ApplicationError):
        add_contact(by=world.theo, client=world.ana, linked_client=world.ana, data={"relationship": "other"})


def test_the_same_client_cannot_be_linked_twice(world):
    add_contact(by=world.theo, client=world.ben, linked_client=world.ana, data={"relationship": "spouse"})
    with pytest.raises(ApplicationError, match="already"):
        add_contact(by=world.theo, client=world.ben, linked_client=world.ana, data={"relationship": "other"})


def test_a_client_of_another_practice_cannot_be_linked(world):
    with pytest.raises(ApplicationError):
        add_contact(by=world.theo, client=world.ana, linked_client=world.hal, data={"relationship": "other"})


def test_contact_needs_a_name(world):
    with pytest.raises(ApplicationError, match="name"):
        add_contact(by=world.theo, client=world.ana, data={**NEW_PARENT, "first_name": "", "last_name": ""})


def test_only_web_portal_staff_may_grant_portal_access(world):
    """Theo, a therapist without Web Portal, cannot give a contact portal access; Ada can."""
    with pytest.raises(ApplicationError, match="Web Portal"):
        add_contact(by=world.theo, client=world.ana, data={**NEW_PARENT, "web_portal": True})
    contact = add_contact(by=world.ada, client=world.ana, data={**NEW_PARENT, "web_portal": True})
    assert contact.web_portal


def test_only_web_portal_staff_may_revoke_portal_access(world):
    data = {**NEW_PARENT, "first_name": "Gia", "last_name": "Moreno", "web_portal": False, "legal_guardian": True}
    with pytest.raises(ApplicationError, match="Web Portal"):
        update_contact(by=world.theo, contact=world.gia, data=data, expected_version=world.gia.version)


def test_therapist_may_edit_other_details_of_a_portal_contact(world):
    data = {
        "first_name": "Gia",
        "last_name": "Moreno",
        "email": "gia.new@example.com",
        "phone": "555-0199",
        "relationship": Relationship.PARENT,
        "web_portal": True,
        "legal_guardian": True,
    }
    contact = update_contact(by=world.theo, contact=world.gia, data=data, expected_version=world.gia.version)
    assert contact.email == "gia.new@example.com"
    event = AuditEvent.objects.get(action="contact.changed")
    assert event.details == {"fields": ["email", "phone"]}


def test_revoking_web_portal_is_audited_with_the_new_value(world):
    data = {
        "first_name": "Gia",
        "last_name": "Moreno",
        "email": "gia@example.com",
        "phone": "",
        "relationship": Relationship.PARENT,
        "web_portal": False,
        "legal_guardian": True,
    }
    update_contact(by=world.ada, contact=world.gia, data=data, expected_version=world.gia.version)
    event = AuditEvent.objects.get(action="contact.changed")
    assert event.details["web_portal"] is False


def test_contact_edit_based_on_an_older_version_is_refused(world):
    data = {**NEW_PARENT, "first_name": "Gia", "last_name": "Moreno", "web_portal": True, "legal_guardian": True}
    update_contact(by=world.ada, contact=world.gia, data={**data, "phone": "1"}, expected_version=1)
    with pytest.raises(ConflictError):
        update_contact(by=world.ada, contact=world.gia, data={**data, "phone": "2"}, expected_version=1)


def test_remove_contact_is_audited_and_deletes_only_that_contact(world):
    remove_contact(by=world.theo, contact=world.gia)
    assert not RelatedContact.objects.filter(pk=world.gia.pk).exists()
    assert RelatedContact.objects.filter(pk=world.hal_contact.pk).exists()
    event = AuditEvent.objects.get(action="contact.removed")
    assert event.client == world.max


def test_staff_cannot_remove_another_practices_contact(world):
    with pytest.raises(RelatedContact.DoesNotExist):
        remove_contact(by=world.theo, contact=world.hal_contact)
