"""What a form asks and how its answers are checked (FORM-1): the one definition the builder, the portal,
the PDF and the FHIR interchange read.

A form version keeps its fields as JSON (``Schema.to_json``); answers are a dict from field key to value:

- short text, paragraph, date (``YYYY-MM-DD``), number, single choice (the option's value), yes/no
  (``"yes"``/``"no"``): a string;
- multiple choice: a list of option values;
- signature: ``{"image": "data:image/png;base64,…", "signed_at": ISO time}`` (the pad of Share to Sign), with
  ``"typed_name"`` too when the person typed their name instead of drawing (the image is then the name drawn
  in Share to Sign's handwriting font);
- section headings hold no answer.

Checking happens here, on the server: ``Schema.check`` gives each problem in words next to its field, and
keeps every answer that was typed (a hidden field's answer is dropped only on submit).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.core.bidi import BIDI_MESSAGE, has_bidi_controls, strip_bidi_controls
from haven.core.errors import ApplicationError
from haven.signing.answers import has_ink
from haven.signing.stamping import InvalidSignatureImage
from haven.signing.typed import clean_typed_name, typed_signature_png

__all__ = [
    "MAX_FIELDS",
    "Answers",
    "Condition",
    "Field",
    "FieldType",
    "Option",
    "Prefill",
    "Schema",
    "SchemaError",
]

MAX_FIELDS = 300
MAX_TEXT = 5_000  # a paragraph's answer, in characters
MAX_SHORT_TEXT = 300
MAX_SIGNATURE_BYTES = 400_000  # a drawn signature's PNG
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_PNG = b"\x89PNG\r\n\x1a\n"
PNG_DATA_URL = "data:image/png;base64,"

type Answer = str | list[str] | dict[str, str]
type Answers = dict[str, Answer]


class FieldType(StrEnum):
    SHORT_TEXT = "short_text"
    PARAGRAPH = "paragraph"
    DATE = "date"
    NUMBER = "number"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    HEADING = "heading"
    SIGNATURE = "signature"

    @property
    def label(self) -> str:
        return str(FIELD_TYPE_LABELS[self])

    @property
    def has_options(self) -> bool:
        return self in (FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE)

    @property
    def holds_answer(self) -> bool:
        return self != FieldType.HEADING


FIELD_TYPE_LABELS = {
    FieldType.SHORT_TEXT: gettext_lazy("Short text"),
    FieldType.PARAGRAPH: gettext_lazy("Paragraph"),
    FieldType.DATE: gettext_lazy("Date"),
    FieldType.NUMBER: gettext_lazy("Number"),
    FieldType.SINGLE_CHOICE: gettext_lazy("Single choice"),
    FieldType.MULTIPLE_CHOICE: gettext_lazy("Multiple choice"),
    FieldType.YES_NO: gettext_lazy("Yes/No"),
    FieldType.HEADING: gettext_lazy("Section heading"),
    FieldType.SIGNATURE: gettext_lazy("Signature"),
}


class Prefill(StrEnum):
    """What a field may take from the chart before the form is sent (the response records which it took)."""

    NAME = "name"
    DATE_OF_BIRTH = "date_of_birth"
    ADDRESS = "address"
    PHONE = "phone"
    EMAIL = "email"
    GUARDIAN_NAME = "guardian_name"

    @property
    def label(self) -> str:
        return str(PREFILL_LABELS[self])


PREFILL_LABELS = {
    Prefill.NAME: gettext_lazy("Client's name"),
    Prefill.DATE_OF_BIRTH: gettext_lazy("Date of birth"),
    Prefill.ADDRESS: gettext_lazy("Address"),
    Prefill.PHONE: gettext_lazy("Phone"),
    Prefill.EMAIL: gettext_lazy("Email"),
    Prefill.GUARDIAN_NAME: gettext_lazy("Guardian's name"),
}


class SchemaError(ValueError):
    """A form definition that can't be used: the message says what is wrong, in words for the form's builder."""


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Condition:
    """Show this field only when another field's answer is (or, for multiple choice, includes) ``equals``."""

    field: str
    equals: str

    def holds(self, answers: Mapping[str, Any]) -> bool:
        answer = answers.get(self.field)
        if isinstance(answer, list):
            return self.equals in answer
        return answer == self.equals


