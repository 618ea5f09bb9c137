"""The staff client search reads an index of search terms, not the clients: what it matches, that the terms follow
every change to a client, that it never shows a client the viewer may not see, and that its cost does not grow
with the practice (the same queries at 10 and 500 clients; the engines' plans read the index, never scan)."""

from __future__ import annotations

import datetime
import re
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.paginator import Paginator
from django.db import connection

from haven.clients.actions import create_client, update_client
from haven.clients.models import Client, ClientSearchTerm, ClientStatus
from haven.clients.search import fold, key_for, split_query, successor, terms_for
from haven.clients.selectors import search_visible_clients
from haven.practices.viewers import StaffViewer
from tests.personas import World, years_ago

pytestmark = pytest.mark.django_db


def found(world: World, query: str, *, status: str = "", sort: str = "name") -> list[str]:
    clients = search_visible_clients(StaffViewer(world.theo), query=query, status=status, sort=sort)
    return [client.full_name for client in clients]


def add(world: World, first: str, last: str, *, email: str = "", preferred: str = "", born: int = 30) -> Client:
    return create_client(
        by=world.ada,
        data={
            "first_name": first,
            "last_name": last,
            "preferred_name": preferred,
            "email": email,
            "date_of_birth": years_ago(born),
        },
    )


def test_a_name_is_found_by_the_beginning_of_any_of_its_words_whatever_the_case() -> None:
    assert terms_for("Mary Ann", "Smith-Jones", "O'Brien") == {
        "maryann",
        "ann",
        "smithjones",
        "jones",
        "obrien",
        "brien",
    }
    assert key_for("SMITH-JONES") == "smithjones"
    assert key_for("o'brien") == key_for("OBrien") == "obrien"
    assert key_for("--") == ""


def test_accents_and_special_letters_fold_to_what_a_plain_keyboard_types() -> None:
    assert fold("José Müller Zoë Østergaard Łukasz Straße Æsa") == "jose muller zoe ostergaard lukasz strasse aesa"
    assert terms_for("Sofía") == {"sofia"}
    assert key_for("JOSÉ") == key_for("jose") == "jose"


def test_an_email_is_found_whole_by_its_local_part_or_its_domain() -> None:
    assert terms_for("ana.maria@example.com") == {"anamariaexamplecom", "mariaexamplecom", "examplecom", "com"}
    assert key_for("ana.maria@example.com") == "anamariaexamplecom"
    assert key_for("example.com") == "examplecom"


def test_a_typed_word_looks_for_one_index_range_in_code_point_order() -> None:
    assert successor("ana") == "anb"
    assert successor("jos\u00e9") == "jos\u00ea"
    assert successor("a\ud7ff") == "a\ue000"  # the next character after the surrogates
    dates, keys = split_query("1990-04-02 Ana 04/02/1990 ana ,")
    assert dates == [datetime.date(1990, 4, 2)] and keys == ["ana"]


def test_search_matches_names_emails_and_dates_of_birth_as_staff_type_them(world) -> None:
    add(world, "José", "Müller", email="jose.m@mail.example")
    add(world, "Zoë", "Smith-Jones", preferred="Zo")
    add(world, "Liam", "O'Brien")
    assert found(world, "jose") == found(world, "JOSÉ") == found(world, "müll") == ["José Müller"]
    assert found(world, "jones") == found(world, "smith-jo") == found(world, "zoe") == ["Zoë Smith-Jones"]
    assert found(world, "zo smith") == ["Zoë Smith-Jones"]  # every word must match, in any field
    assert found(world, "obrien") == found(world, "o'bri") == ["Liam O'Brien"]
    assert found(world, "mail.example") == found(world, "jose.m@") == ["José Müller"]
    assert found(world, "example.com") == ["Ana Alvarez", "Ben Brooks"]
    assert found(world, "alva") == found(world, "ana@example.com") == ["Ana Alvarez"]
    born = world.ana.date_of_birth
    assert found(world, born.isoformat()) == found(world, born.strftime("%m/%d/%Y")) == ["Ana Alvarez"]
    assert found(world, f"ben {born.isoformat()}") == []
    assert found(world, "ana ben") == []


def test_a_word_is_found_from_its_beginning_not_from_its_middle(world) -> None:
    """An index range finds the words a typed word begins; "lvarez" is not the start of any word of Alvarez's."""
    assert found(world, "alvarez") == ["Ana Alvarez"]
    assert found(world, "lvarez") == []


def test_search_keeps_the_status_filter_and_every_order(world) -> None:
    Client.objects.filter(pk=world.mia.pk).update(status=ClientStatus.DISCHARGED)
    assert found(world, "moreno") == ["Max Moreno", "Mia Moreno"]
    assert found(world, "moreno", status=ClientStatus.ACTIVE) == ["Max Moreno"]
    assert found(world, "moreno", sort="-name") == ["Mia Moreno", "Max Moreno"]
    assert found(world, "moreno", sort="dob") == ["Mia Moreno", "Max Moreno"]  # Mia is older


def test_search_never_shows_a_client_of_another_practice(world) -> None:
    assert found(world, "hal") == [] and found(world, "hill") == []
    assert [client.full_name for client in search_visible_clients(StaffViewer(world.hana), query="hal")] == ["Hal Hill"]
    assert ClientSearchTerm.objects.filter(client=world.hal).values_list("practice_id", flat=True).distinct().get() == (
        world.hilltop.pk
    )


