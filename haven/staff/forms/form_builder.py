"""The form builder's state between requests (FORM-1): the form's details, its fields as rows, the one open for
editing, the field being added, and what stops it being saved.

The builder works without script: every button sends the whole page back. Each field travels as one hidden value
(``Row``) and the one open for editing as the inputs of ``FieldEditorForm``, so whatever was typed, even a
definition that can't be saved yet, comes back as it was typed. Rules are checked by the form's own ``Schema``
(``haven.intake.fields``), field by field, so each problem shows next to its field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext as _

from haven.intake.fields import MAX_FIELDS, Field, FieldType, Schema, SchemaError
from haven.intake.library import key_for
from haven.intake.models import IntakeForm
from haven.staff.forms.intake_forms import (
    EDITOR_PREFIX,
    NEW_PREFIX,
    FieldEditorForm,
    FormDetailsForm,
    NewFieldForm,
    Row,
    condition_words,
    short,
)


@dataclass
class Item:
    """One row as the page shows it."""

    index: int
    row: Row
    number: int | None  # questions are numbered as the person will see them
    condition: str
    error: str
    is_open: bool


_OPERATION = re.compile(r"^(save|publish|add|close|open|up|down|remove)(?:-(\d{1,4}))?$")


@dataclass
class Operation:
    """What a button of the builder asks for: ``save``, ``publish``, ``add``, ``close``, or ``open``, ``up``,
    ``down`` and ``remove`` with the index of a field; anything else is ``refresh`` (the page shown again)."""

    name: str
    index: int | None = None

    @classmethod
    def parse(cls, value: str) -> Operation:
        match = _OPERATION.match(value or "")
        if match is None:
            return cls("refresh")  # the page shown again as sent, nothing saved
        return cls(match[1], int(match[2]) if match[2] is not None else None)


@dataclass
class Builder:
    """A form being built: its details, its rows, the one open for editing, the field being added, and problems."""

    form: IntakeForm
    details: FormDetailsForm
    rows: list[Row]
    open: int | None = None
    editor: FieldEditorForm | None = None
    new_field: NewFieldForm = field(default_factory=lambda: NewFieldForm(prefix=NEW_PREFIX))
    row_errors: dict[int, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    based_on: str = ""

    @classmethod
    def of(cls, form: IntakeForm, *, based_on: str) -> Builder:
        """The form as saved."""
        details = FormDetailsForm(initial={"title": form.title, "description": form.description})
        return cls(form, details, [Row.of(item) for item in form.draft_schema.fields], based_on=based_on)

    @classmethod
    def posted(cls, form: IntakeForm, data: Mapping[str, Any]) -> Builder:
        """The builder as the page sent it back, the open field's edits not yet applied (``apply_editor``)."""
        try:
            count = min(int(data.get("count", 0)), MAX_FIELDS + 1)
        except (TypeError, ValueError):
            count = 0
        rows = [row for i in range(count) if (row := Row.from_hidden(str(data.get(f"row-{i}", "")))) is not None]
        builder = cls(
            form,
            FormDetailsForm(data),
            rows,
            new_field=NewFieldForm(data, prefix=NEW_PREFIX),
            based_on=str(data.get("based_on", "")),
        )
        try:
            index = int(data.get("open", ""))
        except (TypeError, ValueError):
            index = -1
        if 0 <= index < len(rows):
            builder.open = index
            builder.editor = FieldEditorForm(data, prefix=EDITOR_PREFIX, row=rows[index], earlier=rows[:index])
        return builder

    # Changes, as the buttons ask for them.

    def apply_editor(self) -> bool:
        """Take what was typed into the open field; False (the editor showing why) when it can't be taken."""
        if self.open is None or self.editor is None:
            return True
        if not self.editor.is_valid():
            return False
        self.rows[self.open] = self.editor.applied()
        self._follow_labels()
        return True

    def open_row(self, index: int | None) -> None:
        """Open one field for editing (None: close it); its editor starts from the row as it now is."""
        if index is not None and not 0 <= index < len(self.rows):
            index = None
        self.open = index
        self.editor = (
            None
            if index is None
            else FieldEditorForm(prefix=EDITOR_PREFIX, row=self.rows[index], earlier=self.rows[:index])
        )

    def add(self) -> bool:
        """Add the new field at the end, open for editing; False (with the reason by its input) if it can't be."""
        if not self.new_field.is_valid():
            return False
        label = self.new_field.cleaned_data["label"].strip()
        if not label:
            self.new_field.add_error("label", _("Type the question (or the heading) first."))
            return False
        if len(self.rows) >= MAX_FIELDS:
            self.new_field.add_error("label", _("A form can have at most %(count)d fields.") % {"count": MAX_FIELDS})
            return False
        kind = FieldType(self.new_field.cleaned_data["type"])
        taken = {row.key for row in self.rows}
        self.rows.append(Row(key=key_for(label, taken), type=kind.value, label=label, new=True))
        self.new_field = NewFieldForm(prefix=NEW_PREFIX)
        self.open_row(len(self.rows) - 1)
        return True

    def focus_editor(self) -> None:
        """The open field's question takes the keyboard's focus when the page loads."""
        if self.editor is not None:
            self.editor.fields["label"].widget.attrs["autofocus"] = True

    def add_pending(self) -> bool:
        """Saving with a question typed in "Add a field" adds it first, so nothing typed is left behind."""
        if self.new_field.is_bound and str(self.new_field["label"].value() or "").strip():
            return self.add()
        return True

    def move(self, index: int, step: int) -> None:
        target = index + step
        if 0 <= index < len(self.rows) and 0 <= target < len(self.rows):
            self.rows[index], self.rows[target] = self.rows[target], self.rows[index]
            if self.open in (index, target):
                self.open_row(target if self.open == index else index)

    def remove(self, index: int) -> list[str]:
        """Remove a field; the fields shown only after one of its answers are shown always from now on.

        Returns those fields' questions, for the page to say so.
        """
        if not 0 <= index < len(self.rows):
            return []
        removed = self.rows.pop(index)
        freed = []
        for position, row in enumerate(self.rows):
            if row.show_when is not None and row.show_when[0] == removed.key:
                self.rows[position] = replace(row, show_when=None)
                freed.append(short(row.label) or row.key)
        if self.open is not None:
            self.open_row(None if self.open == index else self.open - (self.open > index))
        return freed

    def _follow_labels(self) -> None:
        """A field never saved takes its key from its question as it now reads; what pointed at it follows."""
        taken = {row.key for row in self.rows if not row.new}
        renamed: dict[str, str] = {}
        for position, row in enumerate(self.rows):
            if not row.new:
                continue
            key = key_for(row.label, taken)
            taken.add(key)
            if key != row.key:
                renamed[row.key] = key
                self.rows[position] = replace(row, key=key)
        if renamed:
            for position, row in enumerate(self.rows):
                if row.show_when is not None and row.show_when[0] in renamed:
                    self.rows[position] = replace(row, show_when=(renamed[row.show_when[0]], row.show_when[1]))

    # What would be saved, and what stops it.

    def fields_json(self) -> list[dict[str, Any]]:
        return [row.to_json() for row in self.rows]

    def check(self) -> bool:
        """Whether the form can be saved as it stands; if not, each problem is kept by its field or at the top."""
        self.row_errors = {}
        self.errors = []
        details_ok = self.details.is_valid()
        try:
            Schema.from_json(self.fields_json())
        except SchemaError:
            self._find_problems()
        if self.row_errors and self.open is None:
            self.open_row(min(self.row_errors))
        return details_ok and not self.errors and not self.row_errors

    def _find_problems(self) -> None:
        """Each field's problem: the field checked after the earlier fields that can be saved."""
        checked: list[Field] = []
        for index, row in enumerate(self.rows):
            try:
                item = Field.from_json(row.to_json())
                Schema((*checked, item))
            except SchemaError as error:
                self.row_errors[index] = str(error)
            else:
                checked.append(item)
        if not self.row_errors:  # a rule of the whole form, not of one field
            try:
                Schema.from_json(self.fields_json())
            except SchemaError as error:
                self.errors.append(str(error))

    def changed_from(self, form: IntakeForm) -> bool:
        """Whether the page holds anything the saved draft does not."""
        title = self.details["title"].value() or ""
        description = self.details["description"].value() or ""
        return (
            " ".join(str(title).split()) != form.title
            or str(description).strip() != form.description
            or self.fields_json() != form.draft_fields
        )

    # What the page shows.

    def items(self) -> Iterator[Item]:
        by_key = {row.key: row for row in self.rows}
        number = 0
        for index, row in enumerate(self.rows):
            question = row.type in FieldType and row.field_type.holds_answer and row.type != FieldType.SIGNATURE
            if question:
                number += 1
            yield Item(
                index=index,
                row=row,
                number=number if question else None,
                condition=condition_words(row.show_when, by_key) if row.show_when else "",
                error=self.row_errors.get(index, ""),
                is_open=index == self.open,
            )

    def error_summary(self) -> list[tuple[str, str]]:
        """Every problem for the summary at the top: (message, id of the place it links to, or "")."""
        summary = [(message, "") for message in self.errors]
        summary += self.details.error_summary() if self.details.is_bound else []
        if self.editor is not None and self.editor.is_bound:
            summary += self.editor.error_summary()
        summary += self.new_field.error_summary() if self.new_field.is_bound else []
        for index, message in sorted(self.row_errors.items()):
            summary.append((message, f"field-{index}"))
        return summary
