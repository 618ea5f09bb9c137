"""The Forms library and builder (FORM-1, FORM-2): a form's title and description, the field being edited
(``FieldEditorForm``, over a ``Row``: one field as the builder holds it between requests), a new field, and a
FHIR Questionnaire to import. The builder's state as a whole is ``haven.staff.forms.form_builder.Builder``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat, truncatechars
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.core.forms import HavenForm
from haven.intake.fields import FIELD_TYPE_LABELS, PREFILL_LABELS, Field, FieldType, Option, Prefill
from haven.intake.library import options_from_labels
from haven.intake.models import FormKind

TEXT_LIMIT = 5_000  # a question or a statement, a help text
IMPORT_LIMIT = 2_000_000  # a Questionnaire of the largest form Haven holds is far smaller
PREFILLABLE = frozenset({FieldType.SHORT_TEXT, FieldType.PARAGRAPH, FieldType.DATE})
CONDITION_TARGETS = frozenset({FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE, FieldType.YES_NO})
TYPE_CHOICES = [(kind.value, FIELD_TYPE_LABELS[kind]) for kind in FieldType]
EDITOR_PREFIX = "edit"
NEW_PREFIX = "new"


class FormDetailsForm(HavenForm):
    """A form's title and description, as the library lists them."""

    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        error_messages={"required": gettext_lazy("Give the form a title.")},
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=400,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Shown to staff in the Forms library, not to clients."),
    )


class NewFormForm(FormDetailsForm):
    """A new intake or dynamic form: its kind, title and description; the fields come next, in the builder."""

    kind = forms.ChoiceField(choices=FormKind.choices, widget=forms.HiddenInput)


