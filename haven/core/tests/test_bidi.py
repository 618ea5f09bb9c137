"""Bidirectional control characters (U+202E and kin): refused in every form and text action, gone from every output."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from io import BytesIO
from typing import Any

import pytest
from django import forms
from django.core import mail
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

import haven
from haven.clients.models import Client
from haven.core.bidi import BIDI_CONTROLS, BIDI_MESSAGE, strip_bidi_controls, strip_bidi_controls_utf8
from haven.core.email import render_email
from haven.core.errors import ApplicationError
from haven.core.forms import StyledFormMixin
from haven.documents.models import DocumentType
from haven.intake.models import IntakeForm
from haven.practices.models import Practice
from haven.signing.answers import decline
from haven.signing.models import RequestStatus
from haven.signing.requests import request_signature
from haven.signing.tests.flow import treatment_plan
from haven.signing.typed import clean_typed_name
from tests.personas import World

pytestmark = pytest.mark.django_db

OVERRIDE = "\u202e"
MESSAGE = str(BIDI_MESSAGE)


def haven_forms() -> list[type[forms.BaseForm]]:
    """Every form class Haven defines, found by importing every module outside tests and migrations."""
    for module in pkgutil.walk_packages(haven.__path__, "haven."):
        if ".tests" in module.name or ".migrations" in module.name or module.name.endswith(".wsgi"):
            continue
        importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    pending: list[type] = [forms.BaseForm]
    while pending:
        subclass: type
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("haven.") and ".tests" not in subclass.__module__:
                found.append(subclass)
    return found


def keyword_arguments(form_class: type[forms.BaseForm], world: World) -> dict[str, Any]:
    """What each Haven form asks for besides its data; a new argument must be added here."""
    known: dict[str, Any] = {
        "member": world.ada,
        "practice": world.riverside,
        "practice_id": world.riverside.pk,
        "signers": [],
        "client_name": world.max.full_name,
        "types": DocumentType.objects.filter(practice=world.riverside),
        "headings": ["Subjective"],
        "user": None,
        "linkable": None,
        "network_enabled": True,
        "choices": IntakeForm.objects.filter(practice=world.riverside),
        "recipients": [],
    }
    needed = {}
    for name, parameter in inspect.signature(form_class).parameters.items():
        if parameter.kind is parameter.KEYWORD_ONLY and parameter.default is parameter.empty:
            assert name in known, f"{form_class.__qualname__} needs {name!r}: add it to keyword_arguments()"
            needed[name] = known[name]
    return needed


def test_every_haven_form_refuses_bidirectional_controls_in_every_text_field(world):
    """Walks all forms: each uses the shared base, and each text field answers with the one clear message."""
    form_classes = haven_forms()
    assert len(form_classes) > 20
    checked = 0
    for form_class in form_classes:
        assert issubclass(form_class, StyledFormMixin), f"{form_class.__qualname__} must use the shared form base"
        if issubclass(form_class, forms.ModelForm) and form_class._meta.model is None:
            continue  # the shared base itself
        blank = form_class(**keyword_arguments(form_class, world))
        text_fields = [
            name
            for name, field in blank.fields.items()
            if isinstance(field, forms.CharField)
            and not isinstance(field.widget, forms.PasswordInput)
            and not field.disabled
        ]
        if not text_fields:
            continue
        data = {name: f"ana{OVERRIDE}gpj.exe" for name in text_fields}
        form = form_class(data=data, **keyword_arguments(form_class, world))
        assert not form.is_valid()
        for name in text_fields:
            assert form.errors.get(name) == [MESSAGE], f"{form_class.__qualname__}.{name}: {form.errors.get(name)}"
        checked += 1
    assert checked > 15


@pytest.mark.parametrize("character", sorted(BIDI_CONTROLS), ids=lambda c: f"U+{ord(c):04X}")
def test_each_bidirectional_control_is_refused(world, character):
    from haven.portal.forms import DeclineForm

    form = DeclineForm({"reason": f"Not now{character} thanks"})
    assert not form.is_valid() and form.errors["reason"] == [MESSAGE]


def test_right_to_left_text_without_controls_is_welcome(world):
    from haven.portal.forms import DeclineForm

    assert DeclineForm({"reason": "שלום, مرحبا — not now"}).is_valid()


def test_adding_a_client_with_a_hidden_override_says_so_and_keeps_what_was_typed(world, login):
    http = login(world.fran)
    response = http.post(
        "/staff/clients/new/",
        {"first_name": f"Nora{OVERRIDE}", "last_name": "Quinn", "date_of_birth": "2014-05-17", "status": "active"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert MESSAGE.replace("'", "&#x27;") in body
    assert 'value="Nora"' in body and 'value="Quinn"' in body
    assert OVERRIDE not in body
    assert not Client.objects.filter(last_name="Quinn").exists()


def test_a_typed_signature_with_a_hidden_override_is_refused_in_words():
    with pytest.raises(ApplicationError) as refused:
        clean_typed_name(f"Gia {OVERRIDE}oneroM")
    assert refused.value.message == MESSAGE


def test_a_decline_reason_with_a_hidden_override_is_refused_by_the_action(world):
    plan = treatment_plan(world.ada, world.max, pages=1)
    request = request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    with pytest.raises(ApplicationError) as refused:
        decline(account=world.gia_account, access=world.gia_access_max, request=request, reason=f"No{OVERRIDE}")
    assert refused.value.message == MESSAGE
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_a_name_stored_by_another_path_reaches_no_page_with_its_override(world, login):
    """An import or the shell can still store one: the page shows the letters in their true order."""
    Client.objects.filter(pk=world.ana.pk).update(first_name=f"Ana{OVERRIDE}xe")
    body = login(world.ada).get(f"/staff/clients/{world.ana.pk}/").content.decode()
    assert "Anaxe" in body
    assert not BIDI_CONTROLS.intersection(body)


def test_emails_and_pdfs_carry_no_bidirectional_controls(world, client):
    Practice.objects.filter(pk=world.riverside.pk).update(name=f"Riverside{OVERRIDE} Counseling")
    subject, text, html = render_email(
        "portal_new_message", {"sender": f"Riverside{OVERRIDE} Counseling", "portal": "http://testserver/p/x/"}
    )
    assert not BIDI_CONTROLS.intersection(subject + text + html)
    assert "Riverside Counseling" in subject
    pdf = client.get("/p/riverside/handout.pdf")
    assert pdf.status_code == 200
    words = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert "Riverside Counseling" in words
    assert not BIDI_CONTROLS.intersection(words)
    assert not mail.outbox


def test_stripping_keeps_every_other_character():
    assert strip_bidi_controls("a\u202eb\u2066c\u200fd\u061ce") == "abcde"


def test_a_page_loses_exactly_the_controls_whatever_else_it_holds():
    """Every code point, alone and between dashes and ellipses (which share the controls' first bytes in UTF-8):
    the page keeps it unless it is a control."""
    dash, ellipsis = "\u2013", "\u2026"  # both begin with E2 80 in UTF-8, like most of the controls
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        character = chr(code)
        page = f"a{dash}{character}{ellipsis}b".encode()
        expected = f"a{dash}{ellipsis}b" if character in BIDI_CONTROLS else f"a{dash}{character}{ellipsis}b"
        assert strip_bidi_controls_utf8(page) == expected.encode(), hex(code)


OTHERS = ["a", "\u2013", "\u2014", "\u2026", "\u2028", "\u2070", "\u0600", "\u00e9"]  # dashes, ellipsis, ...


@given(st.text(alphabet=st.sampled_from([*sorted(BIDI_CONTROLS), *OTHERS])))
def test_stripping_a_page_matches_stripping_its_text(text):
    assert strip_bidi_controls_utf8(text.encode()) == strip_bidi_controls(text).encode()


def test_a_page_without_controls_is_returned_as_it_is():
    page = "Name A\u2013Z \u2014 Patel, Rosa\u2026".encode()
    assert strip_bidi_controls_utf8(page) is page
