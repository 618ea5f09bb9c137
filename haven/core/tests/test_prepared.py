"""Prepared queries: built and compiled once, run with new values, rows exactly as the queryset's own."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.db.models.functions import Lower
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from haven.clients.models import Client, RelatedContact, Relationship
from haven.core.prepared import Prepared, PreparedQueryError, counting, run_statement
from haven.practices.models import StaffMember
from tests.personas import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def test_rows_with_their_related_objects_come_back_in_the_one_query(
    world: World, django_assert_num_queries: Any
) -> None:
    member = Prepared[StaffMember](
        lambda user_id: StaffMember.objects.select_related("practice", "user").filter(user_id=user_id), int
    )
    member(world.ada.user_id)  # compiled here

    with django_assert_num_queries(1):
        found = member(world.theo.user_id)
        assert [m.pk for m in found] == [world.theo.pk]
        assert found[0].practice.name == world.riverside.name
        assert found[0].user.email == world.theo.user.email
    member.check(world.hana.user_id)


def test_instances_are_made_by_the_row_layout_worked_out_once_as_the_querysets_own(world: World) -> None:
    """Related objects two levels down, a relation that is empty (None) on some rows, annotations: each run makes
    the rows as the queryset would, with the populators worked out at the first run."""
    contacts = Prepared[RelatedContact](
        lambda practice_id: (
            RelatedContact.objects.filter(practice_id=practice_id)
            .select_related("client__facility", "linked_client")
            .annotate(contact_count=Count("client__contacts"))
            .order_by("pk")
        ),
        int,
    )
    first = contacts(world.riverside.pk)
    RelatedContact.objects.create(
        practice=world.riverside, client=world.ana, linked_client=world.mia, relationship=Relationship.OTHER
    )
    again = contacts(world.riverside.pk)
    contacts.check(world.riverside.pk)
    assert [c.pk for c in again][: len(first)] == [c.pk for c in first] and len(again) == len(first) + 1
    assert {c.linked_client is None for c in again} == {True, False}
    assert {c.client.facility is None for c in again} == {True, False}
    assert again[-1].linked_client is not None and again[-1].linked_client.first_name == "Mia"
    for contact in again:
        assert contact.client.pk == contact.client_id and contact.contact_count >= 1  # type: ignore[attr-defined]
        assert (contact.linked_client is None) == (contact.linked_client_id is None)
        assert contact._state.adding is False and contact.client._state.db == "default"
    assert first[0] is not again[0] and first[0].client is not again[0].client  # new instances on every run
    assert contacts._compiled["default"].layout is not None


def test_the_builder_runs_once_per_process_whatever_the_values(world: World) -> None:
    built: list[int] = []

    def build(practice_id: int) -> Any:
        built.append(practice_id)
        return Client.objects.filter(practice_id=practice_id).order_by("pk")

    clients = Prepared[Client](build, int)
    riverside = clients(world.riverside.pk)
    hilltop = clients(world.hilltop.pk)

    assert len(built) == 1  # the stand-in values, never a request's
    assert {c.practice_id for c in riverside} == {world.riverside.pk} and world.ana in riverside
    assert [c.pk for c in hilltop] == [world.hal.pk]


def test_annotations_values_and_prefetches_are_as_the_querysets(world: World) -> None:
    counted = Prepared[Client](
        lambda practice_id: (
            Client.objects.filter(practice_id=practice_id)
            .annotate(
                contact_count=Count("contacts"),
                is_someones_contact=Exists(RelatedContact.objects.filter(linked_client=OuterRef("pk"))),
            )
            .order_by("pk")
        ),
        int,
    )
    counted.check(world.riverside.pk)
    by_pk = {c.pk: c for c in counted(world.riverside.pk)}
    assert by_pk[world.max.pk].contact_count == 1  # type: ignore[attr-defined]

    names = Prepared[tuple[str, str]](
        lambda practice_id: (
            Client.objects.filter(practice_id=practice_id)
            .order_by("last_name", "first_name")
            .values_list("first_name", "last_name")
        ),
        int,
    )
    assert names(world.hilltop.pk) == [(world.hal.first_name, world.hal.last_name)]

    with_contacts = Prepared[Client](
        lambda client_id: Client.objects.filter(pk=client_id).prefetch_related(
            Prefetch("contacts", queryset=RelatedContact.objects.order_by("pk"), to_attr="listed")
        ),
        int,
    )
    (max_,) = with_contacts(world.max.pk)
    assert [c.pk for c in max_.listed] == [world.gia.pk]  # type: ignore[attr-defined]


def test_a_moment_and_a_text_are_values_like_any_other(world: World) -> None:
    now = timezone.now()
    Session.objects.create(session_key="a" * 32, session_data="{}", expire_date=now + datetime.timedelta(hours=1))
    Session.objects.create(session_key="b" * 32, session_data="{}", expire_date=now - datetime.timedelta(hours=1))
    live = Prepared[Session](
        lambda key, moment: Session.objects.filter(session_key=key, expire_date__gt=moment), str, datetime.datetime
    )

    assert [s.session_key for s in live("a" * 32, now)] == ["a" * 32]
    assert live("b" * 32, now) == []  # expired by then
    assert [s.session_key for s in live("b" * 32, now - datetime.timedelta(hours=2))] == ["b" * 32]
    live.check("a" * 32, now)


def test_days_are_values_compared_as_the_database_compares_them(world: World) -> None:
    born_after = Prepared[Client](
        lambda practice_id, day: Client.objects.filter(practice_id=practice_id, date_of_birth__gt=day).order_by("pk"),
        int,
        datetime.date,
    )
    today = timezone.localdate()
    minors = born_after(world.riverside.pk, today - datetime.timedelta(days=18 * 365))
    everyone = born_after(world.riverside.pk, today - datetime.timedelta(days=120 * 365))

    assert world.max in minors and world.ana not in minors
    assert world.ana in everyone
    born_after.check(world.riverside.pk, today - datetime.timedelta(days=30 * 365))


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda name: Client.objects.filter(last_name__startswith=name), id="a LIKE pattern"),
        pytest.param(lambda name: Client.objects.filter(last_name="Fixed"), id="an argument it ignores"),
    ],
)
def test_a_builder_whose_value_does_not_reach_the_sql_as_itself_is_refused(world: World, build: Any) -> None:
    with pytest.raises(PreparedQueryError, match="did not reach its SQL"):
        Prepared[Client](build, str)("Quintero")


def test_a_value_written_into_the_sql_is_refused(world: World) -> None:
    with pytest.raises(PreparedQueryError):
        Prepared[Client](lambda size: Client.objects.order_by("pk")[:size], int)(3)


def test_it_takes_as_many_values_as_it_names() -> None:
    with pytest.raises(TypeError, match="takes 1 values, not 2"):
        Prepared[Client](lambda pk: Client.objects.filter(pk=pk), int)(1, 2)


def test_only_ints_texts_moments_and_days_are_values() -> None:
    with pytest.raises(PreparedQueryError, match="not float"):
        Prepared[Client](lambda x: Client.objects.all(), float)(1.5)


def test_a_count_is_one_row_and_nothing_matching_is_no_row(world: World) -> None:
    clients = Prepared[int](
        lambda practice_id: counting(Client.objects.filter(practice_id=practice_id), "practice_id"), int
    )
    assert clients(world.riverside.pk) == [Client.objects.filter(practice=world.riverside).count()]
    assert clients(world.hilltop.pk) == [1]
    assert clients(world.hilltop.pk + 1000) == []


def test_a_query_a_test_counts_is_seen_with_its_sql_and_values(world: World) -> None:
    """Watched queries (DEBUG, a test counting) run through Django's cursor; unwatched ones give the same rows."""
    names = Prepared[tuple[Any, ...]](
        lambda practice_id: (
            Client.objects.filter(practice_id=practice_id).order_by("pk").values_list("pk", "last_name")
        ),
        int,
    )
    unwatched = names(world.riverside.pk)
    with CaptureQueriesContext(connection) as watched:
        assert names(world.riverside.pk) == unwatched
    assert len(watched) == 1
    assert str(world.riverside.pk) in watched[0]["sql"] and "last_name" in watched[0]["sql"]
    names.check(world.hilltop.pk)


