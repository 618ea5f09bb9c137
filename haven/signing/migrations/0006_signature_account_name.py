"""The signer's name comes from the chart; the portal account's own name is kept beside it, written once too.

As in 0004: on SQLite, adding a column with a default rebuilds the table and drops its triggers, so
the written-once trigger is dropped first and created again after, now covering the new column. On
PostgreSQL the trigger stays and its function is replaced.
"""

import importlib

from django.db import migrations, models

_before = importlib.import_module("haven.signing.migrations.0004_typed_signatures")

_CHANGED_SQLITE = f"{_before._CHANGED_SQLITE}\n         OR NEW.account_name IS NOT OLD.account_name"
_CHANGED_POSTGRESQL = f"{_before._CHANGED_POSTGRESQL}\n            OR NEW.account_name IS DISTINCT FROM OLD.account_name"

DROP_SQLITE = ["DROP TRIGGER IF EXISTS signing_signature_written_once"]
SQLITE = [
    f"""CREATE TRIGGER signing_signature_written_once BEFORE UPDATE ON signing_signature
       WHEN {_CHANGED_SQLITE}
       BEGIN SELECT RAISE(ABORT, 'a signature never changes once written'); END"""
]
SQLITE_REVERSE = [*DROP_SQLITE, *_before.SQLITE]
POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION signing_signature_written_once() RETURNS trigger AS $$
       BEGIN
         IF {_CHANGED_POSTGRESQL} THEN
           RAISE EXCEPTION 'a signature never changes once written';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql"""
]
POSTGRESQL_REVERSE = _before.POSTGRESQL


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("signing", "0005_expired_requests")]

    operations = [
        migrations.RunPython(_run({"sqlite": DROP_SQLITE}), _run({"sqlite": SQLITE_REVERSE})),
        migrations.AddField(
            model_name="signature",
            name="account_name",
            field=models.CharField(
                blank=True, help_text="The name the portal account itself carried when signing.", max_length=200
            ),
        ),
        migrations.AlterField(
            model_name="signature",
            name="signer_name",
            field=models.CharField(
                help_text="As the practice knows the signer: the client's or the contact's name in the chart.",
                max_length=200,
            ),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": DROP_SQLITE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
