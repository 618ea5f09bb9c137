"""The portal's reads of sent forms and the blank form's download (``haven.intake.portal``)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haven.audit.models import AuditEvent
from haven.core.errors import ApplicationError
from haven.intake import actions
from haven.intake.fields import Schema
from haven.intake.models import FormAssignment, IntakeForm
from haven.intake.portal import forms_overview, print_blank_form, shown_answers, waiting_count
from haven.portal_access.viewers import PortalViewer
from tests.personas import World

pytestmark = pytest.mark.django_db


def form(world: World, key: str) -> IntakeForm:
    return IntakeForm.objects.select_related("current_version").get(practice=world.riverside, template_key=key)


def gia_for(world: World, *, mia: bool = False) -> PortalViewer:
    profile = world.gia_access_mia if mia else world.gia_access_max
    return PortalViewer(account=world.gia_account, practice=world.riverside, profile=profile)


def send(world: World, *keys: str, as_packet: bool = True) -> list[FormAssignment]:
    return actions.send_forms(
        by=world.ada,
        client=world.max,
        forms=[form(world, key) for key in keys],
        recipient_key=f"contact-{world.gia.pk}",
        message="Before the first visit, please." if as_packet else "",
        as_packet=as_packet,
    )


def gad7(points: int) -> dict[str, str]:
    return {f"gad7_{n}": str(points) for n in range(1, 8)}


def test_the_overview_groups_forms_by_packet_in_order_with_progress_and_the_next_form(world: World) -> None:
    first, second, third = send(world, "demographics", "gad7", "phq9")
    (single,) = send(world, "privacy_notice", as_packet=False)
    actions.submit(viewer=gia_for(world), assignment=second, raw=gad7(0))

    overview = forms_overview(gia_for(world))

    (packet,) = overview.packets
    assert packet.message == "Before the first visit, please."
    assert [listed.pk for listed in packet.forms] == [first.pk, second.pk, third.pk]
    assert (packet.complete, packet.total) == (1, 3)
    assert packet.next is not None and packet.next.pk == first.pk
    assert [listed.status_label for listed in packet.forms] == ["Not started", "Submitted", "Not started"]
    assert [listed.pk for listed in overview.single] == [single.pk]
    assert overview.waiting == 3 == waiting_count(gia_for(world))


def test_the_overview_is_one_query_and_reads_no_answers(world: World) -> None:
    send(world, "demographics", "gad7", "phq9")
    with CaptureQueriesContext(connection) as queries:
        forms_overview(gia_for(world))
    assert len(queries) == 1
    assert "answers_encrypted" not in queries[0]["sql"] and '"fields"' not in queries[0]["sql"]


def test_another_profile_of_the_same_login_sees_none_of_them(world: World) -> None:
    send(world, "gad7")
    assert forms_overview(gia_for(world, mia=True)).empty
    assert waiting_count(gia_for(world, mia=True)) == 0


def test_a_profile_no_form_can_be_addressed_to_counts_without_a_query(world: World) -> None:
    world.gia.legal_guardian = False
    world.gia.save(update_fields=["legal_guardian"])
    world.gia_access_max.contact = world.gia
    with CaptureQueriesContext(connection) as queries:
        assert waiting_count(gia_for(world)) == 0
    assert len(queries) == 0


def test_a_blank_form_is_printed_on_the_record_with_the_profile(world: World) -> None:
    (assignment,) = send(world, "gad7")

    pdf = print_blank_form(viewer=gia_for(world), assignment=assignment)

    assert pdf.startswith(b"%PDF-")
    event = AuditEvent.objects.get(action="form.printed")
    assert event.details == {"version": 1, "profile": world.gia_access_max.pk}
    assert (event.client_id, event.object_id, event.acting_for) == (world.max.pk, str(assignment.pk), "Max Moreno")


def test_no_blank_form_once_the_form_is_submitted(world: World) -> None:
    (assignment,) = send(world, "gad7")
    actions.submit(viewer=gia_for(world), assignment=assignment, raw=gad7(1))
    assignment.refresh_from_db()

    with pytest.raises(ApplicationError, match="already submitted"):
        print_blank_form(viewer=gia_for(world), assignment=assignment)
    assert not AuditEvent.objects.filter(action="form.printed").exists()


def test_answers_are_shown_in_the_words_chosen_and_hidden_questions_are_left_out() -> None:
    schema = Schema.from_json(
        [
            {"key": "about", "type": "heading", "label": "About you"},
            {"key": "seen", "type": "yes_no", "label": "Seen a therapist before?"},
            {
                "key": "whom",
                "type": "short_text",
                "label": "With whom?",
                "show_when": {"field": "seen", "equals": "yes"},
            },
            {"key": "born", "type": "date", "label": "Date of birth"},
            {
                "key": "days",
                "type": "multiple_choice",
                "label": "Days that suit you",
                "options": [{"value": "mon", "label": "Monday"}, {"value": "tue", "label": "Tuesday"}],
            },
            {"key": "note", "type": "paragraph", "label": "Anything else?"},
        ]
    )

    shown = shown_answers(schema, {"seen": "no", "whom": "kept from a draft", "born": "2016-03-14", "days": ["tue"]})

    assert [(item.kind, item.label) for item in shown] == [
        ("heading", "About you"),
        ("question", "Seen a therapist before?"),
        ("question", "Date of birth"),
        ("question", "Days that suit you"),
        ("question", "Anything else?"),
    ]
    assert [item.text for item in shown[1:3]] == ["No", "March 14, 2016"]
    assert shown[3].choices == ("Tuesday",)
    assert not shown[4].answered
