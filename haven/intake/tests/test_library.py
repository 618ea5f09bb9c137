"""The forms library's actions: keys and choice values made from what people type, the builder's save and publish
(refused when someone else saved meanwhile), FHIR import and export, and printing a blank form, each audited."""

from __future__ import annotations

import json
from typing import Any

import pytest

from haven.audit.models import AuditEvent
from haven.core.errors import ApplicationError, ConflictError
from haven.intake import library
from haven.intake.actions import create_form, publish_form
from haven.intake.fhir import schema_from_questionnaire
from haven.intake.fields import Option, Schema
from haven.intake.library import edition_of, key_for, options_from_labels
from haven.intake.models import FormKind, FormVersion, IntakeForm
from tests.personas import World

pytestmark = pytest.mark.django_db

QUESTION = {"key": "mood", "type": "short_text", "label": "How is your mood?"}


def default_form(world: World, key: str) -> IntakeForm:
    return IntakeForm.objects.select_related("current_version").get(practice=world.riverside, template_key=key)


def dynamic_form(world: World, fields: list[dict[str, Any]] | None = None) -> IntakeForm:
    return create_form(by=world.theo, kind=FormKind.DYNAMIC, title="Session check-in", fields=fields or [QUESTION])


def actions_on(form: IntakeForm) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="intake.intakeform", object_id=str(form.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- Keys and choice values ------------------------------------------------------------------------------


def test_a_key_is_made_from_the_label_and_is_unique() -> None:
    assert key_for("Date of birth?", set()) == "date_of_birth"
    assert key_for("Date of birth", {"date_of_birth"}) == "date_of_birth_2"
    assert key_for("Date of birth", {"date_of_birth", "date_of_birth_2"}) == "date_of_birth_3"
    assert key_for("Café crème", set()) == "cafe_creme"
    assert key_for("12 months ago", set()) == "q_12_months_ago"
    assert key_for("お名前", set()) == "field"
    assert key_for("", {"field"}) == "field_2"
    assert len(key_for("word " * 40, set())) <= library.KEY_LENGTH


def test_every_made_key_is_a_key_the_schema_accepts() -> None:
    labels = ["Name", "Name", "1. First", "---", "ÄÖÜ", "x" * 200, "a_b", "Déjà vu?"]
    taken: set[str] = set()
    fields = []
    for label in labels:
        key = key_for(label, taken)
        taken.add(key)
        fields.append({"key": key, "type": "short_text", "label": label})
    assert len(Schema.from_json(fields).fields) == len(labels)


def test_choices_keep_their_values_when_reordered_or_their_words_corrected() -> None:
    known = (Option("0", "Not at all"), Option("1", "Several days"), Option("2", "Nearly every day"))

    reordered = options_from_labels(["Nearly every day", "Not at all", "Several days"], known)
    corrected = options_from_labels(["Not at all", "Several  days ", "Nearly every day!"], known)
    grown = options_from_labels(["Not at all", "Several days", "Nearly every day", "Don't know"], known)

    assert [o.value for o in reordered] == ["2", "0", "1"]
    assert [(o.value, o.label) for o in corrected] == [
        ("0", "Not at all"),
        ("1", "Several days"),
        ("2", "Nearly every day!"),
    ]
    assert [o.value for o in grown] == ["0", "1", "2", "don_t_know"]


def test_new_choices_get_values_from_their_words_each_one_its_own() -> None:
    options = options_from_labels(["Yes, often", "", "  ", "Other", "Other", "!!"], ())
    assert [(o.value, o.label) for o in options] == [
        ("yes_often", "Yes, often"),
        ("other", "Other"),
        ("other_2", "Other"),
        ("choice", "!!"),
    ]


# --- Save and publish ------------------------------------------------------------------------------------


def test_saving_keeps_the_draft_and_sent_versions_untouched(world: World) -> None:
    form = default_form(world, "phq9")
    first = form.current_version
    assert first is not None
    fields = [*form.draft_fields, {"key": "sleep_notes", "type": "paragraph", "label": "Anything about sleep?"}]

    saved = library.save_draft(
        by=world.ada, form=form, title="PHQ-9", description=form.description, fields=fields, based_on=edition_of(form)
    )

    assert saved.draft_fields[-1]["key"] == "sleep_notes"
    assert saved.has_unpublished_changes
    assert FormVersion.objects.get(pk=first.pk).fields == first.fields


def test_a_save_based_on_an_older_draft_is_refused_and_changes_nothing(world: World) -> None:
    form = dynamic_form(world)
    seen = edition_of(form)
    library.save_draft(by=world.ada, form=form, title="Check-in", description="", fields=[QUESTION], based_on=seen)

    with pytest.raises(ConflictError, match="Someone else saved this form"):
        library.save_draft(by=world.theo, form=form, title="Mine", description="", fields=[], based_on=seen)

    form.refresh_from_db()
    assert form.title == "Check-in" and form.draft_fields == [QUESTION]


def test_saving_what_is_already_saved_writes_nothing(world: World) -> None:
    form = dynamic_form(world)
    seen = edition_of(form)
    library.save_draft(
        by=world.theo, form=form, title=" Session  check-in ", description="", fields=[QUESTION], based_on=seen
    )
    form.refresh_from_db()
    assert edition_of(form) == seen


def test_publishing_saves_and_publishes_the_next_version_in_one_step(world: World) -> None:
    form = dynamic_form(world)
    publish_form(by=world.theo, form=form)
    changed = [{**QUESTION, "label": "How has your mood been this week?"}]

    version = library.publish_draft(
        by=world.theo, form=form, title="Session check-in", description="", fields=changed, based_on=edition_of(form)
    )

    assert version.number == 2 and version.fields == changed
    assert FormVersion.objects.get(form=form, number=1).fields == [QUESTION]
    assert actions_on(form) == ["form.created", "form.published", "form.published"]


def test_a_refused_publish_saves_nothing(world: World) -> None:
    form = dynamic_form(world)
    heading_only = [{"key": "intro", "type": "heading", "label": "About you"}]

    with pytest.raises(ApplicationError, match=r"Add at least one question before publishing\."):
        library.publish_draft(
            by=world.theo, form=form, title="New title", description="", fields=heading_only, based_on=edition_of(form)
        )

    form.refresh_from_db()
    assert form.title == "Session check-in" and form.draft_fields == [QUESTION]
    assert form.current_version is None


def test_only_staff_who_may_build_the_kind_can_save_it(world: World) -> None:
    intake = default_form(world, "gad7")
    dynamic = dynamic_form(world)
    with pytest.raises(ApplicationError, match="Only staff who can manage intake forms"):
        library.save_draft(
            by=world.theo, form=intake, title="GAD-7", description="", fields=[], based_on=edition_of(intake)
        )
    with pytest.raises(ApplicationError, match="Only staff who can add, edit and archive dynamic forms"):
        library.save_draft(
            by=world.fran, form=dynamic, title="X", description="", fields=[], based_on=edition_of(dynamic)
        )


def test_hidden_direction_characters_are_refused(world: World) -> None:
    form = dynamic_form(world)
    disguised = [{**QUESTION, "label": "Mood\u202e?"}]
    with pytest.raises(ApplicationError, match="hidden characters"):
        library.save_draft(
            by=world.theo, form=form, title="Check-in", description="", fields=disguised, based_on=edition_of(form)
        )


# --- FHIR, and the blank form ------------------------------------------------------------------------------


def test_an_exported_form_imports_back_as_the_same_form(world: World) -> None:
    phq9 = default_form(world, "phq9")

    exported = library.export_questionnaire(by=world.bill, form=phq9)
    imported = library.import_form(by=world.fran, data=exported.content)

    assert exported.filename == "phq-9-version-1.json"
    resource = json.loads(exported.content)
    assert resource["resourceType"] == "Questionnaire" and resource["version"] == "1"
    assert imported.kind == FormKind.INTAKE and imported.current_version is None
    assert imported.title == "PHQ-9" and imported.measure == "phq9"
    assert imported.draft_schema == phq9.current_version.schema  # type: ignore[union-attr]
    assert actions_on(phq9) == ["form.exported"]
    assert actions_on(imported) == ["form.created", "form.imported"]
    event = AuditEvent.objects.get(action="form.imported")
    assert event.details == {"fields": len(imported.draft_fields)}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x89PNG\r\n\x1a\n", "This file is not valid JSON"),
        (b'{"resourceType": "Patient"}', "This is a FHIR Patient, not a Questionnaire."),
        (b'{"resourceType": "Questionnaire", "status": "active"}', "This questionnaire has no title"),
        (b"[1, 2]", "This file does not hold a FHIR Questionnaire."),
    ],
)
def test_anything_but_a_questionnaire_is_refused_in_words_and_nothing_is_made(
    world: World, data: bytes, words: str
) -> None:
    before = IntakeForm.objects.count()
    with pytest.raises(ApplicationError, match=words):
        library.import_form(by=world.ada, data=data)
    assert IntakeForm.objects.count() == before
    assert not AuditEvent.objects.filter(action__in=["form.imported", "form.created"]).exists()


