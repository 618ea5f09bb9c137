"""PDFs of intake forms (FORM-5): the record of a submitted form, and the blank form to fill in on paper.

Both work on plain values (a version's schema, its answers, names and moments), never on database rows,
so a form renders the same way whichever version it was sent with. They go through ``haven.core.pdf``:
WeasyPrint, data: URIs only, Django's autoescaping for every word a person typed or a practice wrote.

``render_answers_pdf`` is the unchangeable record of one submission: every question the person saw, in
order, with its answer in the words they chose; a section heading as a heading, and a heading that is a
whole statement (a consent's policy text, a measure's instructions) as a block of text; a drawn signature
as its image; a scored measure's total and band, or why there is none; and who submitted and who
acknowledged it, when, in the practice's time zone.

``render_blank_pdf`` is the same version with room to write: lines for text, boxes for choices, a box for
a signature and its date.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _

from haven.core.pdf import logo_data_uri, write_pdf
from haven.core.timezones import when_in_practice_zone
from haven.intake.fields import Answer, Field, FieldType, Schema, signature_png
from haven.intake.scoring import MEASURES, Measure, MeasureCode, Score, score
from haven.practices.models import Practice

__all__ = [
    "BlankItem",
    "RecordItem",
    "ScoreSummary",
    "kind_of",
    "record_item",
    "record_items_of",
    "render_answers_pdf",
    "render_blank_pdf",
    "score_summary_of",
]

ANSWERS_TEMPLATE = "pdf/intake/answers.html"
BLANK_TEMPLATE = "pdf/intake/blank.html"

# A heading longer than this, or one ending like a sentence, is a statement to read, not a section's title.
HEADING_MAX_CHARS = 80
_SENTENCE_ENDS = (".", "?", "!", ":", ";")
_PNG = b"\x89PNG\r\n\x1a\n"

# Writing lines on the blank form, by kind of answer.
_LINES = {FieldType.SHORT_TEXT: 1, FieldType.NUMBER: 1, FieldType.DATE: 1, FieldType.PARAGRAPH: 4}

type ItemKind = Literal["heading", "statement", "question", "signature"]


@dataclass(frozen=True)
class RecordItem:
    """One field of a submitted form as the record shows it."""

    kind: ItemKind
    label: str
    help: str = ""
    number: int | None = None  # questions are numbered in the order shown
    text: str = ""  # the answer in words; "" when there is none
    choices: tuple[str, ...] = ()  # a multiple choice answer, by its options' words
    paragraph: bool = False
    from_chart: bool = False
    points: int | None = None  # a scored item's points
    signed: bool = False
    image_uri: str = ""  # a drawn signature, as a PNG data: URI ("" when it can't be read)
    typed: bool = False  # signed by typing a name (the image is that name in the handwriting font)
    signed_at: str = ""

    @property
    def answered(self) -> bool:
        return bool(self.text or self.choices or self.signed)


@dataclass(frozen=True)
class ScoreSummary:
    """A scored measure's result, for the box at the top of the record."""

    name: str
    total: int | None
    maximum: int
    band: str
    answered: int
    items: int
    alert: bool
    alert_item: int | None  # the item whose answer raised the alert, by its number in the measure
    alert_answer: str  # that answer, in words

    @property
    def complete(self) -> bool:
        return self.total is not None


@dataclass(frozen=True)
class BlankItem:
    """One field of a blank form, with its room to answer."""

    kind: ItemKind
    label: str
    help: str = ""
    number: int | None = None
    lines: int = 0  # writing lines for a text, number or date answer
    choices: tuple[str, ...] = ()  # each option's words, one box each
    multiple: bool = False
    date: bool = False
    condition: str = ""  # when to answer a question shown only after another answer

    @property
    def writing_lines(self) -> range:
        return range(self.lines)


