"""Documents in a client's chart (the Activity Log), their immutable versions, and what is shared to the portal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from haven.clients.models import Client, RelatedContact
from haven.practices.models import Practice, StaffMember

PDF = "application/pdf"


class Category(models.TextChoices):
    PROGRESS_NOTE = "progress_note", _("Progress note")
    EVALUATION = "evaluation", _("Evaluation")
    TREATMENT_PLAN = "treatment_plan", _("Treatment plan")
    CONSENT = "consent", _("Consent")
    INVOICE = "invoice", _("Superbill or invoice")
    INTAKE = "intake", _("Completed intake packet")
    GENERAL = "general", _("General document")
    ACADEMICS = "academics", _("Academics report")
    GROUP_NOTE = "group_note", _("Group note")


SIGNABLE_BY_DEFAULT = frozenset(
    {Category.PROGRESS_NOTE, Category.EVALUATION, Category.TREATMENT_PLAN, Category.CONSENT}
)

# Clinical notes, evaluations, treatment plans and group notes: only staff who read clinical documents open them.
CLINICAL_BY_DEFAULT = frozenset(
    {Category.PROGRESS_NOTE, Category.EVALUATION, Category.TREATMENT_PLAN, Category.GROUP_NOTE}
)


class DocumentType(models.Model):
    """A kind of document; administrators set which can never be shared and which the portal hides (DOC-2)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="document_types")
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    never_share = models.BooleanField(
        _("Portal document exception"), default=False, help_text=_("Documents of this type can never be shared.")
    )
    hidden_from_portal = models.BooleanField(
        _("Hidden from the portal"), default=False, help_text=_("Never shown in the portal, even if shared before.")
    )
    share_to_sign = models.BooleanField(
        _("Share to Sign"),
        default=False,
        help_text=_("Documents of this type can be sent for an electronic signature."),
    )
    clinical = models.BooleanField(
        _("Clinical"),
        default=False,
        help_text=_("Only staff with the Read clinical documents permission can open documents of this type."),
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["practice", "name"], name="documents_type_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def shareable(self) -> bool:
        return not (self.never_share or self.hidden_from_portal)


class GroupNote(models.Model):
    """A General Log note linked to several clients (DOC-7); each client gets its own Document copy.

    The group note names nobody: who is linked is only known through the copies, and each copy
    belongs to one client's chart, so sharing a copy never reveals the other members.
    """

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="group_notes")
    title = models.CharField(_("title"), max_length=200)
    document_date = models.DateField(_("date"), default=timezone.localdate)
    author = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-document_date", "-created_at", "-pk"]
        indexes = [models.Index(fields=["practice", "-document_date", "-created_at"], name="documents_general_log")]

    def __str__(self) -> str:
        return self.title


class ShareStatus(models.TextChoices):
    """A document's Share Status in the Activity Log (DOC-4, DOC-6, SIGN-4), in the words staff read."""

    EXCEPTION = "exception", _("Portal exception")
    SHARED_AND_SIGNED = "shared_signed", _("Shared and Signed")
    PENDING_SIGNATURE = "pending_signature", _("Pending Signature")
    SIGNATURE_OUTDATED = "signature_outdated", _("Signature request outdated")
    SIGNATURE_DECLINED = "signature_declined", _("Signature declined")
    SHARED = "shared", _("Shared")
    NOT_SHARED = "not_shared", _("Not Shared")


