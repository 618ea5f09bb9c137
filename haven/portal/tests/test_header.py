"""The portal's header names the practice and, where the selected profile's episode names another, the
facility: the same names the invitation email came from (ACC-6)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client as HttpClient

from haven.portal_access.actions.invitations import invite_to_portal
from haven.portal_access.status import PersonRecord
from tests.personas import PASSWORD, World, give_ana_a_portal_login

pytestmark = pytest.mark.django_db

HOME = "/p/riverside/home/"


def header_of(http: HttpClient, url: str) -> str:
    response = http.get(url)
    assert response.status_code == 200
    return response.content.decode().split("<header", 1)[1].split("</header>", 1)[0]


def sign_in(http: HttpClient, email: str) -> HttpClient:
    assert http.post("/p/riverside/", {"username": email, "password": PASSWORD}).status_code == 302
    return http


def test_the_header_names_the_practice_and_the_selected_profiles_facility(world: World, client: HttpClient) -> None:
    header = header_of(sign_in(client, world.gia_account.email), HOME)
    assert re.search(r'class="portal-practice-name"[^>]*>Riverside Counseling<', header)
    assert re.search(r'class="portal-facility-name"[^>]*>.*Riverside North<', header, re.DOTALL)


def test_the_header_names_only_the_practice_for_a_profile_without_a_facility(world: World, client: HttpClient) -> None:
    give_ana_a_portal_login(world)
    header = header_of(sign_in(client, "ana@example.com"), HOME)
    assert "Riverside Counseling" in header
    assert "portal-facility-name" not in header and "Riverside North" not in header


def test_the_invitation_page_names_the_facility_the_email_came_from(
    world: World, client: HttpClient, django_capture_on_commit_callbacks
) -> None:
    world.ana.facility = world.riverside_facility
    world.ana.save()
    with django_capture_on_commit_callbacks(execute=True):
        invite_to_portal(by=world.fran, record=PersonRecord(client=world.ana))
    found = re.search(r"http://testserver(/p/riverside/invitation/[^/\s]+/)", str(mail.outbox[-1].body))
    assert found
    header = header_of(client, found.group(1))
    assert "Riverside Counseling" in header and "Riverside North" in header
    assert "Ana" not in header  # the page is not signed in yet: no name of the client


def test_the_sign_in_page_names_only_the_practice(world: World, client: HttpClient) -> None:
    header = header_of(client, "/p/riverside/")
    assert "Riverside Counseling" in header and "Riverside North" not in header
