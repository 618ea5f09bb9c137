"""Typed signatures: how a signature was made, and the name as typed; both written once like the rest.

On SQLite, adding a column with a default rebuilds the table, which drops its triggers: the
written-once trigger is dropped first and created again after, now covering the new columns.
On PostgreSQL the trigger stays and its function is replaced.
"""

import importlib

from django.db import migrations, models

_before = importlib.import_module("haven.signing.migrations.0003_signed_records_never_change")

_CHANGED_SQLITE = """OLD.sealed_at IS NOT NULL OR NEW.request_id IS NOT OLD.request_id
         OR NEW.document_id IS NOT OLD.document_id OR NEW.account_id IS NOT OLD.account_id
         OR NEW.signed_at IS NOT OLD.signed_at OR NEW.sha256_before IS NOT OLD.sha256_before
         OR NEW.image_storage_name IS NOT OLD.image_storage_name OR NEW.disclosure_text IS NOT OLD.disclosure_text
         OR NEW.method IS NOT OLD.method OR NEW.typed_name IS NOT OLD.typed_name"""
_CHANGED_POSTGRESQL = """OLD.sealed_at IS NOT NULL OR NEW.request_id IS DISTINCT FROM OLD.request_id
            OR NEW.document_id IS DISTINCT FROM OLD.document_id OR NEW.account_id IS DISTINCT FROM OLD.account_id
            OR NEW.signed_at IS DISTINCT FROM OLD.signed_at OR NEW.sha256_before IS DISTINCT FROM OLD.sha256_before
            OR NEW.image_storage_name IS DISTINCT FROM OLD.image_storage_name
            OR NEW.disclosure_text IS DISTINCT FROM OLD.disclosure_text
            OR NEW.method IS DISTINCT FROM OLD.method OR NEW.typed_name IS DISTINCT FROM OLD.typed_name"""

DROP_SQLITE = ["DROP TRIGGER IF EXISTS signing_signature_written_once"]
SQLITE = [
    f"""CREATE TRIGGER signing_signature_written_once BEFORE UPDATE ON signing_signature
       WHEN {_CHANGED_SQLITE}
       BEGIN SELECT RAISE(ABORT, 'a signature never changes once written'); END"""
]
SQLITE_REVERSE = [*DROP_SQLITE, *(s for s in _before.SQLITE if "signing_signature_written_once" in s)]
POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION signing_signature_written_once() RETURNS trigger AS $$
       BEGIN
         IF {_CHANGED_POSTGRESQL} THEN
           RAISE EXCEPTION 'a signature never changes once written';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql"""
]
POSTGRESQL_REVERSE = [s for s in _before.POSTGRESQL if "FUNCTION signing_signature_written_once" in s]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("signing", "0003_signed_records_never_change")]

    operations = [
        migrations.RunPython(_run({"sqlite": DROP_SQLITE}), _run({"sqlite": SQLITE_REVERSE})),
        migrations.AddField(
            model_name="signature",
            name="method",
            field=models.CharField(choices=[("drawn", "Drawn"), ("typed", "Typed")], default="drawn", max_length=8),
        ),
        migrations.AddField(
            model_name="signature",
            name="typed_name",
            field=models.CharField(blank=True, help_text="For a typed signature: the name as typed.", max_length=100),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": DROP_SQLITE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