class Document(models.Model):
    """A document in one client's chart.

    ``share_status``, ``globe`` and ``share_tip`` read what the Activity Log's selectors fetched for the
    page: the open shares (``open_shares``, ``selectors.with_recipients``) and the signing columns
    (``signing.selectors.staff_signature_status``); without them a document reads as not shared and not signed.
    """

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="documents")
    type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    document_date = models.DateField(_("date"), default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    current_version = models.ForeignKey(
        "DocumentVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # Set on each client's copy of a General Log group note (DOC-7); null for every other document.
    group_note = models.ForeignKey(
        GroupNote, null=True, blank=True, on_delete=models.PROTECT, related_name="copies", editable=False
    )

    class Meta:
        ordering = ["-document_date", "-created_at", "-pk"]
        indexes = [
            models.Index(fields=["client", "-document_date", "-created_at"], name="documents_client_log"),
            # The Activity Log counts a client's documents (up to paging.COUNT_LIMIT + 1) by client and practice
            # from this index alone, without reading each row.
            models.Index(fields=["client", "practice"], name="documents_client_practice"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def shared_all(self) -> bool:
        """Shared to All Authorized: an open share of that audience among the fetched ``open_shares``."""
        return shared_to_all(getattr(self, "open_shares", ()))

    @property
    def shared_individually(self) -> bool:
        """Shared with chosen recipients (the client, a contact, a portal user) among the fetched ``open_shares``."""
        return shared_with_chosen(getattr(self, "open_shares", ()))

    @property
    def share_status(self) -> ShareStatus:
        return share_status_of(self.type.shareable, getattr(self, "open_shares", ()), self)

    @property
    def globe(self) -> str:
        """The globe's colour: blue shared to All Authorized, orange to chosen recipients, gray not shared."""
        return globe_of(getattr(self, "open_shares", ()))

    @property
    def share_tip(self) -> str:
        if self.shared_all:
            return gettext("Shared to All Authorized")
        if self.shared_individually:
            return gettext("Shared with individually selected recipients")
        return gettext("Not shared to the portal")


class VersionSource(models.TextChoices):
    UPLOAD = "upload", _("Uploaded")
    RENDERED = "rendered", _("Written in Haven")
    SIGNED = "signed", _("Signed")


class DocumentVersion(models.Model):
    """One immutable rendition of a document: its encrypted file and the hash of its content."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    storage_name = models.CharField(max_length=200, unique=True, editable=False)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    source = models.CharField(max_length=16, choices=VersionSource.choices)
    created_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="documents_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("Document versions never change; add a new version instead.")
        super().save(*args, **kwargs)


class Audience(models.TextChoices):
    ALL_AUTHORIZED = "all", _("All Authorized")
    CLIENT = "client", _("Client")
    CONTACT = "contact", _("Related contact")
    PORTAL_USER = "portal_user", _("Portal user")


def contact_role(contact: RelatedContact) -> str:
    """Who a contact is to the client, as the share dialog says it: "Parent, legal guardian"."""
    relationship = str(contact.get_relationship_display())
    if contact.legal_guardian:
        return gettext("%(relationship)s, legal guardian") % {"relationship": relationship}
    return relationship


def client_label(client: Client) -> str:
    """A recipient as Share Status and the share dialog name them: "Max Moreno (client)"."""
    return gettext("%(name)s (client)") % {"name": client.full_name}


def contact_label(contact: RelatedContact) -> str:
    """ "Gia Moreno (Parent, legal guardian)"."""
    return gettext("%(name)s (%(role)s)") % {"name": contact.full_name, "role": contact_role(contact)}


class ShareQuerySet(models.QuerySet["Share"]):
    def open(self) -> ShareQuerySet:
        return self.filter(revoked_at__isnull=True)


class Share(models.Model):
    """A document made available in the portal: to the client, one contact, one portal user, or All Authorized."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="shares")
    audience = models.CharField(max_length=16, choices=Audience.choices)
    contact = models.ForeignKey(RelatedContact, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # A portal user who is not a contact (ACC-10): their access to this client, which ends with it.
    access = models.ForeignKey(
        "portal_access.ProfileAccess", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    shared_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField(default=timezone.now)
    revoked_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ShareQuerySet.as_manager()

    class Meta:
        ordering = ["shared_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "audience"],
                condition=Q(revoked_at__isnull=True, contact__isnull=True, access__isnull=True),
                name="documents_one_open_share_per_audience",
            ),
            models.UniqueConstraint(
                fields=["document", "contact"],
                condition=Q(revoked_at__isnull=True, contact__isnull=False),
                name="documents_one_open_share_per_contact",
            ),
            models.UniqueConstraint(
                fields=["document", "access"],
                condition=Q(revoked_at__isnull=True, access__isnull=False),
                name="documents_one_open_share_per_portal_user",
            ),
            models.CheckConstraint(
                condition=Q(audience="contact", contact__isnull=False, access__isnull=True)
                | Q(audience="portal_user", access__isnull=False, contact__isnull=True)
                | (~Q(audience__in=["contact", "portal_user"]) & Q(contact__isnull=True, access__isnull=True)),
                name="documents_share_recipient_matches_audience",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.audience}"

    @property
    def recipient_label(self) -> str:
        """Who this share reaches, saying who they are: "Max Moreno (client)", "Gia Moreno (Parent, legal guardian)"."""
        if self.audience == Audience.ALL_AUTHORIZED:
            return gettext("All Authorized")
        if self.audience == Audience.CLIENT:
            return client_label(self.document.client)
        if self.contact is not None:
            return contact_label(self.contact)
        if self.access is not None:
            name = self.access.display_name or self.access.account.full_name
            return gettext("%(name)s (portal user)") % {"name": name}
        return str(self.get_audience_display())


# --- Share Status and the globe: the rules ``Document`` and a listed entry (``haven.documents.listed``) both follow ---


class OpenShareLike(Protocol):
    """What Share Status reads of an open share: a ``Share``, or a listed entry's ``ListedShare``."""

    @property
    def audience(self) -> str: ...


def shared_to_all(open_shares: Sequence[OpenShareLike]) -> bool:
    """Shared to All Authorized: an open share of that audience among these."""
    return any(share.audience == Audience.ALL_AUTHORIZED for share in open_shares)


def shared_with_chosen(open_shares: Sequence[OpenShareLike]) -> bool:
    """Shared with chosen recipients (the client, a contact, a portal user) among these open shares."""
    individual = (Audience.CLIENT, Audience.CONTACT, Audience.PORTAL_USER)
    return any(share.audience in individual for share in open_shares)


def share_status_of(shareable: bool, open_shares: Sequence[OpenShareLike], signing: object) -> ShareStatus:
    """A document's Share Status (DOC-4, DOC-6, SIGN-4): its type's ``shareable``, its open shares, and the signing
    columns ``signing`` carries (``signing.selectors.staff_signature_status``; without them, not signed)."""
    if not shareable:
        return ShareStatus.EXCEPTION
    shared = shared_to_all(open_shares) or shared_with_chosen(open_shares)
    if shared and getattr(signing, "signed", False):
        return ShareStatus.SHARED_AND_SIGNED
    if getattr(signing, "pending_signature", False):
        return ShareStatus.PENDING_SIGNATURE
    if getattr(signing, "signature_outdated", False):
        return ShareStatus.SIGNATURE_OUTDATED
    if getattr(signing, "last_request_status", None) == "declined":
        return ShareStatus.SIGNATURE_DECLINED
    return ShareStatus.SHARED if shared else ShareStatus.NOT_SHARED


def globe_of(open_shares: Sequence[OpenShareLike]) -> str:
    """The globe's colour: blue shared to All Authorized, orange to chosen recipients, gray not shared."""
    if shared_to_all(open_shares):
        return "blue"
    return "orange" if shared_with_chosen(open_shares) else "gray"
