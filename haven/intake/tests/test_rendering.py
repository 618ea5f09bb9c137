"""The PDFs of intake forms: the record of a submitted form (every question with its answer, scores, signatures)
and the blank form for paper."""

from __future__ import annotations

import base64
import datetime
import re
from io import BytesIO
from typing import Any

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from haven.intake.defaults import DEFAULT_FORMS, DefaultForm
from haven.intake.fields import Answer, Answers, Condition, Field, FieldType, Option, Schema
from haven.intake.rendering import render_answers_pdf, render_blank_pdf
from haven.practices.models import Practice

FORMS = {form.key: form for form in DEFAULT_FORMS}
SUBMITTED = datetime.datetime(2026, 3, 14, 15, 5, tzinfo=datetime.UTC)  # 10:05 a.m. in Chicago (CDT)
ACKNOWLEDGED = datetime.datetime(2026, 3, 15, 14, 30, tzinfo=datetime.UTC)


@pytest.fixture
def practice() -> Practice:
    """A practice as far as its PDFs go: name, time zone and no logo (the renderer reads no database rows)."""
    return Practice(name="Riverside Counseling", slug="riverside", time_zone="America/Chicago")


def _record(practice: Practice, form: DefaultForm | None = None, **overrides) -> bytes:
    values: dict[str, Any] = {
        "practice": practice,
        "title": form.title if form else "Questions",
        "version_number": 3,
        "schema": form.schema if form else None,
        "answers": {},
        "measure": form.measure or "" if form else "",
        "client_name": "Ana Alvarez",
        "client_date_of_birth": datetime.date(1991, 5, 2),
        "submitted_by": "Ana Alvarez",
        "capacity_label": "Client",
        "submitted_at": SUBMITTED,
        "acknowledged_by": "Theo Therapist",
        "acknowledged_at": ACKNOWLEDGED,
        "prefilled": [],
    }
    values.update(overrides)
    return render_answers_pdf(**values)


def _text(pdf: bytes) -> str:
    """The PDF's words, each run of white space one space (so wrapped lines read as written)."""
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(BytesIO(pdf)).pages)


def _images(pdf: bytes, index: int) -> list[DictionaryObject]:
    page = PdfReader(BytesIO(pdf)).pages[index]
    resources = page["/Resources"].get_object()
    assert isinstance(resources, DictionaryObject)
    xobjects = resources.get("/XObject")
    found = [xobject.get_object() for xobject in xobjects.get_object().values()] if xobjects is not None else []
    return [xobject for xobject in found if xobject.get("/Subtype") == "/Image"]


def _words(text: str) -> str:
    return " ".join(text.split())


def _signature_data_uri() -> str:
    image = Image.new("RGBA", (400, 120), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 90), (90, 20), (170, 100), (250, 30), (390, 80)], fill=(20, 30, 90, 255), width=5)
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _phq9(points: str) -> Answers:
    """PHQ-9 answers from a string of points, item 1 first; a space leaves that item unanswered."""
    return {f"phq9_{n}": value for n, value in enumerate(points, start=1) if value != " "}


def test_a_filled_phq9_shows_every_question_and_answer_with_its_total_and_band(practice):
    form = FORMS["phq9"]
    answers = _phq9("211212100") | {"phq9_difficulty": "somewhat"}
    text = _text(_record(practice, form, answers=answers))

    assert "PHQ-9" in text
    assert "Version 3" in text
    assert "Ana Alvarez" in text
    assert "May 2, 1991" in text
    for field in form.schema.fields:
        assert _words(field.label) in text
    for words in ("Not at all", "Several days", "More than half the days", "Somewhat difficult"):
        assert words in text
    assert "Nearly every day" not in text  # no option is listed that was not chosen
    assert "PHQ-9 total: 10 of 27 — Moderate" in text
    assert "incomplete" not in text.lower()
    assert "Item 9" not in text


def test_an_incomplete_phq9_says_so_and_shows_no_total(practice):
    form = FORMS["phq9"]
    text = _text(_record(practice, form, answers=_phq9("2112 21 0")))

    assert "PHQ-9 incomplete: no total (7 of 9 answered)" in text
    assert "total:" not in text
    assert "Moderate" not in text and "Mild" not in text
    assert text.count("No answer") == 3  # items 5 and 8, and the unscored tenth


def test_a_phq9_item_9_above_0_is_noted_for_the_safety_protocol_even_when_incomplete(practice):
    form = FORMS["phq9"]
    text = _text(_record(practice, form, answers=_phq9("0 0000001")))

    assert "Item 9 answered above 0 (“Several days”)" in text
    assert "safety protocol" in text
    assert "no total" in text


