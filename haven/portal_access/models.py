"""Portal accounts and the client profiles each may act for.

Portal accounts are a world apart from staff logins: their own table, their own
session key, their own pages. One account can reach several client profiles,
each through a ``ProfileAccess`` that says in what capacity.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from haven.clients.models import Client, RelatedContact
from haven.core.models import OneTimeLink
from haven.practices.models import Practice


class PortalAccount(models.Model):
    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("name"), max_length=200)
    password = models.CharField(max_length=128, default="", editable=False)
    is_active = models.BooleanField(default=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    registered_at_practice = models.ForeignKey(
        Practice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="portal_account_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def set_password(self, raw_password: str) -> None:
        self.password = make_password(raw_password)
        self.password_changed_at = timezone.now()

    def check_password(self, raw_password: str) -> bool:
        return bool(self.password) and check_password(raw_password, self.password)

    @property
    def has_password(self) -> bool:
        return bool(self.password)

    def session_hash(self) -> str:
        """Changes whenever the password does, which ends every session opened before."""
        return salted_hmac("haven.portal.session", self.password or "no-password", algorithm="sha256").hexdigest()


class AccessKind(models.TextChoices):
    SELF = "self", _("Client")
    CONTACT = "contact", _("Related contact")
    PORTAL_USER = "portal_user", _("Portal user")


class AccessStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Removed")
    EXPIRED = "expired", _("Ended at age of majority")


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def majority_day(date_of_birth: datetime.date, years: int) -> datetime.date:
    """The first day someone born then is of age (the first day ``years_before`` no longer counts them a minor)."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + years)
    except ValueError:  # born on 29 February: of age on 1 March in a year without one
        return datetime.date(date_of_birth.year + years, 3, 1)


def _guardian_still_valid(today: datetime.date, majority_cutoff: datetime.date) -> Q:
    """A legal guardian's access lasts while the client is a minor (born after ``majority_cutoff``, the day
    ``years_before`` today by the practice's age of majority), or until staff's renewal date."""
    return Q(client__date_of_birth__gt=majority_cutoff) | Q(guardian_until__gt=today)


class ProfileAccessQuerySet(models.QuerySet["ProfileAccess"]):
    def effective(self, practice: Practice, today: datetime.date | None = None) -> ProfileAccessQuerySet:
        """Access to this practice's clients that works right now.

        Confirmed, and still backed by the chart: a contact needs Web Portal permission, and a
        legal guardian's access lasts while the client is a minor or until staff's renewal date.
        """
        today = today or timezone.localdate()
        return self.effective_on(
            practice.pk, today=today, majority_cutoff=years_before(today, practice.age_of_majority)
        )

    def effective_on(
        self, practice_id: int, *, today: datetime.date, majority_cutoff: datetime.date
    ) -> ProfileAccessQuerySet:
        """``effective`` for the practice with this id, on ``today``, for clients born after ``majority_cutoff``
        still being minors: every value a plain one, so a prepared query can ask it (``haven.core.prepared``)."""
        # A contact's access joins its contact row (a missing one never has Web Portal permission). Shaped to
        # be cheap to build, since every portal request asks it: ids rather than rows, one IN for two kinds.
        contact_ok = Q(kind=AccessKind.CONTACT, contact__web_portal=True) & (
            Q(contact__legal_guardian=False) | _guardian_still_valid(today, majority_cutoff)
        )
        return self.filter(
            Q(kind__in=(AccessKind.SELF, AccessKind.PORTAL_USER)) | contact_ok,
            practice_id=practice_id,
            client__practice_id=practice_id,
            status=AccessStatus.ACTIVE,
        )

    def ended_at_majority(self, practice: Practice, today: datetime.date | None = None) -> ProfileAccessQuerySet:
        """Legal guardians' access that ended at the client's age of majority (or at the end of a renewal).

        Closed by the daily task (Expired), or already past that day and waiting for the task: still
        Active in the table, but ``effective`` no longer counts it.
        """
        today = today or timezone.localdate()
        return self.ended_at_majority_on(
            practice.pk, today=today, majority_cutoff=years_before(today, practice.age_of_majority)
        )

    def ended_at_majority_on(
        self, practice_id: int, *, today: datetime.date, majority_cutoff: datetime.date
    ) -> ProfileAccessQuerySet:
        """``ended_at_majority`` with plain values, as ``effective_on`` is to ``effective``."""
        lapsed = Q(status=AccessStatus.ACTIVE, kind=AccessKind.CONTACT, contact__legal_guardian=True) & ~(
            _guardian_still_valid(today, majority_cutoff)
        )
        return self.filter(practice_id=practice_id).filter(Q(status=AccessStatus.EXPIRED) | lapsed)