class FieldEditorForm(HavenForm):
    """The field open in the builder (``row``, a new short text by default); its ``show_when`` offers the answers
    of the earlier questions with choices (``earlier``). The builder gives it the prefix ``EDITOR_PREFIX``."""

    type = forms.ChoiceField(
        label=gettext_lazy("Type of field"), choices=TYPE_CHOICES, widget=forms.Select(attrs={"data-field-type": ""})
    )
    label = forms.CharField(
        label=gettext_lazy("Question"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    help = forms.CharField(
        label=gettext_lazy("Help text"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Shown under the question, in smaller words."),
    )
    required = forms.BooleanField(label=gettext_lazy("An answer is required"), required=False)
    choices = forms.CharField(
        label=gettext_lazy("Choices"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One choice per line, in the order shown."),
    )
    prefill = forms.ChoiceField(
        label=gettext_lazy("Pre-fill from the chart"),
        required=False,
        choices=[("", gettext_lazy("Nothing: the person types it")), *((p.value, PREFILL_LABELS[p]) for p in Prefill)],
        help_text=gettext_lazy("The answer starts with what the chart holds; the person can change it."),
    )
    show_when = forms.ChoiceField(label=gettext_lazy("Show this field only when"), required=False, choices=())

    def __init__(self, *args: Any, row: Row | None = None, earlier: Sequence[Row] = (), **kwargs: Any) -> None:
        row = row if row is not None else Row(key="", type=FieldType.SHORT_TEXT.value, new=True)
        kwargs.setdefault("initial", row.editor_initial())
        self.row = row
        super().__init__(*args, **kwargs)
        label_field = self.fields["label"]
        if self.kind == FieldType.HEADING:
            label_field.label = _("Heading or statement")
            label_field.help_text = _("A section's title, or words to read, such as a consent's policy.")
        elif self.kind == FieldType.SIGNATURE:
            label_field.label = _("Label")
        choices = [("", _("Always show this field")), *condition_choices(earlier, row)]
        self.fields["show_when"].choices = choices  # type: ignore[attr-defined]

    # Which types of field use each part of the editor (the page shows only those of the chosen type).
    types_with_choices = " ".join(kind.value for kind in FieldType if kind.has_options)
    types_with_required = " ".join(kind.value for kind in FieldType if kind.holds_answer)
    types_with_prefill = " ".join(kind.value for kind in FieldType if kind in PREFILLABLE)

    @property
    def kind(self) -> FieldType:
        """The type of field chosen (as sent, when it is one), else the row's."""
        value = self["type"].value()
        return FieldType(value) if value in FieldType else self.row.field_type

    @property
    def shows_choices(self) -> bool:
        return self.kind.has_options

    @property
    def shows_prefill(self) -> bool:
        return self.kind in PREFILLABLE

    @property
    def shows_required(self) -> bool:
        return self.kind.holds_answer

    @property
    def offers_conditions(self) -> bool:
        return len(self.fields["show_when"].choices) > 1  # type: ignore[attr-defined]

    def applied(self) -> Row:
        """The open row with what was typed into the editor (``is_valid`` first)."""
        data = self.cleaned_data
        kind = FieldType(data["type"])
        options: tuple[Option, ...] = ()
        if kind.has_options:
            options = options_from_labels(data["choices"].splitlines(), self.row.options)
        condition = condition_of(data.get("show_when") or "")
        return replace(
            self.row,
            type=kind.value,
            label=data["label"].strip(),
            help=data["help"].strip(),
            required=bool(data["required"]) and kind.holds_answer,
            options=options,
            prefill=data["prefill"] if kind in PREFILLABLE else "",
            show_when=condition,
        )


class NewFieldForm(HavenForm):
    """Add a field: its type and its question; the rest is set in the editor that opens (prefix ``NEW_PREFIX``)."""

    type = forms.ChoiceField(label=gettext_lazy("Type of field"), choices=TYPE_CHOICES, initial=FieldType.SHORT_TEXT)
    label = forms.CharField(
        label=gettext_lazy("Question or heading"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class ImportForm(HavenForm):
    """Import (FHIR): a Questionnaire as a JSON file, read up to a size limit; ``cleaned_data["file"]`` is bytes."""

    file = forms.FileField(
        label=gettext_lazy("FHIR Questionnaire (JSON file)"),
        help_text=gettext_lazy("It becomes a new intake form, as a draft, for you to check and publish."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/json,application/fhir+json,.json"}),
        error_messages={
            "required": gettext_lazy("Choose the Questionnaire's JSON file."),
            "empty": gettext_lazy("That file is empty. Choose the Questionnaire's JSON file again."),
        },
    )

    def clean_file(self) -> bytes:
        limit = min(IMPORT_LIMIT, settings.HAVEN_MAX_UPLOAD_BYTES)
        data: bytes = self.cleaned_data["file"].read(limit + 1)
        if len(data) > limit:
            raise forms.ValidationError(
                _("That file is larger than %(size)s: it can't be a form's Questionnaire.")
                % {"size": filesizeformat(limit)}
            )
        return data


# --- One field as the builder holds it -----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One field as the builder holds it: maybe not finished yet, so no rule is checked here.

    ``new``: never saved, so its key still follows its question (nobody types a key).
    """

    key: str
    type: str
    label: str = ""
    help: str = ""
    required: bool = False
    options: tuple[Option, ...] = ()
    prefill: str = ""
    show_when: tuple[str, str] | None = None
    code: str = ""
    new: bool = False

    @classmethod
    def of(cls, item: Field) -> Row:
        return cls(
            key=item.key,
            type=item.type.value,
            label=item.label,
            help=item.help,
            required=item.required,
            options=item.options,
            prefill=item.prefill.value if item.prefill else "",
            show_when=(item.show_when.field, item.show_when.equals) if item.show_when else None,
            code=item.code,
        )

    @classmethod
    def from_hidden(cls, text: str) -> Row | None:
        """The row a page sent back, or None when it can't be read (the page was not one of Haven's)."""
        try:
            data = json.loads(text)
            condition = data.get("show_when")
            return cls(
                key=str(data["key"]),
                type=str(data["type"]),
                label=str(data.get("label", "")),
                help=str(data.get("help", "")),
                required=bool(data.get("required", False)),
                options=tuple(Option(str(value), str(label)) for value, label in data.get("options", ())),
                prefill=str(data.get("prefill", "")),
                show_when=(str(condition[0]), str(condition[1])) if condition else None,
                code=str(data.get("code", "")),
                new=bool(data.get("new", False)),
            )
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return None

    def to_hidden(self) -> str:
        data: dict[str, Any] = {"key": self.key, "type": self.type, "label": self.label}
        if self.help:
            data["help"] = self.help
        if self.required:
            data["required"] = True
        if self.options:
            data["options"] = [[option.value, option.label] for option in self.options]
        if self.prefill:
            data["prefill"] = self.prefill
        if self.show_when:
            data["show_when"] = list(self.show_when)
        if self.code:
            data["code"] = self.code
        if self.new:
            data["new"] = True
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    def to_json(self) -> dict[str, Any]:
        """The row in the shape of ``Field.to_json``, for the form's ``Schema`` to check."""
        data: dict[str, Any] = {"key": self.key, "type": self.type, "label": self.label}
        if self.help:
            data["help"] = self.help
        if self.required:
            data["required"] = True
        if self.options:
            data["options"] = [{"value": option.value, "label": option.label} for option in self.options]
        if self.prefill:
            data["prefill"] = self.prefill
        if self.show_when:
            data["show_when"] = {"field": self.show_when[0], "equals": self.show_when[1]}
        if self.code:
            data["code"] = self.code
        return data

    @property
    def field_type(self) -> FieldType:
        return FieldType(self.type) if self.type in FieldType else FieldType.SHORT_TEXT

    @property
    def type_label(self) -> str:
        return self.field_type.label if self.type in FieldType else self.type

    @property
    def choices(self) -> tuple[Option, ...]:
        """What a person picks from: the row's choices, or Yes and No."""
        if self.type == FieldType.YES_NO:
            return (Option("yes", _("Yes")), Option("no", _("No")))
        return self.options

    @property
    def prefill_label(self) -> str:
        return Prefill(self.prefill).label if self.prefill in Prefill else self.prefill

    def editor_initial(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "label": self.label,
            "help": self.help,
            "required": self.required,
            "choices": "\n".join(option.label for option in self.options),
            "prefill": self.prefill,
            "show_when": f"{self.show_when[0]}={self.show_when[1]}" if self.show_when else "",
        }


def condition_of(value: str) -> tuple[str, str] | None:
    key, separator, equals = value.partition("=")  # a key holds no "=": the first one ends it
    return (key, equals) if separator and key else None


def short(text: str) -> str:
    return truncatechars(" ".join(text.split()), 70)


def condition_choices(earlier: Sequence[Row], row: Row) -> list[tuple[str, str]]:
    """The answers a field can wait for, in words: each answer of every earlier question with choices or yes/no.

    The row's own condition is kept among them even when it names something else (an imported form's), so
    opening a field never changes it.
    """
    by_key = {item.key: item for item in earlier}
    choices: list[tuple[str, str]] = []
    for item in earlier:
        if item.type in FieldType and item.field_type in CONDITION_TARGETS:
            choices += [
                (f"{item.key}={option.value}", condition_words((item.key, option.value), by_key, short_form=True))
                for option in item.choices
            ]
    if row.show_when is not None:
        value = f"{row.show_when[0]}={row.show_when[1]}"
        if value not in {choice for choice, _words in choices}:
            choices.append((value, condition_words(row.show_when, by_key, short_form=True)))
    return choices


def condition_words(condition: tuple[str, str], rows: Mapping[str, Row], *, short_form: bool = False) -> str:
    """A condition in words, naming the question and the answer: "Shown only when “Smoke?” is “Yes”", or in
    ``short_form`` (a choice of the editor) "“Smoke?” is “Yes”"."""
    target = rows.get(condition[0])
    if target is None:
        question, answer, includes = condition[0], condition[1], False
    else:
        question = short(target.label) or target.key
        answer = next((o.label for o in target.choices if o.value == condition[1]), condition[1])
        includes = target.type == FieldType.MULTIPLE_CHOICE
    values = {"question": question, "answer": short(answer)}
    if short_form:
        return (_("“%(question)s” includes “%(answer)s”") if includes else _("“%(question)s” is “%(answer)s”")) % values
    if includes:
        return _("Shown only when “%(question)s” includes “%(answer)s”") % values
    return _("Shown only when “%(question)s” is “%(answer)s”") % values
