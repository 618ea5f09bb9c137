"""Refuse changes to document versions and to sealed signatures in the database itself (SIGN-7).

A version's row never changes once written; a signature may only receive the link to its signed
version, once. Deleting stays possible at this level (tests empty their tables), but the
foreign keys protect both from ordinary deletion.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER documents_version_no_update BEFORE UPDATE ON documents_documentversion
       BEGIN SELECT RAISE(ABORT, 'document versions never change'); END""",
    """CREATE TRIGGER signing_signature_written_once BEFORE UPDATE ON signing_signature
       WHEN OLD.sealed_at IS NOT NULL OR NEW.request_id IS NOT OLD.request_id
         OR NEW.document_id IS NOT OLD.document_id OR NEW.account_id IS NOT OLD.account_id
         OR NEW.signed_at IS NOT OLD.signed_at OR NEW.sha256_before IS NOT OLD.sha256_before
         OR NEW.image_storage_name IS NOT OLD.image_storage_name OR NEW.disclosure_text IS NOT OLD.disclosure_text
       BEGIN SELECT RAISE(ABORT, 'a signature never changes once written'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS documents_version_no_update",
    "DROP TRIGGER IF EXISTS signing_signature_written_once",
]

POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION documents_version_no_update() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'document versions never change'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER documents_version_no_update BEFORE UPDATE ON documents_documentversion
       FOR EACH ROW EXECUTE FUNCTION documents_version_no_update()""",
    """CREATE OR REPLACE FUNCTION signing_signature_written_once() RETURNS trigger AS $$
       BEGIN
         IF OLD.sealed_at IS NOT NULL OR NEW.request_id IS DISTINCT FROM OLD.request_id
            OR NEW.document_id IS DISTINCT FROM OLD.document_id OR NEW.account_id IS DISTINCT FROM OLD.account_id
            OR NEW.signed_at IS DISTINCT FROM OLD.signed_at OR NEW.sha256_before IS DISTINCT FROM OLD.sha256_before
            OR NEW.image_storage_name IS DISTINCT FROM OLD.image_storage_name
            OR NEW.disclosure_text IS DISTINCT FROM OLD.disclosure_text THEN
           RAISE EXCEPTION 'a signature never changes once written';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER signing_signature_written_once BEFORE UPDATE ON signing_signature
       FOR EACH ROW EXECUTE FUNCTION signing_signature_written_once()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS documents_version_no_update ON documents_documentversion",
    "DROP FUNCTION IF EXISTS documents_version_no_update()",
    "DROP TRIGGER IF EXISTS signing_signature_written_once ON signing_signature",
    "DROP FUNCTION IF EXISTS signing_signature_written_once()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("signing", "0002_signaturerequest_signature_and_more"), ("documents", "0003_documenttype_share_to_sign")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
