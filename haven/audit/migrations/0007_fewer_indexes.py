"""Drop the audit table's indexes no query uses: each cost every recorded event an index write.

Dropped by name, found by introspection (one-column, non-unique indexes on the four columns, with
PostgreSQL's ``_like`` twin of ``action``'s), not by Django's AlterField: on SQLite that would remake the
table, a long copy of every event that also drops the append-only triggers of migration 0002.
"""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = ("occurred_at", "action", "client_id", "practice_id")


def drop_single_column_indexes(apps, schema_editor):
    event = apps.get_model("audit", "AuditEvent")
    table = event._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        found = schema_editor.connection.introspection.get_constraints(cursor, table)
    for name, constraint in sorted(found.items()):
        single = constraint["columns"] and len(constraint["columns"]) == 1 and constraint["columns"][0] in COLUMNS
        if single and constraint["index"] and not constraint["unique"] and not constraint["primary_key"]:
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def add_single_column_indexes(apps, schema_editor):
    event = apps.get_model("audit", "AuditEvent")
    for column in COLUMNS:
        field = column.removesuffix("_id")
        schema_editor.add_index(event, models.Index(fields=[field], name=f"audit_event_{field}"[:30]))


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_client_history_index"),
        ("clients", "0004_contact_linked_client_partial_index"),
        ("practices", "0005_links_end_when_password_changes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_single_column_indexes, add_single_column_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="action",
                    field=models.CharField(max_length=64),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="client",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clients.client",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="occurred_at",
                    field=models.DateTimeField(editable=False),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="practice",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="practices.practice",
                    ),
                ),
            ],
        ),
    ]
