"""FHIR R4 interchange for intake forms: a form's definition as a Questionnaire, its answers as a
QuestionnaireResponse, and a Questionnaire read back into a form.

Every resource is checked by building fhir.resources' R4B model of it (R4B's Questionnaire and
QuestionnaireResponse are R4's) before it leaves or after it arrives; what is handed on is plain JSON.

A field is one item, its key the item's ``linkId``, its label the item's ``text``:

=================  =====================================================================
short text         ``string``
paragraph          ``text``
date               ``date``
number             ``decimal``
single choice      ``choice``, each option an ``answerOption.valueCoding`` (code: value, display: label)
multiple choice    ``choice`` with ``repeats``
yes/no             ``boolean``
section heading    ``display``
signature          ``attachment`` with ``SIGNATURE_EXTENSION``
=================  =====================================================================

A question's help is a child ``display`` item marked by the standard item control ``help``; a heading,
which FHIR lets hold no child items, carries its help in ``HELP_EXTENSION``. ``show_when`` is an
``enableWhen`` with the operator ``=``; a field's LOINC code is the item's ``code``. A scored measure
(PHQ-9, GAD-7) names its LOINC panel in ``Questionnaire.code`` and its Haven measure in
``MEASURE_EXTENSION``, and ends with a read-only ``<measure>_total`` item coded with the LOINC total.

Haven's extensions, one fixed URL each:

- ``SIGNATURE_EXTENSION`` (``valueBoolean`` true): this attachment item is a drawn signature;
- ``PREFILL_EXTENSION`` (``valueCode``, a ``Prefill``): what the field takes from the chart;
- ``MEASURE_EXTENSION`` (``valueCode``, a ``MeasureCode``): the measure the form is scored as;
- ``HELP_EXTENSION`` (``valueString``): a section heading's help text.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticSerializationError

from haven.intake.fields import Condition, Field, FieldType, Option, Prefill, Schema, SchemaError
from haven.intake.scoring import MEASURES, Measure, MeasureCode, score

__all__ = [
    "HELP_EXTENSION",
    "MEASURE_EXTENSION",
    "PREFILL_EXTENSION",
    "RESPONSE_STATUSES",
    "SIGNATURE_EXTENSION",
    "questionnaire_json",
    "questionnaire_response_json",
    "schema_from_questionnaire",
]

EXTENSION_BASE = "https://haven.example/fhir/StructureDefinition/"
SIGNATURE_EXTENSION = EXTENSION_BASE + "signature"
PREFILL_EXTENSION = EXTENSION_BASE + "prefill"
MEASURE_EXTENSION = EXTENSION_BASE + "measure"
HELP_EXTENSION = EXTENSION_BASE + "help"

LOINC = "http://loinc.org"
# R4 gives a response item no code of its own: the total names its LOINC code in ``definition``, as a LOINC URI.
LOINC_URI = "http://loinc.org/rdf#"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"

RESPONSE_STATUSES = ("in-progress", "completed", "amended")

_ITEM_TYPES = {
    FieldType.SHORT_TEXT: "string",
    FieldType.PARAGRAPH: "text",
    FieldType.DATE: "date",
    FieldType.NUMBER: "decimal",
    FieldType.SINGLE_CHOICE: "choice",
    FieldType.MULTIPLE_CHOICE: "choice",
    FieldType.YES_NO: "boolean",
    FieldType.HEADING: "display",
    FieldType.SIGNATURE: "attachment",
}
# Item types read as one field type whatever their details (choice, attachment and group are read apart).
_FIELD_TYPES = {
    "string": FieldType.SHORT_TEXT,
    "text": FieldType.PARAGRAPH,
    "date": FieldType.DATE,
    "decimal": FieldType.NUMBER,
    "integer": FieldType.NUMBER,
    "boolean": FieldType.YES_NO,
    "display": FieldType.HEADING,
}
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# A number an enableWhen can carry as answerDecimal and give back as the same text (JSON numbers are doubles).
_PLAIN_DECIMAL = re.compile(r"^(?!-0$)-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$")
_DOUBLE_DIGITS = 15
_MAX_PROBLEMS = 3


# Export: a form's definition as a Questionnaire.


def questionnaire_json(
    *, title: str, schema: Schema, measure: str = "", version: int | None = None, url: str = ""
) -> dict[str, Any]:
    """The form as a FHIR R4 Questionnaire (status ``active``), checked as FHIR, as JSON-ready data.

    ``measure`` (a ``MeasureCode``, or "") codes the questionnaire with the measure's LOINC panel and adds its
    read-only total item; ``version`` and ``url`` give the form version's number and canonical address.
    Raises SchemaError when a value can't be written as FHIR (a choice's value with stray spaces, say).
    """
    resource: dict[str, Any] = {"resourceType": "Questionnaire", "status": "active"}
    if url:
        resource["url"] = url
    if version is not None:
        resource["version"] = str(version)
    if title.strip():
        resource["title"] = title.strip()
    items = [_item(field, schema) for field in schema.fields]
    if measure:
        scored = MEASURES[MeasureCode(measure)]
        resource["extension"] = [{"url": MEASURE_EXTENSION, "valueCode": str(scored.code)}]
        resource["code"] = [{"system": LOINC, "code": scored.loinc_panel}]
        items.append(
            {
                "linkId": _total_key(scored, schema),
                "code": [{"system": LOINC, "code": scored.loinc_total}],
                "text": _total_text(scored),
                "type": "integer",
                "readOnly": True,
            }
        )
    if items:
        resource["item"] = items
    return _checked(Questionnaire, resource, _("This form can't be written as a FHIR Questionnaire: %(problems)s"))


def _item(field: Field, schema: Schema) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": field.key, "text": field.label, "type": _ITEM_TYPES[field.type]}
    extensions: list[dict[str, Any]] = []
    if field.code:
        item["code"] = [{"system": LOINC, "code": field.code}]
    if field.required:
        item["required"] = True
    if field.type == FieldType.MULTIPLE_CHOICE:
        item["repeats"] = True
    if field.options:
        item["answerOption"] = [{"valueCoding": _coding(field, option.value)} for option in field.options]
    if field.show_when is not None:
        item["enableWhen"] = [_enable_when(field.show_when, schema)]
    if field.prefill is not None:
        extensions.append({"url": PREFILL_EXTENSION, "valueCode": str(field.prefill)})
    if field.type == FieldType.SIGNATURE:
        extensions.append({"url": SIGNATURE_EXTENSION, "valueBoolean": True})
    if field.help and field.type == FieldType.HEADING:
        extensions.append({"url": HELP_EXTENSION, "valueString": field.help})
    elif field.help:
        item["item"] = [
            {
                # A key holds no dot, so this linkId is never another field's.
                "linkId": f"{field.key}.help",
                "text": field.help,
                "type": "display",
                "extension": [
                    {
                        "url": ITEM_CONTROL,
                        "valueCodeableConcept": {
                            "coding": [{"system": ITEM_CONTROL_SYSTEM, "code": "help", "display": "Help-Button"}],
                            "text": "Help-Button",
                        },
                    }
                ],
            }
        ]
    if extensions:
        item["extension"] = extensions
    return item


def _enable_when(condition: Condition, schema: Schema) -> dict[str, Any]:
    """The condition with its answer typed as the question it looks at (FHIR compares like with like)."""
    when: dict[str, Any] = {"question": condition.field, "operator": "="}
    target = schema.field(condition.field)
    kind = target.type if target is not None else FieldType.SHORT_TEXT
    equals = condition.equals
    if kind == FieldType.YES_NO:
        when["answerBoolean"] = equals == "yes"
    elif kind.has_options and target is not None:
        when["answerCoding"] = _coding(target, equals)
    elif kind == FieldType.DATE and _is_date(equals):
        when["answerDate"] = equals
    elif kind == FieldType.NUMBER and _PLAIN_DECIMAL.match(equals) and len(equals.strip("-0.")) <= _DOUBLE_DIGITS:
        when["answerDecimal"] = Decimal(equals)
    else:
        # Text, or a date or number condition Haven compares as typed.
        when["answerString"] = equals
    return when


def _total_key(measure: Measure, schema: Schema) -> str:
    key = f"{measure.code}_total"
    if schema.field(key) is not None:
        raise SchemaError(
            _("“%(key)s” holds the %(measure)s total score: give the field of that key another key.")
            % {"key": key, "measure": measure.name}
        )
    return key


def _total_text(measure: Measure) -> str:
    return _("%(measure)s total score") % {"measure": measure.name}


# Import: a Questionnaire read into a form.


@dataclass(frozen=True)
class _Question:
    """One item as read, before its linkId is made a field key."""

    link_id: str
    type: FieldType
    label: str
    help: str = ""
    required: bool = False
    options: tuple[Option, ...] = ()
    prefill: Prefill | None = None
    depends_on: tuple[str, str] | None = None  # (the linkId of the question, the answer it must have)
    code: str = ""


def schema_from_questionnaire(data: Mapping[str, Any] | str | bytes) -> tuple[str, Schema, str]:
    """The title, fields and measure (a ``MeasureCode`` value, or "") of a FHIR R4 Questionnaire.

    ``data`` is the Questionnaire as JSON text or as parsed JSON. Raises SchemaError, in words for staff,
    for anything that is not a valid Questionnaire and for any item Haven can't ask as it is meant
    (an unknown item type, a repeating question, a condition other than "equals", …): nothing is dropped
    silently. A linkId that is not a field key (``/44250-9``, say) is made into one. The total of a
    scored measure is left out: Haven works it out from the answers.
    """
    resource = _parsed(data)
    title = str(resource.get("title") or resource.get("name") or "").strip()
    if not title:
        raise SchemaError(_("This questionnaire has no title: give it one before importing it."))
    _refuse_modifiers(resource, title)
    claimed = _extension_value(resource, MEASURE_EXTENSION, "valueCode")
    measure: Measure | None = None
    if claimed:
        try:
            measure = MEASURES[MeasureCode(claimed)]
        except ValueError:
            raise SchemaError(
                _("This questionnaire is marked as the measure “%(measure)s”, which Haven does not score.")
                % {"measure": claimed}
            ) from None
    else:
        panels = {coding.get("code") for coding in resource.get("code", ()) if coding.get("system") == LOINC}
        measure = next((m for m in MEASURES.values() if m.loinc_panel in panels), None)
    totals = {m.loinc_total for m in MEASURES.values()}
    questions: list[_Question] = []
    try:
        _read_items(resource.get("item", ()), questions, totals)
    except RecursionError:
        raise SchemaError(_("This questionnaire nests its items too deeply to be read.")) from None
    if not any(question.type.holds_answer for question in questions):
        raise SchemaError(_("This questionnaire asks no questions."))
    schema = _schema(questions)
    if measure is not None and not _scorable(schema, measure):
        if claimed:
            raise SchemaError(
                _("This questionnaire is marked as %(measure)s, but its questions can't be scored as %(measure)s.")
                % {"measure": measure.name}
            )
        measure = None  # coded with the panel but not asked as Haven scores it: an unscored form
    return title, schema, str(measure.code) if measure is not None else ""


def _parsed(data: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """The Questionnaire checked as FHIR, as plain JSON data."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as error:
            raise SchemaError(
                _("This file is not valid JSON (line %(line)d, column %(column)d).")
                % {"line": error.lineno, "column": error.colno}
            ) from None
        except (ValueError, RecursionError):
            raise SchemaError(_("This file is not valid JSON: it is not text Haven can read.")) from None
    if not isinstance(data, Mapping):
        raise SchemaError(_("This file does not hold a FHIR Questionnaire."))
    kind = data.get("resourceType")
    if kind != "Questionnaire":
        if isinstance(kind, str) and kind:
            raise SchemaError(_("This is a FHIR %(kind)s, not a Questionnaire.") % {"kind": kind})
        raise SchemaError(_("This file does not hold a FHIR Questionnaire."))
    try:
        model = Questionnaire.model_validate(dict(data))
    except ValidationError as error:
        raise SchemaError(
            _("This is not a valid FHIR Questionnaire: %(problems)s") % {"problems": _problems(error)}
        ) from None
    except RecursionError:
        raise SchemaError(_("This questionnaire nests its items too deeply to be read.")) from None
    try:
        return model.model_dump(mode="json", exclude_none=True, exclude_comments=True)
    except (PydanticSerializationError, RecursionError):
        raise SchemaError(_("This questionnaire nests its items too deeply to be read.")) from None


