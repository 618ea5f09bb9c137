"""Signing records (PRODUCT.md SIGN-1..SIGN-7): seal certificates, signature requests and signatures."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.practices.models import Practice


class PracticeSigningCertificate(models.Model):
    """One certificate a practice seals PDFs with; retired ones stay to verify older files.

    The private key is kept only as a Fernet token (the file keys of haven.core.encryption),
    never in plaintext. A certificate issued outside Haven (HAVEN_SEAL_CERT_FILE) is recorded
    too, so files sealed with it still verify after it is replaced; its key stays in its file
    and ``private_key_encrypted`` is empty.
    """

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="signing_certificates")
    subject = models.CharField(_("subject"), max_length=400)
    serial = models.CharField(_("serial number"), max_length=64, db_index=True, help_text=_("Hexadecimal."))
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, db_index=True, editable=False)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    certificate_pem = models.TextField(_("certificate (PEM)"), help_text=_("The certificate, then any chain."))
    private_key_encrypted = models.TextField(blank=True, editable=False)
    is_self_managed = models.BooleanField(_("created by Haven"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("practice signing certificate")
        constraints = [
            models.UniqueConstraint(
                fields=["practice"],
                condition=Q(retired_at__isnull=True),
                name="signing_one_current_certificate",
            )
        ]

    def __str__(self) -> str:
        """The subject and serial number, as shown in the admin and logs."""
        return f"{self.subject} ({self.serial})"


# A request lapses after this long: the daily tasks close it as Expired.
REQUEST_VALID_FOR = datetime.timedelta(days=30)


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending Signature")
    SIGNED = "signed", _("Signed")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class Capacity(models.TextChoices):
    SELF = "self", _("Self")
    GUARDIAN = "guardian", _("Legal guardian")


class SignatureRequestQuerySet(models.QuerySet["SignatureRequest"]):
    def pending(self, now: datetime.datetime | None = None) -> SignatureRequestQuerySet:
        """Requests still waiting for a signature: neither answered, cancelled nor expired."""
        return self.filter(status=RequestStatus.PENDING, expires_at__gt=now or timezone.now())

    def signable(self, now: datetime.datetime | None = None) -> SignatureRequestQuerySet:
        """Waiting, for the version that is still current: the signer can sign it."""
        return self.pending(now).filter(version_id=F("document__current_version_id"))

    def out_of_date(self, now: datetime.datetime | None = None) -> SignatureRequestQuerySet:
        """Waiting, but the document has a newer version than the one sent: it can't be signed (see is_out_of_date)."""
        return self.pending(now).exclude(version_id=F("document__current_version_id"))


class SignatureRequest(models.Model):
    """Share to Sign (SIGN-1): one document version, one named signer, answered at most once.

    The signer is the client (capacity self) or, for a minor, a legal guardian from the Client
    Contact Network (capacity guardian, ``contact`` set). ``version`` and ``sha256`` fix what
    was sent: if the document has a newer version by the time the signer signs, signing is refused.
    """

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="signature_requests")
    version = models.ForeignKey("documents.DocumentVersion", on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64)
    capacity = models.CharField(max_length=16, choices=Capacity.choices)
    contact = models.ForeignKey(
        "clients.RelatedContact", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    requested_by = models.ForeignKey("practices.StaffMember", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    cancelled_by = models.ForeignKey(
        "practices.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = SignatureRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # At most one open request per document: a new one needs the old one answered or cancelled.
            models.UniqueConstraint(
                fields=["document"], condition=Q(status="pending"), name="signing_one_pending_request_per_document"
            ),
            models.CheckConstraint(
                condition=Q(capacity="self", contact__isnull=True) | Q(capacity="guardian", contact__isnull=False),
                name="signing_request_contact_matches_capacity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.signer_name} ({self.status})"

    @property
    def is_expired(self) -> bool:
        """Closed as expired, or past its time and not yet closed (the daily tasks close it)."""
        if self.status == RequestStatus.EXPIRED:
            return True
        return self.status == RequestStatus.PENDING and self.expires_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.PENDING and not self.is_expired

    @property
    def is_out_of_date(self) -> bool:
        """Still waiting, but the document got a newer version after it was sent: it can no longer be signed.

        The practice's Activity Log and document page show it as outdated; the signer's pages say
        "Out of date" (status_label) instead of Pending Review or Pending Signature.
        """
        return self.is_open and self.document.current_version_id != self.version_id

    @property
    def status_label(self) -> str:
        if self.is_expired:
            return str(_("Expired"))
        if self.is_out_of_date:
            return str(_("Out of date"))
        return str(self.get_status_display())


class SignatureMethod(models.TextChoices):
    """How the signer made their mark: drawn on the pad, or their name typed (for keyboard and screen reader use)."""

    DRAWN = "drawn", _("Drawn")
    TYPED = "typed", _("Typed")


class Signature(models.Model):
    """A signature, written once (SIGN-7): one per request, enforced by the database.

    Everything the signature certificate shows is kept here, so the record stands on its own even
    before the signed PDF is built. The signature's image (drawn, or made from the typed name) is
    stored encrypted, like documents.
    """

    request = models.OneToOneField(SignatureRequest, on_delete=models.PROTECT, related_name="signature")
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="signatures")
    account = models.ForeignKey("portal_access.PortalAccount", on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(
        max_length=200,
        help_text=_("As the practice knows the signer: the client's or the contact's name in the chart."),
    )
    account_name = models.CharField(
        max_length=200, blank=True, help_text=_("The name the portal account itself carried when signing.")
    )
    signer_email = models.EmailField()
    capacity = models.CharField(max_length=16, choices=Capacity.choices)
    on_behalf_of = models.CharField(max_length=200, blank=True, help_text=_("For a guardian: the client signed for."))
    signed_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    device = models.CharField(max_length=200, blank=True)
    disclosure_version = models.CharField(max_length=20)
    disclosure_text = models.TextField()
    consented_at = models.DateTimeField()
    method = models.CharField(max_length=8, choices=SignatureMethod.choices, default=SignatureMethod.DRAWN)
    typed_name = models.CharField(max_length=100, blank=True, help_text=_("For a typed signature: the name as typed."))
    image_storage_name = models.CharField(max_length=200, editable=False)
    sha256_before = models.CharField(max_length=64, help_text=_("The document as shown to the signer."))
    sha256_signed = models.CharField(max_length=64, blank=True, help_text=_("The document with the signature drawn."))
    signed_version = models.OneToOneField(
        "documents.DocumentVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="signature"
    )
    sealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.document} signed by {self.signer_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Written once; afterwards only the link to the signed version it produced is filled in."""
        if not self._state.adding:
            fields = set(kwargs.get("update_fields") or ())
            if not fields or not fields <= {"signed_version", "sha256_signed", "sealed_at"}:
                raise ValueError("A signature never changes once written.")
        super().save(*args, **kwargs)
