"""A portal address worked out once per process is the one ``{% url %}`` gives for the practice's slug."""

from __future__ import annotations

import pytest
from django.template import engines
from django.urls import NoReverseMatch, reverse, set_script_prefix

from haven.portal.links import row_link

NAMES = (
    "portal:login",
    "portal:logout",
    "portal:register",
    "portal:password_reset",
    "portal:home",
    "portal:switch_profile",
    "portal:enter_pin",
    "portal:my_documents",
    "portal:inbox",
    "portal:verify",
    "portal:security",
    "portal:two_factor_setup",
    "portal:two_factor_turn_off",
)


def _render(source: str, slug: str) -> str:
    return engines["django"].from_string(source).render({"slug": slug})


@pytest.mark.parametrize("slug", ["oak-tree", "north_side-2", "a"])
def test_portal_addresses_are_the_ones_url_gives_for_each_practice(slug: str) -> None:
    for name in NAMES:
        ours = _render(f"{{% load portal_urls %}}{{% portal_url '{name}' slug %}}", slug)
        assert ours == _render(f"{{% url '{name}' slug %}}", slug)
        assert f"/{slug}/" in ours


def test_a_slug_outside_the_slug_pattern_is_refused_as_url_refuses_it() -> None:
    with pytest.raises(NoReverseMatch):
        _render("{% load portal_urls %}{% portal_url 'portal:home' slug %}", "not a slug/../x")
    with pytest.raises(NoReverseMatch):
        _render("{% load portal_urls %}{% portal_url 'portal:home' slug %}", "")


def test_a_changed_script_prefix_is_not_remembered_from_before() -> None:
    before = _render("{% load portal_urls %}{% portal_url 'portal:inbox' slug %}", "oak")
    set_script_prefix("/haven/")
    try:
        moved = _render("{% load portal_urls %}{% portal_url 'portal:inbox' slug %}", "oak")
    finally:
        set_script_prefix("/")
    assert moved == "/haven/p/oak/inbox/" and before == "/p/oak/inbox/"


@pytest.mark.parametrize("record_id", [1, 42, 9876543210])
def test_portal_addresses_of_a_record_are_the_ones_url_gives(record_id: int) -> None:
    names = ("portal:document_view", "portal:document_download", "portal:sign", "portal:decline", "portal:thread")
    for slug in ("oak-tree", "north_side-2"):
        for name in names:
            context = {"slug": slug, "record_id": record_id}
            source = f"{{% portal_url '{name}' slug record_id %}}"
            ours = engines["django"].from_string("{% load portal_urls %}" + source).render(context)
            theirs = engines["django"].from_string(source.replace("portal_url", "url")).render(context)
            assert ours == theirs and ours.count(str(record_id)) == 1


def test_a_record_id_that_is_not_a_whole_number_is_refused_as_url_refuses_it() -> None:
    source = "{% load portal_urls %}{% portal_url 'portal:sign' 'oak' record_id %}"
    for record_id in (-1, "1/../2"):
        with pytest.raises(NoReverseMatch):
            engines["django"].from_string(source).render({"record_id": record_id})


@pytest.mark.parametrize("slug", ["oak-tree", "north_side-2", "987654321988", "a"])
def test_a_row_link_worked_out_once_is_the_one_reverse_gives(slug: str) -> None:
    for name, id_kwarg in (
        ("portal:document_view", "document_id"),
        ("portal:document_verify", "document_id"),
        ("portal:sign", "request_id"),
        ("portal:thread", "thread_id"),
    ):
        link = row_link(name, slug=slug, id_kwarg=id_kwarg)
        for row_id in (1, 42, 987654321987):
            assert link(row_id) == reverse(name, kwargs={"slug": slug, id_kwarg: row_id})
    for request_id in (7, 987654321988):
        images = row_link("portal:sign_page_image", slug=slug, id_kwarg="page", request_id=request_id)
        kwargs = {"slug": slug, "request_id": request_id, "page": 3}
        assert images(3) == reverse("portal:sign_page_image", kwargs=kwargs)


def test_a_row_link_with_a_value_reverse_refuses_is_refused_as_reverse_refuses_it() -> None:
    with pytest.raises(NoReverseMatch):
        row_link("portal:document_view", slug="not a slug/../x", id_kwarg="document_id")
    with pytest.raises(NoReverseMatch):
        row_link("portal:sign_page_image", slug="oak", id_kwarg="page", request_id=-1)


def test_a_row_link_follows_a_changed_script_prefix() -> None:
    before = row_link("portal:thread", slug="oak", id_kwarg="thread_id")(5)
    set_script_prefix("/haven/")
    try:
        moved = row_link("portal:thread", slug="oak", id_kwarg="thread_id")(5)
    finally:
        set_script_prefix("/")
    assert moved == "/haven/p/oak/inbox/5/" and before == "/p/oak/inbox/5/"
