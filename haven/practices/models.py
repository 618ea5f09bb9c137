from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.core.models import OneTimeLink


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Choose a time zone from the list, such as America/Chicago."))


class Practice(models.Model):
    """A practice: the tenant every record belongs to."""

    name = models.CharField(_("practice name"), max_length=200)
    slug = models.SlugField(
        _("portal address"),
        max_length=60,
        unique=True,
        validators=[
            RegexValidator(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$", _("Use lowercase letters, digits and dashes."))
        ],
        help_text=_("The last part of your portal's web address."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    logo = models.BinaryField(_("logo"), null=True, blank=True, editable=False)
    logo_content_type = models.CharField(max_length=32, blank=True, editable=False)
    require_staff_two_factor = models.BooleanField(
        _("Require two-factor for staff"),
        default=True,
        help_text=_("Staff must confirm a code from an authenticator app before they see client information."),
    )
    client_contact_network_enabled = models.BooleanField(
        _("Enable Client Contact Network"),
        default=False,
        help_text=_("Legal guardians may complete forms, manage appointments and pay for the clients they care for."),
    )
    age_of_majority = models.PositiveSmallIntegerField(
        _("age of majority"), default=18, validators=[MinValueValidator(14), MaxValueValidator(25)]
    )
    notify_portal_shares = models.BooleanField(
        _("Email portal users when a document is shared"),
        default=True,
        help_text=_("The email says only that something new is waiting in the portal."),
    )
    portal_handout_text = models.TextField(
        _("portal handout text"),
        blank=True,
        help_text=_("Your own words for the handout about the portal: what clients can do there, whom to call."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_content_type)

    def get_logo_url(self) -> str:
        return reverse("practice_logo", kwargs={"slug": self.slug})

    @property
    def portal_url(self) -> str:
        return f"{settings.HAVEN_BASE_URL}/p/{self.slug}/"


class Facility(models.Model):
    """A location of a practice; a client's episode of care may name one."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="facilities")
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("facilities")
        constraints = [models.UniqueConstraint(fields=["practice", "name"], name="practices_facility_unique_name")]

    def __str__(self) -> str:
        return self.name


class Permission(models.TextChoices):
    """Staff permissions, granted one by one (PRODUCT.md ACC-2)."""

    WEB_PORTAL = "web_portal", _("Web Portal")
    UPLOAD_DOCUMENTS = "upload_documents", _("Upload Client General Documents")
    INVITE_PORTAL = "invite_portal", _("Can invite clients to the client portal and manage intake forms")
    DYNAMIC_FORMS = "dynamic_forms", _("Can Add, Edit, and Archive Dynamic Forms")
    BILLING = "billing", _("Billing")
    ORG_ADMIN = "org_admin", _("Organization Administration")
    CLINICAL_DOCUMENTS = "clinical_documents", _("Read clinical documents")
    SECURE_MESSAGES = "secure_messages", _("Secure messages")
    SCHEDULING = "scheduling", _("Scheduling")
    HOME_ACTIVITIES = "home_activities", _("Assign Home Activities")


PERMISSION_HELP = {
    Permission.WEB_PORTAL: _("May share anything to the portal. Never granted by default."),
    Permission.UPLOAD_DOCUMENTS: _("May upload documents into a client's chart."),
    Permission.INVITE_PORTAL: _("May invite clients and contacts to the portal and send intake forms."),
    Permission.DYNAMIC_FORMS: _("May build and archive dynamic forms (not intake forms)."),
    Permission.BILLING: _("May see and manage invoices and payments."),
    Permission.ORG_ADMIN: _("All portal settings, staff and permissions."),
    Permission.CLINICAL_DOCUMENTS: _(
        "May open clinical notes, treatment plans and signed clinical records. Not for billing or front desk."
    ),
    Permission.SECURE_MESSAGES: _(
        "May write to clients and their contacts in the portal and read the messages addressed to them or their team."
    ),
    Permission.SCHEDULING: _(
        "May see the practice's calendar, book, move and cancel appointments, and answer appointment requests."
    ),
    Permission.HOME_ACTIVITIES: _("May assign worksheets and handouts to clients and see whether they are done."),
}


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    THERAPIST = "therapist", _("Therapist")
    FRONT_DESK = "front_desk", _("Front desk")
    BILLING = "billing", _("Billing")


# What each role starts with. Web Portal is in none of them: it is always granted by hand.
# Reading clinical documents is for the roles that treat clients (minimum necessary).
ROLE_TEMPLATES: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(
        {
            Permission.ORG_ADMIN,
            Permission.UPLOAD_DOCUMENTS,
            Permission.INVITE_PORTAL,
            Permission.DYNAMIC_FORMS,
            Permission.BILLING,
            Permission.CLINICAL_DOCUMENTS,
            Permission.SECURE_MESSAGES,
            Permission.SCHEDULING,
            Permission.HOME_ACTIVITIES,
        }
    ),
    Role.THERAPIST: frozenset(
        {
            Permission.DYNAMIC_FORMS,
            Permission.UPLOAD_DOCUMENTS,
            Permission.CLINICAL_DOCUMENTS,
            Permission.SECURE_MESSAGES,
            Permission.SCHEDULING,
            Permission.HOME_ACTIVITIES,
        }
    ),
    Role.FRONT_DESK: frozenset(
        {Permission.UPLOAD_DOCUMENTS, Permission.INVITE_PORTAL, Permission.SECURE_MESSAGES, Permission.SCHEDULING}
    ),
    Role.BILLING: frozenset({Permission.BILLING}),
}


class StaffMember(models.Model):
    """A staff user's place in a practice: role and the permissions granted to them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_member")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    title = models.CharField(_("title"), max_length=100, blank=True)
    permissions = models.JSONField(_("permissions"), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["user__full_name"]

    def __str__(self) -> str:
        return str(self.user)

    def has_permission(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def is_administrator(self) -> bool:
        return self.has_permission(Permission.ORG_ADMIN)

    @property
    def granted(self) -> list[tuple[str, str]]:
        return [(p.value, str(p.label)) for p in Permission if p.value in self.permissions]


class LinkPurpose(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    RESET = "reset", _("Password reset")


class StaffPasswordLink(OneTimeLink):
    """A one-time link that lets a staff user set a password: an invitation (24 hours) or a reset (1 hour)."""

    VALID_FOR = {LinkPurpose.INVITATION: timedelta(hours=24), LinkPurpose.RESET: timedelta(hours=1)}

    member = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="password_links")
    purpose = models.CharField(max_length=16, choices=LinkPurpose.choices)

    class Meta(OneTimeLink.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.purpose} link for {self.member}"

    def owner_password_hash(self) -> str:
        return self.member.user.password
