"""Intake forms go out as FHIR R4 Questionnaires and QuestionnaireResponses, and Questionnaires come back in as
the same forms; anything Haven can't ask as it is meant is refused in words."""

from __future__ import annotations

import base64
import datetime
import io
import json
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from haven.intake.defaults import DEFAULT_FORMS
from haven.intake.fhir import (
    HELP_EXTENSION,
    MEASURE_EXTENSION,
    PREFILL_EXTENSION,
    SIGNATURE_EXTENSION,
    questionnaire_json,
    questionnaire_response_json,
    schema_from_questionnaire,
)
from haven.intake.fields import Condition, Field, FieldType, Option, Prefill, Schema, SchemaError

FORMS = {form.key: form for form in DEFAULT_FORMS}
AUTHORED = datetime.datetime(2026, 3, 14, 15, 30, tzinfo=datetime.UTC)
URL = "https://portal.example/fhir/Questionnaire/7"


def exported(key: str) -> dict[str, Any]:
    form = FORMS[key]
    return questionnaire_json(title=form.title, schema=form.schema, measure=form.measure or "", version=3, url=URL)


def item(resource: dict[str, Any], link_id: str) -> dict[str, Any]:
    return next(entry for entry in resource.get("item", ()) if entry["linkId"] == link_id)


def questionnaire(*items: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"resourceType": "Questionnaire", "status": "active", "title": "Imported", "item": list(items), **more}


