"""A client's intake forms from the chart (FORM-3, FORM-4): sending forms to the portal, sending one back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from haven.core.forms import FileUploadForm, HavenForm
from haven.intake.actions import Recipient
from haven.intake.models import IntakeForm
from haven.signing.models import Capacity

MESSAGE_LIMIT = 2_000


def recipient_label(recipient: Recipient) -> str:
    """How a possible recipient is named in the form: who they are to the client and the login they sign in with."""
    email = recipient.access.account.email if recipient.access is not None else ""
    if recipient.capacity == Capacity.GUARDIAN:
        words = _("%(name)s, legal guardian, signs in as %(email)s")
    else:
        words = _("%(name)s (client), signs in as %(email)s")
    return str(words) % {"name": recipient.name, "email": email}


@dataclass(frozen=True)
class FormChoice:
    """One form the practice can send, with its checkbox and its place in the packet."""

    form: IntakeForm
    checkbox: str  # the checkbox's id
    checked: bool
    position: BoundField


class SendFormsForm(HavenForm):
    """Send intake forms: which forms, in what order, to whom, and the Intake Forms Message shown with them."""

    intake_forms = forms.MultipleChoiceField(
        label=_("Forms to send"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one form to send."),
            "invalid_choice": _("One of the chosen forms can no longer be sent. Choose again from the list."),
        },
    )
    recipient = forms.ChoiceField(
        label=_("Send to"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose who fills in the forms."),
            "invalid_choice": _(
                "Choose the client or a legal guardian with Web Portal permission who has an active portal login."
            ),
        },
    )
    message = forms.CharField(
        label=_("Intake Forms Message"),
        required=False,
        max_length=MESSAGE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("They see it in the portal inbox with the forms. Optional."),
        error_messages={"max_length": _("Keep the Intake Forms Message under 2,000 characters.")},
    )

    error_anchors = {"intake_forms": "send-forms-list", "recipient": "send-recipients"}

    def __init__(
        self, *args: Any, sendable: Sequence[IntakeForm] = (), recipients: Sequence[Recipient] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sendable = list(sendable)
        self.recipients = list(recipients)
        choices = self.fields["intake_forms"]
        assert isinstance(choices, forms.MultipleChoiceField)
        choices.choices = [(str(form.pk), form.title) for form in sendable]
        whom = self.fields["recipient"]
        assert isinstance(whom, forms.ChoiceField)
        whom.choices = [(recipient.key, recipient_label(recipient)) for recipient in recipients]
        if len(recipients) == 1:
            whom.initial = recipients[0].key
        places = [(number, str(number)) for number in range(1, len(sendable) + 1)]
        for index, form in enumerate(sendable, start=1):
            self.fields[self.position_name(form)] = forms.TypedChoiceField(
                label=_("Place of “%(title)s” in the packet") % {"title": form.title},
                choices=places,
                coerce=int,
                required=False,
                empty_value=None,
                initial=index,
                widget=forms.Select(attrs={"class": "form-select form-select-sm w-auto"}),
                error_messages={"invalid_choice": _("Choose a place in the packet from the list.")},
            )

    @staticmethod
    def position_name(form: IntakeForm) -> str:
        return f"position_{form.pk}"

    def choices(self) -> list[FormChoice]:
        """Each form with its checkbox and its order field, in the list's order."""
        chosen = set(self["intake_forms"].value() or [])
        return [
            FormChoice(
                form=form,
                checkbox=f"send-form-{form.pk}",
                checked=str(form.pk) in chosen,
                position=self[self.position_name(form)],
            )
            for form in self.sendable
        ]

    def recipient_choices(self) -> list[tuple[str, str, bool]]:
        """Each possible recipient as (value, words, chosen)."""
        chosen = self["recipient"].value()
        return [(recipient.key, recipient_label(recipient), recipient.key == chosen) for recipient in self.recipients]

    def chosen_in_order(self) -> list[IntakeForm]:
        """The chosen forms in the order numbered (forms left unnumbered, or numbered alike, keep the list's order)."""
        chosen = set(self.cleaned_data["intake_forms"])
        ordered = []
        for index, form in enumerate(self.sendable):
            if str(form.pk) in chosen:
                position = self.cleaned_data.get(self.position_name(form))
                ordered.append((position if position is not None else index + 1, index, form))
        return [form for _position, _index, form in sorted(ordered, key=lambda entry: (entry[0], entry[1]))]


class SendBackForm(HavenForm):
    """Send a submitted form back to the person with a note saying what to change."""

    note = forms.CharField(
        label=_("Note to the person"),
        max_length=MESSAGE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say what to change. They see it in the portal inbox; the form opens again for them."),
        error_messages={
            "required": _("Write a note saying what to change."),
            "max_length": _("Keep the note under 2,000 characters."),
        },
    )


class PaperReturnForm(FileUploadForm):
    """A sent form that came back on paper: its scan or photo."""

    file = forms.FileField(
        label=_("The filled-in form"),
        help_text=_("A PDF, or a photo of it as PNG or JPEG. It is filed in General Documents as it is."),
        widget=forms.ClearableFileInput(attrs={"accept": FileUploadForm.ACCEPT}),
        error_messages={"required": _("Choose the file of the returned form.")},
    )
