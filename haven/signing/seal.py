"""The practice's digital seal on a PDF (PAdES B-B, SHA-256), and checking one.

A seal is an incremental update signed with the practice's certificate, covering every byte of
the file but the signature itself, so any later change is detectable (PRODUCT.md SIGN-5).
Checking never reaches the network: the only trusted certificates are the ones Haven recorded.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import re
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO

from asn1crypto import cms, pem  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathError

from haven.core.bidi import strip_bidi_controls
from haven.practices.models import Practice
from haven.signing.certificates import signing_identity
from haven.signing.models import PracticeSigningCertificate

logger = logging.getLogger(__name__)

ENTIRE_FILE = "entire file"
COVERAGE_LABELS = {
    SignatureCoverageLevel.ENTIRE_FILE: ENTIRE_FILE,
    SignatureCoverageLevel.ENTIRE_REVISION: "the file as sealed, with later additions",
    SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START: "part of the file",
    SignatureCoverageLevel.UNCLEAR: "unclear",
}
STAMP_STYLE = TextStampStyle(stamp_text="Digitally sealed by %(signer)s\n%(ts)s", border_width=1)
STAMP_SIZE = (190, 26)  # points: a small box in the top margin of the last page
STAMP_INSET = 8
_HEX_ONE_CASE = re.compile(rb"[0-9A-F]*|[0-9a-f]*")
# SHA-256 with explicit NULL parameters, as pyHanko writes it.
_SHA256_ALGORITHM = bytes.fromhex("300d06096086480165030402010500")
_MAX_DER_DEPTH = 32


# What parsing and checking a damaged or doctored file raises, deep inside pyHanko and asn1crypto.
# Anything else (a database error, say) is a real fault and
# propagates rather than reading as a broken seal.
DAMAGED_FILE_ERRORS: tuple[type[BaseException], ...] = (
    PdfError,
    PathError,
    ValueError,  # also pyHanko's CMS and validation errors, UnicodeDecodeError
    LookupError,
    TypeError,
    AttributeError,
    AssertionError,
    ArithmeticError,
    RecursionError,
    NotImplementedError,
    zlib.error,
)


def outside_event_loop[T](function: Callable[..., T], *args: object) -> T:
    """Call one of pyHanko's synchronous entry points, which start their own event loop.

    In a thread that already runs a loop (async code, or a test driving a browser) that would
    fail, so the call goes to a short-lived worker thread instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


class SealError(Exception):
    """The PDF could not be sealed (unreadable, encrypted, or already sealed in that field)."""


@dataclass(frozen=True)
class SealReport:
    """What checking a file's seal found, in terms people can act on.

    ``intact``: the file is byte for byte what was sealed (nothing changed, nothing added).
    ``valid``: intact, and sealed with a certificate Haven recorded for that practice (or for any
    practice, when checked without one). ``problem`` says in plain words what is wrong; it is
    empty when the seal is intact and valid.
    """

    intact: bool
    valid: bool
    signer_subject: str
    signed_at: datetime.datetime | None
    coverage: str
    problem: str
    reason: str = ""

    @property
    def ok(self) -> bool:
        """Whether the seal is intact and valid."""
        return self.intact and self.valid


def seal_pdf(
    pdf: bytes, *, practice: Practice, reason: str, field_name: str = "HavenSeal", visible: bool = True
) -> bytes:
    """Seal ``pdf`` with the practice's certificate: PAdES B-B, SHA-256, a small stamp on the last page."""
    identity = signing_identity(practice)
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf))
        if writer.security_handler is not None:
            raise SealError("The PDF is encrypted; Haven seals only unencrypted files.")
        box = _stamp_box(writer) if visible else None
    except SealError:
        raise
    except DAMAGED_FILE_ERRORS as exc:
        raise SealError("The file is not a readable PDF.") from exc
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        # Shown by PDF readers: no bidirectional control characters, whatever path a name came by.
        reason=strip_bidi_controls(reason),
        name=strip_bidi_controls(practice.name),
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        identity.signer,
        stamp_style=STAMP_STYLE,
        new_field_spec=fields.SigFieldSpec(sig_field_name=field_name, on_page=-1, box=box),
    )
    try:
        output = outside_event_loop(pdf_signer.sign_pdf, writer)
    except SigningError as exc:
        raise SealError(f"The PDF could not be sealed: {exc}") from exc
    return bytes(output.getvalue())


def _stamp_box(writer: IncrementalPdfFileWriter) -> tuple[int, int, int, int]:
    """The stamp's rectangle: top right corner of the last page, inside its margin."""
    page_ref, _ = writer.find_page_for_modification(-1)
    page = page_ref.get_object()
    left, bottom, right, top = (float(v) for v in (page.get("/CropBox") or page["/MediaBox"]))
    width, height = STAMP_SIZE
    x2 = int(right) - STAMP_INSET
    y2 = int(top) - STAMP_INSET
    return max(int(left), x2 - width), max(int(bottom), y2 - height), x2, y2