def signature_png() -> str:
    image = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    ImageDraw.Draw(image).line((2, 10, 38, 12), fill=(0, 0, 0, 255), width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def phq9_answers(points: int) -> dict[str, str]:
    return {f"phq9_{n}": str(points) for n in range(1, 10)}


# Round trips


@pytest.mark.parametrize("key", sorted(FORMS))
def test_every_default_form_comes_back_the_same_from_its_questionnaire(key: str) -> None:
    form = FORMS[key]

    title, schema, measure = schema_from_questionnaire(exported(key))

    assert title == form.title
    assert schema == form.schema
    assert measure == (form.measure or "")


@pytest.mark.parametrize("key", sorted(FORMS))
def test_every_default_form_comes_back_the_same_from_questionnaire_json_text(key: str) -> None:
    title, schema, _measure = schema_from_questionnaire(json.dumps(exported(key)))

    assert (title, schema) == (FORMS[key].title, FORMS[key].schema)


@pytest.mark.parametrize("key", sorted(FORMS))
def test_every_exported_questionnaire_is_valid_fhir(key: str) -> None:
    resource = exported(key)

    parsed = Questionnaire.model_validate_json(json.dumps(resource))

    assert parsed.model_dump(mode="json", exclude_none=True) == resource
    assert (resource["status"], resource["url"], resource["version"]) == ("active", URL, "3")


def test_a_condition_and_multiple_choice_survive_the_round_trip() -> None:
    resource = exported("release_of_information")

    information = item(resource, "information")
    other = item(resource, "information_other")
    assert information["type"] == "choice"
    assert information["repeats"] is True
    assert [o["valueCoding"]["code"] for o in information["answerOption"]] == [
        "attendance",
        "diagnosis",
        "treatment_plan",
        "assessments",
        "other",
    ]
    assert other["enableWhen"] == [
        {"question": "information", "operator": "=", "answerCoding": {"code": "other", "display": "Other"}}
    ]
    _title, schema, _measure = schema_from_questionnaire(resource)
    assert schema.field("information") == FORMS["release_of_information"].schema.field("information")
    imported_other = schema.field("information_other")
    assert imported_other is not None
    assert imported_other.show_when == Condition("information", "other")


def test_a_yes_no_condition_is_an_enable_when_on_a_boolean() -> None:
    resource = exported("demographics")

    assert item(resource, "prior_therapy")["type"] == "boolean"
    assert item(resource, "prior_therapy_details")["enableWhen"] == [
        {"question": "prior_therapy", "operator": "=", "answerBoolean": True}
    ]


def test_help_prefill_and_signature_are_written_the_standard_or_the_documented_way() -> None:
    release = exported("release_of_information")
    demographics = exported("demographics")

    (help_item,) = item(release, "expires_on")["item"]
    assert help_item["type"] == "display"
    assert help_item["text"] == "You may revoke it in writing at any time before then."
    assert help_item["extension"][0]["url"] == "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
    assert help_item["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "help"
    assert item(demographics, "name")["extension"] == [{"url": PREFILL_EXTENSION, "valueCode": "name"}]
    signature = item(release, "signature")
    assert signature["type"] == "attachment"
    assert signature["extension"] == [{"url": SIGNATURE_EXTENSION, "valueBoolean": True}]
    assert item(release, "roi_text")["type"] == "display"


def test_a_headings_help_and_every_kind_of_condition_come_back() -> None:
    schema = Schema(
        (
            Field("intro", FieldType.HEADING, "About you", help="Answer what you can."),
            Field("born", FieldType.DATE, "Date of birth"),
            Field("count", FieldType.NUMBER, "How many?"),
            Field("where", FieldType.SHORT_TEXT, "Where?"),
            Field("on_date", FieldType.PARAGRAPH, "Tell us more", show_when=Condition("born", "2020-02-29")),
            Field("on_number", FieldType.PARAGRAPH, "Why two and a half?", show_when=Condition("count", "2.5")),
            Field("on_typed", FieldType.PARAGRAPH, "Why so many?", show_when=Condition("count", "1,000")),
            Field("on_text", FieldType.PARAGRAPH, "Which part?", show_when=Condition("where", "Elsewhere")),
        )
    )

    resource = questionnaire_json(title="Conditions", schema=schema)

    assert item(resource, "intro")["extension"] == [{"url": HELP_EXTENSION, "valueString": "Answer what you can."}]
    assert item(resource, "on_date")["enableWhen"][0]["answerDate"] == "2020-02-29"
    assert item(resource, "on_number")["enableWhen"][0]["answerDecimal"] == 2.5
    assert item(resource, "on_typed")["enableWhen"][0]["answerString"] == "1,000"
    assert schema_from_questionnaire(resource) == ("Conditions", schema, "")


# Scored measures


def test_the_phq9_questionnaire_carries_its_panel_code_and_each_items_loinc_code() -> None:
    resource = exported("phq9")

    assert resource["code"] == [{"system": "http://loinc.org", "code": "44249-1"}]
    assert resource["extension"] == [{"url": MEASURE_EXTENSION, "valueCode": "phq9"}]
    for field in FORMS["phq9"].schema.fields:
        if field.code:
            assert item(resource, field.key)["code"] == [{"system": "http://loinc.org", "code": field.code}]
    assert item(resource, "phq9_1")["code"] == [{"system": "http://loinc.org", "code": "44250-9"}]
    total = item(resource, "phq9_total")
    assert (total["type"], total["readOnly"], total["code"][0]["code"]) == ("integer", True, "44261-6")


def test_the_gad7_questionnaire_carries_its_panel_code() -> None:
    resource = exported("gad7")

    assert resource["code"] == [{"system": "http://loinc.org", "code": "69737-5"}]
    assert item(resource, "gad7_total")["code"][0]["code"] == "70274-6"


def test_a_complete_phq9_response_carries_its_total_coded_with_loinc() -> None:
    answers = {**phq9_answers(2), "phq9_9": "0", "phq9_difficulty": "somewhat"}

    response = questionnaire_response_json(
        questionnaire_url=URL + "|3",
        schema=FORMS["phq9"].schema,
        answers=answers,
        status="completed",
        authored=AUTHORED,
        measure="phq9",
    )

    total = item(response, "phq9_total")
    assert total["answer"] == [{"valueInteger": 16}]
    assert total["definition"].endswith("44261-6")
    assert item(response, "phq9_1")["answer"] == [{"valueCoding": {"code": "2", "display": "More than half the days"}}]
    assert item(response, "phq9_difficulty")["answer"][0]["valueCoding"]["code"] == "somewhat"
    assert [entry["linkId"] for entry in response["item"]][-1] == "phq9_total"


def test_a_complete_gad7_response_carries_the_gad7_total() -> None:
    answers = {f"gad7_{n}": "3" for n in range(1, 8)}

    response = questionnaire_response_json(
        questionnaire_url=URL,
        schema=FORMS["gad7"].schema,
        answers=answers,
        status="completed",
        authored=AUTHORED,
        measure="gad7",
    )

    total = item(response, "gad7_total")
    assert total["answer"] == [{"valueInteger": 21}]
    assert total["definition"].endswith("70274-6")


def test_an_incomplete_phq9_response_carries_no_total() -> None:
    answers = phq9_answers(1)
    del answers["phq9_4"]

    response = questionnaire_response_json(
        questionnaire_url=URL,
        schema=FORMS["phq9"].schema,
        answers=answers,
        status="in-progress",
        authored=None,
        measure="phq9",
    )

    assert "phq9_total" not in {entry["linkId"] for entry in response["item"]}
    assert len(response["item"]) == 8
    assert "authored" not in response


def test_a_questionnaire_coded_as_phq9_whose_items_cant_be_scored_comes_in_unscored() -> None:
    resource = questionnaire(
        {"linkId": "mood", "text": "How is your mood?", "type": "string"},
        code=[{"system": "http://loinc.org", "code": "44249-1"}],
    )

    _title, schema, measure = schema_from_questionnaire(resource)

    assert measure == ""
    assert schema.field("mood") is not None


def test_a_questionnaire_marked_as_a_haven_measure_it_cant_be_scored_as_is_refused() -> None:
    resource = questionnaire(
        {"linkId": "mood", "text": "How is your mood?", "type": "string"},
        extension=[{"url": MEASURE_EXTENSION, "valueCode": "phq9"}],
    )

    with pytest.raises(SchemaError, match="marked as PHQ-9, but its questions can't be scored"):
        schema_from_questionnaire(resource)


# Responses


def every_kind_of_field() -> Schema:
    return Schema(
        (
            Field("about", FieldType.HEADING, "About you"),
            Field("name", FieldType.SHORT_TEXT, "Name", prefill=Prefill.NAME),
            Field("story", FieldType.PARAGRAPH, "Your story"),
            Field("born", FieldType.DATE, "Date of birth"),
            Field("visits", FieldType.NUMBER, "Visits"),
            Field("colour", FieldType.SINGLE_CHOICE, "Colour", options=(Option("red", "Red"), Option("blue", "Blue"))),
            Field(
                "days", FieldType.MULTIPLE_CHOICE, "Days", options=(Option("mon", "Monday"), Option("tue", "Tuesday"))
            ),
            Field("consent", FieldType.YES_NO, "Do you agree?"),
            Field("why_not", FieldType.PARAGRAPH, "Why not?", show_when=Condition("consent", "no")),
            Field("signature", FieldType.SIGNATURE, "Signature"),
        )
    )


def test_each_answer_is_typed_as_its_question() -> None:
    image = signature_png()
    answers = {
        "name": "Sam Rivera",
        "story": "Line one\nLine two",
        "born": "1990-04-01",
        "visits": "1,200",
        "colour": "blue",
        "days": ["mon", "tue"],
        "consent": "yes",
        "signature": {"image": image, "signed_at": "2026-03-14T15:29:00+00:00"},
    }

    response = questionnaire_response_json(
        questionnaire_url=URL,
        schema=every_kind_of_field(),
        answers=answers,
        status="completed",
        authored=AUTHORED,
        subject_display="Sam Rivera",
    )

    assert response["subject"] == {"display": "Sam Rivera"}
    assert response["questionnaire"] == URL
    assert response["authored"] == "2026-03-14T15:30:00Z"
    assert item(response, "name")["answer"] == [{"valueString": "Sam Rivera"}]
    assert item(response, "story")["answer"] == [{"valueString": "Line one\nLine two"}]
    assert item(response, "born")["answer"] == [{"valueDate": "1990-04-01"}]
    assert item(response, "visits")["answer"] == [{"valueDecimal": 1200}]
    assert item(response, "colour")["answer"] == [{"valueCoding": {"code": "blue", "display": "Blue"}}]
    assert item(response, "days")["answer"] == [
        {"valueCoding": {"code": "mon", "display": "Monday"}},
        {"valueCoding": {"code": "tue", "display": "Tuesday"}},
    ]
    assert item(response, "consent")["answer"] == [{"valueBoolean": True}]
    attachment = item(response, "signature")["answer"][0]["valueAttachment"]
    assert attachment["contentType"] == "image/png"
    assert base64.b64decode(attachment["data"]) == base64.b64decode(image.partition(",")[2])
    assert attachment["creation"] == "2026-03-14T15:29:00Z"
    assert "about" not in {entry["linkId"] for entry in response["item"]}


def test_a_response_is_valid_fhir() -> None:
    response = questionnaire_response_json(
        questionnaire_url=URL,
        schema=every_kind_of_field(),
        answers={"name": "Sam", "visits": "3", "days": ["tue"], "consent": "no", "why_not": "Later"},
        status="amended",
        authored=AUTHORED,
    )

    parsed = QuestionnaireResponse.model_validate_json(json.dumps(response))

    assert parsed.model_dump(mode="json", exclude_none=True) == response
    assert item(response, "why_not")["answer"] == [{"valueString": "Later"}]


def test_an_answer_to_a_hidden_question_is_left_out() -> None:
    response = questionnaire_response_json(
        questionnaire_url=URL,
        schema=every_kind_of_field(),
        answers={"consent": "yes", "why_not": "Typed before changing my mind"},
        status="completed",
        authored=AUTHORED,
    )

    assert [entry["linkId"] for entry in response["item"]] == ["consent"]


def test_an_in_progress_answer_that_is_not_yet_a_date_goes_as_text() -> None:
    response = questionnaire_response_json(
        questionnaire_url=URL,
        schema=every_kind_of_field(),
        answers={"born": "14/3/1990", "visits": "a few"},
        status="in-progress",
        authored=AUTHORED,
    )

    assert item(response, "born")["answer"] == [{"valueString": "14/3/1990"}]
    assert item(response, "visits")["answer"] == [{"valueString": "a few"}]


def test_a_response_needs_a_known_status_and_an_aware_time() -> None:
    with pytest.raises(ValueError, match="status"):
        questionnaire_response_json(
            questionnaire_url=URL, schema=every_kind_of_field(), answers={}, status="done", authored=AUTHORED
        )
    with pytest.raises(ValueError, match="aware"):
        questionnaire_response_json(
            questionnaire_url=URL,
            schema=every_kind_of_field(),
            answers={},
            status="completed",
            authored=datetime.datetime(2026, 3, 14, 15, 30),
        )


# Imports from elsewhere, and refusals


def test_a_questionnaire_from_elsewhere_is_read_into_fields_with_keys() -> None:
    resource = questionnaire(
        {
            "linkId": "/group-1",
            "text": "Your week",
            "type": "group",
            "item": [
                {
                    "linkId": "/44250-9",
                    "text": "Little interest or pleasure in doing things",
                    "type": "choice",
                    "code": [{"system": "http://loinc.org", "code": "44250-9"}],
                    "answerOption": [
                        {"valueCoding": {"system": "http://loinc.org", "code": "LA6568-5", "display": "Not at all"}},
                        {"valueCoding": {"system": "http://loinc.org", "code": "LA6569-3", "display": "Several days"}},
                    ],
                },
                {
                    "linkId": "/notes",
                    "text": "Anything else?",
                    "type": "text",
                    "enableWhen": [{"question": "/44250-9", "operator": "=", "answerCoding": {"code": "LA6569-3"}}],
                },
                {
                    "linkId": "/44261-6",
                    "text": "Total",
                    "type": "integer",
                    "readOnly": True,
                    "code": [{"system": "http://loinc.org", "code": "44261-6"}],
                },
            ],
        },
    )

    title, schema, measure = schema_from_questionnaire(resource)

    assert (title, measure) == ("Imported", "")
    assert [(field.key, field.type) for field in schema.fields] == [
        ("group_1", FieldType.HEADING),
        ("q_44250_9", FieldType.SINGLE_CHOICE),
        ("notes", FieldType.PARAGRAPH),
    ]
    assert schema.fields[1].code == "44250-9"
    assert schema.fields[1].options[1] == Option("LA6569-3", "Several days")
    assert schema.fields[2].show_when == Condition("q_44250_9", "LA6569-3")


def test_a_questionnaire_with_an_unknown_item_type_is_refused_naming_the_item() -> None:
    resource = questionnaire({"linkId": "weight", "text": "Your weight", "type": "quantity"})

    with pytest.raises(SchemaError, match="“Your weight” is a question of the type “quantity”"):
        schema_from_questionnaire(resource)


def test_a_questionnaire_with_a_made_up_item_type_is_refused() -> None:
    resource = questionnaire({"linkId": "x", "text": "Something", "type": "hologram"})

    with pytest.raises(SchemaError, match="“Something” is a question of the type “hologram”"):
        schema_from_questionnaire(resource)


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"linkId": "file", "text": "Your referral", "type": "attachment"}, "take signatures, not files"),
        ({"linkId": "more", "text": "Names", "type": "string", "repeats": True}, "answered more than once"),
        ({"linkId": "calc", "text": "Score", "type": "integer", "readOnly": True}, "filled in by the questionnaire"),
        ({"linkId": "list", "text": "Pick", "type": "choice", "answerValueSet": "http://example.org/vs"}, "value set"),
        (
            {
                "linkId": "outer",
                "text": "Outer",
                "type": "string",
                "item": [{"linkId": "x", "text": "X", "type": "string"}],
            },
            "holds other questions",
        ),
        (
            {
                "linkId": "g",
                "text": "Group",
                "type": "group",
                "repeats": True,
                "item": [{"linkId": "x", "text": "X", "type": "string"}],
            },
            "answered more than once",
        ),
    ],
)
def test_an_item_haven_cant_ask_as_meant_is_refused_in_words(entry: dict[str, Any], words: str) -> None:
    resource = questionnaire({"linkId": "first", "text": "First", "type": "string"}, entry)

    with pytest.raises(SchemaError, match=words) as refused:
        schema_from_questionnaire(resource)

    assert f"“{entry['text']}”" in str(refused.value)


