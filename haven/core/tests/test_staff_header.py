"""The staff pages' header (``{% staff_header %}``): the navigation for the staff member, their practice's name
escaped, the page's own link marked, and only Sign out until the two-step sign-in is done."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template

from tests.personas import World

pytestmark = pytest.mark.django_db

_HEADER = Template("{% load haven_chrome %}{% staff_header %}")


def _header(world: World, **context: object) -> str:
    member = context.pop("member", world.ada)
    return _HEADER.render(
        Context(
            {
                "staff_member": member,
                "current_practice": world.riverside,
                "staff_nav_ready": True,
                "csrf_token": "a" * 64,
                **context,
            }
        )
    )


def _links(html: str) -> list[str]:
    return [" ".join(link.split()) for link in re.findall(r'<a class="nav-link[^"]*"[^>]*>[^<]*</a>', html)]


def test_the_navigation_marks_the_pages_own_link_and_shows_administration_only_to_administrators(
    world: World,
) -> None:
    links = _links(_header(world, nav="general_log"))
    assert links == [
        '<a class="nav-link text-nowrap" href="/staff/clients/">Clients</a>',
        '<a class="nav-link text-nowrap active" aria-current="page" href="/staff/general-log/">General Log</a>',
        '<a class="nav-link text-nowrap" href="/staff/forms/">Forms</a>',
        '<a class="nav-link text-nowrap" href="/staff/admin/">Organization Administration</a>',
    ]
    assert [link.rsplit(">", 2)[1][:-3] for link in _links(_header(world, member=world.theo))] == [
        "Clients",
        "General Log",
        "Forms",
    ]


def test_the_practice_and_staff_names_are_escaped(world: World) -> None:
    world.riverside.name = "<b>River</b> & Co"
    world.ada.user.full_name = 'Ada "<i>"'
    html = _header(world, nav="account")

    assert "<b>" not in html and "<i>" not in html
    assert 'title="&lt;b&gt;River&lt;/b&gt; &amp; Co"' in html
    assert '<span class="navbar-brand-name">&lt;b&gt;River&lt;/b&gt; &amp; Co</span>' in html
    assert 'class="small text-nowrap fw-semibold" aria-current="page"' in html
    assert "Ada &quot;&lt;i&gt;&quot;<span" in html


def test_until_the_two_step_sign_in_is_done_only_sign_out_shows(world: World) -> None:
    html = _header(world, staff_nav_ready=False)

    assert "staff-nav" not in html and "nav-link" not in html
    assert html.count("<form") == 1 and "Sign out" in html
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="' + "a" * 64 + '">' in html


def test_a_practice_without_two_factor_is_told_to_turn_it_on(world: World) -> None:
    world.riverside.require_staff_two_factor = True
    assert "notice-2fa-off" not in _header(world)
    world.riverside.require_staff_two_factor = False
    assert "Two-factor sign-in is turned off for this practice." in _header(world)


def test_a_page_without_a_staff_member_shows_only_the_name(world: World) -> None:
    html = _HEADER.render(Context({}))
    assert '<span class="navbar-brand-name">Haven</span>' in html and "<form" not in html


def test_a_kept_header_is_given_each_responses_own_csrf_token(world: World) -> None:
    first = _header(world, csrf_token="b" * 64)
    second = _header(world, csrf_token="c" * 64)

    assert first == second.replace("c" * 64, "b" * 64)  # the same header, drawn once
    assert "b" * 64 in first and "c" * 64 not in first
    assert "c" * 64 in second and "b" * 64 not in second
    assert "haven-csrf-slot" not in first + second
    assert '<input type="hidden" name="csrfmiddlewaretoken"' not in _header(world, csrf_token="")


def test_a_kept_header_changes_with_everything_it_shows(world: World) -> None:
    world.riverside.require_staff_two_factor = True
    shown = _header(world, nav="clients")
    assert _header(world, nav="general_log") != shown
    assert "Theo" in _header(world, member=world.theo) and "Theo" not in shown
    world.ada.user.full_name = "Ada Renamed"
    assert "Ada Renamed" in _header(world, nav="clients")
    world.riverside.name = "Riverside Renamed"
    assert "Riverside Renamed" in _header(world, nav="clients")
    assert "Demo outbox" in _header(world, demo_outbox=True) and "Demo outbox" not in shown
    assert "Two-factor sign-in is turned off" not in _header(world, nav="clients")
    world.riverside.require_staff_two_factor = False
    assert "Two-factor sign-in is turned off" in _header(world, nav="clients")
