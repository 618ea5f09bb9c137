"""Write a clinical note or treatment plan (DOC-1). Views are thin: access check, action, response."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.clients.policy import get_client
from haven.core.errors import ApplicationError
from haven.core.forms import DateInput, StyledFormMixin
from haven.documents.models import Category, DocumentType
from haven.documents.notes import (
    DEFAULT_SECTIONS,
    MAX_HEADING_CHARS,
    MAX_NOTE_CHARS,
    MAX_SECTIONS,
    MAX_TITLE_CHARS,
    NOTE_CATEGORIES,
    write_clinical_note,
)
from haven.practices.access import StaffRequest, staff_view
from haven.practices.models import Permission, Practice

TEMPLATE = "staff/documents/note_form.html"


class NoteForm(StyledFormMixin, forms.Form):
    """Type, title, date, and one labelled textarea per section (its heading travels in a hidden field)."""

    type = forms.ModelChoiceField(
        label=gettext_lazy("Type"),
        queryset=DocumentType.objects.none(),
        empty_label=None,
        error_messages={
            "required": gettext_lazy("Choose a note type."),
            "invalid_choice": gettext_lazy("Choose a note type from the list."),
        },
    )
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=MAX_TITLE_CHARS,
        error_messages={"required": gettext_lazy("Give the note a title.")},
    )
    document_date = forms.DateField(
        label=gettext_lazy("Date"),
        widget=DateInput(),
        error_messages={
            "required": gettext_lazy("Enter the date of the note."),
            "invalid": gettext_lazy("Enter the date as YYYY-MM-DD."),
        },
    )

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        types: QuerySet[DocumentType],
        headings: list[str],
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.fields["type"].queryset = types  # type: ignore[attr-defined]
        self.headings = headings
        for number, heading in enumerate(headings):
            self.fields[f"section_{number}_heading"] = forms.CharField(
                widget=forms.HiddenInput, initial=heading, required=False, max_length=MAX_HEADING_CHARS
            )
            self.fields[f"section_{number}"] = forms.CharField(
                label=heading,
                required=False,
                strip=False,
                max_length=MAX_NOTE_CHARS,
                widget=forms.Textarea(attrs={"rows": 5}),
            )
        self.style_widgets()

    def section_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"section_{n}_heading"], self[f"section_{n}"]) for n in range(len(self.headings))]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any((cleaned.get(f"section_{n}") or "").strip() for n in range(len(self.headings))):
            raise forms.ValidationError(_("Write at least one section."), code="empty")
        return cleaned

    def sections(self) -> list[tuple[str, str]]:
        return [
            (self.cleaned_data.get(f"section_{n}_heading") or heading, self.cleaned_data.get(f"section_{n}") or "")
            for n, heading in enumerate(self.headings)
        ]


def note_types(practice: Practice) -> QuerySet[DocumentType]:
    return DocumentType.objects.filter(practice=practice, category__in=NOTE_CATEGORIES).order_by("category", "name")


def _chosen_type(types: QuerySet[DocumentType], value: str | None) -> DocumentType | None:
    """The type asked for when it is one of the note types; else the first progress note type."""
    available = list(types)
    for doc_type in available:
        if str(doc_type.pk) == value:
            return doc_type
    progress = [doc_type for doc_type in available if doc_type.category == Category.PROGRESS_NOTE]
    return next(iter(progress or available), None)


def _posted_sections(data: QueryDict) -> list[tuple[str, str]]:
    """The sections as they came in: each heading (from its hidden field) with what was typed under it."""
    sections = []
    for number in range(MAX_SECTIONS):
        if f"section_{number}_heading" not in data:
            break
        heading = " ".join(data.get(f"section_{number}_heading", "").split())[:MAX_HEADING_CHARS]
        sections.append(
            (heading or _("Section %(number)d") % {"number": number + 1}, data.get(f"section_{number}", ""))
        )
    return sections


def _sections_for_type(doc_type: DocumentType | None, typed: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The type's usual sections, keeping what was typed: text under a matching heading stays, the rest follows."""
    defaults = DEFAULT_SECTIONS.get(doc_type.category, []) if doc_type else []
    typed_text = {heading: text for heading, text in typed if text.strip()}
    kept = [(heading, typed_text.get(heading, "")) for heading in defaults]
    kept += [(heading, text) for heading, text in typed if text.strip() and heading not in defaults]
    return kept


def _form_with(
    types: QuerySet[DocumentType], doc_type: DocumentType | None, sections: list[tuple[str, str]], data: QueryDict
) -> NoteForm:
    """An unbound form showing what was typed (no errors yet), with the given sections."""
    initial: dict[str, Any] = {
        "type": doc_type.pk if doc_type else None,
        "title": data.get("title", ""),
        "document_date": data.get("document_date") or timezone.localdate(),
    }
    initial.update({f"section_{n}": text for n, (_heading, text) in enumerate(sections)})
    return NoteForm(types=types, headings=[heading for heading, _text in sections], initial=initial)


@staff_view(Permission.DYNAMIC_FORMS)
def note_create(request: StaffRequest, client_id: int) -> HttpResponse:
    """Write a progress note, evaluation or treatment plan; its PDF is rendered in the background."""
    client = get_client(request.viewer, client_id, path=request.path)
    types = note_types(client.practice)
    if request.method != "POST":
        doc_type = _chosen_type(types, request.GET.get("type"))
        form = _form_with(types, doc_type, _sections_for_type(doc_type, []), QueryDict())
    elif "refresh" in request.POST:
        # The type changed: show its sections without losing anything typed, and without judging it yet.
        doc_type = _chosen_type(types, request.POST.get("type"))
        form = _form_with(types, doc_type, _sections_for_type(doc_type, _posted_sections(request.POST)), request.POST)
    else:
        headings = [heading for heading, _text in _posted_sections(request.POST)]
        form = NoteForm(request.POST, types=types, headings=headings)
        if form.is_valid():
            try:
                write_clinical_note(
                    by=request.staff,
                    client=client,
                    doc_type=form.cleaned_data["type"],
                    title=form.cleaned_data["title"],
                    document_date=form.cleaned_data["document_date"],
                    sections=form.sections(),
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The note is saved. Its PDF will appear in the Activity Log in a moment."))
                return redirect(reverse("staff:activity_log", kwargs={"client_id": client.pk}))
    context = {
        "nav": "clients",
        "tab": "documents",
        "client": client,
        "form": form,
        "has_types": types.exists(),
        "can_see_history": request.staff.has_permission(Permission.ORG_ADMIN),
    }
    refreshing = request.method == "POST" and "refresh" in request.POST
    template = f"{TEMPLATE}#sections" if refreshing and request.htmx else TEMPLATE  # type: ignore[attr-defined]
    return render(request, template, context)
