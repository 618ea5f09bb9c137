"""Finality under real concurrency (SIGN-7): two Sign Document submissions at once, and a change racing a signature.

Real concurrency needs PostgreSQL (SQLite serialises writers); these tests are deselected on the SQLite run.
"""

from __future__ import annotations

import pytest
from django.db import connection

from haven.documents.actions import add_version
from haven.documents.models import Document, DocumentVersion, VersionSource
from haven.signing.answers import SigningRefused
from haven.signing.models import RequestStatus, Signature, SignatureRequest
from haven.signing.requests import request_signature
from haven.signing.tests.flow import sign, treatment_plan
from haven.signing.tests.helpers import document_pdf
from tests.concurrency import at_once
from tests.personas import World, build_world

pytestmark = pytest.mark.postgres


def requested(world: World) -> tuple[Document, SignatureRequest]:
    plan = treatment_plan(world.ada, world.max)
    return plan, request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")


def test_two_simultaneous_sign_document_submissions_make_exactly_one_signature(committed_db) -> None:
    assert connection.vendor == "postgresql", "run this test on PostgreSQL (the postgres marker)"
    world = build_world()
    plan, request = requested(world)

    def submit() -> object:
        return sign(SignatureRequest.objects.get(pk=request.pk), world.gia_account, world.gia_access_max)

    results = at_once(submit, submit, submit)

    signatures = [result for result in results if isinstance(result, Signature)]
    refusals = [result for result in results if isinstance(result, SigningRefused)]
    assert len(signatures) == 1, results
    assert [refusal.code for refusal in refusals] == ["already_signed", "already_signed"]
    assert Signature.objects.filter(request=request).count() == 1
    assert SignatureRequest.objects.get(pk=request.pk).status == RequestStatus.SIGNED
    # The sealing task ran once the winner committed: one signed version, and it is current.
    signed = DocumentVersion.objects.filter(document=plan, source=VersionSource.SIGNED)
    assert signed.count() == 1
    assert Document.objects.get(pk=plan.pk).current_version_id == signed.get().pk


def test_a_signature_after_the_document_changed_is_refused(committed_db) -> None:
    assert connection.vendor == "postgresql", "run this test on PostgreSQL (the postgres marker)"
    world = build_world()
    plan, request = requested(world)
    add_version(by=world.ada, document=plan, data=document_pdf(3))

    with pytest.raises(SigningRefused) as refused:
        sign(SignatureRequest.objects.get(pk=request.pk), world.gia_account, world.gia_access_max)

    assert refused.value.code == "document_changed"
    assert not Signature.objects.exists()
    assert SignatureRequest.objects.get(pk=request.pk).status == RequestStatus.PENDING


def test_an_amendment_racing_a_signature_never_leaves_a_signature_on_a_changed_document(committed_db) -> None:
    """Either the amendment lands first and signing is refused, or the signature lands first on what was shown."""
    assert connection.vendor == "postgresql", "run this test on PostgreSQL (the postgres marker)"
    world = build_world()
    plan, request = requested(world)
    sent_sha256 = request.sha256
    amendment = document_pdf(3)

    signed, amended = at_once(
        lambda: sign(SignatureRequest.objects.get(pk=request.pk), world.gia_account, world.gia_access_max),
        lambda: add_version(by=world.ada, document=Document.objects.get(pk=plan.pk), data=amendment),
    )

    assert isinstance(amended, DocumentVersion), amended
    if isinstance(signed, SigningRefused):
        assert signed.code == "document_changed"
        assert not Signature.objects.exists()
    else:
        assert isinstance(signed, Signature), signed
        signature = Signature.objects.get(pk=signed.pk)
        assert signature.sha256_before == sent_sha256
        # Built from the version the signer saw; the amendment, added after, stays current.
        assert signature.signed_version is not None
        assert Document.objects.get(pk=plan.pk).current_version_id == amended.pk
