"""The certificates a practice seals signed documents with (PRODUCT.md SIGN-5)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.practices.models import Practice


class PracticeSigningCertificate(models.Model):
    """One certificate a practice seals PDFs with; retired ones stay to verify older files.

    The private key is kept only as a Fernet token (the file keys of haven.documents.storage),
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
