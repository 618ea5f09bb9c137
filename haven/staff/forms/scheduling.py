"""Staff forms of scheduling: the appointment window, answering requests, a clinician's availability, the
practice's scheduling settings and its service types.

Times are typed as local wall-clock time in the practice's zone and turned into aware moments here; a time the
clocks skip over (the spring change) is refused in words, one that happens twice (the autumn change) is the
first of the two.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.clients.models import Client, ClientStatus
from haven.core.forms import DateInput, HavenForm
from haven.core.timezones import practice_zone
from haven.practices.models import Facility, Practice, StaffMember
from haven.scheduling import configuration, policy
from haven.scheduling.actions import MAX_OCCURRENCES, AppointmentDetails
from haven.scheduling.models import (
    AppointmentStatus,
    ClinicianSchedule,
    LateCancellation,
    Recurrence,
    SchedulingSettings,
    ServiceType,
    Weekday,
)

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    StrOrPromise = str | _StrPromise

MAX_REMINDERS = 5
MAX_REMINDER_HOURS = 24 * 14


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


def local_moment(day: datetime.date, at: datetime.time, zone: datetime.tzinfo) -> datetime.datetime | None:
    """The aware moment of a wall-clock time in ``zone``; None when the clocks skip over it that day."""
    wall = datetime.datetime.combine(day, at)
    moment = wall.replace(tzinfo=zone, fold=0)
    if moment.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None) != wall:
        return None
    return moment


def _choice(label: StrOrPromise, message: StrOrPromise, *, required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        required=required,
        empty_value=None,
        error_messages={"required": message, "invalid_choice": message},
    )


def _minutes(
    label: StrOrPromise, *, required: bool = False, most: int = 240, help_text: str = ""
) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        max_value=most,
        help_text=help_text,
        error_messages={
            "required": gettext_lazy("Write a number of minutes."),
            "invalid": gettext_lazy("Write a whole number of minutes."),
            "min_value": gettext_lazy("Write a number of minutes, 0 or more."),
            "max_value": gettext_lazy("Keep it at %(limit_value)s minutes or less."),
        },
    )


def _hours(
    label: StrOrPromise, *, required: bool = False, least: int = 0, most: int, help_text: str = ""
) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=least,
        max_value=most,
        help_text=help_text,
        error_messages={
            "required": gettext_lazy("Write a number of hours."),
            "invalid": gettext_lazy("Write a whole number of hours."),
            "min_value": gettext_lazy("Write %(limit_value)s hours or more."),
            "max_value": gettext_lazy("Keep it at %(limit_value)s hours or less."),
        },
    )


# --- The appointment window -----------------------------------------------------------------------------------------


class AppointmentForm(HavenForm):
    """Who, with whom, what, when and where: a new appointment (optionally repeating) or a change to one.

    The choices are the practice's active clients, its clinicians, its offered service types and its facilities,
    read once when the form is made; ``details()`` gives the objects chosen, read from those choices.
    """

    client = _choice(gettext_lazy("Client"), gettext_lazy("Choose the client."))
    clinician = _choice(gettext_lazy("Clinician"), gettext_lazy("Choose the clinician."))
    service = _choice(gettext_lazy("Service type"), gettext_lazy("Choose the service type."))
    date = forms.DateField(
        label=gettext_lazy("Date"),
        widget=DateInput(),
        error_messages={"required": gettext_lazy("Choose the date."), "invalid": gettext_lazy("Choose the date.")},
    )
    start_time = forms.TimeField(
        label=gettext_lazy("Start time"),
        widget=TimeInput(),
        error_messages={
            "required": gettext_lazy("Choose the start time."),
            "invalid": gettext_lazy("Write the start time as hours and minutes, e.g. 14:30."),
        },
    )
    facility = _choice(
        gettext_lazy("Facility"), gettext_lazy("Choose one of the practice's facilities."), required=False
    )
    telehealth_url = forms.URLField(
        label=gettext_lazy("Telehealth link"),
        required=False,
        max_length=200,
        assume_scheme="https",
        error_messages={"invalid": gettext_lazy("Write the telehealth link as a web address, e.g. https://…")},
    )
    recurrence = forms.ChoiceField(
        label=gettext_lazy("Repeats"),
        choices=Recurrence.choices,
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose how often it repeats.")},
    )
    occurrences = forms.IntegerField(
        label=gettext_lazy("Number of appointments"),
        min_value=1,
        max_value=MAX_OCCURRENCES,
        initial=1,
        required=False,
        help_text=gettext_lazy("Counting this one; up to %(most)s.") % {"most": MAX_OCCURRENCES},
        error_messages={
            "invalid": gettext_lazy("Write how many appointments, as a whole number."),
            "min_value": gettext_lazy("Write how many appointments: 1 or more."),
            "max_value": gettext_lazy("A series can have at most %(limit_value)s appointments."),
        },
    )

    def __init__(
        self,
        *args: Any,
        practice_id: int,
        editing: bool = False,
        fixed_client: Client | None = None,
        include_client: Client | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        practice = Practice.objects.only("time_zone").get(pk=practice_id)
        self.zone = practice_zone(practice)
        self.fixed_client = fixed_client
        clients: list[Client] = []
        if fixed_client is None:
            clients = list(
                Client.objects.filter(practice_id=practice_id, status=ClientStatus.ACTIVE).order_by(
                    "last_name", "first_name", "pk"
                )
            )
            if include_client is not None and all(c.pk != include_client.pk for c in clients):
                clients.append(include_client)
        self.clients = {c.pk: c for c in clients}
        self.clinicians: dict[int, StaffMember] = {m.pk: m for m in policy.clinicians(practice_id)}
        self.services: dict[int, ServiceType] = {
            s.pk: s for s in ServiceType.objects.filter(practice_id=practice_id, is_active=True).order_by("name", "pk")
        }
        self.facilities: dict[int, Facility] = {
            f.pk: f for f in Facility.objects.filter(practice_id=practice_id).order_by("name", "pk")
        }
        self._set_choices(
            "client",
            [
                (c.pk, f"{c.last_name}, {c.first_name}" + (f" ({c.date_of_birth:%Y-%m-%d})" if c.date_of_birth else ""))
                for c in clients
            ],
            _("Choose a client"),
        )
        self._set_choices("clinician", [(m.pk, m.user.full_name) for m in self.clinicians.values()], _("Choose"))
        self._set_choices(
            "service",
            [
                (s.pk, _("%(name)s (%(minutes)s min)") % {"name": s.name, "minutes": s.duration_minutes})
                for s in self.services.values()
            ],
            _("Choose"),
        )
        self._set_choices("facility", [(f.pk, f.name) for f in self.facilities.values()], _("None"))
        for name, found in (("clinician", self.clinicians), ("service", self.services)):
            if len(found) == 1 and not self.initial.get(name):
                self.initial[name] = next(iter(found))  # the only choice, chosen
        if fixed_client is not None:
            del self.fields["client"]
        if editing or fixed_client is not None:
            del self.fields["recurrence"]
            del self.fields["occurrences"]

    def _set_choices(self, name: str, choices: Sequence[tuple[int, str]], empty: str) -> None:
        self.fields[name].choices = [("", empty), *choices]  # type: ignore[attr-defined]

    def keep_service(self, service: ServiceType) -> None:
        """Offer a service type no longer offered when an appointment already has it (editing)."""
        if service.pk not in self.services:
            self.services[service.pk] = service
            field = self.fields["service"]
            field.choices = [*field.choices, (service.pk, service.name)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, at = data.get("date"), data.get("start_time")
        if day is not None and at is not None:
            moment = local_moment(day, at, self.zone)
            if moment is None:
                self.add_error(
                    "start_time",
                    _("The clocks change that night and %(time)s doesn't happen. Choose another time.")
                    % {"time": at.strftime("%H:%M")},
                )
            else:
                data["starts_at"] = moment
        if "recurrence" in self.fields:
            recurrence = data.get("recurrence") or Recurrence.NONE
            occurrences = data.get("occurrences") or 1
            if recurrence == Recurrence.NONE and occurrences > 1 and "occurrences" not in self.errors:
                self.add_error("recurrence", _("Choose how often it repeats, or make it 1 appointment."))
            if recurrence != Recurrence.NONE and occurrences < 2 and "occurrences" not in self.errors:
                self.add_error("occurrences", _("A repeating appointment needs at least 2 appointments."))
        return data

    def details(self) -> AppointmentDetails:
        """What was chosen, for the actions (call after ``is_valid()``)."""
        data = self.cleaned_data
        client = self.fixed_client if self.fixed_client is not None else self.clients[data["client"]]
        facility_id = data.get("facility")
        return AppointmentDetails(
            client=client,
            clinician=self.clinicians[data["clinician"]],
            service=self.services[data["service"]],
            starts_at=data["starts_at"],
            facility=self.facilities[facility_id] if facility_id is not None else None,
            telehealth_url=data.get("telehealth_url") or "",
            recurrence=data.get("recurrence") or Recurrence.NONE,
            occurrences=data.get("occurrences") or 1,
        )


class CancelForm(HavenForm):
    """Staff say whether the cancellation was late; they are not bound by the practice's window."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Cancelled how"),
        choices=[
            (AppointmentStatus.CANCELLED, gettext_lazy("Cancelled")),
            (AppointmentStatus.LATE_CANCELLATION, gettext_lazy("Late cancellation")),
        ],
        widget=forms.RadioSelect,
        initial=AppointmentStatus.CANCELLED,
        error_messages={
            "required": gettext_lazy("Choose Cancelled or Late cancellation."),
            "invalid_choice": gettext_lazy("Choose Cancelled or Late cancellation."),
        },
    )

    @property
    def late(self) -> bool:
        return self.cleaned_data["kind"] == AppointmentStatus.LATE_CANCELLATION