class ProfileAccess(models.Model):
    """One portal account's access to one client's profile, and in what capacity."""

    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="profiles")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="portal_access")
    kind = models.CharField(max_length=16, choices=AccessKind.choices)
    contact = models.ForeignKey(
        RelatedContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="portal_access"
    )
    display_name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("For portal users only."))
    status = models.CharField(max_length=16, choices=AccessStatus.choices, default=AccessStatus.PENDING)
    pin_hash = models.CharField(max_length=128, blank=True)
    pin_expires_at = models.DateTimeField(null=True, blank=True)
    pin_attempts = models.PositiveSmallIntegerField(default=0)
    guardian_until = models.DateField(
        null=True,
        blank=True,
        help_text=_("Staff renewed a guardian's access past the client's age of majority until this day."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = ProfileAccessQuerySet.as_manager()

    class Meta:
        ordering = ["client__last_name", "client__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "client"],
                condition=Q(status__in=["pending", "active"]),
                name="portal_one_open_access_per_client",
            ),
            models.CheckConstraint(
                condition=~Q(kind="contact") | Q(contact__isnull=False) | Q(status__in=["revoked", "expired"]),
                name="portal_contact_access_names_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} → {self.client} ({self.kind})"

    PIN_MAX_ATTEMPTS = 5
    PIN_VALID_FOR = datetime.timedelta(days=30)

    def set_pin(self, pin: str) -> None:
        self.pin_hash = make_password(pin)
        self.pin_expires_at = timezone.now() + self.PIN_VALID_FOR
        self.pin_attempts = 0

    def pin_usable(self) -> bool:
        return (
            bool(self.pin_hash)
            and self.pin_attempts < self.PIN_MAX_ATTEMPTS
            and self.pin_expires_at is not None
            and timezone.now() < self.pin_expires_at
        )

    def pin_matches(self, pin: str) -> bool:
        return self.pin_usable() and check_password(pin, self.pin_hash)

    def mark_confirmed(self) -> None:
        """The person proved the link is theirs (PIN or invitation): it works from now on."""
        self.status = AccessStatus.ACTIVE
        self.confirmed_at = timezone.now()
        self.pin_hash = ""
        self.save(update_fields=["status", "confirmed_at", "pin_hash"])

    def mark_ended(self, status: str) -> None:
        self.status = status
        self.ended_at = timezone.now()
        self.pin_hash = ""
        self.save(update_fields=["status", "ended_at", "pin_hash"])

    def guardian_lapsed_on(self, today: datetime.date | None = None) -> datetime.date | None:
        """For a legal guardian's access still Active in the table: the day it stopped working at the client's age
        of majority (or at the end of staff's renewal), once that day has come; the daily task then closes it."""
        if self.status != AccessStatus.ACTIVE or self.kind != AccessKind.CONTACT:
            return None
        if self.contact is None or not self.contact.legal_guardian:
            return None
        ends = majority_day(self.client.date_of_birth, self.practice.age_of_majority)
        if self.guardian_until is not None:
            ends = max(ends, self.guardian_until)
        return ends if ends <= (today or timezone.localdate()) else None

    @property
    def lapsed_on(self) -> datetime.date | None:
        """guardian_lapsed_on for today, for templates."""
        return self.guardian_lapsed_on()

    @property
    def is_guardian(self) -> bool:
        """Acts for the client as a legal guardian (Client Contact Network)."""
        return (
            self.kind == AccessKind.CONTACT
            and self.contact is not None
            and self.contact.legal_guardian
            and self.practice.client_contact_network_enabled
        )

    @property
    def capacity_label(self) -> str:
        if self.kind == AccessKind.SELF:
            return str(_("Client"))
        if self.kind == AccessKind.PORTAL_USER:
            return str(_("Portal user"))
        if self.is_guardian:
            return str(_("Legal guardian"))
        if self.contact is not None:
            return self.contact.get_relationship_display()
        return str(_("Related contact"))

    @property
    def may_act_for_client(self) -> bool:
        """Complete forms, manage appointments, pay and sign: the client, or a guardian in the network."""
        return self.kind == AccessKind.SELF or self.is_guardian


class PortalLinkPurpose(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    RESET = "reset", _("Password reset")
    VERIFY_EMAIL = "verify_email", _("Email verification")


class PortalLink(OneTimeLink):
    """A one-time link for a portal account: invitation (24 hours), reset or email verification."""

    VALID_FOR = {
        PortalLinkPurpose.INVITATION: datetime.timedelta(hours=24),
        PortalLinkPurpose.RESET: datetime.timedelta(hours=1),
        PortalLinkPurpose.VERIFY_EMAIL: datetime.timedelta(hours=24),
    }

    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="links")
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    # An invitation confirms the access it was sent for: following it proves the email is theirs.
    access = models.ForeignKey("ProfileAccess", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=16, choices=PortalLinkPurpose.choices)

    class Meta(OneTimeLink.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.purpose} link for {self.account}"

    def owner_password_hash(self) -> str:
        return self.account.password


class PortalTwoFactor(models.Model):
    """A portal account's second factor: a TOTP key from an authenticator app, on once confirmed.

    The key is encrypted with the file keys (``HAVEN_FILE_KEYS``). Each accepted code's time step is
    kept, so no code works twice; wrong codes are counted, and every fifth pauses checking for a while.
    """

    account = models.OneToOneField(PortalAccount, on_delete=models.CASCADE, related_name="two_factor")
    secret_encrypted = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"two-step sign-in for {self.account}"

    @property
    def is_on(self) -> bool:
        return self.confirmed_at is not None

    def is_locked(self) -> bool:
        return self.locked_until is not None and timezone.now() < self.locked_until