def _read_items(items: Iterable[Mapping[str, Any]], questions: list[_Question], totals: set[str]) -> None:
    for item in items:
        link_id: str = item["linkId"]
        kind: str = item["type"]
        name = str(item.get("text") or link_id)
        _refuse_modifiers(item, name)
        codes = [coding.get("code", "") for coding in item.get("code", ()) if coding.get("system") == LOINC]
        if kind != "group" and totals.intersection(codes):
            continue  # a measure's total score: Haven works it out
        children = item.get("item", ())
        helps = [child for child in children if _is_help(child)]
        inner = [child for child in children if not _is_help(child)]
        help_text = "\n".join(str(child.get("text", "")) for child in helps)
        help_text = help_text or _extension_value(item, HELP_EXTENSION, "valueString")
        if kind == "group":
            if item.get("enableWhen"):
                raise SchemaError(
                    _("The group “%(name)s” is shown only on a condition: Haven forms can't hide a whole group.")
                    % {"name": name}
                )
            if item.get("repeats"):
                raise SchemaError(
                    _("The group “%(name)s” can be answered more than once, which Haven forms can't do.")
                    % {"name": name}
                )
            if item.get("text"):
                questions.append(_Question(link_id, FieldType.HEADING, str(item["text"]), help=help_text))
            _read_items(inner, questions, totals)
            continue
        if inner:
            raise SchemaError(
                _("“%(name)s” holds other questions inside it, which Haven forms can't do.") % {"name": name}
            )
        if item.get("readOnly") and kind != "display":
            raise SchemaError(
                _("“%(name)s” is filled in by the questionnaire itself, which Haven forms can't do.") % {"name": name}
            )
        field_type = _field_type(item, kind, name)
        if item.get("repeats") and field_type != FieldType.MULTIPLE_CHOICE:
            raise SchemaError(
                _("“%(name)s” can be answered more than once, which Haven forms can't do.") % {"name": name}
            )
        if not str(item.get("text", "")).strip():
            raise SchemaError(_("The item “%(name)s” has no question or heading text.") % {"name": link_id})
        prefill = _extension_value(item, PREFILL_EXTENSION, "valueCode")
        try:
            prefilled = Prefill(prefill) if prefill else None
        except ValueError:
            raise SchemaError(
                _("“%(name)s” is pre-filled from “%(prefill)s”, which Haven does not know.")
                % {"name": name, "prefill": prefill}
            ) from None
        questions.append(
            _Question(
                link_id,
                field_type,
                str(item["text"]),
                help=help_text,
                required=bool(item.get("required")) and field_type.holds_answer,
                options=tuple(_option(option, name) for option in item.get("answerOption", ())),
                prefill=prefilled,
                depends_on=_depends_on(item.get("enableWhen", ()), name),
                code=codes[0] if codes else "",
            )
        )


