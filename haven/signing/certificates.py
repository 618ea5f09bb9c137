"""Which certificate seals a practice's documents, and its key, ready for pyHanko.

By default each practice gets its own self-signed certificate on first use (ECDSA P-256,
SHA-256, five years, key usage digital signature + non-repudiation). A deployment can instead
configure a certificate issued by a CA with ``HAVEN_SEAL_CERT_FILE`` (PEM: the certificate,
optionally followed by its chain) and ``HAVEN_SEAL_KEY_FILE`` (PEM, unencrypted private key);
that certificate then seals for every practice. Either way each certificate used is recorded in
PracticeSigningCertificate, so verification can trust it for that practice later on.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import keys as asn1_keys  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from haven.audit.actions import record_event
from haven.audit.events import SigningCertificateCreated
from haven.audit.models import Actor
from haven.core.encryption import decrypt_bytes, encrypt_bytes
from haven.practices.models import Practice
from haven.signing.models import PracticeSigningCertificate

VALIDITY = datetime.timedelta(days=5 * 365 + 1)
# A self-managed certificate this close to its end is replaced, so no seal is made with a
# certificate about to expire.
RENEW_BEFORE = datetime.timedelta(days=30)
CLOCK_SKEW = datetime.timedelta(minutes=5)
_UB_NAME = 64  # X.520 upper bound for CN and O


@dataclass(frozen=True)
class SigningIdentity:
    """A practice's current certificate with its key loaded: what a seal is made with."""

    record: PracticeSigningCertificate
    certificate: asn1_x509.Certificate
    signer: SimpleSigner = field(repr=False)

    @property
    def subject(self) -> str:
        """The certificate's subject, as people read it."""
        return self.record.subject


@dataclass(frozen=True)
class _IssuedMaterial:
    """A certificate and key configured by settings, read from their PEM files."""

    certificate: x509.Certificate
    chain: list[x509.Certificate]
    key_der: bytes = field(repr=False)


def fingerprint(certificate: x509.Certificate) -> str:
    """The certificate's SHA-256 fingerprint in lowercase hex."""
    return certificate.fingerprint(hashes.SHA256()).hex()


def has_non_repudiation(certificate: x509.Certificate) -> bool:
    """Whether the key usage extension allows non-repudiation (content commitment)."""
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bool(usage.content_commitment)


def signing_identity(practice: Practice) -> SigningIdentity:
    """The practice's current sealing identity, creating (or switching to) its certificate on first use."""
    issued = _issued_material()
    record = _usable_current(practice, issued)
    if record is None:
        with transaction.atomic():
            # Lock the practice, then (in record_event) its audit chain: two workers sealing at once
            # never create two certificates. FOR NO KEY UPDATE, not FOR UPDATE: every audit event
            # that names the practice takes a key-share lock on its row (the foreign key check)
            # while holding the chain's head, and a full lock here would wait on that head the
            # other way round, a deadlock with every signer whose event is being written.
            Practice.objects.select_for_update(no_key=True).only("pk").get(pk=practice.pk)
            record = _usable_current(practice, issued)
            if record is None:
                record = _replace_current(practice, issued)
    return _identity(record, issued)


def _usable_current(practice: Practice, issued: _IssuedMaterial | None) -> PracticeSigningCertificate | None:
    """The practice's current certificate if it may still seal, else None."""
    current = PracticeSigningCertificate.objects.filter(practice=practice, retired_at__isnull=True).first()
    if current is None:
        return None
    if issued is not None:
        return current if current.fingerprint == fingerprint(issued.certificate) else None
    if not current.is_self_managed or current.not_after - RENEW_BEFORE <= timezone.now():
        return None
    return current


