"""Typed signatures (SIGN-3): a name typed instead of drawn, for keyboard, switch and screen reader users."""

from __future__ import annotations

import re
from functools import partial
from io import BytesIO

import pytest
from django.db import DatabaseError, transaction
from PIL import Image
from pypdf import PdfReader

from haven.audit.models import AuditEvent
from haven.core.encryption import read_decrypted
from haven.core.errors import ApplicationError
from haven.signing.answers import SigningRefused, has_ink, sign_document
from haven.signing.disclosure import current_disclosure
from haven.signing.models import Signature, SignatureMethod
from haven.signing.requests import request_signature
from haven.signing.seal import verify_pdf
from haven.signing.tests.flow import ORIGIN, sign, treatment_plan
from haven.signing.tests.helpers import page_images, signature_png
from haven.signing.typed import FONT_SIZE, MAX_TYPED_NAME, _runs, clean_typed_name, typed_signature_png
from tests.personas import PASSWORD, World

pytestmark = pytest.mark.django_db


def _image(png: bytes) -> Image.Image:
    return Image.open(BytesIO(png))


def test_a_typed_name_becomes_ink_on_a_transparent_png():
    image = _image(typed_signature_png("Gia Moreno"))

    assert image.format == "PNG" and image.mode == "RGBA"
    assert image.getpixel((0, 0)) == (255, 255, 255, 0)  # transparent around the writing
    assert has_ink(typed_signature_png("Gia Moreno"))
    assert image.height > FONT_SIZE / 2


def test_a_longer_name_makes_a_wider_signature():
    assert _image(typed_signature_png("Gia Moreno-Alvarez")).width > _image(typed_signature_png("Gia")).width


def test_the_name_is_tidied_before_it_is_signed():
    assert clean_typed_name("  Gia   Moreno \n") == "Gia Moreno"
    assert clean_typed_name("Zoe\u0308") == "Zoë"  # one way of writing each letter (NFC)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Type your name to sign."),
        ("   ", "Type your name to sign."),
        ("12345", "Type your name with letters, as you would sign it."),
        ("Gia\u0000Moreno", "Type your name with letters, as you would sign it."),
        ("G" * (MAX_TYPED_NAME + 1), f"Keep your typed signature to {MAX_TYPED_NAME} characters or fewer."),
        ("山田太郎", "Your name has letters this signature style can't show. Draw your signature instead."),
    ],
)
def test_names_that_cannot_be_a_typed_signature_are_refused_in_words(typed: str, message: str):
    with pytest.raises(ApplicationError) as refused:
        clean_typed_name(typed)
    assert refused.value.message == message


def test_letters_the_handwriting_font_lacks_are_drawn_in_the_fallback_font():
    runs = _runs("Юлия Ng")

    assert [text for _font, text in runs] == ["Юлия", " Ng"]
    assert runs[0][0].getname()[0] == "DejaVu Sans"
    assert runs[1][0].getname()[0] == "Dancing Script"
    assert has_ink(typed_signature_png("Юлия Ng"))


def test_a_typed_signature_is_stamped_sealed_and_named_on_the_certificate(
    world: World, django_capture_on_commit_callbacks
) -> None:
    plan = treatment_plan(world.ada, world.max, pages=1)
    request = request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(request, world.gia_account, world.gia_access_max, typed_name="  Gia  Moreno ")
    signature.refresh_from_db()

    assert (signature.method, signature.typed_name) == (SignatureMethod.TYPED, "Gia Moreno")
    assert read_decrypted(signature.image_storage_name) == typed_signature_png("Gia Moreno")
    assert signature.signed_version is not None
    pdf = read_decrypted(signature.signed_version.storage_name)
    assert verify_pdf(pdf, practice=world.riverside).ok
    assert len(page_images(pdf, 0)) == 1  # the typed name, on the plan's only page
    certificate = re.sub(r"\s+", " ", PdfReader(BytesIO(pdf)).pages[-1].extract_text())
    assert "Typed: “Gia Moreno”, shown in a handwriting style" in certificate
    event = AuditEvent.objects.get(action="signature.signed")
    assert event.details["method"] == "typed"


def test_a_drawn_signature_says_so_on_the_certificate(world: World, django_capture_on_commit_callbacks) -> None:
    plan = treatment_plan(world.ada, world.max, pages=1)
    request = request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(request, world.gia_account, world.gia_access_max)
    signature.refresh_from_db()

    assert (signature.method, signature.typed_name) == (SignatureMethod.DRAWN, "")
    assert signature.signed_version is not None
    pdf = read_decrypted(signature.signed_version.storage_name)
    assert "Signature Drawn by hand" in re.sub(r"\s+", " ", PdfReader(BytesIO(pdf)).pages[-1].extract_text())


def test_an_empty_typed_name_is_refused_and_audited(world: World) -> None:
    plan = treatment_plan(world.ada, world.max, pages=1)
    request = request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")

    with pytest.raises(SigningRefused) as refused:
        sign(request, world.gia_account, world.gia_access_max, typed_name="   ")

    assert refused.value.code == "empty_typed_name"
    assert refused.value.message == "Type your name to sign."
    assert AuditEvent.objects.get(action="signature.refused").details["reason"] == "empty_typed_name"
    assert not Signature.objects.exists()


def test_a_signature_is_either_drawn_or_typed_never_both(world: World) -> None:
    plan = treatment_plan(world.ada, world.max, pages=1)
    request = request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    attempt = partial(
        sign_document,
        account=world.gia_account,
        access=world.gia_access_max,
        request=request,
        password=PASSWORD,
        consented=True,
        disclosure_version=current_disclosure().version,
        origin=ORIGIN,
    )
    with pytest.raises(ValueError, match="either"):
        attempt(image_png=signature_png(), typed_name="Gia Moreno")
    with pytest.raises(ValueError, match="either"):
        attempt()
    assert not Signature.objects.exists()


def test_the_database_refuses_to_change_how_a_signature_was_made(world: World) -> None:
    plan = treatment_plan(world.ada, world.max, pages=1)
    request = request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    signature = sign(request, world.gia_account, world.gia_access_max, typed_name="Gia Moreno")  # not sealed yet

    with pytest.raises(DatabaseError), transaction.atomic():
        Signature.objects.filter(pk=signature.pk).update(method=SignatureMethod.DRAWN)
    with pytest.raises(DatabaseError), transaction.atomic():
        Signature.objects.filter(pk=signature.pk).update(typed_name="Someone Else")
    signature.refresh_from_db()
    assert (signature.method, signature.typed_name) == (SignatureMethod.TYPED, "Gia Moreno")