def _field_type(item: Mapping[str, Any], kind: str, name: str) -> FieldType:
    if kind == "attachment":
        if _extension_value(item, SIGNATURE_EXTENSION, "valueBoolean") is True:
            return FieldType.SIGNATURE
        raise SchemaError(
            _("“%(name)s” asks for a file to be attached: Haven forms take signatures, not files.") % {"name": name}
        )
    if item.get("answerValueSet") and not item.get("answerOption"):
        raise SchemaError(
            _("The answers to “%(name)s” are in a value set Haven can't read: list them in the questionnaire.")
            % {"name": name}
        )
    if kind == "choice" or (item.get("answerOption") and kind in ("string", "integer", "date")):
        return FieldType.MULTIPLE_CHOICE if item.get("repeats") else FieldType.SINGLE_CHOICE
    if kind in _FIELD_TYPES:
        return _FIELD_TYPES[kind]
    raise SchemaError(
        _("“%(name)s” is a question of the type “%(kind)s”, which Haven forms don't have.")
        % {"name": name, "kind": kind}
    )


def _option(option: Mapping[str, Any], name: str) -> Option:
    if "valueCoding" in option:
        coding = option["valueCoding"]
        if not coding.get("code"):
            raise SchemaError(_("A choice of “%(name)s” has no code.") % {"name": name})
        return Option(str(coding["code"]), str(coding.get("display") or coding["code"]))
    for key in ("valueString", "valueInteger", "valueDate"):
        if key in option:
            return Option(str(option[key]), str(option[key]))
    raise SchemaError(_("A choice of “%(name)s” is of a kind Haven forms can't offer.") % {"name": name})


