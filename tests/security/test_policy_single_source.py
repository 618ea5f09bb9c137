"""Each kind of object has one rule of who may see and do what: change it in its policy and every staff page,
portal page, action and URL of the walk follows. A second copy of a rule anywhere would make these fail."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.clients import policy as clients_policy
from haven.clients.actions import add_contact, update_client, update_contact
from haven.clients.models import Client, RelatedContact
from haven.core.errors import ApplicationError
from haven.portal_access import policy as access_policy
from haven.portal_access.actions.guardianship import renew_guardian_access, revoke_access
from haven.portal_access.actions.invitations import act_on_status_icon
from haven.portal_access.actions.pins import issue_pin
from haven.portal_access.models import ProfileAccess
from haven.portal_access.status import PersonRecord
from tests.security.urlwalk import ACCESS_ROUTES, CONTACT_ROUTES, ROUTES, url_for

pytestmark = pytest.mark.django_db


def denied_since(before: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(id__gt=before, action="access.denied").values_list("details__object_id", flat=True)
    )


def last_event_id() -> int:
    last = AuditEvent.objects.order_by("-id").first()
    return last.pk if last else 0


def walk(http: HttpClient, urls: list[str], hidden: str) -> None:
    """Every URL answers 404 (405 for a method the view refuses), shows nothing and is audited."""
    assert urls
    for url in urls:
        before = last_event_id()
        response = http.get(url)
        if response.status_code == 405:
            response = http.post(url, {})
        assert response.status_code == 404, f"{url} answered {response.status_code}"
        assert hidden.encode() not in response.content
        assert denied_since(before), f"{url} was refused without access.denied"


def test_the_client_rule_lives_in_clients_policy(world, login, monkeypatch):
    """Hide Ana in ``clients.policy.visible_to`` alone: her chart pages, the client list, the actions and
    every URL of the walk naming her refuse her, as they refuse another practice's client."""
    original = clients_policy.visible_to
    monkeypatch.setattr(clients_policy, "visible_to", lambda viewer: original(viewer).exclude(pk=world.ana.pk))
    http = login(world.ada)

    listing = http.get("/staff/clients/")
    assert listing.status_code == 200
    assert world.ana.last_name.encode() not in listing.content and world.ben.last_name.encode() in listing.content

    client_urls = [url_for(route, world, client_id=world.ana.pk) for route in ROUTES if route.kwargs == ("client_id",)]
    walk(http, client_urls, hidden=world.ana.last_name)

    with pytest.raises(Client.DoesNotExist):
        update_client(by=world.ada, client=world.ana, data={"first_name": "Anna"}, expected_version=world.ana.version)
    with pytest.raises(ApplicationError, match="not part of your practice"):
        add_contact(by=world.ada, client=world.ana, data={"first_name": "X", "relationship": "other"})
    with pytest.raises(ApplicationError, match="not part of your practice"):
        act_on_status_icon(by=world.ada, record=PersonRecord(client=world.ana))
    # The portal: Ana's own login no longer sees her client record either (the portal's client rule is the same).
    from haven.portal_access.viewers import PortalViewer
    from tests.personas import give_ana_a_portal_login

    ana_access = give_ana_a_portal_login(world)
    viewer = PortalViewer(account=ana_access.account, practice=world.riverside, profile=ana_access)
    assert not clients_policy.visible_to(viewer).exists()
    monkeypatch.undo()
    assert list(clients_policy.visible_to(viewer)) == [world.ana]


def test_the_contact_rule_lives_in_clients_policy(world, login, monkeypatch):
    """Hide Gia in ``clients.policy.contacts_visible_to`` alone: every contact URL and action refuses her."""
    original = clients_policy.contacts_visible_to
    monkeypatch.setattr(clients_policy, "contacts_visible_to", lambda viewer: original(viewer).exclude(pk=world.gia.pk))
    http = login(world.ada)
    walk(http, [url_for(route, world) for route in CONTACT_ROUTES], hidden=world.gia.email)
    with pytest.raises(RelatedContact.DoesNotExist):
        update_contact(by=world.ada, contact=world.gia, data={"first_name": "G"}, expected_version=world.gia.version)


def test_the_profile_access_rule_lives_in_portal_access_policy(world, login, monkeypatch):
    """Hide Gia's access to Max in ``portal_access.policy.visible_to`` alone: its staff pages, the URL walk
    and the actions on it refuse it; and ``why_not`` alone decides what may be done, in its words."""
    original = access_policy.visible_to
    monkeypatch.setattr(
        access_policy, "visible_to", lambda viewer: original(viewer).exclude(pk=world.gia_access_max.pk)
    )
    http = login(world.ada)
    walk(http, [url_for(route, world) for route in ACCESS_ROUTES], hidden=world.gia_account.email)
    with pytest.raises(ApplicationError, match="not part of your practice"):
        revoke_access(by=world.ada, access=world.gia_access_max)
    with pytest.raises(ProfileAccess.DoesNotExist):  # an action that looks the row up first
        renew_guardian_access(by=world.ada, access=world.gia_access_max, until=world.max.date_of_birth)
    monkeypatch.undo()

    # why_not is the one answer: a refusal there is the action's refusal, and the page's message.
    monkeypatch.setattr(
        access_policy, "why_not", lambda viewer, verb, subject: access_policy.ProfileAccessReason.NOT_GUARDIAN
    )
    with pytest.raises(ApplicationError, match="Only a legal guardian's access can be renewed"):
        renew_guardian_access(by=world.ada, access=world.gia_access_max, until=world.max.date_of_birth)
    with pytest.raises(ApplicationError, match="Only a legal guardian's access can be renewed"):
        issue_pin(by=world.ada, access=world.gia_access_max)
    url = reverse(
        "staff:portal_instruction_sheet", kwargs={"client_id": world.max.pk, "access_id": world.gia_access_max.pk}
    )
    response = http.post(url, follow=True)
    assert b"Only a legal guardian&#x27;s access can be renewed." in response.content
    assert not AuditEvent.objects.filter(action="portal.instructions_printed").exists()