@dataclass(frozen=True)
class Field:
    key: str
    type: FieldType
    label: str
    help: str = ""
    required: bool = False
    options: tuple[Option, ...] = ()
    prefill: Prefill | None = None
    show_when: Condition | None = None
    # For a scored measure: the LOINC code of this item (FHIR Questionnaire.item.code), "" otherwise.
    code: str = ""

    @property
    def choices(self) -> tuple[Option, ...]:
        """The options a person picks from: the field's own, or Yes and No."""
        if self.type == FieldType.YES_NO:
            return (Option("yes", _("Yes")), Option("no", _("No")))
        return self.options

    def label_of(self, value: str) -> str:
        """The words of a chosen option, as the person saw them."""
        return next((option.label for option in self.choices if option.value == value), value)

    def shown(self, answers: Mapping[str, Any]) -> bool:
        return self.show_when is None or self.show_when.holds(answers)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "type": str(self.type), "label": self.label}
        if self.help:
            data["help"] = self.help
        if self.required:
            data["required"] = True
        if self.options:
            data["options"] = [{"value": o.value, "label": o.label} for o in self.options]
        if self.prefill is not None:
            data["prefill"] = str(self.prefill)
        if self.show_when is not None:
            data["show_when"] = {"field": self.show_when.field, "equals": self.show_when.equals}
        if self.code:
            data["code"] = self.code
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Field:
        try:
            kind = FieldType(data["type"])
            prefill = Prefill(data["prefill"]) if data.get("prefill") else None
            condition = data.get("show_when")
            return cls(
                key=str(data["key"]),
                type=kind,
                label=str(data.get("label", "")),
                help=str(data.get("help", "")),
                required=bool(data.get("required", False)),
                options=tuple(Option(str(o["value"]), str(o["label"])) for o in data.get("options", ())),
                prefill=prefill,
                show_when=Condition(str(condition["field"]), str(condition["equals"])) if condition else None,
                code=str(data.get("code", "")),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise SchemaError(_("A field of this form is not complete: %(error)s") % {"error": error}) from None


@dataclass(frozen=True)
class Problem:
    """One answer that can't be accepted, in words for the person filling the form."""

    key: str
    message: str


@dataclass
class Checked:
    """Answers as kept (every typed answer of a known field, cleaned), and what stops them being submitted."""

    answers: Answers
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Schema:
    """A form's fields in order."""

    fields: tuple[Field, ...]

    def __post_init__(self) -> None:
        self.validate()

    @classmethod
    def from_json(cls, data: Iterable[Mapping[str, Any]]) -> Schema:
        return cls(tuple(Field.from_json(item) for item in data))

    def to_json(self) -> list[dict[str, Any]]:
        return [item.to_json() for item in self.fields]

    def field(self, key: str) -> Field | None:
        return next((item for item in self.fields if item.key == key), None)

    @property
    def answerable(self) -> tuple[Field, ...]:
        return tuple(item for item in self.fields if item.type.holds_answer)

    @property
    def has_signature(self) -> bool:
        return any(item.type == FieldType.SIGNATURE for item in self.fields)

    def validate(self) -> None:
        """Raise SchemaError unless every field can be shown and answered: the builder's own check."""
        if len(self.fields) > MAX_FIELDS:
            raise SchemaError(_("A form can have at most %(count)d fields.") % {"count": MAX_FIELDS})
        seen: dict[str, Field] = {}
        for item in self.fields:
            name = item.label or item.key
            if not _KEY.match(item.key):
                raise SchemaError(
                    _("“%(name)s” needs a key of small letters, digits and underscores.") % {"name": name}
                )
            if item.key in seen:
                raise SchemaError(_("Two fields share the key “%(key)s”.") % {"key": item.key})
            if not item.label.strip():
                raise SchemaError(_("Every field needs a question or heading."))
            words = [item.label, item.help, *(option.label for option in item.options)]
            if any(has_bidi_controls(text) for text in words):
                raise SchemaError(
                    _("“%(name)s” has hidden characters that change the direction of text. Type it again.")
                    % {"name": strip_bidi_controls(name)}
                )
            if item.type.has_options:
                values = [option.value for option in item.options]
                if len(values) < 2:
                    raise SchemaError(_("“%(name)s” needs at least two choices.") % {"name": name})
                if len(set(values)) != len(values) or any(not v or v != " ".join(v.split()) for v in values):
                    raise SchemaError(_("Each choice of “%(name)s” needs its own value.") % {"name": name})
                if any(not option.label.strip() for option in item.options):
                    raise SchemaError(_("Each choice of “%(name)s” needs words to show.") % {"name": name})
            elif item.options:
                raise SchemaError(_("Only choice fields have choices (“%(name)s”).") % {"name": name})
            if item.type == FieldType.HEADING and (item.required or item.prefill):
                raise SchemaError(_("A section heading can't be required or pre-filled."))
            if item.prefill is not None and item.type not in (
                FieldType.SHORT_TEXT,
                FieldType.PARAGRAPH,
                FieldType.DATE,
            ):
                raise SchemaError(_("Only text and date fields can be pre-filled (“%(name)s”).") % {"name": name})
            if item.show_when is not None:
                target = seen.get(item.show_when.field)
                if target is None or not target.type.holds_answer or target.type == FieldType.SIGNATURE:
                    raise SchemaError(
                        _("“%(name)s” can only depend on an earlier question with an answer to compare.")
                        % {"name": name}
                    )
                if target.choices and item.show_when.equals not in {o.value for o in target.choices}:
                    raise SchemaError(
                        _("“%(name)s” depends on a choice that “%(target)s” does not offer.")
                        % {"name": name, "target": target.label}
                    )
            seen[item.key] = item

    def visible(self, answers: Mapping[str, Any]) -> tuple[Field, ...]:
        """The fields shown for these answers (a condition on a hidden field never holds)."""
        shown: dict[str, Answer] = {}
        fields = []
        for item in self.fields:
            if item.shown(shown):
                fields.append(item)
                if item.key in answers:
                    shown[item.key] = answers[item.key]
        return tuple(fields)

    def check(self, raw: Mapping[str, Any], *, submitting: bool) -> Checked:
        """Clean what was sent; when ``submitting``, also require what is required and drop hidden answers.

        Nothing typed is thrown away while a form is open: an answer that can't be accepted is kept as typed
        (to be shown again in its field) and named in ``problems``.
        """
        kept: Answers = {}
        problems: dict[str, str] = {}
        for item in self.answerable:
            if item.key not in raw:
                continue
            value, problem = _clean(item, raw[item.key])
            if value is not None:
                kept[item.key] = value
            if problem:
                problems[item.key] = problem
        if not submitting:
            return Checked(kept, problems)
        shown = {item.key for item in self.visible(kept)}
        kept = {key: value for key, value in kept.items() if key in shown}
        problems = {key: message for key, message in problems.items() if key in shown}
        for item in self.answerable:
            if item.key in shown and item.required and item.key not in kept and item.key not in problems:
                problems[item.key] = _missing(item)
        return Checked(kept, problems)


def _missing(item: Field) -> str:
    if item.type == FieldType.SIGNATURE:
        return _("Sign in the box: this form needs your signature.")
    if item.type in (FieldType.SINGLE_CHOICE, FieldType.YES_NO):
        return _("Choose an answer.")
    if item.type == FieldType.MULTIPLE_CHOICE:
        return _("Choose at least one answer.")
    return _("This question needs an answer.")


def _clean(item: Field, raw: Any) -> tuple[Answer | None, str]:
    """The answer to keep (None for "no answer") and the problem with it, if any."""
    match item.type:
        case FieldType.MULTIPLE_CHOICE:
            values = [str(v) for v in raw] if isinstance(raw, list | tuple) else [str(raw)] if raw else []
            allowed = [option.value for option in item.choices]
            chosen = [value for value in allowed if value in values]  # in the form's order, once each
            if len(chosen) != len(set(values)):
                return chosen or None, _("Choose from the answers shown.")
            return chosen or None, ""
        case FieldType.SIGNATURE:
            return _clean_signature(raw)
        case _:
            pass
    if not isinstance(raw, str):
        return None, _("This answer can't be read. Please enter it again.")
    text = raw.replace("\r\n", "\n").strip()
    if has_bidi_controls(text):
        # Kept without them, and named: the person checks what the text says now.
        return strip_bidi_controls(text).strip() or None, str(BIDI_MESSAGE)
    if not text:
        return None, ""
    match item.type:
        case FieldType.SHORT_TEXT:
            text = " ".join(text.split())
            if len(text) > MAX_SHORT_TEXT:
                return text, _("Keep this answer under %(count)d characters.") % {"count": MAX_SHORT_TEXT}
            return text, ""
        case FieldType.PARAGRAPH:
            if len(text) > MAX_TEXT:
                return text, _("Keep this answer under %(count)d characters.") % {"count": MAX_TEXT}
            return text, ""
        case FieldType.DATE:
            try:
                datetime.date.fromisoformat(text)
            except ValueError:
                return text, _("Enter a date, such as 2026-03-14.")
            return text, ""
        case FieldType.NUMBER:
            plain = text.replace(",", "")  # "1,200" is kept as 1200: answers compare as numbers, not as typing
            try:
                number = Decimal(plain)
            except InvalidOperation:
                return text, _("Enter a number, such as 12.")
            if not number.is_finite():
                return text, _("Enter a number, such as 12.")
            return plain, ""
        case FieldType.SINGLE_CHOICE | FieldType.YES_NO:
            if text not in {option.value for option in item.choices}:
                return None, _("Choose from the answers shown.")
            return text, ""
    return text, ""


def _clean_signature(raw: Any) -> tuple[Answer | None, str]:
    """A drawn signature (a PNG data URL with ink on it), or a name typed by someone who can't draw one (drawn
    in the handwriting font of Share to Sign, and kept with the name as typed)."""
    if isinstance(raw, dict):
        image, signed_at, typed = raw.get("image", ""), raw.get("signed_at", ""), raw.get("typed_name", "")
    else:
        image, signed_at, typed = raw, "", ""
    if not image and isinstance(typed, str) and typed.strip():
        return _typed_signature(typed, str(signed_at or ""))
    if not image:
        return None, ""
    if not isinstance(image, str) or not image.startswith(PNG_DATA_URL):
        return None, _("The signature could not be read. Please sign again.")
    try:
        data = base64.b64decode(image.partition(",")[2], validate=True)
    except (binascii.Error, ValueError):
        return None, _("The signature could not be read. Please sign again.")
    if not data.startswith(_PNG) or len(data) > MAX_SIGNATURE_BYTES:
        return None, _("The signature could not be read. Please sign again.")
    try:
        if not has_ink(data):
            return None, _("Draw your signature in the box.")
    except InvalidSignatureImage:
        return None, _("The signature could not be read. Please sign again.")
    return {"image": image, "signed_at": str(signed_at or "")}, ""


def _typed_signature(typed: str, signed_at: str) -> tuple[Answer | None, str]:
    try:
        name = clean_typed_name(typed)
    except ApplicationError as error:
        return None, error.message
    image = PNG_DATA_URL + base64.b64encode(typed_signature_png(name)).decode()
    return {"image": image, "signed_at": signed_at, "typed_name": name}, ""


def signature_png(answer: Answer | None) -> bytes | None:
    """The PNG of a kept signature answer."""
    if not isinstance(answer, dict) or not answer.get("image"):
        return None
    return base64.b64decode(answer["image"].partition(",")[2])
