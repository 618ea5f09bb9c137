"""The fill page's questions, and the answers it posts (FORM-3): one field of a form version each, as the portal
shows it (its label, help, choices, what it holds now, its problem) and as the page sends it back.

The page draws each question with the ids its labels, help and problems tie together (``q-<key>``, ``-help``,
``-error``); a question shown only after another answer carries that answer's name and value for the page's
script, while the server decides on every post (``Schema.check``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils import timezone

from haven.intake.fields import Answer, FieldType, Schema
from haven.intake.rendering import kind_of

# Each answer is posted under its field's key with this prefix, so no key can meet Django's own names.
PREFIX = "f_"


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str
    html_id: str
    checked: bool


@dataclass(frozen=True, slots=True)
class Question:
    """One field of the fill page, with what it holds now and its problem, if any."""

    key: str
    kind: str  # heading, statement, text, paragraph, date, number, single, multiple, signature
    label: str
    help: str
    required: bool
    name: str
    html_id: str
    value: str
    choices: tuple[Choice, ...]
    problem: str
    shown: bool
    when_name: str  # the answer it depends on (its input's name), "" for none
    when_equals: str
    from_chart: bool
    typed_name: str = ""  # a signature made by typing a name instead of drawing

    @property
    def typed_field(self) -> str:
        """The input of a signature's typed name."""
        return f"{self.name}{TYPED_SUFFIX}"

    @property
    def help_id(self) -> str:
        return f"{self.html_id}-help" if self.help or self.from_chart else ""

    @property
    def error_id(self) -> str:
        return f"{self.html_id}-error" if self.problem else ""

    @property
    def described_by(self) -> str:
        return " ".join(part for part in (self.help_id, self.error_id) if part)

    @property
    def anchor(self) -> str:
        """Where the error summary's link for this question moves focus."""
        if self.kind in ("single", "multiple") and self.choices:
            return self.choices[0].html_id
        return self.html_id


# A signature's typed name posts beside its drawing, under the field's name with this suffix.
TYPED_SUFFIX = "__typed"

_KINDS = {
    FieldType.SHORT_TEXT: "text",
    FieldType.PARAGRAPH: "paragraph",
    FieldType.DATE: "date",
    FieldType.NUMBER: "number",
    FieldType.SINGLE_CHOICE: "single",
    FieldType.YES_NO: "single",
    FieldType.MULTIPLE_CHOICE: "multiple",
    FieldType.SIGNATURE: "signature",
}


def _is_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def questions(
    schema: Schema, answers: Mapping[str, Answer], problems: Mapping[str, str], prefilled: set[str]
) -> list[Question]:
    """The page's fields in order: shown as the answers show them (the page's script follows changes)."""
    shown = {item.key for item in schema.visible(answers)}
    result = []
    for item in schema.fields:
        answer = answers.get(item.key)
        html_id = f"q-{item.key}"
        kind = kind_of(item) if item.type == FieldType.HEADING else _KINDS[item.type]
        value = ""
        typed_name = ""
        if isinstance(answer, str):
            value = answer
        elif isinstance(answer, dict):
            typed_name = answer.get("typed_name", "")
            value = "" if typed_name else answer.get("image", "")  # a typed signature is shown as its name
        if kind == "date" and value and not _is_date(value):
            kind = "text"  # kept as typed, to be corrected: a date input would show it empty
        chosen = set(answer) if isinstance(answer, list) else {value} if value else set()
        choices = tuple(
            Choice(option.value, option.label, f"{html_id}-{number}", option.value in chosen)
            for number, option in enumerate(item.choices, start=1)
        )
        result.append(
            Question(
                key=item.key,
                kind=kind,
                label=item.label,
                help=item.help,
                required=item.required,
                name=PREFIX + item.key,
                html_id=html_id,
                value=value,
                choices=choices,
                problem=problems.get(item.key, ""),
                shown=item.key in shown,
                when_name=PREFIX + item.show_when.field if item.show_when else "",
                when_equals=item.show_when.equals if item.show_when else "",
                from_chart=item.key in prefilled and bool(value),
                typed_name=typed_name,
            )
        )
    return result


def posted_answers(schema: Schema, post: QueryDict, kept: Mapping[str, Answer]) -> dict[str, Any]:
    """What the page sent, as the actions take it: every field of the page, answered or not.

    A signature keeps the moment it was drawn while it stays the same drawing; a new drawing is dated now.
    """
    raw: dict[str, Any] = {}
    now = timezone.now().isoformat()
    for item in schema.answerable:
        name = PREFIX + item.key
        if item.type == FieldType.MULTIPLE_CHOICE:
            raw[item.key] = post.getlist(name)
        elif item.type == FieldType.SIGNATURE:
            image = post.get(name, "")
            typed = post.get(name + TYPED_SUFFIX, "").strip()
            before = kept.get(item.key)
            if image:
                same = isinstance(before, dict) and before.get("image") == image
            else:
                same = isinstance(before, dict) and bool(typed) and before.get("typed_name") == typed
            signed_at = before.get("signed_at", "") if isinstance(before, dict) and same else ""
            if image:  # a drawing wins over a typed name
                raw[item.key] = {"image": image, "signed_at": signed_at or now}
            elif typed:
                raw[item.key] = {"typed_name": typed, "signed_at": signed_at or now}
            else:
                raw[item.key] = ""
        else:
            raw[item.key] = post.get(name, "")
    return raw
