"""Intake forms sent with a portal invitation (TherapyNotes: select Intake Forms and an Intake Forms Message)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.intake.models import FormAssignment, IntakeForm
from haven.portal_access.actions.invitations import invite_to_portal
from haven.portal_access.status import PersonRecord
from tests.personas import World

pytestmark = pytest.mark.django_db


def _forms(world: World, *keys: str) -> list[str]:
    return [str(IntakeForm.objects.get(practice=world.riverside, template_key=key).pk) for key in keys]


def _invite_ana(world: World) -> tuple[Any, str, str]:
    access = invite_to_portal(by=world.ada, record=PersonRecord(client=world.ana))
    kwargs = {"client_id": world.ana.pk, "access_id": access.pk}
    return (
        access,
        reverse("staff:portal_access_detail", kwargs=kwargs),
        reverse("staff:portal_access_intake", kwargs=kwargs),
    )


def test_the_invitation_page_offers_the_practices_intake_forms(world: World, login: Any) -> None:
    _access, page, _send = _invite_ana(world)
    response = login(world.ada).get(page)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Intake forms with the invitation" in text
    assert '<legend class="h6 mb-2">Intake Forms</legend>' in text
    for key, title in (("consent_for_treatment", "Consent for Treatment"), ("phq9", "PHQ-9")):
        (pk,) = _forms(world, key)
        assert re.search(
            rf'type="checkbox" name="intake_forms" value="{pk}" id="(id_intake_forms_\d+)">\s*'
            rf'<label class="form-check-label" for="\1">{title}</label>',
            text,
        ), title


def test_forms_chosen_with_the_invitation_wait_in_order_with_the_message(
    world: World, login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _access, page, send = _invite_ana(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.ada).post(
            send, {"intake_forms": _forms(world, "phq9", "demographics"), "message": "Please complete before we meet."}
        )
    assert response.status_code == 302
    sent = FormAssignment.objects.filter(client=world.ana).order_by("position")
    assert [a.form.template_key for a in sent] == ["demographics", "phq9"]  # the list's order: by title
    assert sent[0].packet is not None and sent[0].packet.message == "Please complete before we meet."
    assert sent[0].packet.with_invitation
    assert mail.outbox == []  # the invitation's own email already told them
    assert "Waiting for their first sign-in" in login(world.ada).get(page).content.decode()


def test_no_form_chosen_is_refused_in_words_and_the_message_is_kept(world: World, login: Any) -> None:
    _access, _page, send = _invite_ana(world)
    response = login(world.ada).post(send, {"message": "Kept as typed"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Choose at least one form to send." in text
    assert "Kept as typed" in text
    assert not FormAssignment.objects.exists()


def test_staff_who_cannot_manage_intake_forms_cannot_send_them(world: World, login: Any) -> None:
    _access, page, send = _invite_ana(world)
    assert "Intake forms with the invitation" not in login(world.theo).get(page).content.decode()
    response = login(world.theo).post(send, {"intake_forms": _forms(world, "phq9")})
    assert response.status_code == 403
    assert not FormAssignment.objects.exists()


def test_another_practice_cannot_send_forms_on_this_invitation(world: World, login: Any) -> None:
    _access, _page, send = _invite_ana(world)
    response = login(world.hana).post(send, {"intake_forms": _forms(world, "phq9")})
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", practice=world.hilltop).exists()
    assert not FormAssignment.objects.exists()


def test_a_form_of_another_practice_cannot_be_slipped_in(world: World, login: Any) -> None:
    _access, _page, send = _invite_ana(world)
    other = str(IntakeForm.objects.get(practice=world.hilltop, template_key="phq9").pk)
    response = login(world.ada).post(send, {"intake_forms": [other]})
    assert response.status_code == 400
    assert not FormAssignment.objects.exists()
