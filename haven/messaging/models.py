"""Secure messages (MSG-1, MSG-2 and the portal inbox of SIGN-2): threads between one portal login, acting for
one client's profile, and the practice.

A ``Thread`` is about one client and has one portal participant (the client's own login, or a contact's);
on the practice's side its participants are staff members, named (a clinician, the staff member who wrote,
the one a team thread is assigned to) or reached through the practice's message team. Record requests,
intake messages and notices are threads too, so everything lands in one inbox.

Each participant has a ``Participant`` row: how many messages they have not read, through which message
they have read and when, and whether they archived the thread. Sending a message changes those rows in the
same transaction, so unread counts are never stale. Nothing is deleted: messages are part of the record.

Subjects, bodies and attachment names are health information: they are kept encrypted with the file keys
(``haven.core.encryption``) and registered for key rotation; attachments are encrypted files.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.clients.models import Client
from haven.core.encryption import decrypt_bytes, encrypt_bytes
from haven.portal_access.models import PortalAccount
from haven.practices.models import Practice, StaffMember


def _sealed(text: str) -> str:
    return encrypt_bytes(text.encode()) if text else ""


def _opened(token: str) -> str:
    return decrypt_bytes(token).decode() if token else ""


class MessageKind(models.TextChoices):
    CONVERSATION = "conversation", _("Message")
    RECORD_REQUEST = "record_request", _("Record request")
    NOTICE = "notice", _("Notice")
    INTAKE = "intake", _("Intake forms")


DEFAULT_CRISIS_NOTICE = _(
    "Messages are not for emergencies. If you are in crisis or thinking about harming yourself, call or text "
    "988 (the Suicide & Crisis Lifeline). If you are in danger, call 911 or go to the nearest emergency room."
)


class MessagingSettings(models.Model):
    """A practice's choices about secure messages; a practice without a row has the defaults."""

    practice = models.OneToOneField(Practice, on_delete=models.CASCADE, related_name="+")
    client_messages_enabled = models.BooleanField(
        _("Clients may start conversations"),
        default=True,
        help_text=_("When off, portal users can only reply to messages your staff send them."),
    )
    crisis_notice = models.TextField(
        _("Emergency notice"),
        blank=True,
        help_text=_("Shown where portal users write a message. Leave empty for the standard wording (988 and 911)."),
    )
    team = models.ManyToManyField(
        StaffMember,
        blank=True,
        related_name="+",
        verbose_name=_("Message team"),
        help_text=_("Who receives messages written to the practice team. When no one is chosen, administrators do."),
    )

    def __str__(self) -> str:
        return f"Messaging settings of practice {self.practice_id}"

    @property
    def crisis_words(self) -> str:
        return self.crisis_notice.strip() or str(DEFAULT_CRISIS_NOTICE)


class Thread(models.Model):
    """A conversation about one client between one portal login and the practice."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(PortalAccount, on_delete=models.PROTECT, related_name="threads")
    kind = models.CharField(max_length=20, choices=MessageKind.choices, default=MessageKind.CONVERSATION)
    subject_encrypted = models.TextField(editable=False)
    to_team = models.BooleanField(default=False)  # written to the practice's message team, not to one person
    assigned_to = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_message_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_message_at", "-pk"]
        indexes = [models.Index(fields=["account", "client", "-last_message_at"], name="messaging_portal_inbox")]

    def __str__(self) -> str:
        return f"Thread {self.pk} about client {self.client_id}"

    @property
    def subject(self) -> str:
        cached: str | None = self.__dict__.get("_subject")
        if cached is None:
            cached = _opened(self.subject_encrypted)
            self.__dict__["_subject"] = cached
        return cached

    @subject.setter
    def subject(self, value: str) -> None:
        self.subject_encrypted = _sealed(value)
        self.__dict__["_subject"] = value


class Participant(models.Model):
    """One side's place in a thread: the portal login, or one staff member; their unread count and archive."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="participants")
    staff = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(PortalAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    via_team = models.BooleanField(default=False)  # a staff member who reads it as one of the message team
    unread = models.PositiveIntegerField(default=0)
    read_through = models.PositiveBigIntegerField(default=0)  # the id of the last message they have read
    read_at = models.DateTimeField(null=True, blank=True)  # when they first read through that message
    archived_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(default=timezone.now)  # the thread's, kept here for the inbox's order

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(staff__isnull=True, account__isnull=False) | Q(staff__isnull=False, account__isnull=True),
                name="messaging_participant_one_side",
            ),
            models.UniqueConstraint(fields=["thread", "staff"], name="messaging_participant_staff_once"),
            models.UniqueConstraint(fields=["thread", "account"], name="messaging_participant_account_once"),
        ]
        indexes = [
            models.Index(fields=["staff", "archived_at", "-last_message_at"], name="messaging_staff_inbox"),
            models.Index(fields=["staff", "unread"], name="messaging_staff_unread"),
            models.Index(fields=["account", "-last_message_at"], name="messaging_account_inbox"),
        ]

    def __str__(self) -> str:
        who = f"staff {self.staff_id}" if self.staff_id else f"account {self.account_id}"
        return f"{who} in thread {self.thread_id}"


class Message(models.Model):
    """One message of a thread, from a staff member, the portal login, or Haven itself (neither)."""

    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    sent_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sent_by_account = models.ForeignKey(
        PortalAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body_encrypted = models.TextField(blank=True, editable=False)
    document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signature_request = models.ForeignKey(
        "signing.SignatureRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sent_by__isnull=True) | Q(sent_by_account__isnull=True),
                name="messaging_message_one_sender",
            )
        ]
        indexes = [
            models.Index(fields=["thread", "created_at"], name="messaging_thread_messages"),
            models.Index(fields=["sent_by_account", "created_at"], name="messaging_account_sent"),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} in thread {self.thread_id}"

    @property
    def from_portal(self) -> bool:
        return self.sent_by_account_id is not None

    @property
    def body(self) -> str:
        cached: str | None = self.__dict__.get("_body")
        if cached is None:
            cached = _opened(self.body_encrypted)
            self.__dict__["_body"] = cached
        return cached

    @body.setter
    def body(self, value: str) -> None:
        self.body_encrypted = _sealed(value)
        self.__dict__["_body"] = value


class Attachment(models.Model):
    """A file sent with a message: PDF, PNG or JPEG judged from its content, stored encrypted."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attachments")
    name_encrypted = models.TextField(editable=False)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=255, unique=True)
    filed_document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Attachment {self.pk} of message {self.message_id}"

    @property
    def name(self) -> str:
        cached: str | None = self.__dict__.get("_name")
        if cached is None:
            cached = _opened(self.name_encrypted)
            self.__dict__["_name"] = cached
        return cached

    @name.setter
    def name(self, value: str) -> None:
        self.name_encrypted = _sealed(value)
        self.__dict__["_name"] = value


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("Right away")
    DAILY = "daily", _("Once a day, if something new came")
    OFF = "off", _("Never")


class EmailPreference(models.Model):
    """When a person is emailed about new secure messages: a portal login or a staff member (default: right away)."""

    account = models.OneToOneField(
        PortalAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="message_emails"
    )
    staff = models.OneToOneField(StaffMember, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.IMMEDIATE)
    digest_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(staff__isnull=True, account__isnull=False) | Q(staff__isnull=False, account__isnull=True),
                name="messaging_preference_one_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.frequency} email for {'staff' if self.staff_id else 'account'}"
