"""The practice's forms library (FORM-1, FORM-2, FORM-5): what the staff "Forms" pages do beside building.

- ``save_draft`` and ``publish_draft``: the builder's save, refused when someone else saved the form since the
  builder was opened (nothing is silently overwritten), and its publish, the posted draft saved and published
  in one transaction;
- ``import_form``: a FHIR Questionnaire read into a new intake form, as a draft;
- ``print_blank_form`` and ``export_questionnaire``: the published version as a blank PDF to fill in on paper,
  or as a FHIR Questionnaire; both audited;
- ``key_for`` and ``options_from_labels``: the keys and choice values a builder makes from what people type
  (nobody types a key), kept stable once made, so answers and conditions keep pointing at the same thing.

Each write runs in one transaction, asks ``haven.intake.policy`` and writes its audit event.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.audit.actions import record_event
from haven.audit.events import FormExported, FormImported, FormPrinted
from haven.core.bidi import refuse_bidi_controls
from haven.core.errors import ApplicationError, ConflictError
from haven.intake.actions import create_form, publish_form, refuse, save_form
from haven.intake.fhir import questionnaire_json, schema_from_questionnaire
from haven.intake.fields import Option, Schema, SchemaError
from haven.intake.models import FormKind, FormVersion, IntakeForm
from haven.intake.policy import IntakeVerb, may_build, why_not_form
from haven.intake.rendering import render_blank_pdf
from haven.practices.models import StaffMember
from haven.practices.viewers import StaffViewer

__all__ = [
    "STALE_MESSAGE",
    "Download",
    "edition_of",
    "export_questionnaire",
    "import_form",
    "key_for",
    "options_from_labels",
    "print_blank_form",
    "publish_draft",
    "save_draft",
]

STALE_MESSAGE = gettext_lazy(
    "Someone else saved this form while you were editing it. Your changes are still here: check them, "
    "then save again to keep them."
)
NOT_PUBLISHED = gettext_lazy("This form has no published version yet. Publish it first.")


_NOT_WORD = re.compile(r"[^a-z0-9]+")
KEY_LENGTH = 40  # a key made from a label: long enough to read, well under the 63 a key may have


def _words(text: str) -> str:
    """The text as small ASCII letters and digits joined by underscores ("Date of birth?" -> "date_of_birth")."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _NOT_WORD.sub("_", folded).strip("_")


def _unique(stem: str, taken: Collection[str]) -> str:
    if stem not in taken:
        return stem
    number = 2
    while f"{stem}_{number}" in taken:
        number += 1
    return f"{stem}_{number}"


def key_for(label: str, taken: Collection[str]) -> str:
    """A field key made from its label: small letters, digits and underscores, starting with a letter, unique."""
    stem = _words(label)[:KEY_LENGTH].rstrip("_") or "field"
    if not stem[0].isalpha():
        stem = f"q_{stem}"[:KEY_LENGTH]
    return _unique(stem, taken)


def options_from_labels(labels: Sequence[str], known: Sequence[Option]) -> tuple[Option, ...]:
    """Choices from their labels, one per line as typed, each keeping the value it had.

    A label already known keeps its value; a changed label in the place of a known one that is gone keeps that
    one's value (a typo put right); any other label gets a new value made from its words.
    """
    labels = [" ".join(label.split()) for label in labels if label.strip()]
    values: list[str | None] = [None] * len(labels)
    unused = list(known)
    for index, label in enumerate(labels):
        match = next((option for option in unused if option.label == label), None)
        if match is not None:
            values[index] = match.value
            unused.remove(match)
    for index in range(len(labels)):
        if values[index] is None and index < len(known) and known[index] in unused:
            values[index] = known[index].value
            unused.remove(known[index])
    taken = {value for value in values if value}
    options = []
    for label, value in zip(labels, values, strict=True):
        if value is None:
            value = _unique(_words(label)[:KEY_LENGTH].rstrip("_") or "choice", taken)
            taken.add(value)
        options.append(Option(value, label))
    return tuple(options)


def edition_of(form: IntakeForm) -> str:
    """What a builder page was based on: the moment of the draft's last save, handed back with the next save."""
    return form.updated_at.isoformat()


def _same_draft(form: IntakeForm, title: str, description: str, fields: list[dict[str, Any]]) -> bool:
    """Whether saving this would change nothing (compared as the save would store it)."""
    try:
        stored = Schema.from_json(fields).to_json()
    except SchemaError:
        return False
    return (
        form.title == " ".join(title.split()) and form.description == description.strip()[:400]
    ) and form.draft_fields == stored


