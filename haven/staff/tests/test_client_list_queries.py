"""The client list's first page is one prepared query: the same rows and count as the search's queryset."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haven.clients import policy as clients_policy
from haven.clients.models import Client, ClientStatus
from haven.clients.search import key_for, successor
from haven.clients.selectors import SORTS, search_visible_clients
from haven.practices.viewers import StaffViewer
from haven.staff import paging
from haven.staff.views import clients as views
from tests.personas import World, years_ago

pytestmark = pytest.mark.django_db


def _grow(world: World, count: int) -> None:
    Client.objects.bulk_create(
        Client(
            practice=world.riverside,
            first_name=f"Sam{n}",
            last_name=f"Rowe{n:03d}" if n % 3 else f"Rowe-Smith{n:03d}",
            date_of_birth=years_ago(20 + n % 4),
            email=f"sam{n}@rowe.example" if n % 2 else "",
            facility=world.riverside_facility if n % 5 else None,
            status=ClientStatus.ACTIVE if n % 4 else ClientStatus.DISCHARGED,
        )
        for n in range(count)
    )


def _ranges(*words: str) -> list[str]:
    return [bound for word in words for bound in (key_for(word), successor(key_for(word)))]


SEARCHES = [
    ("", [], []),
    (ClientStatus.ACTIVE, [], []),
    ("", [years_ago(21).isoformat()], []),
    ("", [], ["rowe"]),
    ("", [], ["sam1", "rowe"]),
    (ClientStatus.DISCHARGED, [years_ago(20).isoformat()], ["rowe", "smith"]),
]


@pytest.mark.parametrize("sort", list(SORTS))
@pytest.mark.parametrize(("status", "births", "words"), SEARCHES)
def test_the_prepared_first_page_has_the_rows_and_count_of_the_search(
    world: World, sort: str, status: str, births: list[str], words: list[str]
) -> None:
    _grow(world, 40)
    prepared = views._first_page_query(world.theo, sort, bool(status), len(births), len(words))
    values = [world.riverside.pk, *([status] if status else []), *births, *_ranges(*words)]

    prepared.check(*values)
    page = paging.first_page(prepared(*values), views.PAGE_SIZE)

    typed = " ".join([*births, *words])
    searched = search_visible_clients(StaffViewer(world.theo), query=typed, status=status, sort=sort)
    expected = paging.get_page(searched.values_list(*views._ROW), views.PAGE_SIZE, 1)
    assert page == expected
    assert [row[0] for row in page.object_list] == [client.pk for client in searched[: views.PAGE_SIZE]]


def test_the_prepared_first_page_holds_only_the_practices_clients(world: World) -> None:
    prepared = views._first_page_query(world.hana, "name", False, 0, 0)
    listed = {row[0] for row in paging.first_page(prepared(world.hilltop.pk), views.PAGE_SIZE).object_list}
    assert listed == set(Client.objects.filter(practice=world.hilltop).values_list("pk", flat=True))
    assert world.ana.pk not in listed


def test_the_first_page_counts_as_get_page_does_up_to_the_limit(world: World, monkeypatch: Any) -> None:
    monkeypatch.setattr(paging, "COUNT_LIMIT", 30)
    for count in (0, 10, 30, 31, 45):
        Client.objects.filter(last_name__startswith="Rowe").delete()
        _grow(world, count)
        listed = Client.objects.filter(last_name__startswith="Rowe").order_by("last_name", "pk")
        first = paging.first_page(list(paging.counted_first_page(listed, 25, "pk")), 25)
        assert first == paging.get_page(listed.values_list("pk"), 25, 1), count


def test_the_list_and_a_search_read_their_first_page_and_its_count_in_one_query(world: World, login: Any) -> None:
    _grow(world, 40)
    http = login(world.theo)
    searched = http.post("/staff/clients/", {"q": "rowe", "status": ClientStatus.ACTIVE})["Location"]
    for address in ("/staff/clients/", "/staff/clients/?sort=-dob", searched):
        with CaptureQueriesContext(connection) as queries:
            response = http.get(address)
        assert response.status_code == 200
        reading_clients = [q["sql"] for q in queries if 'FROM "clients_client"' in q["sql"]]
        assert len(reading_clients) == 1, address


def test_later_pages_and_long_searches_are_built_as_usual_with_the_same_rows(world: World, login: Any) -> None:
    _grow(world, 60)
    http = login(world.theo)
    second = http.get("/staff/clients/?page=2").content.decode()
    assert "26\N{EN DASH}50 of 6" in second  # the personas' clients and these 60
    many_words = http.post("/staff/clients/", {"q": "sam1 rowe r ro row"})["Location"]
    html = http.get(many_words).content.decode()
    assert "Rowe010, Sam10" in html and "Rowe001, Sam1<" in html and "Rowe002" not in html


def test_a_prepared_first_page_follows_the_clients_policy_as_it_stands(
    world: World, login: Any, monkeypatch: Any
) -> None:
    http = login(world.ada)
    assert world.ana.last_name in http.get("/staff/clients/").content.decode()  # prepared here

    original = clients_policy.visible_to
    monkeypatch.setattr(clients_policy, "visible_to", lambda viewer: original(viewer).exclude(pk=world.ana.pk))
    listed = http.get("/staff/clients/").content.decode()
    assert world.ana.last_name not in listed and world.ben.last_name in listed
