"""Assigning a Home Activity: a title, instructions, a due date, how often, and a worksheet or a form (or neither).

The worksheet is read here (one byte past the size limit at most) and judged by the activities' own check, so a
wrong, empty or too large file is named beside the field; the action checks everything again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from haven.core.forms import DateInput, FileUploadForm, HavenForm
from haven.intake.models import IntakeForm
from haven.scheduling import activities
from haven.scheduling.forms import read_upload
from haven.scheduling.models import ActivityRepeat

ACCEPT = FileUploadForm.ACCEPT + ",.pdf,.png,.jpg,.jpeg"


class AssignActivityForm(HavenForm):
    title = forms.CharField(
        label=_("Title"),
        max_length=activities.TITLE_MAX,
        error_messages={
            "required": _("Give the activity a title."),
            "max_length": _("Keep the title under %(limit_value)d characters."),
        },
    )
    instructions = forms.CharField(
        label=_("Instructions"),
        required=False,
        max_length=activities.INSTRUCTIONS_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What to do, in words the client knows. Shown in the portal."),
        error_messages={"max_length": _("Keep the instructions under %(limit_value)d characters.")},
    )
    due_on = forms.DateField(
        label=_("Due date (optional)"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Enter a date, for example 2027-06-30.")},
    )
    repeat = forms.ChoiceField(
        label=_("Repeats"),
        choices=ActivityRepeat.choices,
        required=False,
        initial=ActivityRepeat.NONE,
        widget=forms.RadioSelect,
        help_text=_("Every week: when it is marked done, the next one is made, due a week later."),
    )
    worksheet = forms.FileField(
        label=_("Worksheet or handout (optional)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        help_text=_("A PDF, or a picture as PNG or JPEG."),
    )
    intake_form = forms.ModelChoiceField(
        label=_("Or a form to fill in (optional)"),
        queryset=IntakeForm.objects.none(),
        required=False,
        empty_label=_("No form"),
        help_text=_("Sent to the portal with the intake forms; the activity is done when the form is submitted."),
        error_messages={"invalid_choice": _("Choose one of the forms listed.")},
    )
    recipient = forms.ChoiceField(
        label=_("Send the form to"),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose who fills in the form.")},
    )

    def __init__(
        self, *args: Any, choices: QuerySet[IntakeForm], recipients: Sequence[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.recipient_keys = [key for key, _label in recipients]
        form_field = self.fields["intake_form"]
        assert isinstance(form_field, forms.ModelChoiceField)
        form_field.queryset = choices
        recipient_field = self.fields["recipient"]
        assert isinstance(recipient_field, forms.ChoiceField)
        recipient_field.choices = list(recipients)
        if len(recipients) == 1:
            self.initial.setdefault("recipient", recipients[0][0])
        self.fields["worksheet"].help_text = _("A PDF, or a picture as PNG or JPEG, up to %(size)s MB.") % {
            "size": f"{settings.HAVEN_MESSAGE_ATTACHMENT_MAX_BYTES / 1_000_000:g}"
        }

    def clean_worksheet(self) -> activities.Upload | None:
        return read_upload(self.cleaned_data.get("worksheet"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("worksheet") is not None and cleaned.get("intake_form") is not None:
            self.add_error("intake_form", _("Choose a file or a form, not both."))
        if cleaned.get("intake_form") is not None and not cleaned.get("recipient"):
            if len(self.recipient_keys) == 1:
                cleaned["recipient"] = self.recipient_keys[0]
            else:
                self.add_error("recipient", _("Choose who fills in the form."))
        return cleaned

    @property
    def file_chosen(self) -> bool:
        """Whether a file came with a refused post: the page then asks for it again (no browser keeps it)."""
        return self.is_bound and bool(self.files.get("worksheet"))
