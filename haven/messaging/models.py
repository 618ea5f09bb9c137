"""The portal inbox (SIGN-2): messages from the practice to a portal login, about one client profile.

A message is addressed to a login and a client, so a guardian reads a child's messages only while
that profile is selected and their access to it is in effect. Secure messaging joins this inbox.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.clients.models import Client
from haven.portal_access.models import PortalAccount
from haven.practices.models import Practice, StaffMember


class MessageKind(models.TextChoices):
    RECORD_REQUEST = "record_request", _("Record request")
    NOTICE = "notice", _("Notice")
    INTAKE = "intake", _("Intake forms")


class Message(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=20, choices=MessageKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signature_request = models.ForeignKey(
        "signing.SignatureRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    sent_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["account", "client", "-created_at"], name="messaging_inbox")]

    def __str__(self) -> str:
        return self.subject
