"""One head per chain, one event per place in a chain; and the trail cannot be emptied in one statement.

On PostgreSQL the row triggers of 0002 do not fire on TRUNCATE, so a statement-level trigger
refuses it on both audit tables. Chain heads can be moved forward but never deleted. Tests that
commit lift these protections explicitly (tests/database.py) to empty the database between tests.
"""

import django.db.models.functions.comparison
from django.db import migrations, models

SQLITE = [
    """CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_auditchainhead
       BEGIN SELECT RAISE(ABORT, 'audit chain heads cannot be removed'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS audit_head_no_delete"]

POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION audit_refuse_removal() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit trail cannot be truncated or its chain heads removed'; END;
       $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_removal()""",
    """CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_auditchainhead
       FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_removal()""",
    """CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_auditchainhead
       FOR EACH ROW EXECUTE FUNCTION audit_refuse_removal()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_auditchainhead",
    "DROP TRIGGER IF EXISTS audit_head_no_delete ON audit_auditchainhead",
    "DROP FUNCTION IF EXISTS audit_refuse_removal()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def _chain(field="practice"):
    return django.db.models.functions.comparison.Coalesce(
        field, models.Value(0), output_field=models.BigIntegerField()
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_rechain_per_practice")]

    operations = [
        migrations.AddConstraint(
            model_name="auditchainhead",
            constraint=models.UniqueConstraint(_chain(), name="audit_one_head_per_chain"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(_chain(), models.F("sequence"), name="audit_event_chain_sequence"),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
