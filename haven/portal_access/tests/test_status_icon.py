"""The portal account status icon (ACC-5): four states from the data, and what each lets staff do."""

from __future__ import annotations

import pytest
from django.core import mail

from haven.audit.models import AuditEvent
from haven.clients.models import RelatedContact, Relationship
from haven.core.errors import ApplicationError
from haven.portal_access.actions.invitations import invite_to_portal, link_portal_account
from haven.portal_access.models import AccessStatus, PortalAccount, ProfileAccess
from haven.portal_access.status import PersonRecord, PortalState, portal_status, portal_statuses

pytestmark = pytest.mark.django_db


def _contact(world, client, **fields) -> RelatedContact:
    defaults = {"first_name": "Rafa", "last_name": "Moreno", "relationship": Relationship.PARENT, "web_portal": True}
    return RelatedContact.objects.create(practice=world.riverside, client=client, **{**defaults, **fields})


def test_no_email_is_all_gray(world):
    world.ben.email = ""
    world.ben.save()
    status = portal_status(PersonRecord(client=world.ben))
    assert status.state == PortalState.NO_EMAIL
    assert "add an email" in status.label


def test_email_without_account_offers_create_and_invite(world):
    status = portal_status(PersonRecord(client=world.ana))
    assert status.state == PortalState.NO_ACCOUNT
    assert status.short_label == "Invite to portal"


def test_existing_account_not_linked_offers_link(world):
    rafa = _contact(world, world.max, email="gia@example.com")  # the same person's email on another record
    status = portal_status(PersonRecord(client=world.max, contact=rafa))
    assert status.state == PortalState.ACCOUNT
    assert not status.is_linked


def test_linked_account_is_blue_and_linked(world):
    status = portal_status(PersonRecord(client=world.max, contact=world.gia))
    assert status.state == PortalState.ACCOUNT
    assert status.access == world.gia_access_max
    assert "linked and confirmed" in status.label


def test_email_of_another_clients_own_account_is_a_red_warning(world, django_capture_on_commit_callbacks):
    """Ana's own login: the same email typed on Ben's chart belongs to someone else's record."""
    with django_capture_on_commit_callbacks(execute=True):
        invite_to_portal(by=world.ada, record=PersonRecord(client=world.ana))
    world.ben.email = world.ana.email
    world.ben.save()
    status = portal_status(PersonRecord(client=world.ben))
    assert status.state == PortalState.ELSEWHERE
    with pytest.raises(ApplicationError):
        link_portal_account(by=world.ada, record=PersonRecord(client=world.ben))


def test_a_client_who_is_also_a_contact_keeps_their_own_account(world, django_capture_on_commit_callbacks):
    """Ana's own account, offered for her contact record on Ben's chart (she is the same person): link, not warn."""
    with django_capture_on_commit_callbacks(execute=True):
        invite_to_portal(by=world.ada, record=PersonRecord(client=world.ana))
    as_contact = RelatedContact.objects.create(
        practice=world.riverside, client=world.ben, linked_client=world.ana, relationship="spouse", web_portal=True
    )
    assert portal_status(PersonRecord(client=world.ben, contact=as_contact)).state == PortalState.ACCOUNT