def _replace_current(practice: Practice, issued: _IssuedMaterial | None) -> PracticeSigningCertificate:
    """Retire the current certificate (if any) and record the new one; the caller holds the practice lock."""
    now = timezone.now()
    previous = PracticeSigningCertificate.objects.filter(practice=practice, retired_at__isnull=True).first()
    if previous is not None:
        previous.retired_at = now
        previous.save(update_fields=["retired_at"])
    if issued is not None:
        certificate, chain, encrypted_key = issued.certificate, issued.chain, ""
    else:
        certificate, key_pem = _self_signed(practice, now)
        chain, encrypted_key = [], encrypt_bytes(key_pem)
    record = PracticeSigningCertificate.objects.create(
        practice=practice,
        subject=certificate.subject.rfc4514_string()[:400],
        serial=format(certificate.serial_number, "x"),
        fingerprint=fingerprint(certificate),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        certificate_pem=b"".join(c.public_bytes(serialization.Encoding.PEM) for c in [certificate, *chain]).decode(
            "ascii"
        ),
        private_key_encrypted=encrypted_key,
        is_self_managed=issued is None,
        created_at=now,
    )
    record_event(
        SigningCertificateCreated(
            serial=record.serial,
            fingerprint=record.fingerprint,
            self_managed=record.is_self_managed,
            not_after=record.not_after.isoformat(),
            replaces=previous.pk if previous is not None else None,
        ),
        actor=Actor.system(),
        practice=practice,
        target=record,
    )
    return record


def _self_signed(practice: Practice, now: datetime.datetime) -> tuple[x509.Certificate, bytes]:
    """A new self-signed sealing certificate for the practice and its private key as PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    suffix = " document seal"
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, practice.name[: _UB_NAME - len(suffix)] + suffix),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, practice.name[:_UB_NAME]),
        ]
    )
    public_key = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
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
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate, key_pem


def _identity(record: PracticeSigningCertificate, issued: _IssuedMaterial | None) -> SigningIdentity:
    """Load the record's certificate and key into a pyHanko signer."""
    if issued is not None:
        certificate, chain, key_der = issued.certificate, issued.chain, issued.key_der
    else:
        certificate = x509.load_pem_x509_certificate(record.certificate_pem.encode("ascii"))
        chain = []
        key = serialization.load_pem_private_key(decrypt_bytes(record.private_key_encrypted), None)
        key_der = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    signing_cert = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    others = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in chain]
    signer = SimpleSigner(
        signing_cert=signing_cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        # Only the chain: pyHanko adds the signing certificate itself, and a second copy of it
        # would be an unchecked place in the file where a change could go unnoticed.
        cert_registry=SimpleCertificateStore.from_certs(others),
    )
    return SigningIdentity(record=record, certificate=signing_cert, signer=signer)


def _issued_material() -> _IssuedMaterial | None:
    """The certificate and key from HAVEN_SEAL_CERT_FILE / HAVEN_SEAL_KEY_FILE, or None when not configured."""
    cert_file: str = getattr(settings, "HAVEN_SEAL_CERT_FILE", "") or ""
    key_file: str = getattr(settings, "HAVEN_SEAL_KEY_FILE", "") or ""
    if not cert_file and not key_file:
        return None
    if not (cert_file and key_file):
        raise ImproperlyConfigured("Set both HAVEN_SEAL_CERT_FILE and HAVEN_SEAL_KEY_FILE, or neither.")
    try:
        certificates = x509.load_pem_x509_certificates(Path(cert_file).read_bytes())
        key = serialization.load_pem_private_key(Path(key_file).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"The seal certificate or key cannot be read: {exc}") from exc
    certificate, chain = certificates[0], certificates[1:]
    public = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*public) != certificate.public_key().public_bytes(*public):
        raise ImproperlyConfigured("HAVEN_SEAL_KEY_FILE does not hold the key of HAVEN_SEAL_CERT_FILE's certificate.")
    if not has_non_repudiation(certificate):
        raise ImproperlyConfigured("The seal certificate needs the non-repudiation (content commitment) key usage.")
    if certificate.not_valid_after_utc <= timezone.now():
        raise ImproperlyConfigured("The seal certificate in HAVEN_SEAL_CERT_FILE has expired.")
    key_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return _IssuedMaterial(certificate=certificate, chain=chain, key_der=key_der)