def test_a_question_hidden_by_its_condition_is_left_out_and_a_shown_unanswered_one_says_no_answer(practice):
    form = FORMS["release_of_information"]
    answers: Answers = {"recipient_name": "Dr. Lee's clinic", "information": ["diagnosis", "attendance"]}
    text = _text(_record(practice, form, answers=answers))

    assert "Other information" not in text  # shown only when "Other" is chosen
    assert "Address, phone or fax No answer" in text
    assert "Attendance and scheduling" in text and "Diagnosis" in text  # the chosen options, by their words
    assert "Assessment results" not in text

    shown = _text(_record(practice, form, answers={**answers, "information": ["other"]}))
    assert "Other information No answer" in shown


def test_answers_are_shown_in_words_dates_readably_and_chart_answers_marked(practice):
    schema = Schema(
        (
            Field("about", FieldType.HEADING, "About you"),
            Field("name", FieldType.SHORT_TEXT, "Full name", help="As on your insurance card."),
            Field("born", FieldType.DATE, "Date of birth"),
            Field("message_ok", FieldType.YES_NO, "May we leave a message?"),
            Field("children", FieldType.NUMBER, "Children at home"),
        )
    )
    answers: Answers = {"name": "Ana Alvarez", "born": "1991-05-02", "message_ok": "no", "children": "2"}
    text = _text(_record(practice, schema=schema, answers=answers, prefilled=["name"]))

    assert "About you" in text
    assert "As on your insurance card." in text
    assert "Ana Alvarez (from the chart)" in text
    assert "Date of birth May 2, 1991" in text
    assert "May we leave a message? No" in text
    assert "Children at home 2" in text


def test_a_consent_signature_is_drawn_as_an_image_with_the_signer_line(practice):
    form = FORMS["consent_for_treatment"]
    answers: Answers = {
        "consent_agree": "yes",
        "signer_name": "Gia Moreno",
        "relationship": "guardian",
        "signature": {"image": _signature_data_uri(), "signed_at": "2026-03-14T15:04:00+00:00"},
    }
    pdf = _record(
        practice,
        form,
        answers=answers,
        client_name="Max Moreno",
        submitted_by="Gia Moreno",
        capacity_label="Legal guardian",
    )
    text = _text(pdf)

    assert "Signed by Gia Moreno (Legal guardian) at Mar 14, 2026, 10:04 a.m. CDT" in text
    assert "The client's parent or legal guardian" in text
    pages = PdfReader(BytesIO(pdf)).pages
    signed_page = next(n for n, page in enumerate(pages) if "Signed by" in (page.extract_text() or ""))
    assert len(_images(pdf, signed_page)) == 1


def test_a_typed_signature_says_it_was_typed(practice):
    form = FORMS["consent_for_treatment"]
    answers: Answers = {
        "consent_agree": "yes",
        "signature": {
            "image": _signature_data_uri(),
            "signed_at": "2026-03-14T15:04:00+00:00",
            "typed_name": "Gia Moreno",
        },
    }
    text = _text(_record(practice, form, answers=answers, submitted_by="Gia Moreno", capacity_label="Legal guardian"))

    assert "Signed by Gia Moreno (Legal guardian), by typing their name, at Mar 14, 2026, 10:04 a.m. CDT" in text


def test_an_unsigned_signature_says_not_signed_and_draws_nothing(practice):
    form = FORMS["consent_for_treatment"]
    pdf = _record(practice, form, answers={"consent_agree": "yes"})

    assert "Not signed" in _text(pdf)
    assert "Signed by" not in _text(pdf)
    assert all(not _images(pdf, n) for n in range(len(PdfReader(BytesIO(pdf)).pages)))


def test_the_record_says_who_submitted_and_acknowledged_it_and_when_in_the_practices_zone(practice):
    text = _text(_record(practice, FORMS["gad7"], answers={}))

    assert "Submitted by Ana Alvarez (Client)" in text
    assert "Submitted at Mar 14, 2026, 10:05 a.m. CDT" in text
    assert "Acknowledged by Theo Therapist" in text
    assert "Acknowledged at Mar 15, 2026, 9:30 a.m. CDT" in text
    assert "GAD-7 incomplete: no total (0 of 7 answered)" in text