def test_a_condition_haven_cant_compare_is_refused() -> None:
    first = {"linkId": "age", "text": "Age", "type": "integer"}
    greater = {
        "linkId": "school",
        "text": "School",
        "type": "string",
        "enableWhen": [{"question": "age", "operator": ">", "answerInteger": 5}],
    }
    both = {
        "linkId": "school",
        "text": "School",
        "type": "string",
        "enableWhen": [
            {"question": "age", "operator": "=", "answerInteger": 5},
            {"question": "age", "operator": "=", "answerInteger": 6},
        ],
    }

    with pytest.raises(SchemaError, match="can only compare for equals"):
        schema_from_questionnaire(questionnaire(first, greater))
    with pytest.raises(SchemaError, match="on one condition only"):
        schema_from_questionnaire(questionnaire(first, both))


def test_a_resource_that_is_not_a_questionnaire_is_refused() -> None:
    with pytest.raises(SchemaError, match="This is a FHIR Patient, not a Questionnaire"):
        schema_from_questionnaire({"resourceType": "Patient", "id": "example"})
    with pytest.raises(SchemaError, match="does not hold a FHIR Questionnaire"):
        schema_from_questionnaire('["a", "list"]')
    with pytest.raises(SchemaError, match="does not hold a FHIR Questionnaire"):
        schema_from_questionnaire({"title": "No resource type"})


