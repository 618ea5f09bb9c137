"""SQLite's query planner: what a large practice looks like, so the staff search starts from its index.

Without statistics SQLite guesses that ``practice_id = ?`` finds about ten clients, and answers a search by walking
the whole practice in name order (the order the list shows) and testing each client against the matching terms:
every client read per keystroke. With these figures it starts from the terms' index range and fetches only the
clients found. They describe the shape of the data, not its size (a practice holds many clients, a name few), so
they hold from the first client on; a later ``ANALYZE`` replaces them with measured ones. PostgreSQL keeps its own
statistics (autovacuum) and is left alone.
"""

from typing import Any

from django.db import migrations

TABLE_ROWS = {"clients_client": 1_000_000, "clients_clientsearchterm": 5_000_000}

# For each index, by its columns: how many rows share one value of its first column, of its first two, and so on.
ROWS_PER_VALUE = {
    ("practice_id",): (100_000,),
    ("facility_id",): (100_000,),
    ("practice_id", "last_name", "first_name"): (100_000, 100, 2),
    ("practice_id", "email"): (100_000, 2),
    ("practice_id", "date_of_birth"): (100_000, 4),
    ("practice_id", "term", "client_id"): (500_000, 10, 1),
    ("client_id",): (5,),
}


def describe_tables(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sqlite_schema")  # creates sqlite_stat1 if no ANALYZE ever ran
        for table, rows in TABLE_ROWS.items():
            cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = %s", [table])
            cursor.execute(f"PRAGMA index_list({table})")
            for index in [row[1] for row in cursor.fetchall()]:
                cursor.execute(f"PRAGMA index_info({index})")
                figures = ROWS_PER_VALUE.get(tuple(row[2] for row in cursor.fetchall()))
                if figures is not None:  # an index not described keeps SQLite's own guess
                    stat = " ".join(str(figure) for figure in (rows, *figures))
                    cursor.execute(
                        "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (%s, %s, %s)", [table, index, stat]
                    )
        cursor.execute("ANALYZE sqlite_schema")  # the planner reads the figures now, not at the next connection


class Migration(migrations.Migration):
    dependencies = [("clients", "0002_search_terms")]

    operations = [migrations.RunPython(describe_tables, migrations.RunPython.noop, elidable=False)]
