"""On PostgreSQL, no two appointments of one clinician that hold time may overlap: an exclusion constraint
over their time range, so two bookings racing for one slot leave exactly one appointment.

Other databases keep the unique start of migration 0001; Haven's actions check overlaps under the
database's write lock there (SQLite takes it at the start of each transaction).
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE scheduling_appointment ADD CONSTRAINT scheduling_no_overlap
    EXCLUDE USING gist (clinician_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status IN ('scheduled', 'completed', 'no_show'));
"""
DROP = "ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS scheduling_no_overlap;"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("scheduling", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_constraint, drop_constraint),
    ]
