"""Pages run the same number of queries however many clients and contacts a practice has."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haven.clients.models import Client, RelatedContact, Relationship
from tests.personas import years_ago

pytestmark = pytest.mark.django_db


def _grow(world, clients: int) -> None:
    existing = Client.objects.filter(practice=world.riverside).count()
    Client.objects.bulk_create(
        Client(
            practice=world.riverside,
            first_name=f"Client{n}",
            last_name=f"Test{n:04d}",
            date_of_birth=years_ago(20 + n % 50),
            facility=world.riverside_facility if n % 2 else None,
        )
        for n in range(existing, clients)
    )
    relatives = list(Client.objects.filter(practice=world.riverside).exclude(pk=world.max.pk)[: clients // 10])
    RelatedContact.objects.bulk_create(
        RelatedContact(
            practice=world.riverside, client=world.max, linked_client=relative, relationship=Relationship.OTHER
        )
        for relative in relatives
        if not RelatedContact.objects.filter(client=world.max, linked_client=relative).exists()
    )


def _count(http, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    ["/staff/clients/", "search", "chart", "contacts"],
)
def test_page_queries_stay_flat_from_10_to_500_clients(world, login, url, django_assert_max_num_queries):
    http = login(world.theo)
    resolved = {"chart": f"/staff/clients/{world.max.pk}/", "contacts": f"/staff/clients/{world.max.pk}/contacts/"}
    if url == "search":  # the search is posted, then its results page (addressed by a key) is counted
        resolved["search"] = http.post("/staff/clients/", {"q": "Test", "sort": "-dob"})["Location"]
    target = resolved.get(url, url)
    _grow(world, 10)
    small = _count(http, target)
    _grow(world, 500)
    with django_assert_max_num_queries(small):
        http.get(target)
    assert small <= 16, f"{target} runs {small} queries"