def _depends_on(conditions: Sequence[Mapping[str, Any]], name: str) -> tuple[str, str] | None:
    if not conditions:
        return None
    if len(conditions) > 1:
        raise SchemaError(
            _("“%(name)s” is shown on more than one condition: Haven forms show a question on one condition only.")
            % {"name": name}
        )
    condition = conditions[0]
    if condition["operator"] != "=":
        raise SchemaError(
            _("“%(name)s” is shown when an answer is “%(operator)s” another: Haven forms can only compare for equals.")
            % {"name": name, "operator": condition["operator"]}
        )
    question = str(condition["question"])
    if "answerBoolean" in condition:
        return question, "yes" if condition["answerBoolean"] else "no"
    if "answerCoding" in condition:
        return question, str(condition["answerCoding"].get("code", ""))
    if "answerDecimal" in condition:
        return question, _decimal_text(condition["answerDecimal"])
    for key in ("answerString", "answerInteger", "answerDate", "answerDateTime", "answerTime"):
        if key in condition:
            return question, str(condition[key])
    raise SchemaError(_("“%(name)s” is shown on a kind of answer Haven forms can't compare.") % {"name": name})


def _schema(questions: Sequence[_Question]) -> Schema:
    """The fields, each linkId made a key (kept as it is when it already is one)."""
    taken = {question.link_id for question in questions if _KEY.match(question.link_id)}
    key_of: dict[str, str] = {}
    for question in questions:
        if question.link_id in key_of:
            continue
        if _KEY.match(question.link_id):
            key_of[question.link_id] = question.link_id
            continue
        base = re.sub(r"[^a-z0-9]+", "_", question.link_id.lower()).strip("_")
        if not base[:1].isalpha():
            base = f"q_{base}".rstrip("_")
        base = base[:56]
        key, number = base, 1
        while key in taken:
            number += 1
            key = f"{base}_{number}"
        taken.add(key)
        key_of[question.link_id] = key
    return Schema(
        tuple(
            Field(
                key=key_of[question.link_id],
                type=question.type,
                label=question.label,
                help=question.help,
                required=question.required,
                options=question.options,
                prefill=question.prefill,
                show_when=(
                    Condition(key_of.get(question.depends_on[0], question.depends_on[0]), question.depends_on[1])
                    if question.depends_on is not None
                    else None
                ),
                code=question.code,
            )
            for question in questions
        )
    )


