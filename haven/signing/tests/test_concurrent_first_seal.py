"""Many Sign Document posts at once while the practice's first seal certificate is made (PostgreSQL).

A sealing worker creates the certificate under the practice's row lock and audits it; the signers
audit their signatures and refusals at the same moment. Locks taken in opposite orders deadlock here.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection

from haven.audit.models import AuditEvent
from haven.documents.models import Document, DocumentVersion, VersionSource
from haven.signing import certificates
from haven.signing.answers import SigningRefused
from haven.signing.models import PracticeSigningCertificate, Signature, SignatureRequest
from haven.signing.tests.flow import sign
from haven.signing.tests.test_concurrent_signing import requested
from tests.concurrency import at_once
from tests.personas import build_world

pytestmark = pytest.mark.postgres

SUBMISSIONS = 6


def _someone_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def test_simultaneous_signatures_during_the_first_seal_all_get_a_clean_audited_answer(
    committed_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert connection.vendor == "postgresql", "run this test on PostgreSQL (the postgres marker)"
    world = build_world()
    plan, request = requested(world)
    assert not PracticeSigningCertificate.objects.filter(practice=world.riverside).exists()

    # Hold the moment the certificate is being made until a signer waits on a lock, so they meet.
    making = threading.Event()
    real_self_signed = certificates._self_signed

    def slow_self_signed(*args: Any, **kwargs: Any) -> Any:
        making.set()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not _someone_waits_on_a_lock():
            time.sleep(0.05)
        return real_self_signed(*args, **kwargs)

    monkeypatch.setattr(certificates, "_self_signed", slow_self_signed)

    def seal_worker() -> object:
        return certificates.signing_identity(world.riverside).record

    def submit() -> object:
        assert making.wait(timeout=20)
        return sign(SignatureRequest.objects.get(pk=request.pk), world.gia_account, world.gia_access_max)

    sealed, *results = at_once(seal_worker, *[submit] * SUBMISSIONS)

    assert isinstance(sealed, PracticeSigningCertificate), sealed
    signatures = [result for result in results if isinstance(result, Signature)]
    refusals = [result for result in results if isinstance(result, SigningRefused)]
    assert len(signatures) == 1, results
    assert [refusal.code for refusal in refusals] == ["already_signed"] * (SUBMISSIONS - 1), results
    refused = AuditEvent.objects.filter(action="signature.refused", details__reason="already_signed")
    assert refused.count() == SUBMISSIONS - 1
    # The seal was made once, and the signed PDF built at once rather than by the daily run.
    assert PracticeSigningCertificate.objects.filter(practice=world.riverside).count() == 1
    signed = DocumentVersion.objects.filter(document=plan, source=VersionSource.SIGNED)
    assert signed.count() == 1
    assert Document.objects.get(pk=plan.pk).current_version_id == signed.get().pk
