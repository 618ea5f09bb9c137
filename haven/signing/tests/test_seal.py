"""The practice's seal: a sealed file verifies; any change, or another practice's seal, does not."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from asn1crypto import cms  # type: ignore[import-untyped]
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from haven.signing.models import PracticeSigningCertificate
from haven.signing.seal import ENTIRE_FILE, SealError, seal_pdf, verify_pdf
from haven.signing.tests.helpers import document_pdf

BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


@pytest.fixture
def sealed(world) -> bytes:
    return seal_pdf(document_pdf(2), practice=world.riverside, reason="Consent for treatment")


def _byte_range(pdf: bytes) -> tuple[int, int, int, int]:
    match = BYTE_RANGE.search(pdf)
    assert match is not None
    start, first_length, second_start, second_length = (int(value) for value in match.groups())
    return start, first_length, second_start, second_length


def _flip(pdf: bytes, offset: int) -> bytes:
    changed = bytearray(pdf)
    changed[offset] ^= 0x01
    return bytes(changed)


def test_a_sealed_two_page_document_is_intact_and_valid_for_its_practice(world, sealed):
    before = timezone.now().replace(microsecond=0)
    report = verify_pdf(sealed, practice=world.riverside)
    assert report.intact and report.valid and report.ok
    assert report.problem == ""
    assert report.coverage == ENTIRE_FILE
    assert "Riverside Counseling document seal" in report.signer_subject
    assert report.signed_at is not None and abs((report.signed_at - before).total_seconds()) < 60
    assert report.reason == "Consent for treatment"
    assert len(PdfReader(BytesIO(sealed)).pages) == 2
    assert b"/ETSI.CAdES.detached" in sealed  # PAdES
    assert verify_pdf(sealed).ok  # any Haven practice


def test_a_seal_covers_all_but_its_own_signature(sealed):
    start, first_length, second_start, second_length = _byte_range(sealed)
    assert start == 0 and second_start + second_length == len(sealed)
    assert sealed[first_length : first_length + 1] == b"<" and sealed[second_start - 1 : second_start] == b">"


def test_one_changed_byte_in_the_signed_range_breaks_the_seal(world, sealed):
    _, first_length, second_start, second_length = _byte_range(sealed)
    for offset in (first_length // 2, second_start + second_length // 2):
        report = verify_pdf(_flip(sealed, offset), practice=world.riverside)
        assert not report.intact and not report.valid
        assert "changed" in report.problem


def test_one_changed_byte_in_the_signature_padding_breaks_the_seal(world, sealed):
    _, _, second_start, _ = _byte_range(sealed)
    report = verify_pdf(_flip(sealed, second_start - 3), practice=world.riverside)  # a padding zero
    assert not report.intact and not report.valid
    assert "altered" in report.problem


def test_changes_to_the_unsigned_parts_of_the_signature_container_break_the_seal(world, sealed):
    """The CMS container is not covered by its own signature: lengths, versions and the digest list are pinned."""
    _, first_length, _, _ = _byte_range(sealed)
    # The first 120 hex digits: ContentInfo and SignedData headers, version, digest algorithms.
    for offset in range(first_length + 1, first_length + 121):
        report = verify_pdf(_flip(sealed, offset), practice=world.riverside)
        assert not report.intact and not report.valid, offset


def test_lowercasing_the_signature_hex_breaks_the_seal(world, sealed):
    _, first_length, second_start, _ = _byte_range(sealed)
    offset = next(i for i in range(first_length + 1, second_start) if sealed[i : i + 1] in b"ABCDEF")
    changed = bytearray(sealed)
    changed[offset] = sealed[offset] | 0x20
    assert not verify_pdf(bytes(changed), practice=world.riverside).intact


def test_additions_after_sealing_are_detected(world, sealed):
    report = verify_pdf(sealed + b"\n% added later\n", practice=world.riverside)
    assert not report.intact and not report.valid
    assert report.problem == "Something was added to the file after it was sealed."


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.floats(min_value=0, max_value=1, exclude_max=True), bit=st.integers(min_value=0, max_value=7))
def test_no_single_changed_byte_anywhere_ever_verifies_or_raises(world, sealed, position, bit):
    offset = int(position * len(sealed))
    changed = bytearray(sealed)
    changed[offset] ^= 1 << bit
    report = verify_pdf(bytes(changed), practice=world.riverside)
    assert not report.intact and not report.valid and report.problem


def test_another_practices_seal_is_not_valid_for_this_practice(world):
    theirs = seal_pdf(document_pdf(1), practice=world.hilltop, reason="Consent")
    report = verify_pdf(theirs, practice=world.riverside)
    assert report.intact and not report.valid
    assert report.problem == (
        "The seal is intact but was made with a certificate that does not belong to Riverside Counseling."
    )
    assert "Hilltop Therapy document seal" in report.signer_subject
    assert verify_pdf(theirs, practice=world.hilltop).ok


def test_a_seal_by_a_certificate_haven_never_recorded_is_not_valid(world):
    foreign = seal_pdf(document_pdf(1), practice=world.hilltop, reason="Consent")
    PracticeSigningCertificate.objects.filter(practice=world.hilltop).delete()
    report = verify_pdf(foreign)
    assert report.intact and not report.valid
    assert "does not belong to any practice." in report.problem


def test_files_without_a_seal_or_not_pdfs_read_as_broken_without_raising(world):
    unsealed = verify_pdf(document_pdf(1), practice=world.riverside)
    assert not unsealed.intact and unsealed.problem == "The file carries no digital seal."
    for junk in (b"", b"not a pdf", b"%PDF-1.7\n%%EOF\n"):
        report = verify_pdf(junk, practice=world.riverside)
        assert not report.intact and not report.valid and report.problem


def test_sealing_twice_in_the_same_field_is_refused_but_a_second_field_works(world, sealed):
    with pytest.raises(SealError):
        seal_pdf(sealed, practice=world.riverside, reason="Again")
    twice = seal_pdf(sealed, practice=world.riverside, reason="Counter-seal", field_name="HavenSeal2")
    report = verify_pdf(twice, practice=world.riverside)
    assert report.ok and report.reason == "Counter-seal"


def test_sealing_what_is_not_a_pdf_is_refused(world):
    with pytest.raises(SealError, match="not a readable PDF"):
        seal_pdf(b"hello", practice=world.riverside, reason="Consent")


def test_an_invisible_seal_also_verifies(world):
    sealed = seal_pdf(document_pdf(1), practice=world.riverside, reason="Consent", visible=False)
    assert verify_pdf(sealed, practice=world.riverside).ok


def test_a_seal_whose_certificate_name_changed_letter_case_is_not_intact(world, sealed):
    """X.509 matches names ignoring case, and the seal's own naming of its certificate is outside the signature."""
    start = sealed.index(b"/Contents <") + len(b"/Contents <")
    digits = sealed[start : sealed.index(b">", start)]
    raw = bytes.fromhex(digits.decode("ascii").rstrip("0") + ("0" if len(digits.rstrip(b"0")) % 2 else ""))
    signer = cms.ContentInfo.load(raw, strict=False)["content"]["signer_infos"][0]
    named = signer["sid"].chosen.dump()  # issuer and serial number, found once in the file
    issuer = signer["sid"].chosen["issuer"].dump()
    assert raw.count(named) == 1
    at = raw.index(named) + named.index(issuer)
    letter = next(i for i in range(len(issuer) - 1, 0, -1) if chr(issuer[i]).isalpha())
    changed_raw = bytearray(raw)
    changed_raw[at + letter] ^= 0x20  # the same letter in the other case
    changed = sealed[:start] + bytes(changed_raw).hex().upper().encode() + sealed[start + len(raw) * 2 :]
    assert len(changed) == len(sealed)

    report = verify_pdf(changed, practice=world.riverside)

    assert not report.intact and not report.valid
    assert report.problem == "The seal's signature area in the file was altered after sealing."