def _scorable(schema: Schema, measure: Measure) -> bool:
    """Whether every scored item is asked as the measure scores it: one of the answers 0 to 3."""
    for key in measure.items:
        field = schema.field(key)
        if field is None or field.type != FieldType.SINGLE_CHOICE:
            return False
        if {option.value for option in field.options} != {"0", "1", "2", "3"}:
            return False
    return True


def _is_help(item: Mapping[str, Any]) -> bool:
    if item.get("type") != "display":
        return False
    for extension in item.get("extension", ()):
        if extension.get("url") == ITEM_CONTROL:
            codings = extension.get("valueCodeableConcept", {}).get("coding", ())
            if any(coding.get("code") == "help" for coding in codings):
                return True
    return False


def _extension_value(element: Mapping[str, Any], url: str, kind: str) -> Any:
    return next((e.get(kind) for e in element.get("extension", ()) if e.get("url") == url), "")


def _refuse_modifiers(element: Mapping[str, Any], name: str) -> None:
    """FHIR forbids ignoring a modifier extension: it may change what the element means."""
    if element.get("modifierExtension"):
        raise SchemaError(_("“%(name)s” carries a modifier extension that Haven does not understand.") % {"name": name})


def _decimal_text(value: Any) -> str:
    number = Decimal(str(value))
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _is_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


# Export: a form's answers as a QuestionnaireResponse.


