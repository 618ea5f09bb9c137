"""The Contacts tab: add, edit and remove related contacts."""

from __future__ import annotations

import pytest

from haven.clients.models import RelatedContact

pytestmark = pytest.mark.django_db


def test_contacts_tab_lists_contacts_with_portal_badges(world, login):
    http = login(world.theo)
    body = http.get(f"/staff/clients/{world.max.pk}/contacts/").content.decode()
    assert "Gia Moreno" in body
    assert "Web Portal" in body
    assert "Legal guardian" in body


def test_add_contact_as_new_person(world, login):
    http = login(world.ada)
    response = http.post(
        f"/staff/clients/{world.ana.pk}/contacts/new/",
        {"first_name": "Paz", "last_name": "Alvarez", "relationship": "parent", "web_portal": "on"},
    )
    assert response.status_code == 302
    contact = RelatedContact.objects.get(client=world.ana)
    assert contact.web_portal
    assert not contact.legal_guardian


def test_add_existing_client_as_contact(world, login):
    http = login(world.theo)
    response = http.post(
        f"/staff/clients/{world.ben.pk}/contacts/new/", {"linked_client": world.ana.pk, "relationship": "spouse"}
    )
    assert response.status_code == 302
    assert RelatedContact.objects.get(client=world.ben).linked_client == world.ana


def test_existing_client_choices_exclude_other_practices_and_the_client(world, login):
    http = login(world.theo)
    form = http.get(f"/staff/clients/{world.ana.pk}/contacts/new/").context["form"]
    choices = set(form.fields["linked_client"].queryset)
    assert world.ben in choices
    assert world.ana not in choices
    assert world.hal not in choices


def test_linking_another_practices_client_is_refused(world, login):
    http = login(world.theo)
    response = http.post(
        f"/staff/clients/{world.ben.pk}/contacts/new/", {"linked_client": world.hal.pk, "relationship": "spouse"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not RelatedContact.objects.filter(client=world.ben).exists()


def test_contact_form_without_name_explains_and_keeps_input(world, login):
    http = login(world.theo)
    response = http.post(
        f"/staff/clients/{world.ana.pk}/contacts/new/", {"email": "someone@example.com", "relationship": "other"}
    )
    body = response.content.decode()
    assert "Enter the contact&#x27;s name, or choose an existing client." in body
    assert 'value="someone@example.com"' in body


def test_therapist_sees_portal_flags_but_cannot_change_them(world, login):
    """A forged POST from staff without Web Portal leaves the flags as they were."""
    http = login(world.theo)
    form = http.get(f"/staff/clients/{world.max.pk}/contacts/{world.gia.pk}/edit/").context["form"]
    assert form.fields["web_portal"].disabled
    response = http.post(
        f"/staff/clients/{world.max.pk}/contacts/{world.gia.pk}/edit/",
        {"first_name": "Gia", "last_name": "Moreno", "relationship": "parent", "version": world.gia.version},
    )
    assert response.status_code == 302
    world.gia.refresh_from_db()
    assert world.gia.web_portal
    assert world.gia.legal_guardian


def test_remove_contact_needs_post(world, login):
    http = login(world.theo)
    url = f"/staff/clients/{world.max.pk}/contacts/{world.gia.pk}/remove/"
    assert http.get(url).status_code == 405
    assert http.post(url).status_code == 302
    assert not RelatedContact.objects.filter(pk=world.gia.pk).exists()