def test_invite_creates_account_pending_access_and_an_email(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        access = invite_to_portal(by=world.fran, record=PersonRecord(client=world.ana))
    assert access.status == AccessStatus.PENDING
    assert PortalAccount.objects.get(email="ana@example.com").has_password is False
    assert mail.outbox[-1].to == ["ana@example.com"]
    assert AuditEvent.objects.filter(action="portal.invited", client=world.ana).exists()


def test_inviting_twice_is_refused_with_the_reason(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite_to_portal(by=world.fran, record=PersonRecord(client=world.ana))
    with pytest.raises(ApplicationError, match="portal account"):
        invite_to_portal(by=world.fran, record=PersonRecord(client=world.ana))


def test_linking_creates_access_waiting_for_the_pin(world):
    rafa = _contact(world, world.ben, email="gia@example.com")
    access = link_portal_account(by=world.fran, record=PersonRecord(client=world.ben, contact=rafa))
    assert access.status == AccessStatus.PENDING
    assert access.account == world.gia_account
    assert AuditEvent.objects.filter(action="portal.linked").exists()


def test_only_contacts_with_web_portal_can_be_invited(world):
    no_portal = _contact(world, world.ben, email="someone@example.com", web_portal=False)
    with pytest.raises(ApplicationError, match="Web Portal"):
        invite_to_portal(by=world.ada, record=PersonRecord(client=world.ben, contact=no_portal))


def test_staff_without_the_invite_permission_cannot_act(world):
    with pytest.raises(ApplicationError, match="invite"):
        invite_to_portal(by=world.theo, record=PersonRecord(client=world.ana))


def test_staff_without_the_invite_permission_get_403_from_the_icon(world, login):
    http = login(world.theo)
    response = http.post(f"/staff/clients/{world.ana.pk}/portal/self/")
    assert response.status_code == 403
    assert not PortalAccount.objects.filter(email="ana@example.com").exists()


def test_icon_click_invites_and_opens_the_access_page(world, login, django_capture_on_commit_callbacks):
    http = login(world.fran)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(f"/staff/clients/{world.ana.pk}/portal/self/")
    access = ProfileAccess.objects.get(client=world.ana)
    assert response["Location"] == f"/staff/clients/{world.ana.pk}/portal/{access.pk}/"
    page = http.get(response["Location"]).content.decode()
    assert "Print instructions (PDF)" in page


def test_contacts_page_shows_each_state(world, login):
    _contact(world, world.max, first_name="Nina", email="")
    _contact(world, world.max, first_name="Omar", email="omar@example.com")
    body = login(world.theo).get(f"/staff/clients/{world.max.pk}/contacts/").content.decode()
    assert "No email" in body
    assert "Invite to portal" in body
    assert "Portal access" in body  # Gia, linked and confirmed
    assert "portal-status--no_account" in body


def test_statuses_for_many_records_take_a_fixed_number_of_queries(world, django_assert_num_queries):
    emails = [f"c{n}@example.com" for n in range(29)] + ["gia@example.com"]
    contacts = [_contact(world, world.ben, first_name=f"C{n}", email=email) for n, email in enumerate(emails)]
    records = [PersonRecord(client=world.ben, contact=contact) for contact in contacts]
    with django_assert_num_queries(2):
        statuses = portal_statuses(records)
    assert {status.state for status in statuses} == {PortalState.NO_ACCOUNT, PortalState.ACCOUNT}


def test_access_page_removes_access_and_staff_without_permission_cannot(world, login):
    url = f"/staff/clients/{world.max.pk}/portal/{world.gia_access_max.pk}/"
    theo = login(world.theo)
    assert theo.get(url).status_code == 200  # may look
    assert theo.post(url + "manage/", {"operation": "revoke"}).status_code == 403
    world.gia_access_max.refresh_from_db()
    assert world.gia_access_max.status == AccessStatus.ACTIVE
    from django.test import Client

    fran = login(world.fran, Client())
    response = fran.post(url + "manage/", {"operation": "revoke"})
    assert response["Location"] == url
    world.gia_access_max.refresh_from_db()
    assert world.gia_access_max.status == AccessStatus.REVOKED


def test_the_icon_action_follows_the_state(world, django_capture_on_commit_callbacks):
    """Gray globe invites, blue globe links once; a second click on a linked record changes nothing."""
    from haven.portal_access.actions.invitations import act_on_status_icon

    with django_capture_on_commit_callbacks(execute=True):
        invited, outcome = act_on_status_icon(by=world.fran, record=PersonRecord(client=world.ana))
    assert invited.client == world.ana
    assert outcome == "invited"
    rafa = _contact(world, world.ben, email="gia@example.com")
    linked, outcome = act_on_status_icon(by=world.fran, record=PersonRecord(client=world.ben, contact=rafa))
    assert outcome == "linked"
    again, outcome = act_on_status_icon(by=world.fran, record=PersonRecord(client=world.ben, contact=rafa))
    assert (again, outcome) == (linked, "already_linked")
    world.ben.email = ""
    world.ben.save()
    with pytest.raises(ApplicationError, match="No email"):
        act_on_status_icon(by=world.fran, record=PersonRecord(client=world.ben))
