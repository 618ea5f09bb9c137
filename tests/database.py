"""Database helpers for tests that commit for real (threads, the task worker, the live server)."""

from __future__ import annotations

import importlib

from django.db import connection

_append_only = importlib.import_module("haven.audit.migrations.0002_append_only")
_no_removal = importlib.import_module("haven.audit.migrations.0005_chain_constraints_refuse_truncate")


def audit_triggers(*, on: bool) -> None:
    """Create (idempotently) or drop the database triggers that keep the audit trail append-only:
    no UPDATE or DELETE of events, no removal of chain heads, no TRUNCATE (PostgreSQL)."""
    statements = {
        "sqlite": [*_append_only.SQLITE_REVERSE, *_no_removal.SQLITE_REVERSE],
        "postgresql": [*_append_only.POSTGRESQL_REVERSE, *_no_removal.POSTGRESQL_REVERSE],
    }
    if on:
        statements["sqlite"] += [*_append_only.SQLITE, *_no_removal.SQLITE]
        statements["postgresql"] += [*_append_only.POSTGRESQL, *_no_removal.POSTGRESQL]
    with connection.cursor() as cursor:
        for statement in statements.get(connection.vendor, []):
            cursor.execute(statement)