def render_answers_pdf(
    *,
    practice: Practice,
    title: str,
    version_number: int,
    schema: Schema,
    answers: Mapping[str, Answer],
    measure: MeasureCode | str,
    client_name: str,
    client_date_of_birth: datetime.date,
    submitted_by: str,
    capacity_label: str,
    submitted_at: datetime.datetime,
    acknowledged_by: str,
    acknowledged_at: datetime.datetime,
    prefilled: Sequence[str],
) -> bytes:
    """The record of a submitted form, as PDF.

    ``answers`` are the kept answers of the version ``schema`` (see ``haven.intake.fields``); a field that
    the answers hide (``show_when``) is left out, a shown one without an answer says "No answer".
    ``measure`` is the form's scored measure ("phq9", "gad7"), or "" for none. ``submitted_by`` is the name
    the practice knows the submitter by, ``capacity_label`` the capacity they acted in ("Client", "Legal
    guardian"): a drawn signature is shown as theirs, at its own ``signed_at`` when it has one, else at
    ``submitted_at``. ``prefilled`` names the fields whose answers came from the chart. Moments must be
    aware; they are shown in the practice's time zone.
    """
    for name, moment in (("submitted_at", submitted_at), ("acknowledged_at", acknowledged_at)):
        if timezone.is_naive(moment):
            raise ValueError(f"{name} must be an aware datetime.")
    scored = MEASURES[MeasureCode(measure)] if measure else None
    items = record_items_of(
        practice=practice,
        schema=schema,
        answers=answers,
        measure=measure,
        prefilled=prefilled,
        submitted_at=submitted_at,
    )
    return write_pdf(
        ANSWERS_TEMPLATE,
        {
            "practice": practice,
            "portal_url": practice.portal_url,
            "logo_uri": logo_data_uri(practice),
            "title": title,
            "version_number": version_number,
            "client_name": client_name,
            "client_date_of_birth": client_date_of_birth,
            "items": items,
            "score": score_summary_of(scored, schema, answers) if scored else None,
            "submitted_by": submitted_by,
            "capacity_label": capacity_label,
            "submitted_at": when_in_practice_zone(submitted_at, practice),
            "acknowledged_by": acknowledged_by,
            "acknowledged_at": when_in_practice_zone(acknowledged_at, practice),
        },
    )


def render_blank_pdf(*, practice: Practice, title: str, version_number: int, schema: Schema) -> bytes:
    """A version of a form to print and fill in by hand, as PDF: every field, with room to answer.

    A question shown only after another answer says when to answer it.
    """
    items: list[BlankItem] = []
    number = 0
    for item in schema.fields:
        kind = kind_of(item)
        if kind == "question":
            number += 1
        items.append(_blank_item(item, schema, kind=kind, number=number if kind == "question" else None))
    return write_pdf(
        BLANK_TEMPLATE,
        {
            "practice": practice,
            "portal_url": practice.portal_url,
            "logo_uri": logo_data_uri(practice),
            "title": title,
            "version_number": version_number,
            "items": items,
        },
    )


def record_items_of(
    *,
    practice: Practice,
    schema: Schema,
    answers: Mapping[str, Answer],
    measure: MeasureCode | str,
    prefilled: Sequence[str],
    submitted_at: datetime.datetime,
) -> list[RecordItem]:
    """The fields the answers show, in order, each with its answer in words: the record's body, on paper and on
    the practice's answers page alike. Questions are numbered as shown; headings and signatures are not."""
    scored = MEASURES[MeasureCode(measure)] if measure else None
    from_chart = set(prefilled)
    items: list[RecordItem] = []
    number = 0
    for item in schema.visible(answers):
        kind = kind_of(item)
        if kind == "question":
            number += 1
        items.append(
            record_item(
                item,
                answers.get(item.key),
                kind=kind,
                number=number if kind == "question" else None,
                from_chart=item.key in from_chart,
                scored=scored,
                practice=practice,
                submitted_at=submitted_at,
            )
        )
    return items


def kind_of(item: Field) -> ItemKind:
    """How a field is shown, on paper and on screen alike: a section's title, a statement to read (a consent's
    words, a measure's instructions), a question, or a signature."""
    if item.type == FieldType.SIGNATURE:
        return "signature"
    if item.type == FieldType.HEADING:
        label = item.label.strip()
        if len(label) > HEADING_MAX_CHARS or label.endswith(_SENTENCE_ENDS):
            return "statement"
        return "heading"
    return "question"