@pytest.mark.parametrize(
    "hostile",
    ["<script>alert(1)</script>", "</p><img src=x>", '"><b>bold</b>', "&lt;escaped&gt; & more"],
)
def test_hostile_answer_text_appears_literally_not_as_markup(practice, hostile):
    schema = Schema(
        (
            Field("short", FieldType.SHORT_TEXT, "Short"),
            Field("long", FieldType.PARAGRAPH, "Long"),
        )
    )
    pdf = _record(practice, schema=schema, answers={"short": hostile, "long": f"first\n{hostile}"}, client_name=hostile)
    text = _text(pdf)

    assert text.count(_words(hostile)) >= 3  # both answers and the client's name
    assert not _images(pdf, 0)


def test_hostile_labels_and_options_appear_literally_on_the_blank_form(practice):
    schema = Schema(
        (Field("q", FieldType.SINGLE_CHOICE, "<i>Label</i>", options=(Option("a", "<b>A</b>"), Option("b", "B"))),)
    )
    text = _text(render_blank_pdf(practice=practice, title="<script>x</script>", version_number=1, schema=schema))

    assert "<i>Label</i>" in text
    assert "<b>A</b>" in text
    assert "<script>x</script>" in text


def test_an_unknown_measure_or_a_naive_time_is_refused(practice):
    with pytest.raises(ValueError):
        _record(practice, FORMS["phq9"], measure="bdi")
    with pytest.raises(ValueError):
        _record(practice, FORMS["phq9"], submitted_at=datetime.datetime(2026, 3, 14, 10, 5))


@pytest.mark.parametrize("form", DEFAULT_FORMS, ids=lambda form: form.key)
def test_the_blank_pdf_of_every_default_form_has_every_question(practice, form):
    pdf = render_blank_pdf(practice=practice, title=form.title, version_number=2, schema=form.schema)
    text = _text(pdf)

    assert pdf.startswith(b"%PDF-")
    assert _words(form.title) in text
    assert "Version 2" in text
    assert "Name" in text and "Date of birth" in text
    for field in form.schema.fields:
        assert _words(field.label) in text
        if field.help:
            assert _words(field.help) in text
        for option in field.choices:
            assert _words(option.label) in text


def test_a_blank_question_shown_after_another_answer_says_when_to_answer_it(practice):
    form = FORMS["demographics"]
    text = _text(render_blank_pdf(practice=practice, title=form.title, version_number=1, schema=form.schema))

    assert "Answer only if you answered “Yes” to “Have you seen a therapist or counselor before?”" in text


def test_a_form_of_100_fields_renders(practice):
    kinds = [FieldType.SHORT_TEXT, FieldType.PARAGRAPH, FieldType.DATE, FieldType.YES_NO, FieldType.MULTIPLE_CHOICE]
    fields = []
    answers: Answers = {}
    for n in range(100):
        kind = kinds[n % len(kinds)]
        options = (
            (Option("a", f"Choice A{n}"), Option("b", f"Choice B{n}")) if kind == FieldType.MULTIPLE_CHOICE else ()
        )
        fields.append(Field(f"f{n}", kind, f"Question {n}", options=options))
        samples: dict[FieldType, Answer] = {
            FieldType.SHORT_TEXT: f"Answer {n}",
            FieldType.PARAGRAPH: f"Line one {n}\nLine two {n}",
            FieldType.DATE: "2026-01-31",
            FieldType.YES_NO: "yes",
            FieldType.MULTIPLE_CHOICE: ["a", "b"],
        }
        answers[f"f{n}"] = samples[kind]
    schema = Schema(tuple(fields))

    record = _text(_record(practice, schema=schema, answers=answers))
    blank = _text(render_blank_pdf(practice=practice, title="Long form", version_number=1, schema=schema))

    assert "Question 99" in record and "Answer 95" in record and "Choice B99" in record
    assert re.search(r"Page 1 / \d+", record)
    assert "Question 99" in blank


def test_a_condition_on_a_multiple_choice_follows_the_chosen_options(practice):
    schema = Schema(
        (
            Field(
                "topics",
                FieldType.MULTIPLE_CHOICE,
                "Topics",
                options=(Option("sleep", "Sleep"), Option("work", "Work")),
            ),
            Field("sleep_detail", FieldType.PARAGRAPH, "About your sleep", show_when=Condition("topics", "sleep")),
            Field("work_detail", FieldType.PARAGRAPH, "About your work", show_when=Condition("topics", "work")),
        )
    )
    text = _text(_record(practice, schema=schema, answers={"topics": ["work"], "work_detail": "Long hours"}))

    assert "About your sleep" not in text
    assert "About your work Long hours" in text