def test_rows_keep_only_their_own_columns_when_the_order_adds_one(world: World) -> None:
    """A distinct list ordered by an expression selects that expression too; the rows leave it out, as Django's do."""
    ids = Prepared[tuple[Any, ...]](
        lambda practice_id: (
            Client.objects.filter(practice_id=practice_id)
            .distinct()
            .order_by(Lower("last_name"), "pk")
            .values_list("pk")
        ),
        int,
    )
    rows = ids(world.riverside.pk)
    assert rows and all(len(row) == 1 for row in rows)
    ids.check(world.riverside.pk)


def test_a_prepared_query_is_refused_in_a_transaction_that_has_failed(world: World) -> None:
    clients = Prepared[Client](lambda pk: Client.objects.filter(pk=pk), int)
    clients(world.ana.pk)
    with transaction.atomic():
        transaction.set_rollback(True)
        with pytest.raises(transaction.TransactionManagementError):
            clients(world.ana.pk)


def test_a_fixed_statement_gives_its_rows_whether_or_not_a_test_counts_it(world: World) -> None:
    table = connection.ops.quote_name(Client._meta.db_table)
    sql = f"UPDATE {table} SET pronouns = %s WHERE id = %s RETURNING id, pronouns"  # noqa: S608
    assert run_statement(connection, sql, ["she/her", world.ana.pk]) == [(world.ana.pk, "she/her")]
    with CaptureQueriesContext(connection) as watched:
        assert run_statement(connection, sql, ["they/them", world.ana.pk]) == [(world.ana.pk, "they/them")]
    assert len(watched) == 1 and "pronouns" in watched[0]["sql"]
    no_rows = f"UPDATE {table} SET pronouns = %s WHERE id = %s"  # noqa: S608
    assert run_statement(connection, no_rows, ["he/him", world.ana.pk]) == []
    world.ana.refresh_from_db()
    assert world.ana.pronouns == "he/him"


def test_a_fixed_statement_is_refused_in_a_transaction_that_has_failed(world: World) -> None:
    table = connection.ops.quote_name(Client._meta.db_table)
    with transaction.atomic():
        transaction.set_rollback(True)
        with pytest.raises(transaction.TransactionManagementError):
            run_statement(connection, f"SELECT id FROM {table} WHERE id = %s", [world.ana.pk])  # noqa: S608
