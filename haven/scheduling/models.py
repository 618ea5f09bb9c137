"""Appointments, clinicians' availability, reminders and Home Activities (APPT-1 to APPT-4).

Times are stored in UTC (``starts_at``/``ends_at``); availability is kept as local wall-clock times
in the practice's zone (``WeeklyHours``), so a clinician's 09:00 stays 09:00 across daylight-saving
changes. Double booking is refused by the database: an exact duplicate by a unique constraint on
every database, any overlap by an exclusion constraint over the time range on PostgreSQL
(migration 0002).

Request notes, preferred times and Home Activities' titles, instructions and files are health
information: they are kept encrypted with the file keys, as messages are.
"""

from __future__ import annotations

import datetime
import secrets
import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.clients.models import Client
from haven.core.encryption import decrypt_bytes, encrypt_bytes
from haven.portal_access.models import PortalAccount
from haven.practices.models import Facility, Practice, StaffMember


def _sealed(text: str) -> str:
    return encrypt_bytes(text.encode()) if text else ""


def _opened(token: str) -> str:
    return decrypt_bytes(token).decode() if token else ""


class _EncryptedText:
    """A text attribute kept in ``<name>_encrypted``, decrypted once per instance."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.column = f"{name}_encrypted"

    def __get__(self, instance: models.Model | None, owner: type) -> str:
        if instance is None:
            return self  # type: ignore[return-value]
        key = f"_{self.name}_plain"
        cached: str | None = instance.__dict__.get(key)
        if cached is None:
            cached = _opened(getattr(instance, self.column))
            instance.__dict__[key] = cached
        return cached

    def __set__(self, instance: models.Model, value: str) -> None:
        setattr(instance, self.column, _sealed(value))
        instance.__dict__[f"_{self.name}_plain"] = value


class LateCancellation(models.TextChoices):
    REFUSE = "refuse", _("Refuse it: the client must call the practice")
    MARK_LATE = "mark_late", _("Allow it, marked Late cancellation")


DEFAULT_REMINDER_HOURS = [48, 2]


def default_reminder_hours() -> list[int]:
    return list(DEFAULT_REMINDER_HOURS)


class SchedulingSettings(models.Model):
    """A practice's scheduling choices; a practice without a row has the defaults."""

    practice = models.OneToOneField(Practice, on_delete=models.CASCADE, related_name="+")
    requests_enabled = models.BooleanField(
        _("Clients may request appointments"),
        default=True,
        help_text=_("Portal users send preferred times and a note; your staff approve or decline."),
    )
    self_booking_enabled = models.BooleanField(
        _("Clients may book open times themselves"),
        default=False,
        help_text=_("Portal users pick a time from their clinician's open hours and it is booked at once."),
    )
    min_notice_hours = models.PositiveIntegerField(
        _("Minimum notice for online booking (hours)"), default=24, validators=[MaxValueValidator(24 * 60)]
    )
    max_horizon_days = models.PositiveIntegerField(
        _("How far ahead clients may book (days)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
    )
    slot_minutes = models.PositiveIntegerField(
        _("Offer times every (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    buffer_before_minutes = models.PositiveIntegerField(
        _("Buffer before each appointment (minutes)"), default=0, validators=[MaxValueValidator(240)]
    )
    buffer_after_minutes = models.PositiveIntegerField(
        _("Buffer after each appointment (minutes)"), default=10, validators=[MaxValueValidator(240)]
    )
    cancellation_window_hours = models.PositiveIntegerField(
        _("Cancellation window (hours)"),
        default=24,
        validators=[MaxValueValidator(24 * 14)],
        help_text=_("Clients may cancel or reschedule online until this many hours before the appointment."),
    )
    late_cancellation = models.CharField(
        _("Inside the window"), max_length=16, choices=LateCancellation.choices, default=LateCancellation.REFUSE
    )
    reminder_hours = models.JSONField(_("Send reminders (hours before)"), default=default_reminder_hours, blank=True)
    quiet_hours_start = models.TimeField(_("Quiet hours start"), default=datetime.time(21, 0))
    quiet_hours_end = models.TimeField(_("Quiet hours end"), default=datetime.time(8, 0))

    def __str__(self) -> str:
        return f"Scheduling settings of practice {self.practice_id}"


class ServiceType(models.Model):
    """What an appointment is for: a name, how long it lasts, and a billing code for later."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), default=50, validators=[MinValueValidator(5), MaxValueValidator(8 * 60)]
    )
    billing_code = models.CharField(_("billing code"), max_length=20, blank=True, help_text=_("CPT code, e.g. 90834."))
    bookable_online = models.BooleanField(_("Clients may book it online"), default=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["practice", "name"], name="scheduling_service_unique_name")]

    def __str__(self) -> str:
        return self.name


class ClinicianSchedule(models.Model):
    """A clinician's own scheduling choices; empty values take the practice's."""

    staff = models.OneToOneField(StaffMember, on_delete=models.CASCADE, related_name="schedule")
    accepts_online_booking = models.BooleanField(_("Clients may book with me online"), default=True)
    buffer_before_minutes = models.PositiveIntegerField(
        _("Buffer before (minutes)"), null=True, blank=True, validators=[MaxValueValidator(240)]
    )
    buffer_after_minutes = models.PositiveIntegerField(
        _("Buffer after (minutes)"), null=True, blank=True, validators=[MaxValueValidator(240)]
    )
    min_notice_hours = models.PositiveIntegerField(
        _("Minimum notice (hours)"), null=True, blank=True, validators=[MaxValueValidator(24 * 60)]
    )

    def __str__(self) -> str:
        return f"Schedule of {self.staff_id}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WeeklyHours(models.Model):
    """One stretch of a clinician's working week, at wall-clock time in the practice's zone."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="weekly_hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="scheduling_hours_order")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class TimeOff(models.Model):
    """A stretch when a clinician takes no appointments (the reason is for staff only)."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="time_off")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="scheduling_time_off_order")
        ]

    def __str__(self) -> str:
        return f"Time off of {self.staff_id} from {self.starts_at:%Y-%m-%d}"


class Recurrence(models.TextChoices):
    NONE = "", _("Does not repeat")
    WEEKLY = "weekly", _("Every week")
    BIWEEKLY = "biweekly", _("Every other week")


class AppointmentSeries(models.Model):
    """Appointments that repeat: each occurrence is an ``Appointment`` of its own, made when the series is."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    recurrence = models.CharField(max_length=16, choices=Recurrence.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return f"Series {self.pk}"


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")
    LATE_CANCELLATION = "late_cancellation", _("Late cancellation")
    NO_SHOW = "no_show", _("No-show")
    COMPLETED = "completed", _("Completed")


# The statuses that hold the clinician's time: two of these may never overlap.
HOLDS_TIME = (AppointmentStatus.SCHEDULED, AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW)
CANCELLED = (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLATION)


class BookedBy(models.TextChoices):
    STAFF = "staff", _("Staff")
    PORTAL = "portal", _("Booked online")
    REQUEST = "request", _("From a request")


class Appointment(models.Model):
    """One appointment of a client with a clinician."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="appointments")
    clinician = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="appointments")
    service = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(
        _("status"), max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED
    )
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("facility")
    )
    telehealth_url = models.URLField(_("telehealth link"), blank=True)
    series = models.ForeignKey(
        AppointmentSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments"
    )
    booked_by = models.CharField(max_length=16, choices=BookedBy.choices, default=BookedBy.STAFF)
    booked_by_account = models.ForeignKey(
        PortalAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # iCalendar: UID never changes; SEQUENCE grows with every change a calendar should notice.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["practice", "starts_at"], name="scheduling_practice_time"),
            models.Index(fields=["clinician", "starts_at"], name="scheduling_clinician_time"),
            models.Index(fields=["client", "starts_at"], name="scheduling_client_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="scheduling_appointment_order"),
            # Every database: one clinician, one start, one appointment holding the time. PostgreSQL also
            # refuses any overlap (the exclusion constraint of migration 0002).
            models.UniqueConstraint(
                fields=["clinician", "starts_at"],
                condition=Q(status__in=["scheduled", "completed", "no_show"]),
                name="scheduling_one_start_per_clinician",
            ),
        ]

    def __str__(self) -> str:
        return f"Appointment {self.pk}"

    @property
    def is_cancelled(self) -> bool:
        return self.status in CANCELLED

    @property
    def duration(self) -> datetime.timedelta:
        return self.ends_at - self.starts_at


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AppointmentRequest(models.Model):
    """A portal user's request for an appointment: preferred times and a note, for staff to approve or decline."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="appointment_requests")
    account = models.ForeignKey(PortalAccount, on_delete=models.PROTECT, related_name="appointment_requests")
    clinician = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(ServiceType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    preferred_times_encrypted = models.TextField(editable=False, default="")
    note_encrypted = models.TextField(editable=False, default="")
    decline_reason_encrypted = models.TextField(editable=False, default="")
    status = models.CharField(max_length=16, choices=RequestStatus.choices, default=RequestStatus.REQUESTED)
    appointment = models.OneToOneField(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="request"
    )
    decided_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    preferred_times = _EncryptedText()
    note = _EncryptedText()
    decline_reason = _EncryptedText()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["practice", "status", "created_at"], name="scheduling_request_queue")]

    def __str__(self) -> str:
        return f"Appointment request {self.pk}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A portal login's private calendar subscription: its appointments, behind a long random token.

    Only a hash of the token is stored; the address is shown once when it is made. Revoking sets
    ``revoked_at`` and the address answers 404 from then on.
    """

    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="calendar_feeds")
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "practice"],
                condition=Q(revoked_at__isnull=True),
                name="scheduling_one_live_feed",
            )
        ]

    def __str__(self) -> str:
        return f"Calendar feed {self.pk}"


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class ReminderPreference(models.Model):
    """How a portal login wants its reminders: email (the default) and text messages to a number."""

    account = models.OneToOneField(PortalAccount, on_delete=models.CASCADE, related_name="reminder_preference")
    email = models.BooleanField(_("Email reminders"), default=True)
    sms = models.BooleanField(_("Text message reminders"), default=False)
    phone = models.CharField(_("Mobile number"), max_length=20, blank=True)

    def __str__(self) -> str:
        return f"Reminder preference of {self.account_id}"


class Reminder(models.Model):
    """One reminder of one appointment, to one portal login, at one offset, on one channel.

    Made when the appointment is booked (or moved: a move makes a new ``sequence``'s reminders),
    sent by a task queued to run at ``due_at``. Unique per appointment, sequence, offset, channel
    and login, so it is sent at most once.
    """

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="+")
    sequence = models.PositiveIntegerField()
    offset_hours = models.PositiveIntegerField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "sequence", "offset_hours", "channel", "account"],
                name="scheduling_reminder_once",
            )
        ]

    def __str__(self) -> str:
        return f"Reminder {self.pk}"


class ActivityRepeat(models.TextChoices):
    NONE = "", _("Once")
    WEEKLY = "weekly", _("Every week")


class ActivityStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    DONE = "done", _("Done")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class HomeActivity(models.Model):
    """A worksheet or handout assigned to a client, with instructions and a due date (APPT-4)."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="home_activities")
    assigned_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    title_encrypted = models.TextField(editable=False)
    instructions_encrypted = models.TextField(editable=False, default="")
    # The worksheet or handout: an encrypted file (PDF/PNG/JPEG judged from content), or nothing.
    file_name_encrypted = models.TextField(editable=False, default="")
    file_storage_name = models.CharField(max_length=255, blank=True)
    file_content_type = models.CharField(max_length=32, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    repeat = models.CharField(_("repeats"), max_length=16, choices=ActivityRepeat.choices, blank=True, default="")
    status = models.CharField(max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.ASSIGNED)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(PortalAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The completed worksheet a portal user uploaded, if any.
    completed_name_encrypted = models.TextField(editable=False, default="")
    completed_storage_name = models.CharField(max_length=255, blank=True)
    completed_content_type = models.CharField(max_length=32, blank=True)
    # Or a form from the intake forms, sent to the portal with the activity: done when it is submitted.
    form_assignment = models.OneToOneField(
        "intake.FormAssignment", null=True, blank=True, on_delete=models.SET_NULL, related_name="home_activity"
    )
    # A repeating activity's next occurrence is made when this one is done.
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_occurrence"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    title = _EncryptedText()
    instructions = _EncryptedText()
    file_name = _EncryptedText()
    completed_name = _EncryptedText()

    class Meta:
        ordering = ["status", "due_on", "pk"]
        indexes = [
            models.Index(fields=["client", "status", "due_on"], name="scheduling_activity_client"),
            models.Index(fields=["practice", "status", "due_on"], name="scheduling_activity_due"),
        ]

    def __str__(self) -> str:
        return f"Home activity {self.pk}"

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status == ActivityStatus.ASSIGNED and self.due_on is not None and self.due_on < today
