"""Two workers sealing for a practice at the same moment, before it has a certificate: one certificate."""

from __future__ import annotations

import pytest
from django.db import connection

from haven.audit.models import AuditEvent
from haven.signing.certificates import signing_identity
from haven.signing.models import PracticeSigningCertificate
from tests.concurrency import at_once
from tests.personas import build_world

pytestmark = pytest.mark.postgres


def test_concurrent_first_use_creates_one_certificate(committed_db):
    """Real concurrency needs PostgreSQL (SQLite serialises writers); deselected on the SQLite run."""
    assert connection.vendor == "postgresql", "run this test on PostgreSQL (the postgres marker)"
    world = build_world()
    results = at_once(*[lambda: signing_identity(world.riverside).record.serial] * 4)
    serials = [str(result) for result in results]
    assert all(isinstance(result, str) for result in results), results
    assert len(set(serials)) == 1
    assert PracticeSigningCertificate.objects.filter(practice=world.riverside).count() == 1
    assert AuditEvent.objects.filter(action="signing.certificate_created").count() == 1
