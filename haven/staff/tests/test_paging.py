"""Staff lists page without counting the whole list: the same queries at any length, and honest words."""

from __future__ import annotations

import pytest

from haven.clients.models import Client
from haven.staff import paging
from tests.personas import years_ago

pytestmark = pytest.mark.django_db


def _clients(world, count: int) -> None:
    Client.objects.bulk_create(
        Client(practice=world.riverside, first_name="P", last_name=f"Page{n:05d}", date_of_birth=years_ago(30))
        for n in range(count)
    )


def _listed():
    return Client.objects.filter(last_name__startswith="Page").order_by("last_name")


def test_a_page_counts_a_short_list_exactly_and_knows_its_neighbours(world, django_assert_num_queries):
    _clients(world, 60)
    with django_assert_num_queries(2):
        page = paging.get_page(_listed(), 25, "2")
    assert (page.start_index, page.end_index, page.total, page.total_is_lower_bound) == (26, 50, 60, False)
    assert page.has_previous and page.has_next
    last = paging.get_page(_listed(), 25, "3")
    assert (last.start_index, last.end_index, last.has_next) == (51, 60, False)


def test_a_long_list_is_counted_only_up_to_the_limit(world, settings, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 100)
    _clients(world, 130)
    with django_assert_num_queries(2):
        page = paging.get_page(_listed(), 25, "1")
    assert (page.total, page.total_is_lower_bound, page.has_next) == (100, True, True)
    far = paging.get_page(_listed(), 25, "5")  # past the limit: counted to the end of the page asked for
    assert (far.start_index, far.end_index, far.total, far.has_next) == (101, 125, 125, True)


def test_a_page_past_the_end_is_the_last_and_a_bad_number_the_first(world):
    _clients(world, 30)
    assert paging.get_page(_listed(), 25, "9").number == 2
    assert paging.get_page(_listed(), 25, "x").number == 1
    assert paging.get_page(_listed(), 25, None).number == 1


def test_the_client_list_says_more_than_when_it_did_not_count_on(world, login, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 50)
    _clients(world, 80)
    html = login(world.theo).get("/staff/clients/").content.decode()
    assert "1\N{EN DASH}25 of more than 50" in html