def test_malformed_json_is_refused_with_where_it_went_wrong() -> None:
    with pytest.raises(SchemaError, match=r"not valid JSON \(line 2, column 1\)"):
        schema_from_questionnaire('{"resourceType": "Questionnaire",\n}')
    with pytest.raises(SchemaError, match="not valid JSON"):
        schema_from_questionnaire(b"\xff\xfe\x00garbage")


def test_invalid_fhir_is_refused_saying_what_is_wrong_and_where() -> None:
    missing_status = {"resourceType": "Questionnaire", "title": "T", "item": [{"linkId": "a", "type": "string"}]}
    missing_link_id = questionnaire({"text": "No link", "type": "string"})
    unknown_element = questionnaire({"linkId": "a", "text": "A", "type": "string", "colour": "red"})

    with pytest.raises(SchemaError, match="not a valid FHIR Questionnaire: status"):
        schema_from_questionnaire(missing_status)
    with pytest.raises(SchemaError, match="item 1, linkId"):
        schema_from_questionnaire(missing_link_id)
    with pytest.raises(SchemaError, match="item 1, colour"):
        schema_from_questionnaire(unknown_element)


@pytest.mark.parametrize("depth", [150, 5000])
def test_items_nested_too_deeply_are_refused_in_words(depth: int) -> None:
    outer: dict[str, Any] = {"linkId": "g", "text": "Group", "type": "group"}
    inner = outer
    for number in range(depth):
        inner["item"] = [{"linkId": f"g{number}", "text": "Group", "type": "group"}]
        inner = inner["item"][0]
    inner["item"] = [{"linkId": "q", "text": "Question", "type": "string"}]

    with pytest.raises(SchemaError, match="nests its items too deeply"):
        schema_from_questionnaire(questionnaire(outer))