class StatusForm(HavenForm):
    status = forms.ChoiceField(
        choices=[
            (AppointmentStatus.COMPLETED, gettext_lazy("Completed")),
            (AppointmentStatus.NO_SHOW, gettext_lazy("No-show")),
            (AppointmentStatus.SCHEDULED, gettext_lazy("Scheduled")),
        ],
        error_messages={
            "required": gettext_lazy("Choose Completed or No-show."),
            "invalid_choice": gettext_lazy("Choose Completed or No-show."),
        },
    )


class DeclineForm(HavenForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason (the person who asked reads this)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": gettext_lazy("Write a reason for the person who asked."),
            "max_length": gettext_lazy("Keep the reason under %(limit_value)d characters."),
        },
    )


# --- A clinician's availability -------------------------------------------------------------------------------------


class WeeklyHoursForm(HavenForm):
    """One more stretch of the working week, at the practice's wall-clock time."""

    weekday = forms.TypedChoiceField(
        label=gettext_lazy("Day"),
        coerce=int,
        choices=Weekday.choices,
        error_messages={"required": gettext_lazy("Choose the day."), "invalid_choice": gettext_lazy("Choose the day.")},
    )
    start = forms.TimeField(
        label=gettext_lazy("From"),
        widget=TimeInput(),
        error_messages={
            "required": gettext_lazy("Choose when the hours start."),
            "invalid": gettext_lazy("Write the time as hours and minutes, e.g. 09:00."),
        },
    )
    end = forms.TimeField(
        label=gettext_lazy("Until"),
        widget=TimeInput(),
        error_messages={
            "required": gettext_lazy("Choose when the hours end."),
            "invalid": gettext_lazy("Write the time as hours and minutes, e.g. 17:00."),
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and end <= start:
            self.add_error("end", _("The hours must end after they start (on the same day)."))
        return data


class TimeOffForm(HavenForm):
    """Days or hours off: without times, from the start of the first day to the end of the last."""

    starts_on = forms.DateField(
        label=gettext_lazy("From"),
        widget=DateInput(),
        error_messages={
            "required": gettext_lazy("Choose the first day."),
            "invalid": gettext_lazy("Choose the first day."),
        },
    )
    starts_time = forms.TimeField(
        label=gettext_lazy("at (optional)"),
        widget=TimeInput(),
        required=False,
        error_messages={"invalid": gettext_lazy("Write the time as hours and minutes, e.g. 13:00.")},
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Until"),
        widget=DateInput(),
        error_messages={
            "required": gettext_lazy("Choose the last day."),
            "invalid": gettext_lazy("Choose the last day."),
        },
    )
    ends_time = forms.TimeField(
        label=gettext_lazy("at (optional)"),
        widget=TimeInput(),
        required=False,
        error_messages={"invalid": gettext_lazy("Write the time as hours and minutes, e.g. 17:00.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (staff only)"),
        required=False,
        max_length=200,
        error_messages={"max_length": gettext_lazy("Keep the reason under %(limit_value)d characters.")},
    )

    def __init__(self, *args: Any, practice_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = practice_zone(Practice.objects.only("time_zone").get(pk=practice_id))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("starts_on"), data.get("ends_on")
        if first is None or last is None or "starts_time" in self.errors or "ends_time" in self.errors:
            return data
        start = local_moment(first, data.get("starts_time") or datetime.time.min, self.zone)
        if data.get("ends_time") is not None:
            end = local_moment(last, data["ends_time"], self.zone)
        else:
            end = local_moment(last + datetime.timedelta(days=1), datetime.time.min, self.zone)
        if start is None or end is None:
            self.add_error(None, _("The clocks change then and that time doesn't happen. Choose another time."))
        elif end <= start:
            self.add_error("ends_on", _("The time off must end after it starts."))
        else:
            data["starts_at"], data["ends_at"] = start, end
        return data


class ClinicianScheduleForm(HavenForm):
    """A clinician's own buffers and notice (empty: the practice's), and whether clients may book them online."""

    accepts_online_booking = forms.BooleanField(
        label=ClinicianSchedule._meta.get_field("accepts_online_booking").verbose_name, required=False
    )
    buffer_before_minutes = _minutes(gettext_lazy("Buffer before (minutes)"))
    buffer_after_minutes = _minutes(gettext_lazy("Buffer after (minutes)"))
    min_notice_hours = _hours(gettext_lazy("Minimum notice for online booking (hours)"), most=24 * 60)

    def __init__(self, *args: Any, practice_settings: SchedulingSettings | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if practice_settings is not None:
            for name in ("buffer_before_minutes", "buffer_after_minutes", "min_notice_hours"):
                practice_value = getattr(practice_settings, name)
                self.fields[name].help_text = _("Leave empty for the practice's: %(value)s.") % {
                    "value": practice_value
                }
                self.fields[name].widget.attrs["placeholder"] = str(practice_value)


# --- The practice's scheduling settings -----------------------------------------------------------------------------


def parse_reminder_hours(text: str) -> list[int]:
    """ "48, 2" → [48, 2] (largest first, each once); refused in words."""
    parts = [part.strip() for part in re.split(r"[,\s]+", text.strip()) if part.strip()]
    hours: set[int] = set()
    for part in parts:
        if not part.isdigit() or not part.isascii():
            raise forms.ValidationError(
                _("Write the hours before the appointment as whole numbers separated by commas, e.g. 48, 2."),
                code="invalid",
            )
        value = int(part)
        if not 1 <= value <= MAX_REMINDER_HOURS:
            raise forms.ValidationError(
                _("Each reminder must be between 1 and %(most)s hours before the appointment.")
                % {"most": MAX_REMINDER_HOURS},
                code="range",
            )
        hours.add(value)
    if len(hours) > MAX_REMINDERS:
        raise forms.ValidationError(_("Send at most %(most)s reminders.") % {"most": MAX_REMINDERS}, code="many")
    return sorted(hours, reverse=True)


SETTINGS_FIELDS = configuration.SETTINGS  # the form and the action share one list


def _field(name: str) -> models.Field[Any, Any]:
    found = SchedulingSettings._meta.get_field(name)
    assert isinstance(found, models.Field)
    return found


def _label(name: str) -> Any:
    return _field(name).verbose_name


def _help(name: str) -> Any:
    return _field(name).help_text


class SchedulingSettingsForm(HavenForm):
    requests_enabled = forms.BooleanField(
        label=_label("requests_enabled"), help_text=_help("requests_enabled"), required=False
    )
    self_booking_enabled = forms.BooleanField(
        label=_label("self_booking_enabled"), help_text=_help("self_booking_enabled"), required=False
    )
    min_notice_hours = _hours(_label("min_notice_hours"), required=True, most=24 * 60)
    max_horizon_days = forms.IntegerField(
        label=_label("max_horizon_days"),
        min_value=1,
        max_value=366,
        error_messages={
            "required": gettext_lazy("Write a number of days."),
            "invalid": gettext_lazy("Write a whole number of days."),
            "min_value": gettext_lazy("Write at least %(limit_value)s day."),
            "max_value": gettext_lazy("Keep it at %(limit_value)s days or less."),
        },
    )
    slot_minutes = forms.IntegerField(
        label=_label("slot_minutes"),
        min_value=5,
        max_value=240,
        error_messages={
            "required": gettext_lazy("Write a number of minutes."),
            "invalid": gettext_lazy("Write a whole number of minutes."),
            "min_value": gettext_lazy("Offer times at least %(limit_value)s minutes apart."),
            "max_value": gettext_lazy("Keep it at %(limit_value)s minutes or less."),
        },
    )
    buffer_before_minutes = _minutes(_label("buffer_before_minutes"), required=True)
    buffer_after_minutes = _minutes(_label("buffer_after_minutes"), required=True)
    cancellation_window_hours = _hours(
        _label("cancellation_window_hours"), required=True, most=24 * 14, help_text=_help("cancellation_window_hours")
    )
    late_cancellation = forms.ChoiceField(
        label=gettext_lazy("When a client cancels online inside the window"),
        choices=LateCancellation.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose what happens inside the window."),
            "invalid_choice": gettext_lazy("Choose what happens inside the window."),
        },
    )
    reminder_hours = forms.CharField(
        label=_label("reminder_hours"),
        required=False,
        max_length=60,
        help_text=gettext_lazy("Hours before the appointment, separated by commas, e.g. 48, 2. Empty: no reminders."),
        error_messages={"max_length": gettext_lazy("Keep the list under %(limit_value)d characters.")},
    )
    quiet_hours_start = forms.TimeField(
        label=_label("quiet_hours_start"),
        widget=TimeInput(),
        error_messages={
            "required": gettext_lazy("Choose when quiet hours start."),
            "invalid": gettext_lazy("Write the time as hours and minutes, e.g. 21:00."),
        },
    )
    quiet_hours_end = forms.TimeField(
        label=_label("quiet_hours_end"),
        widget=TimeInput(),
        help_text=gettext_lazy(
            "No reminder is sent between these times (the practice's time zone): one due then is sent earlier, "
            "as quiet hours begin."
        ),
        error_messages={
            "required": gettext_lazy("Choose when quiet hours end."),
            "invalid": gettext_lazy("Write the time as hours and minutes, e.g. 08:00."),
        },
    )

    def clean_reminder_hours(self) -> list[int]:
        return parse_reminder_hours(self.cleaned_data.get("reminder_hours") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("quiet_hours_start"), data.get("quiet_hours_end")
        if start is not None and end is not None and start == end:
            self.add_error("quiet_hours_end", _("Quiet hours must end at another time than they start."))
        return data

    @staticmethod
    def initial_of(found: SchedulingSettings) -> dict[str, Any]:
        initial = {name: getattr(found, name) for name in SETTINGS_FIELDS}
        initial["reminder_hours"] = ", ".join(str(hours) for hours in found.reminder_hours or [])
        return initial


class ServiceTypeForm(HavenForm):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=120,
        error_messages={
            "required": gettext_lazy("Write the service type's name."),
            "max_length": gettext_lazy("Keep the name under %(limit_value)d characters."),
        },
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Duration (minutes)"),
        min_value=5,
        max_value=8 * 60,
        initial=50,
        error_messages={
            "required": gettext_lazy("Write how many minutes it lasts."),
            "invalid": gettext_lazy("Write a whole number of minutes."),
            "min_value": gettext_lazy("It must last at least %(limit_value)s minutes."),
            "max_value": gettext_lazy("Keep it at %(limit_value)s minutes or less."),
        },
    )
    billing_code = forms.CharField(
        label=gettext_lazy("Billing code"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("CPT code, e.g. 90834."),
        error_messages={"max_length": gettext_lazy("Keep the code under %(limit_value)d characters.")},
    )
    bookable_online = forms.BooleanField(label=gettext_lazy("Clients may book it online"), required=False, initial=True)
    is_active = forms.BooleanField(
        label=gettext_lazy("Offered"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Untick to stop offering it; its appointments keep it."),
    )