def _save(
    by: StaffMember, form: IntakeForm, *, title: str, description: str, fields: list[dict[str, Any]], based_on: str
) -> IntakeForm:
    locked = IntakeForm.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=form.pk)
    refuse(why_not_form(StaffViewer(by), IntakeVerb.BUILD, locked))
    if based_on and based_on != edition_of(locked):
        raise ConflictError(str(STALE_MESSAGE))
    for text in _texts(title, description, fields):
        refuse_bidi_controls(text)
    if _same_draft(locked, title, description, fields):
        return locked
    return save_form(by=by, form=locked, title=title, description=description, fields=fields)


@transaction.atomic
def save_draft(
    *, by: StaffMember, form: IntakeForm, title: str, description: str, fields: list[dict[str, Any]], based_on: str
) -> IntakeForm:
    """Keep the builder's changes as the form's draft, unless the draft changed since ``based_on`` (``edition_of``).

    Raises ConflictError when someone else saved meanwhile, ApplicationError with the reason otherwise.
    """
    return _save(by, form, title=title, description=description, fields=fields, based_on=based_on)


@transaction.atomic
def publish_draft(
    *, by: StaffMember, form: IntakeForm, title: str, description: str, fields: list[dict[str, Any]], based_on: str
) -> FormVersion:
    """Save the builder's changes and publish them as the next version; if either is refused, neither happens."""
    saved = _save(by, form, title=title, description=description, fields=fields, based_on=based_on)
    return publish_form(by=by, form=saved)


def _texts(title: str, description: str, fields: Iterable[dict[str, Any]]) -> Iterable[str]:
    yield title
    yield description
    for item in fields:
        for name in ("label", "help"):
            value = item.get(name)
            if isinstance(value, str):
                yield value
        for option in item.get("options") or ():
            if isinstance(option, dict):
                yield from (str(value) for value in option.values())


@transaction.atomic
def import_form(*, by: StaffMember, data: bytes | str) -> IntakeForm:
    """A new intake form, as a draft, from a FHIR R4 Questionnaire (JSON); refused in words if it can't be read."""
    refuse(may_build(StaffViewer(by), FormKind.INTAKE))
    try:
        title, schema, measure = schema_from_questionnaire(data)
    except SchemaError as error:
        raise ApplicationError(str(error)) from None
    fields = schema.to_json()
    for text in _texts(title, "", fields):
        refuse_bidi_controls(text)
    form = create_form(by=by, kind=FormKind.INTAKE, title=title, fields=fields, measure=measure)
    record_event(
        FormImported(fields=len(schema.fields)), actor=StaffViewer(by).actor, practice=by.practice, target=form
    )
    return form


@dataclass(frozen=True)
class Download:
    """A file made from a published version of a form."""

    version: FormVersion
    filename: str
    content: bytes


def _published(form: IntakeForm) -> FormVersion:
    version = form.current_version
    if version is None:
        raise ApplicationError(str(NOT_PUBLISHED))
    return version


def _file_name(version: FormVersion, extension: str) -> str:
    words = "".join(c if c.isascii() and c.isalnum() else "-" for c in version.title.lower())
    stem = "-".join(part for part in words.split("-") if part)[:60] or "form"
    return f"{stem}-version-{version.number}.{extension}"


def _check_visible(by: StaffMember, form: IntakeForm) -> None:
    if form.practice_id != by.practice_id:
        raise ApplicationError(_("That form is not part of your practice."))


def print_blank_form(*, by: StaffMember, form: IntakeForm) -> Download:
    """The published version as a blank PDF to print and fill in by hand (FORM-5); the printing is audited."""
    _check_visible(by, form)
    version = _published(form)
    content = render_blank_pdf(
        practice=by.practice, title=version.title, version_number=version.number, schema=version.schema
    )
    record_event(FormPrinted(version=version.number), actor=StaffViewer(by).actor, practice=by.practice, target=form)
    return Download(version, _file_name(version, "pdf"), content)


def export_questionnaire(*, by: StaffMember, form: IntakeForm) -> Download:
    """The published version as a FHIR R4 Questionnaire (JSON text); the export is audited."""
    _check_visible(by, form)
    version = _published(form)
    try:
        resource = questionnaire_json(
            title=version.title, schema=version.schema, measure=version.measure, version=version.number
        )
    except SchemaError as error:
        raise ApplicationError(str(error)) from None
    content = json.dumps(resource, ensure_ascii=False, indent=2).encode()
    record_event(FormExported(version=version.number), actor=StaffViewer(by).actor, practice=by.practice, target=form)
    return Download(version, _file_name(version, "json"), content)