def questionnaire_response_json(
    *,
    questionnaire_url: str,
    schema: Schema,
    answers: Mapping[str, Any],
    status: str,
    authored: datetime.datetime | None,
    subject_display: str = "",
    measure: str = "",
) -> dict[str, Any]:
    """The answers as a FHIR R4 QuestionnaireResponse to the questionnaire at ``questionnaire_url``.

    ``status`` is one of ``RESPONSE_STATUSES``; ``authored`` must be aware. Each answer is typed as its
    question: ``valueString``, ``valueDate``, ``valueDecimal``, ``valueCoding``, ``valueBoolean``, and a
    signature's PNG as ``valueAttachment``. Answers to questions hidden by their condition are left out, as
    FHIR requires. While a form is in progress an answer may not yet read as its type (a date typed as
    "14/3"): it goes as ``valueString``. For a scored ``measure`` with every item answered, the item
    ``<measure>_total`` carries the total (``valueInteger``), its ``definition`` the LOINC total's URI.
    """
    if status not in RESPONSE_STATUSES:
        raise ValueError(f"A QuestionnaireResponse's status is one of {', '.join(RESPONSE_STATUSES)}, not {status!r}.")
    if authored is not None and authored.utcoffset() is None:
        raise ValueError("authored must be an aware datetime.")
    resource: dict[str, Any] = {"resourceType": "QuestionnaireResponse", "status": status}
    if questionnaire_url:
        resource["questionnaire"] = questionnaire_url
    if subject_display.strip():
        resource["subject"] = {"display": subject_display.strip()}
    if authored is not None:
        resource["authored"] = authored
    items: list[dict[str, Any]] = []
    for field in schema.visible(answers):
        if not field.type.holds_answer or field.key not in answers:
            continue
        values = _answer_values(field, answers[field.key])
        if values:
            items.append({"linkId": field.key, "text": field.label, "answer": values})
    if measure:
        scored = MEASURES[MeasureCode(measure)]
        result = score(scored.code, answers)
        if result.total is not None:
            items.append(
                {
                    "linkId": _total_key(scored, schema),
                    "definition": LOINC_URI + scored.loinc_total,
                    "text": _total_text(scored),
                    "answer": [{"valueInteger": result.total}],
                }
            )
    if items:
        resource["item"] = items
    return _checked(
        QuestionnaireResponse,
        resource,
        _("These answers can't be written as a FHIR QuestionnaireResponse: %(problems)s"),
    )


def _answer_values(field: Field, value: Any) -> list[dict[str, Any]]:
    match field.type:
        case FieldType.MULTIPLE_CHOICE:
            chosen = value if isinstance(value, list) else []
            return [{"valueCoding": _coding(field, str(v))} for v in chosen if str(v)]
        case FieldType.SIGNATURE:
            return _signature(value)
        case _:
            pass
    if not isinstance(value, str) or not value.strip():
        return []
    match field.type:
        case FieldType.SINGLE_CHOICE:
            return [{"valueCoding": _coding(field, value)}]
        case FieldType.YES_NO:
            return [{"valueBoolean": value == "yes"}] if value in ("yes", "no") else []
        case FieldType.DATE if _is_date(value.strip()):
            return [{"valueDate": value.strip()}]
        case FieldType.NUMBER:
            number = _number(value)
            if number is not None:
                return [{"valueDecimal": number}]
    return [{"valueString": value}]


def _coding(field: Field, value: str) -> dict[str, str]:
    label = field.label_of(value)
    return {"code": value, "display": label} if label else {"code": value}


def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _signature(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, Mapping):
        return []
    image = value.get("image")
    if not isinstance(image, str) or not image.startswith("data:image/png;base64,"):
        return []
    attachment: dict[str, Any] = {"contentType": "image/png", "data": image.partition(",")[2]}
    try:
        signed_at = datetime.datetime.fromisoformat(str(value.get("signed_at", "")))
    except ValueError:
        signed_at = None
    if signed_at is not None and signed_at.utcoffset() is not None:
        attachment["creation"] = signed_at
    return [{"valueAttachment": attachment}]


# Checking with fhir.resources.


def _checked(model: type[BaseModel], resource: dict[str, Any], message: str) -> dict[str, Any]:
    """The resource as fhir.resources reads and writes it back: valid FHIR, as JSON-ready data."""
    try:
        checked = model.model_validate(resource)
    except ValidationError as error:
        raise SchemaError(message % {"problems": _problems(error)}) from None
    return checked.model_dump(mode="json", exclude_none=True)


def _problems(error: ValidationError) -> str:
    """The first few problems, each where it is (``item 3, answerOption 1``) and what is wrong."""
    problems = []
    for problem in error.errors()[:_MAX_PROBLEMS]:
        where = ", ".join(
            f"{part} {index + 1}" if isinstance(index, int) else str(part) for part, index in _pairs(problem["loc"])
        )
        problems.append(f"{where}: {problem['msg']}" if where else str(problem["msg"]))
    more = len(error.errors()) - _MAX_PROBLEMS
    if more > 0:
        problems.append(_("and %(count)d more") % {"count": more})
    return "; ".join(problems)


def _pairs(location: Sequence[int | str]) -> list[tuple[str, int | None]]:
    """``("item", 2, "linkId")`` as ``[("item", 2), ("linkId", None)]``."""
    pairs: list[tuple[str, int | None]] = []
    for part in location:
        if isinstance(part, int) and pairs and pairs[-1][1] is None:
            pairs[-1] = (pairs[-1][0], part)
        else:
            pairs.append((str(part), None))
    return pairs
