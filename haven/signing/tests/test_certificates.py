"""The practice's sealing certificate: made once, kept encrypted, fit for non-repudiation."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.core.encryption import decrypt_bytes
from haven.signing.certificates import has_non_repudiation, signing_identity
from haven.signing.models import PracticeSigningCertificate
from haven.signing.seal import seal_pdf, verify_pdf
from haven.signing.tests.helpers import document_pdf


def _certificate(record: PracticeSigningCertificate) -> x509.Certificate:
    return x509.load_pem_x509_certificate(record.certificate_pem.encode("ascii"))


def test_first_use_creates_one_self_managed_certificate_and_audits_it(world):
    first = signing_identity(world.riverside)
    again = signing_identity(world.riverside)
    assert first.record.pk == again.record.pk
    assert PracticeSigningCertificate.objects.filter(practice=world.riverside).count() == 1
    events = AuditEvent.objects.filter(action="signing.certificate_created")
    assert [(event.practice_id, event.object_id) for event in events] == [(world.riverside.pk, str(first.record.pk))]
    assert events[0].details["fingerprint"] == first.record.fingerprint
    assert events[0].details["self_managed"] is True


def test_certificate_names_the_practice_and_allows_non_repudiation(world):
    record = signing_identity(world.riverside).record
    certificate = _certificate(record)
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "Riverside Counseling document seal"
    )
    assert certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Riverside Counseling"
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.content_commitment  # non-repudiation
    assert usage.value.digital_signature
    assert not usage.value.key_cert_sign
    assert has_non_repudiation(certificate)
    assert isinstance(certificate.signature_hash_algorithm, hashes.SHA256)
    assert isinstance(certificate.public_key(), ec.EllipticCurvePublicKey)
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert datetime.timedelta(days=5 * 365) <= lifetime <= datetime.timedelta(days=5 * 366)
    assert record.serial == format(certificate.serial_number, "x")
    assert record.fingerprint == certificate.fingerprint(hashes.SHA256()).hex()
    assert (record.not_before, record.not_after) == (
        certificate.not_valid_before_utc,
        certificate.not_valid_after_utc,
    )
    assert record.is_self_managed and record.retired_at is None


def test_private_key_is_never_stored_in_plaintext(world):
    record = signing_identity(world.riverside).record
    key_pem = decrypt_bytes(record.private_key_encrypted)
    assert b"PRIVATE KEY" in key_pem
    key = serialization.load_pem_private_key(key_pem, None)
    key_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_body = b"".join(line for line in key_pem.splitlines() if not line.startswith(b"-----")).decode("ascii")
    assert key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == _certificate(record).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM signing_practicesigningcertificate WHERE id = %s", [record.pk])
        row = cursor.fetchone()
    stored = " ".join(value.hex() if isinstance(value, bytes | memoryview) else str(value) for value in row)
    assert "PRIVATE KEY" not in stored
    assert key_body not in stored
    assert key_body[20:60] not in stored
    assert key_der.hex() not in stored


def test_a_certificate_near_its_end_is_replaced_and_the_old_one_still_verifies(world):
    old = signing_identity(world.riverside).record
    sealed_before = seal_pdf(document_pdf(1), practice=world.riverside, reason="Consent")
    PracticeSigningCertificate.objects.filter(pk=old.pk).update(not_after=timezone.now() + datetime.timedelta(days=3))
    new = signing_identity(world.riverside).record
    old.refresh_from_db()
    assert new.pk != old.pk and old.retired_at is not None and new.retired_at is None
    assert AuditEvent.objects.filter(action="signing.certificate_created").count() == 2
    assert verify_pdf(sealed_before, practice=world.riverside).ok


def _issued_files(tmp_path: Path, *, non_repudiation: bool = True) -> tuple[str, str]:
    """A small CA and a leaf it issued, written as PEM files: the certificate (with chain) and the key."""
    now = timezone.now()
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Seal CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Haven Test Deployment Seal")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=non_repudiation,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "seal.pem", tmp_path / "seal.key"
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_file), str(key_file)


def test_an_issued_certificate_from_settings_seals_instead(world, settings, tmp_path):
    self_managed = signing_identity(world.riverside).record
    settings.HAVEN_SEAL_CERT_FILE, settings.HAVEN_SEAL_KEY_FILE = _issued_files(tmp_path)
    identity = signing_identity(world.riverside)
    record = identity.record
    assert not record.is_self_managed
    assert record.private_key_encrypted == ""
    assert "Haven Test Deployment Seal" in record.subject
    self_managed.refresh_from_db()
    assert self_managed.retired_at is not None
    sealed = seal_pdf(document_pdf(1), practice=world.riverside, reason="Consent")
    report = verify_pdf(sealed, practice=world.riverside)
    assert report.ok, report.problem
    assert "Haven Test Deployment Seal" in report.signer_subject
    assert signing_identity(world.riverside).record.pk == record.pk


def test_issued_certificate_without_non_repudiation_is_refused(world, settings, tmp_path):
    settings.HAVEN_SEAL_CERT_FILE, settings.HAVEN_SEAL_KEY_FILE = _issued_files(tmp_path, non_repudiation=False)
    with pytest.raises(ImproperlyConfigured, match="non-repudiation"):
        signing_identity(world.riverside)


def test_half_configured_issued_certificate_is_refused(world, settings, tmp_path):
    settings.HAVEN_SEAL_CERT_FILE = _issued_files(tmp_path)[0]
    with pytest.raises(ImproperlyConfigured, match="both"):
        signing_identity(world.riverside)
