"""The portal pages' header and footer (``{% portal_header %}``, ``{% portal_footer %}``): the practice's name,
the navigation with the page's own link marked, the Inbox's unread count, the profile switcher for someone who
acts for more than one person, and every value escaped."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from haven.portal.tests.test_inbox import notice
from tests.personas import World

pytestmark = pytest.mark.django_db


def _nav_links(html: str) -> list[str]:
    return re.findall(r'<li class="nav-item">(<a [^>]*>)', html)


def test_the_pages_own_link_is_marked_and_its_section_is_bold(gia: HttpClient) -> None:
    links = _nav_links(gia.get("/p/riverside/documents/").content.decode())

    assert links == [
        '<a class="nav-link px-0" href="/p/riverside/home/">',
        '<a class="nav-link px-0" href="/p/riverside/inbox/" id="nav-inbox">',
        '<a class="nav-link px-0" href="/p/riverside/appointments/">',
        '<a class="nav-link px-0" href="/p/riverside/activities/">',
        '<a class="nav-link px-0" href="/p/riverside/forms/">',
        '<a class="nav-link px-0 fw-semibold" href="/p/riverside/documents/" aria-current="page">',
        '<a class="nav-link px-0" href="/p/riverside/security/">',
    ]


def test_the_inbox_link_says_how_many_are_unread_to_eyes_and_to_screen_readers(world: World, gia: HttpClient) -> None:
    assert "unread" not in gia.get("/p/riverside/home/").content.decode()
    notice(world, world.max, "Closed on Monday")
    notice(world, world.max, "Closed on Tuesday")

    html = gia.get("/p/riverside/home/").content.decode()

    assert (
        'id="nav-inbox">Inbox<span class="visually-hidden">, 2 unread</span>'
        '<span class="badge rounded-pill text-bg-danger ms-1" aria-hidden="true">2</span></a>'
    ) in html


def test_someone_acting_for_several_people_can_switch_and_sees_who_is_shown(world: World, gia: HttpClient) -> None:
    html = gia.get("/p/riverside/home/").content.decode()

    options = re.findall(r'<option value="(\d+)"( selected)?>([^<]*)</option>', html)
    assert len(options) > 1
    assert [name for _, selected, name in options if selected] == [world.gia_access_max.client.full_name]
    assert f'action="{reverse("portal:switch_profile", args=["riverside"])}"' in html
    assert html.count('name="csrfmiddlewaretoken"') == 2  # Sign out and Switch each post with the token


def test_the_practices_name_facility_and_phone_are_escaped(world: World, gia: HttpClient) -> None:
    world.riverside.name = "R&D <b>Counseling</b>"
    world.riverside.phone = '555-0100 "<i>"'
    world.riverside.save()
    world.riverside_facility.name = "North <script>"
    world.riverside_facility.save()

    html = gia.get("/p/riverside/home/").content.decode()

    assert "<b>Counseling" not in html and "<script>" not in html and '"<i>"' not in html
    assert '<span class="portal-practice-name">R&amp;D &lt;b&gt;Counseling&lt;/b&gt;</span>' in html
    assert '<span class="visually-hidden"> \u2014 </span>North &lt;script&gt;</span>' in html
    assert "A secure portal of R&amp;D &lt;b&gt;Counseling&lt;/b&gt;." in html
    assert 'Questions? <a href="tel:555-0100 &quot;&lt;i&gt;&quot;">' in html


def test_before_signing_in_the_header_shows_only_the_practice_linking_to_sign_in(world: World) -> None:
    html = HttpClient().get("/p/riverside/").content.decode()

    assert '<a class="portal-brand text-decoration-none" href="/p/riverside/">' in html
    assert "nav-link" not in html and "Sign out" not in html and "profile-select" not in html
