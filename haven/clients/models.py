from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.practices.models import Facility, Practice


class ClientStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISCHARGED = "discharged", _("Discharged")


class Client(models.Model):
    """A client's chart: who they are and where they are seen."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="clients")
    facility = models.ForeignKey(
        Facility,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clients",
        verbose_name=_("facility (episode)"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ClientStatus.choices, default=ClientStatus.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    # Raised by every change; an edit based on an older version is refused, never silently lost.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            models.Index(fields=["practice", "last_name", "first_name"], name="clients_practice_name"),
            models.Index(fields=["practice", "email"], name="clients_practice_email"),
            models.Index(fields=["practice", "date_of_birth"], name="clients_practice_dob"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("staff:client_chart", kwargs={"client_id": self.pk})

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def display_name(self) -> str:
        if self.preferred_name and self.preferred_name != self.first_name:
            return f"{self.first_name} ({self.preferred_name}) {self.last_name}"
        return self.full_name

    def facility_name_beside_practice(self) -> str:
        """The episode's facility, when it names one other than the practice itself; else empty (ACC-6)."""
        if self.facility_id is None:
            return ""
        name = self.facility.name  # type: ignore[union-attr]
        return "" if name == self.practice.name else name

    def age_on(self, day: date) -> int:
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - int(before_birthday)

    def is_minor_on(self, day: date) -> bool:
        return self.age_on(day) < self.practice.age_of_majority


class Relationship(models.TextChoices):
    PARENT = "parent", _("Parent")
    GUARDIAN = "guardian", _("Guardian")
    SPOUSE = "spouse", _("Spouse or partner")
    SIBLING = "sibling", _("Sibling")
    EMERGENCY = "emergency", _("Emergency contact")
    CASE_WORKER = "case_worker", _("Case worker")
    OTHER = "other", _("Other")


class RelatedContact(models.Model):
    """A person related to a client: someone new, or another client of the practice."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    linked_client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_of",
        verbose_name=_("existing client"),
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    web_portal = models.BooleanField(
        _("Web Portal"),
        default=False,
        help_text=_("May receive documents shared to the portal and log in for this client."),
    )
    legal_guardian = models.BooleanField(
        _("Legal guardian (Client Contact Network)"),
        default=False,
        help_text=_("May also complete forms, manage appointments, pay and sign for a minor."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(linked_client__isnull=True) | ~Q(linked_client=models.F("client")),
                name="clients_contact_not_self",
            ),
            models.UniqueConstraint(
                fields=["client", "linked_client"],
                condition=Q(linked_client__isnull=False),
                name="clients_contact_unique_linked_client",
            ),
            models.CheckConstraint(
                condition=Q(linked_client__isnull=False) | ~Q(first_name="") | ~Q(last_name=""),
                name="clients_contact_has_name",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        if self.linked_client is not None:
            return self.linked_client.full_name
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def contact_email(self) -> str:
        if self.linked_client is not None:
            return self.linked_client.email
        return self.email

    @property
    def contact_phone(self) -> str:
        if self.linked_client is not None:
            return self.linked_client.phone
        return self.phone