def record_item(
    item: Field,
    answer: Answer | None,
    *,
    kind: ItemKind,
    number: int | None,
    from_chart: bool,
    scored: Measure | None,
    practice: Practice,
    submitted_at: datetime.datetime,
) -> RecordItem:
    if kind in ("heading", "statement"):
        return RecordItem(kind=kind, label=item.label, help=item.help)
    if kind == "signature":
        signed = isinstance(answer, dict) and bool(answer.get("image"))
        moment = _signed_at(answer) or submitted_at
        return RecordItem(
            kind=kind,
            label=item.label,
            help=item.help,
            signed=signed,
            image_uri=_signature_uri(answer) if signed else "",
            signed_at=when_in_practice_zone(moment, practice) if signed else "",
            typed=signed and isinstance(answer, dict) and bool(answer.get("typed_name")),
        )
    text, choices = _answer_words(item, answer)
    points = None
    if scored is not None and item.key in scored.items and isinstance(answer, str) and answer in ("0", "1", "2", "3"):
        points = int(answer)
    return RecordItem(
        kind=kind,
        label=item.label,
        help=item.help,
        number=number,
        text=text,
        choices=choices,
        paragraph=item.type == FieldType.PARAGRAPH,
        from_chart=from_chart and bool(text),
        points=points,
    )


def _answer_words(item: Field, answer: Answer | None) -> tuple[str, tuple[str, ...]]:
    """The answer as the person saw it: ``(text, ())``, or ``("", choices)`` for a multiple choice."""
    if answer is None or isinstance(answer, dict):
        return "", ()
    if item.type == FieldType.MULTIPLE_CHOICE:
        values = [answer] if isinstance(answer, str) else answer
        return "", tuple(item.label_of(value) for value in values if value.strip())
    text = ", ".join(answer) if isinstance(answer, list) else answer
    text = text.strip()
    if not text:
        return "", ()
    if item.type in (FieldType.SINGLE_CHOICE, FieldType.YES_NO):
        return item.label_of(text), ()
    if item.type == FieldType.DATE:
        return _date_words(text), ()
    return text, ()


def _date_words(text: str) -> str:
    """A ``YYYY-MM-DD`` answer as "March 14, 2026"; anything else as typed."""
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        return text
    return format_date(day, "F j, Y")


def _signed_at(answer: Answer | None) -> datetime.datetime | None:
    """When a signature was drawn, if its answer says so (an aware ISO time)."""
    if not isinstance(answer, dict):
        return None
    try:
        moment = datetime.datetime.fromisoformat(answer.get("signed_at", ""))
    except (TypeError, ValueError):
        return None
    return None if timezone.is_naive(moment) else moment


def _signature_uri(answer: Answer | None) -> str:
    """A signature answer's drawing as a PNG data: URI, made again from its bytes; "" unless it is a PNG."""
    try:
        data = signature_png(answer)
    except (binascii.Error, ValueError, TypeError, AttributeError):
        return ""
    if not data or not data.startswith(_PNG):
        return ""
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def score_summary_of(measure: Measure, schema: Schema, answers: Mapping[str, Answer]) -> ScoreSummary:
    result: Score = score(measure.code, answers)
    alert_item: int | None = None
    alert_answer = ""
    if result.alert and measure.alert_item:
        alert_item = measure.items.index(measure.alert_item) + 1
        value = answers.get(measure.alert_item)
        field = schema.field(measure.alert_item)
        if field is not None and isinstance(value, str):
            alert_answer = field.label_of(value)
    return ScoreSummary(
        name=measure.name,
        total=result.total,
        maximum=measure.maximum,
        band=result.band.label if result.band is not None else "",
        answered=result.answered,
        items=len(measure.items),
        alert=result.alert,
        alert_item=alert_item,
        alert_answer=alert_answer,
    )


def _blank_item(item: Field, schema: Schema, *, kind: ItemKind, number: int | None) -> BlankItem:
    if kind in ("heading", "statement", "signature"):
        return BlankItem(kind=kind, label=item.label, help=item.help)
    return BlankItem(
        kind=kind,
        label=item.label,
        help=item.help,
        number=number,
        lines=_LINES.get(item.type, 0),
        choices=tuple(option.label for option in item.choices),
        multiple=item.type == FieldType.MULTIPLE_CHOICE,
        date=item.type == FieldType.DATE,
        condition=_condition_words(item, schema),
    )


def _condition_words(item: Field, schema: Schema) -> str:
    if item.show_when is None:
        return ""
    target = schema.field(item.show_when.field)
    if target is None:
        return ""
    if target.type == FieldType.MULTIPLE_CHOICE:
        return _("Answer only if you chose “%(choice)s” for “%(question)s”.") % {
            "choice": target.label_of(item.show_when.equals),
            "question": target.label,
        }
    return _("Answer only if you answered “%(choice)s” to “%(question)s”.") % {
        "choice": target.label_of(item.show_when.equals),
        "question": target.label,
    }