def verify_pdf(pdf: bytes, *, practice: Practice | None = None) -> SealReport:
    """Check the file's last seal: intact, and made by ``practice`` (or any Haven practice when None)."""
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
    except DAMAGED_FILE_ERRORS:
        logger.info("A PDF to verify could not be read.", exc_info=True)
        return _broken(_("The file could not be read as a PDF: it is damaged or was changed after sealing."))
    if not signatures:
        return SealReport(
            intact=False,
            valid=False,
            signer_subject="",
            signed_at=None,
            coverage="none",
            problem=_("The file carries no digital seal."),
        )
    embedded = signatures[-1]
    try:
        return _check(pdf, embedded, practice)
    except DAMAGED_FILE_ERRORS:
        logger.info("A seal could not be checked.", exc_info=True)
        return _broken(_("The seal could not be checked: the file was damaged or changed after sealing."))


def _check(pdf: bytes, embedded: EmbeddedPdfSignature, practice: Practice | None) -> SealReport:
    """Validate one embedded signature offline and describe the outcome."""
    signer_cert: asn1_x509.Certificate = embedded.signer_cert
    known, certificate_altered = _recorded_certificate(embedded, practice)
    signed_at = embedded.self_reported_timestamp
    # A Haven certificate is checked at the time the seal says it was made, so files sealed
    # years ago still verify after the certificate's end; an unknown one is not trusted at all.
    moment = signed_at if known is not None and signed_at is not None else timezone.now()
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(_pem_ders(known.certificate_pem)[0])] if known is not None else [],
        allow_fetching=False,
        moment=moment,
    )
    status: PdfSignatureStatus = outside_event_loop(validate_pdf_signature, embedded, context)
    coverage = status.coverage
    untouched_gap = _signature_gap_is_canonical(pdf, embedded.byte_range) and _names_its_certificate_exactly(
        embedded, signer_cert
    )
    intact = bool(
        status.intact
        and status.valid
        and untouched_gap
        and not certificate_altered
        and coverage == SignatureCoverageLevel.ENTIRE_FILE
    )
    valid = intact and known is not None and status.bottom_line
    problem = ""
    if not status.intact:
        problem = _("The document was changed after it was sealed: its contents no longer match the seal.")
    elif not status.valid:
        problem = _("The seal itself is damaged: its signature does not check out.")
    elif not untouched_gap:
        problem = _("The seal's signature area in the file was altered after sealing.")
    elif certificate_altered:
        problem = _("The certificate inside the seal was altered after sealing.")
    elif coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        problem = _("Something was added to the file after it was sealed.")
    elif coverage != SignatureCoverageLevel.ENTIRE_FILE:
        problem = _("The seal does not cover the whole file.")
    elif known is None:
        if practice is not None:
            problem = _("The seal is intact but was made with a certificate that does not belong to %(practice)s.") % {
                "practice": practice.name
            }
        else:
            problem = _("The seal is intact but was made with a certificate that does not belong to any practice.")
    elif not status.bottom_line:
        indication = status.trust_problem_indic
        detail = str(getattr(indication, "name", "")).replace("_", " ").lower() if indication is not None else ""
        problem = (
            _("The seal's certificate could not be trusted (%(detail)s).") % {"detail": detail}
            if detail
            else _("The seal's certificate could not be trusted.")
        )
    reason = embedded.sig_object.get("/Reason")
    return SealReport(
        intact=intact,
        valid=valid,
        signer_subject=str(signer_cert.subject.human_friendly),
        signed_at=signed_at,
        coverage=COVERAGE_LABELS.get(coverage, "unclear") if coverage is not None else "unclear",
        problem=problem,
        reason=str(reason) if reason is not None else "",
    )


def _recorded_certificate(
    embedded: EmbeddedPdfSignature, practice: Practice | None
) -> tuple[PracticeSigningCertificate | None, bool]:
    """The recorded certificate that made the seal (for ``practice`` if given), and whether the file's copies differ.

    Certificates inside a signature are not covered by it, so they are compared byte for byte: a
    Haven serial number with another fingerprint, or any extra or changed certificate, is a change.
    """
    signer_cert: asn1_x509.Certificate = embedded.signer_cert
    fingerprint = signer_cert.sha256.hex()
    same_serial = list(PracticeSigningCertificate.objects.filter(serial=format(signer_cert.serial_number, "x")))
    matching = [record for record in same_serial if record.fingerprint == fingerprint]
    if same_serial and not matching:
        return None, True
    known = next((record for record in matching if practice is None or record.practice_id == practice.pk), None)
    if known is None:
        return None, False
    carried = {choice.chosen.dump() for choice in embedded.signed_data["certificates"]}
    return known, not carried <= set(_pem_ders(known.certificate_pem))