def test_a_questionnaire_without_a_title_or_questions_is_refused() -> None:
    with pytest.raises(SchemaError, match="has no title"):
        schema_from_questionnaire({"resourceType": "Questionnaire", "status": "active", "item": []})
    with pytest.raises(SchemaError, match="asks no questions"):
        schema_from_questionnaire(questionnaire({"linkId": "h", "text": "Only a heading", "type": "display"}))


def test_an_unknown_prefill_or_a_modifier_extension_is_refused() -> None:
    prefill = {"url": PREFILL_EXTENSION, "valueCode": "shoe_size"}
    modifier = {"url": "http://example.org/negated", "valueBoolean": True}

    with pytest.raises(SchemaError, match="“Shoe size” is pre-filled from “shoe_size”"):
        schema_from_questionnaire(
            questionnaire({"linkId": "shoe", "text": "Shoe size", "type": "string", "extension": [prefill]})
        )
    with pytest.raises(SchemaError, match="“Smoker” carries a modifier extension"):
        schema_from_questionnaire(
            questionnaire({"linkId": "smoker", "text": "Smoker", "type": "boolean", "modifierExtension": [modifier]})
        )


def test_fields_that_break_a_schema_rule_are_refused_by_the_schema() -> None:
    resource = questionnaire(
        {"linkId": "only", "text": "Only one choice", "type": "choice", "answerOption": [{"valueString": "a"}]}
    )

    with pytest.raises(SchemaError, match="needs at least two choices"):
        schema_from_questionnaire(resource)