def test_terms_follow_a_rename_an_email_change_and_a_deletion(world) -> None:
    ana = update_client(
        by=world.ada,
        client=world.ana,
        data={"last_name": "Avila", "email": "ana.avila@clinic.example"},
        expected_version=world.ana.version,
    )
    assert found(world, "alvarez") == [] and found(world, "example.com") == ["Ben Brooks"]
    assert found(world, "avila") == found(world, "clinic.example") == ["Ana Avila"]
    update_client(by=world.ada, client=ana, data={"phone": "555-0100"}, expected_version=ana.version)
    assert found(world, "avila") == ["Ana Avila"]  # a change the search does not read leaves the terms

    cora = Client.objects.create(
        practice=world.riverside, first_name="Cora", last_name="Diaz", date_of_birth=years_ago(3)
    )
    assert found(world, "cora") == ["Cora Diaz"]
    cora.delete()
    assert found(world, "cora") == []
    assert not ClientSearchTerm.objects.filter(client_id=cora.pk).exists()


def test_terms_follow_bulk_writes(world) -> None:
    Client.objects.bulk_create(
        Client(practice=world.riverside, first_name="Pat", last_name=f"Quill{n}", date_of_birth=years_ago(40))
        for n in range(3)
    )
    assert found(world, "quill") == ["Pat Quill0", "Pat Quill1", "Pat Quill2"]

    Client.objects.filter(last_name="Quill0").update(last_name="Rowe")
    assert found(world, "rowe") == ["Pat Rowe"] and len(found(world, "quill")) == 2

    quills = list(Client.objects.filter(last_name__startswith="Quill"))
    for client in quills:
        client.first_name = "Sam"
    Client.objects.bulk_update(quills, ["first_name"])
    assert found(world, "sam quill") == ["Sam Quill1", "Sam Quill2"] and found(world, "pat") == ["Pat Rowe"]

    with pytest.raises(TypeError):
        Client.objects.bulk_create(
            [Client(practice=world.riverside, first_name="X", last_name="Y")], ignore_conflicts=True
        )


def test_the_migration_writes_the_terms_of_existing_clients(world) -> None:
    ClientSearchTerm.objects.all().delete()
    migration = import_module("haven.clients.migrations.0002_search_terms")
    migration.write_terms(apps, SimpleNamespace(connection=connection))
    assert found(world, "alvarez") == ["Ana Alvarez"]
    assert set(ClientSearchTerm.objects.filter(client=world.ana).values_list("term", flat=True)) == terms_for(
        "Ana", "Alvarez", "", "ana@example.com"
    )


def _grow(world: World, count: int) -> None:
    existing = Client.objects.filter(practice=world.riverside).count()
    Client.objects.bulk_create(
        Client(
            practice=world.riverside,
            first_name=f"Client{n}",
            last_name=f"Test{n:05d}",
            email=f"client{n}@mail.example",
            date_of_birth=years_ago(20 + n % 50, n % 365),
        )
        for n in range(existing, count)
    )


SEARCHES = ("test", "ana alv", "client", "mail.example", years_ago(34).isoformat())


def _list_and_picker(world: World, query: str) -> None:
    """What the client list (a page and its count) and the group-note picker ask of the search."""
    viewer = StaffViewer(world.theo)
    page = Paginator(search_visible_clients(viewer, query=query), 25).get_page(1)
    list(page.object_list)
    list(search_visible_clients(viewer, query=query, status=ClientStatus.ACTIVE)[:9])


@pytest.mark.parametrize("query", SEARCHES)
def test_a_search_runs_the_same_queries_at_10_and_500_clients(world, query, django_assert_num_queries) -> None:
    _grow(world, 10)
    with django_assert_num_queries(3):
        _list_and_picker(world, query)
    _grow(world, 500)
    with django_assert_num_queries(3):
        _list_and_picker(world, query)


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_search_reads_the_term_index_and_never_scans_the_clients(world) -> None:
    _grow(world, 3000)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # what autovacuum does after a load like this
            cursor.execute("ANALYZE clients_client; ANALYZE clients_clientsearchterm")
        else:  # SQLite's figures are migrated; plan with them, not with what an earlier test's ANALYZE left loaded
            cursor.execute("ANALYZE sqlite_schema")
    viewer = StaffViewer(world.theo)
    by_name = search_visible_clients(viewer, query="test00123")
    by_two_words = search_visible_clients(viewer, query="client12 test0012", status=ClientStatus.ACTIVE)
    by_birth = search_visible_clients(viewer, query=years_ago(34).isoformat())
    plans = {name: _plan(queryset) for name, queryset in (("name", by_name), ("words", by_two_words))}
    birth_plan = _plan(by_birth)
    if connection.vendor == "sqlite":
        for plan in plans.values():
            assert "SEARCH clients_client USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
            assert "USING COVERING INDEX clients_search_term (practice_id=? AND term>? AND term<?)" in plan, plan
        assert "SEARCH clients_client USING INDEX clients_practice_dob (practice_id=? AND date_of_birth=?)" in (
            birth_plan
        )
        for plan in (*plans.values(), birth_plan):
            assert "SCAN clients_client" not in plan and "clients_practice_name" not in plan, plan
    else:
        for plan in plans.values():
            assert re.search(r"Index (Only )?Scan (using|on) clients_search_term", plan), plan
            assert "Index Scan using clients_client_pkey on clients_client" in plan, plan
            assert "Index Cond: ((id = ANY ($0))" in plan or "Index Cond: (id = ANY ($0))" in plan, plan
        assert "clients_practice_dob" in birth_plan, birth_plan
        for plan in (*plans.values(), birth_plan):
            assert "Seq Scan on clients_client" not in plan, plan  # neither the clients nor their terms
    assert [client.last_name for client in by_name] == ["Test00123"]
