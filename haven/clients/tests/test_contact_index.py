"""'Whose contact is this client' (the chart face) reads an index, however few contacts link a client."""

from __future__ import annotations

import pytest
from django.db import connection

from haven.clients.models import RelatedContact
from haven.clients.selectors import clients_client_is_contact_for
from tests.personas import World
from tests.planner import planner_statistics_kept

pytestmark = pytest.mark.django_db


def test_the_chart_finds_where_its_client_is_a_contact_through_the_partial_index(world: World) -> None:
    RelatedContact.objects.bulk_create(
        RelatedContact(practice=world.riverside, client=world.max, first_name="Aunt", last_name=f"No. {n}")
        for n in range(400)  # contacts who are not clients: no linked client, as most are
    )
    query = clients_client_is_contact_for(world.max).query
    sql, params = query.sql_with_params()
    with planner_statistics_kept(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")  # as the daily run does
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING INDEX clients_contact_linked" in plan
            assert "SCAN clients_relatedcontact" not in plan
        else:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'clients_contact_linked'")
            [(definition,)] = cursor.fetchall()
            assert "WHERE (linked_client_id IS NOT NULL)" in definition