# Any form the builder accepts comes back the same.

TEXT = st.text(min_size=1, max_size=30).filter(lambda text: bool(text.strip()))
VALUES = st.from_regex(r"[a-z0-9_]{1,10}", fullmatch=True)
# A measure's total code marks the total item, which an import leaves out.
CODES = st.from_regex(r"[0-9]{4,5}-[0-9]", fullmatch=True).filter(lambda code: code not in ("44261-6", "70274-6"))


def conditions_on(target: Field) -> st.SearchStrategy[str]:
    if target.choices:
        return st.sampled_from([option.value for option in target.choices])
    if target.type == FieldType.DATE:
        return st.one_of(st.dates().map(datetime.date.isoformat), TEXT)
    if target.type == FieldType.NUMBER:
        numbers = st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str)
        return st.one_of(numbers, st.integers(-(10**20), 10**20).map(str), TEXT)
    return TEXT


@st.composite
def schemas(draw: st.DrawFn) -> Schema:
    fields: list[Field] = []
    for number in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(list(FieldType)))
        options: tuple[Option, ...] = ()
        if kind.has_options:
            values = draw(st.lists(VALUES, min_size=2, max_size=4, unique=True))
            options = tuple(Option(value, draw(TEXT)) for value in values)
        prefill: Prefill | None = None
        if kind in (FieldType.SHORT_TEXT, FieldType.PARAGRAPH, FieldType.DATE):
            prefill = draw(st.one_of(st.none(), st.sampled_from(list(Prefill))))
        targets = [f for f in fields if f.type.holds_answer and f.type != FieldType.SIGNATURE]
        show_when = None
        conditional = draw(st.booleans())
        if targets and conditional:
            target = draw(st.sampled_from(targets))
            show_when = Condition(target.key, draw(conditions_on(target)))
        fields.append(
            Field(
                key=f"field_{number}",
                type=kind,
                label=draw(TEXT),
                help=draw(st.one_of(st.just(""), TEXT)),
                required=kind.holds_answer and draw(st.booleans()),
                options=options,
                prefill=prefill,
                show_when=show_when,
                code=draw(st.one_of(st.just(""), CODES)),
            )
        )
    return Schema(tuple(fields))


@given(schema=schemas(), title=TEXT.map(str.strip))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_valid_form_comes_back_the_same(schema: Schema, title: str) -> None:
    if not schema.answerable:
        schema = Schema((*schema.fields, Field("last", FieldType.SHORT_TEXT, "Last")))

    resource = json.loads(json.dumps(questionnaire_json(title=title, schema=schema)))

    assert schema_from_questionnaire(resource) == (title, schema, "")