def _pem_ders(text: str) -> list[bytes]:
    """The DER bytes of each certificate in a PEM text, in order."""
    return [bytes(der) for _, _, der in pem.unarmor(text.encode("ascii"), multiple=True)]


def _signature_gap_is_canonical(pdf: bytes, byte_range: list[int]) -> bool:
    """Whether the one unsigned stretch of the file holds the signature exactly as Haven writes it.

    The byte range leaves out the /Contents hex string, and a CMS signature does not cover all
    of itself: pyHanko would accept a changed padding digit, letter case, length byte or
    informational field there. Haven requires one letter case, zero padding after the DER
    object, a strict DER encoding (minimal lengths, nothing between elements), and the fixed values it writes in
    the fields no signature covers. (The certificates are compared with the recorded ones.)
    """
    _, first_length, second_start, _ = (int(value) for value in byte_range)
    gap = pdf[first_length:second_start]
    if len(gap) < 4 or gap[:1] != b"<" or gap[-1:] != b">":
        return False
    digits = gap[1:-1]
    if len(digits) % 2 or not _HEX_ONE_CASE.fullmatch(digits):
        return False
    raw = bytes.fromhex(digits.decode("ascii"))
    end = _der_end(raw)
    if end is None or any(raw[end:]):
        return False
    if not _is_strict_der(raw, 0, end):
        return False
    container = cms.ContentInfo.load(raw[:end], strict=True)
    if container["content_type"].native != "signed_data":
        return False
    signed_data = container["content"]
    signer_infos = signed_data["signer_infos"]
    if signed_data["version"].native != "v1" or len(signer_infos) != 1 or signer_infos[0]["version"].native != "v1":
        return False
    digest = signer_infos[0]["digest_algorithm"]
    return [algorithm.dump() for algorithm in signed_data["digest_algorithms"]] == [digest.dump()] and (
        digest.dump() == _SHA256_ALGORITHM
    )


def _names_its_certificate_exactly(embedded: EmbeddedPdfSignature, signer_cert: asn1_x509.Certificate) -> bool:
    """Whether the seal names its certificate (issuer and serial number) in the very bytes the certificate holds.

    The name is not covered by the signature, and names are matched as X.509 compares them, ignoring letter case
    and spacing: a changed letter there would otherwise still find the certificate and verify.
    """
    sid = embedded.signer_info["sid"]
    if sid.name != "issuer_and_serial_number":
        return False
    named = sid.chosen
    return bool(
        named["issuer"].dump() == signer_cert.issuer.dump()
        and named["serial_number"].native == signer_cert.serial_number
    )


def _is_strict_der(raw: bytes, start: int, end: int, depth: int = 0) -> bool:
    """Whether raw[start:end] is a run of DER elements with minimal definite lengths, filling it exactly."""
    if depth > _MAX_DER_DEPTH:
        return False
    position = start
    while position < end:
        tag = raw[position]
        if tag == 0 or tag & 0x1F == 0x1F:  # end-of-contents, or a multi-byte tag: neither is in a seal
            return False
        if position + 1 >= end:
            return False
        first = raw[position + 1]
        if first < 0x80:
            length, header = first, 2
        else:
            size = first & 0x7F
            digits = raw[position + 2 : position + 2 + size]
            if not 0 < size <= 4 or len(digits) != size or digits[0] == 0:
                return False
            length, header = int.from_bytes(digits, "big"), 2 + size
            if length < 0x80:
                return False
        content_start = position + header
        position = content_start + length
        if position > end:
            return False
        if tag & 0x20 and not _is_strict_der(raw, content_start, position, depth + 1):
            return False
    return position == end


def _der_end(raw: bytes) -> int | None:
    """Where the DER object at the start of ``raw`` ends, or None when its header is not valid."""
    if len(raw) < 2 or raw[0] != 0x30:
        return None
    if raw[1] < 0x80:
        end = 2 + raw[1]
    else:
        size = raw[1] & 0x7F
        if not 0 < size <= 4 or len(raw) < 2 + size:
            return None
        end = 2 + size + int.from_bytes(raw[2 : 2 + size], "big")
    return end if end <= len(raw) else None


def _broken(problem: str) -> SealReport:
    """A report for a file whose seal cannot even be read."""
    return SealReport(intact=False, valid=False, signer_subject="", signed_at=None, coverage="unclear", problem=problem)
