"""What a portal user chooses and writes on the appointment pages (APPT-2): whom and what to book, a time, and
a request for an appointment.

The clinicians and services offered come from the view (the practice's, as ``haven.scheduling`` lists them);
each form hands back the chosen objects themselves, so a tampered id is an error in words, never a lookup.
The scheduling actions check everything again.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.core.forms import HavenForm
from haven.practices.models import StaffMember
from haven.scheduling.actions import MAX_TEXT
from haven.scheduling.models import ServiceType

PREFERRED_TIMES_MAX = 500


def _choices(items: Sequence[Any], label: Any) -> list[tuple[str, str]]:
    return [(str(item.pk), str(label(item))) for item in items]


def _clinician_name(member: StaffMember) -> str:
    return member.user.full_name


def _service_name(service: ServiceType) -> str:
    return f"{service.name} ({service.duration_minutes} min)"


class _Chooses(HavenForm):
    """A form with a clinician and a service among those given; cleaned to the objects (or None when optional)."""

    clinician: forms.ChoiceField
    service: forms.ChoiceField

    def __init__(
        self,
        *args: Any,
        clinicians: Sequence[StaffMember] = (),
        services: Sequence[ServiceType] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.clinicians = {str(member.pk): member for member in clinicians}
        self.services = {str(service.pk): service for service in services}
        self._offer("clinician", _choices(clinicians, _clinician_name))
        self._offer("service", _choices(services, _service_name))

    def _offer(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields.get(name)
        if field is None:
            return  # the shared base itself declares neither
        assert isinstance(field, forms.ChoiceField)
        blank = [("", field.empty_label)] if getattr(field, "empty_label", None) else []  # type: ignore[attr-defined]
        field.choices = [*blank, *choices]

    def clean_clinician(self) -> StaffMember | None:
        return self.clinicians.get(self.cleaned_data.get("clinician") or "")

    def clean_service(self) -> ServiceType | None:
        return self.services.get(self.cleaned_data.get("service") or "")


class _LabelledChoice(forms.ChoiceField):
    """A choice field with a first, empty option in words ("Any clinician")."""

    def __init__(self, *, empty_label: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.empty_label = empty_label


_SUBMIT_ON_CHANGE = {"data-submit-on-change": ""}


class BookingChoiceForm(_Chooses):
    """Whom to see and what for: the open times shown are the clinician's for that service (sent with GET; a
    choice changed shows that one's times at once, with the button kept for keyboard users)."""

    clinician = _LabelledChoice(
        label=_("Clinician"),
        widget=forms.Select(attrs=_SUBMIT_ON_CHANGE),
        error_messages={
            "required": _("Choose a clinician."),
            "invalid_choice": _("Choose one of the clinicians listed."),
        },
    )
    service = _LabelledChoice(
        label=_("Type of appointment"),
        widget=forms.Select(attrs=_SUBMIT_ON_CHANGE),
        error_messages={
            "required": _("Choose the type of appointment."),
            "invalid_choice": _("Choose one of the types of appointment listed."),
        },
    )


class TimeForm(HavenForm):
    """One open time, as the button of its slot sends it (an ISO 8601 moment with its offset)."""

    starts_at = forms.DateTimeField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose one of the open times."),
            "invalid": _("Choose one of the open times."),
        },
    )

    def clean_starts_at(self) -> datetime.datetime:
        moment: datetime.datetime = self.cleaned_data["starts_at"]
        if moment.tzinfo is None:
            raise forms.ValidationError(_("Choose one of the open times."), code="invalid")
        return moment.astimezone(datetime.UTC)


class BookForm(TimeForm, _Chooses):
    """An open time of a clinician for a service: what the slot's button posts to book it."""

    clinician = forms.ChoiceField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose a clinician."),
            "invalid_choice": _("Choose one of the clinicians listed."),
        },
    )
    service = forms.ChoiceField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose the type of appointment."),
            "invalid_choice": _("Choose one of the types of appointment listed."),
        },
    )


class RequestForm(_Chooses):
    """Ask the practice for an appointment: with whom and what for (either may be left to them), the times that
    suit, and a note."""

    clinician = _LabelledChoice(
        label=_("Clinician"),
        required=False,
        empty_label=_("Any clinician"),
        error_messages={"invalid_choice": _("Choose one of the clinicians listed, or Any clinician.")},
    )
    service = _LabelledChoice(
        label=_("Type of appointment"),
        required=False,
        empty_label=_("Not sure"),
        error_messages={"invalid_choice": _("Choose one of the types of appointment listed, or Not sure.")},
    )
    preferred_times = forms.CharField(
        label=_("Times that suit you"),
        max_length=PREFERRED_TIMES_MAX,
        help_text=_("For example: “Weekday mornings” or “Tuesdays after 4 p.m.”"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Write the days or times that suit you, for example “Weekday mornings”."),
            "max_length": _("Please keep the times that suit you under %(limit_value)d characters."),
        },
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=MAX_TEXT,
        help_text=_("Anything the practice should know to find a time. Please don't use this for emergencies."),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Please keep the note under %(limit_value)d characters.")},
    )
    field_order = ["clinician", "service", "preferred_times", "note"]
