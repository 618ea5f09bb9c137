from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from itertools import batched
from typing import Any

from django.db import models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.db.models.base import ModelBase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.clients.search import TERM_LENGTH, terms_for
from haven.practices.models import Facility, Practice, StaffMember

# The fields the staff search reads (with the practice, which scopes every term); a change to any of them rewrites
# the client's search terms, whatever path it takes: save(), create(), bulk_create(), bulk_update(), update().
SEARCHED_FIELDS = frozenset({"first_name", "last_name", "preferred_name", "email", "practice", "practice_id"})


class ClientStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISCHARGED = "discharged", _("Discharged")


class ClientQuerySet(models.QuerySet["Client"]):
    """Client rows, whose bulk writes keep the search terms in step as save() does."""

    def bulk_create(
        self,
        objs: Iterable[Any],  # Clients (the type checker's plugin makes this class generic over them)
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Collection[str] | None = None,
        unique_fields: Collection[str] | None = None,
    ) -> list[Any]:
        if ignore_conflicts:  # the rows written would be unknown, and so would be their terms
            raise TypeError("Client rows are created with their search terms: ignore_conflicts cannot be used.")
        with transaction.atomic(using=self.db):
            created = super().bulk_create(
                objs,
                batch_size=batch_size,
                update_conflicts=update_conflicts,
                update_fields=update_fields,
                unique_fields=unique_fields,
            )
            ClientSearchTerm.write_for(created, fresh=not update_conflicts)
        return created

    def bulk_update(self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None) -> int:
        objs, fields = list(objs), list(fields)
        with transaction.atomic(using=self.db):
            rows = super().bulk_update(objs, fields, batch_size=batch_size)
            if SEARCHED_FIELDS.intersection(fields):
                ClientSearchTerm.write_for(objs)
        return rows

    def update(self, **kwargs: Any) -> int:
        if not SEARCHED_FIELDS.intersection(kwargs):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            ids = list(self.values_list("pk", flat=True))
            rows = super().update(**kwargs)
            for chunk in batched(ids, 500):
                ClientSearchTerm.write_for(Client.objects.using(self.db).filter(pk__in=chunk))
        return rows


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
    clinician = models.ForeignKey(
        StaffMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("clinician"),
        help_text=_("Told at once when a form answer needs a clinician's review."),
    )
    status = models.CharField(_("status"), max_length=16, choices=ClientStatus.choices, default=ClientStatus.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    # Raised by every change; an edit based on an older version is refused, never silently lost.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            models.Index(fields=["practice", "last_name", "first_name"], name="clients_practice_name"),
            models.Index(fields=["practice", "email"], name="clients_practice_email"),
            models.Index(fields=["practice", "date_of_birth"], name="clients_practice_dob"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(
        self,
        *,
        force_insert: bool | tuple[ModelBase, ...] = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Iterable[str] | None = None,
    ) -> None:
        """Save the chart, and its search terms when a searched field may have changed."""
        using = using or router.db_for_write(Client, instance=self)
        fields = None if update_fields is None else frozenset(update_fields)
        with transaction.atomic(using=using):
            creating = self._state.adding
            super().save(force_insert=force_insert, force_update=force_update, using=using, update_fields=fields)
            if fields is None or SEARCHED_FIELDS.intersection(fields):
                ClientSearchTerm.write_for([self], fresh=creating)

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
        db_index=False,  # the partial index below: most contacts link no client, and a plain index of
        # mostly NULLs reads to SQLite's planner as useless, so "whose contact is this client" scanned them all
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
        indexes = [
            models.Index(
                fields=["linked_client"], condition=Q(linked_client__isnull=False), name="clients_contact_linked"
            )
        ]
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


class SearchTermField(models.CharField):
    """Text compared code point by code point on every engine (PostgreSQL's "C" collation, SQLite's default
    BINARY), so that the terms a typed word begins lie in one index range whatever the database's locale."""

    def db_parameters(self, connection: BaseDatabaseWrapper) -> dict[str, Any]:
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters


class ClientSearchTerm(models.Model):
    """One search term of a client (``haven.clients.search``): the staff search reads these through the index on
    (practice, term, client), never the clients themselves. Kept by ``Client.save`` and the client queryset's bulk
    writes; deleted with the client."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, db_index=False, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="search_terms")
    term = SearchTermField(max_length=TERM_LENGTH)

    class Meta:
        indexes = [models.Index(fields=["practice", "term", "client"], name="clients_search_term")]

    def __str__(self) -> str:
        return self.term

    @classmethod
    def write_for(cls, clients: Iterable[Client], *, fresh: bool = False) -> None:
        """Write these clients' terms from the names and email they hold (``fresh``: they have none yet)."""
        for chunk in batched((client for client in clients if client.pk is not None), 500):
            if not fresh:
                ClientSearchTerm.objects.filter(client__in=[client.pk for client in chunk]).delete()
            ClientSearchTerm.objects.bulk_create(
                ClientSearchTerm(practice_id=client.practice_id, client_id=client.pk, term=term)
                for client in chunk
                for term in sorted(terms_for(client.first_name, client.last_name, client.preferred_name, client.email))
            )