def test_only_staff_who_manage_intake_forms_can_import(world: World) -> None:
    exported = library.export_questionnaire(by=world.ada, form=default_form(world, "gad7"))
    with pytest.raises(ApplicationError, match="Only staff who can manage intake forms"):
        library.import_form(by=world.theo, data=exported.content)


def test_an_imported_form_with_hidden_direction_characters_is_refused(world: World) -> None:
    exported = json.loads(library.export_questionnaire(by=world.ada, form=default_form(world, "gad7")).content)
    exported["title"] = "GAD\u202e-7"
    with pytest.raises(ApplicationError, match="hidden characters"):
        library.import_form(by=world.ada, data=json.dumps(exported))


def test_printing_a_blank_form_gives_its_published_version_as_a_pdf_and_is_audited(world: World) -> None:
    form = default_form(world, "consent_for_treatment")

    printed = library.print_blank_form(by=world.bill, form=form)

    assert printed.content.startswith(b"%PDF")
    assert printed.version == form.current_version
    assert printed.filename.endswith("-version-1.pdf")
    event = AuditEvent.objects.get(action="form.printed")
    assert event.details == {"version": 1} and event.actor_id == world.bill.user.pk


def test_a_form_never_published_can_be_neither_printed_nor_exported(world: World) -> None:
    form = dynamic_form(world)
    for make in (library.print_blank_form, library.export_questionnaire):
        with pytest.raises(ApplicationError, match="no published version yet"):
            make(by=world.theo, form=form)
    assert actions_on(form) == ["form.created"]


def test_another_practices_form_is_neither_printed_nor_exported(world: World) -> None:
    form = default_form(world, "phq9")
    for make in (library.print_blank_form, library.export_questionnaire):
        with pytest.raises(ApplicationError):
            make(by=world.hana, form=form)
    assert actions_on(form) == []


def test_the_questionnaire_read_back_is_the_schema_exported(world: World) -> None:
    form = default_form(world, "demographics")
    exported = library.export_questionnaire(by=world.ada, form=form)
    title, schema, measure = schema_from_questionnaire(exported.content)
    assert (title, schema, measure) == (form.title, form.current_version.schema, "")  # type: ignore[union-attr]
