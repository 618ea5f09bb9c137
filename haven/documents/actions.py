"""Every change to documents and their sharing goes through these functions."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.audit.events import (
    DocumentCreated,
    DocumentDownloaded,
    DocumentShared,
    DocumentSharedAll,
    DocumentTypeExceptionsChanged,
    DocumentUnshared,
    DocumentVersionAdded,
    DocumentViewed,
)
from haven.audit.models import Actor
from haven.clients.models import Client, RelatedContact
from haven.core.email import send_email_on_commit
from haven.core.errors import ApplicationError
from haven.core.policy import Viewer
from haven.documents.files import detect_content_type
from haven.documents.models import (
    CLINICAL_BY_DEFAULT,
    SIGNABLE_BY_DEFAULT,
    Audience,
    Category,
    Document,
    DocumentType,
    DocumentVersion,
    Share,
    VersionSource,
)
from haven.documents.policy import DocumentReason, DocumentVerb, shares_reaching, visible_among, why_not
from haven.documents.selectors import open_portal_users, unshared_with_client, unshared_with_contact
from haven.documents.versions import write_version
from haven.portal_access.models import AccessKind, ProfileAccess
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import Permission, Practice, StaffMember
from haven.practices.viewers import StaffViewer

DEFAULT_TYPES = [
    ("Progress Note", Category.PROGRESS_NOTE),
    ("Complete Evaluation", Category.EVALUATION),
    ("Treatment Plan", Category.TREATMENT_PLAN),
    ("Consent", Category.CONSENT),
    ("Superbill", Category.INVOICE),
    ("Completed Intake Packet", Category.INTAKE),
    ("General Document", Category.GENERAL),
    ("Academics Report", Category.ACADEMICS),
]


def ensure_default_types(practice: Practice) -> None:
    """Every practice starts with the usual document types; administrators adjust them."""
    existing = set(DocumentType.objects.filter(practice=practice).values_list("name", flat=True))
    DocumentType.objects.bulk_create(
        DocumentType(
            practice=practice,
            name=name,
            category=category,
            share_to_sign=category in SIGNABLE_BY_DEFAULT,
            clinical=category in CLINICAL_BY_DEFAULT,
        )
        for name, category in DEFAULT_TYPES
        if name not in existing
    )


def give_new_practice_default_types(
    sender: object, instance: Practice, created: bool, raw: bool, **kwargs: object
) -> None:
    """A new practice starts with the default types (``post_save`` of ``Practice``; fixtures load their own)."""
    if created and not raw:
        ensure_default_types(instance)


def _require(by: StaffMember, permission: str, message: str) -> None:
    if not by.has_permission(permission):
        raise ApplicationError(message)


def refuse(reason: DocumentReason | None, subject: Document | DocumentType) -> None:
    """Raise the policy's answer in words, when it has one."""
    if reason is not None:
        raise ApplicationError(reason.words(subject))


@transaction.atomic
def _create_document(
    *,
    by: StaffMember,
    client: Client,
    doc_type: DocumentType,
    title: str,
    document_date: datetime.date,
    data: bytes,
    content_type: str,
    source: str,
) -> Document:
    if client.practice_id != by.practice_id:
        raise ApplicationError(_("That client or document type is not part of your practice."))
    refuse(why_not(StaffViewer(by), DocumentVerb.UPLOAD, doc_type), doc_type)
    document = Document.objects.create(
        practice=by.practice,
        client=client,
        type=doc_type,
        title=title.strip(),
        author=by,
        document_date=document_date,
    )

    def record(version: DocumentVersion) -> None:
        record_event(
            DocumentCreated(type=doc_type.name, source=source, sha256=version.sha256),
            actor=Actor.staff(by.user),
            practice=by.practice,
            client=client,
            target=document,
        )

    write_version(
        document=document,
        data=data,
        content_type=content_type,
        source=source,
        created_by=by,
        record=record,
        filename_stem=title,
    )
    return document


def upload_document(
    *,
    by: StaffMember,
    client: Client,
    doc_type: DocumentType,
    title: str,
    document_date: datetime.date,
    data: bytes,
) -> Document:
    """Upload Client General Documents: PDF, PNG or JPEG, checked from the content, stored encrypted."""
    if not by.has_permission(Permission.UPLOAD_DOCUMENTS):
        raise ApplicationError(DocumentReason.NO_UPLOAD_PERMISSION.words())
    content_type = detect_content_type(data)
    return _create_document(
        by=by,
        client=client,
        doc_type=doc_type,
        title=title,
        document_date=document_date,
        data=data,
        content_type=content_type,
        source=VersionSource.UPLOAD,
    )


@transaction.atomic
def record_opened(*, viewer: Viewer, document: Document, version: DocumentVersion, download: bool) -> None:
    """Every copy that leaves is on the record (DOC-9): a view or a download of one version, by this viewer.

    Called once the file is in hand, so nothing that did not leave is recorded.
    """
    # The portal profile it was opened for, when there is one; staff have none.
    profile = viewer.profile.pk if isinstance(viewer, PortalViewer) and viewer.profile is not None else None
    event = (
        DocumentDownloaded(version=version.number, profile=profile)
        if download
        else DocumentViewed(version=version.number, profile=profile)
    )
    record_event(
        event,
        actor=viewer.actor,
        acting_for=viewer.acting_for,
        practice_id=viewer.practice_id,
        client=document.client,
        target=document,
    )


# --- Sharing to the portal ------------------------------------------------------------------


def check_shareable(by: StaffMember, document: Document) -> None:
    refuse(why_not(StaffViewer(by), DocumentVerb.SHARE, document), document)


def _announce(practice: Practice, client: Client, documents: QuerySet[Document], shares: QuerySet[Share]) -> None:
    """Tell each person these new shares open a document to that something is waiting (no health information).

    Who that is, is the policy's answer: each portal login with access to the client, as a viewer,
    sees one of these documents through one of these shares.
    """
    if not practice.notify_portal_shares:
        return
    accesses = ProfileAccess.objects.effective(practice).filter(client=client).select_related("account")
    emails = {
        access.account.email
        for access in accesses
        if visible_among(
            PortalViewer(account=access.account, practice=practice, profile=access), documents, through=shares
        ).exists()
    }
    for email in sorted(emails):
        send_email_on_commit(
            to=email,
            template="portal_new_document",
            context={"sender": practice.name, "portal": practice.portal_url},
            practice=practice,
        )


def _notify(document: Document, shares: list[Share]) -> None:
    _announce(
        document.practice,
        document.client,
        Document.objects.filter(pk=document.pk),
        Share.objects.filter(pk__in=[share.pk for share in shares]),
    )


@transaction.atomic
def set_recipients(
    *,
    by: StaffMember,
    document: Document,
    all_authorized: bool,
    client: bool,
    contacts: list[RelatedContact],
    portal_users: Sequence[ProfileAccess] = (),
) -> list[Share]:
    """The share dialog (DOC-3): make the open shares exactly these; unselected recipients lose the document at once."""
    check_shareable(by, document)
    for contact in contacts:
        if contact.client_id != document.client_id or not contact.web_portal:
            raise ApplicationError(_("Choose among this client's contacts with Web Portal permission."))
    allowed_users = set(open_portal_users(document.client).values_list("pk", flat=True)) if portal_users else set()
    for access in portal_users:
        if access.pk not in allowed_users:
            raise ApplicationError(_("Choose among this client's portal users."))
    Key = tuple[str, int | None, int | None]
    wanted: set[Key] = {(Audience.CONTACT, contact.pk, None) for contact in contacts}
    wanted |= {(Audience.PORTAL_USER, None, access.pk) for access in portal_users}
    if all_authorized:
        wanted.add((Audience.ALL_AUTHORIZED, None, None))
    if client:
        wanted.add((Audience.CLIENT, None, None))
    current: dict[Key, Share] = {
        (share.audience, share.contact_id, share.access_id): share
        for share in document.shares.open().select_for_update()
    }
    now = timezone.now()
    removed = [share for key, share in current.items() if key not in wanted]
    for share in removed:
        share.revoked_at, share.revoked_by = now, by
        share.save(update_fields=["revoked_at", "revoked_by"])
    added = Share.objects.bulk_create(
        Share(
            document=document,
            audience=audience,
            contact_id=contact_id,
            access_id=access_id,
            shared_by=by,
            shared_at=now,
        )
        for audience, contact_id, access_id in sorted(wanted - set(current), key=str)
    )
    events: list[DocumentUnshared | DocumentShared] = [
        DocumentUnshared(audience=share.audience, contact=share.contact_id, portal_user=share.access_id)
        for share in removed
    ] + [
        DocumentShared(audience=share.audience, contact=share.contact_id, portal_user=share.access_id)
        for share in added
    ]
    for event in events:
        record_event(event, actor=Actor.staff(by.user), practice=by.practice, client=document.client, target=document)
    if added:
        _notify(document, added)
    return added


@transaction.atomic
def open_to(
    *, by: StaffMember, document: Document, audience: str, contact: RelatedContact | None = None
) -> Share | None:
    """Make sure one recipient can see the document (Share to Sign shares with its signer); None if they already can."""
    check_shareable(by, document)
    shares = document.shares.open().select_for_update()
    if audience == Audience.CLIENT:
        reaching = shares_reaching(AccessKind.SELF)
    else:
        reaching = shares_reaching(AccessKind.CONTACT, contact_id=contact.pk if contact else None)
    if shares.filter(reaching).exists():
        return None
    share = Share.objects.create(document=document, audience=audience, contact=contact, shared_by=by)
    record_event(
        DocumentShared(audience=audience, contact=contact.pk if contact else None, portal_user=None),
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=document.client,
        target=document,
    )
    return share


@transaction.atomic
def add_version(*, by: StaffMember, document: Document, data: bytes) -> DocumentVersion:
    """An amendment (SIGN-7): a new version becomes current; earlier ones, signed ones included, never change."""
    if not by.has_permission(Permission.UPLOAD_DOCUMENTS):
        raise ApplicationError(DocumentReason.NO_UPLOAD_PERMISSION.words())
    content_type = detect_content_type(data)
    locked = Document.objects.select_for_update(of=("self",)).select_related("client", "type").get(pk=document.pk)
    refuse(why_not(StaffViewer(by), DocumentVerb.ADD_VERSION, locked), locked)

    def record(version: DocumentVersion) -> None:
        record_event(
            DocumentVersionAdded(version=version.number, sha256=version.sha256),
            actor=Actor.staff(by.user),
            practice=by.practice,
            client=locked.client,
            target=locked,
        )

    version = write_version(
        document=locked,
        data=data,
        content_type=content_type,
        source=VersionSource.UPLOAD,
        created_by=by,
        record=record,
    )
    document.current_version = version
    return version


def _share_all(
    *, by: StaffMember, client: Client, documents: QuerySet[Document], contact: RelatedContact | None
) -> int:
    """Share every one of these documents with the client or with one contact, in a few queries."""
    _require(by, Permission.WEB_PORTAL, _("Only staff with the Web Portal permission can share to the portal."))
    if client.practice_id != by.practice_id:
        raise ApplicationError(_("That client is not part of your practice."))
    # Only what the staff member may open themselves: nobody discloses a clinical record they can't read.
    document_ids = list(visible_among(StaffViewer(by), documents).values_list("pk", flat=True))
    audience = Audience.CLIENT if contact is None else Audience.CONTACT
    now = timezone.now()
    Share.objects.bulk_create(
        [
            Share(document_id=document_id, audience=audience, contact=contact, shared_by=by, shared_at=now)
            for document_id in document_ids
        ],
        batch_size=500,
    )
    record_event(
        DocumentSharedAll(
            audience=audience, documents=document_ids, contact=contact.pk if contact is not None else None
        ),
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=client,
    )
    if document_ids:
        _announce(
            client.practice,
            client,
            Document.objects.filter(pk__in=document_ids),
            Share.objects.filter(document_id__in=document_ids, audience=audience, contact=contact, shared_at=now),
        )
    return len(document_ids)


@transaction.atomic
def share_all_with_client(*, by: StaffMember, client: Client) -> int:
    """The Activity Log's globe (DOC-5): every available document, to the client only, in a few queries."""
    return _share_all(by=by, client=client, documents=unshared_with_client(client), contact=None)


@transaction.atomic
def share_all_with_contact(*, by: StaffMember, contact: RelatedContact) -> int:
    """Share all with one contact with Web Portal permission, such as a minor's guardian: every available document."""
    if contact.practice_id != by.practice_id or not contact.web_portal:
        raise ApplicationError(_("Choose among this client's contacts with Web Portal permission."))
    return _share_all(by=by, client=contact.client, documents=unshared_with_contact(contact), contact=contact)


@transaction.atomic
def set_type_exceptions(
    *,
    by: StaffMember,
    doc_type: DocumentType,
    never_share: bool,
    hidden_from_portal: bool,
    share_to_sign: bool | None = None,
    clinical: bool | None = None,
) -> DocumentType:
    """Portal document exceptions (DOC-2), Share to Sign eligibility (SIGN-1) and whether the type is clinical.

    ``share_to_sign`` or ``clinical`` left as None keeps the type's current setting.
    """
    _require(by, Permission.ORG_ADMIN, _("Only administrators can change portal document exceptions."))
    locked = DocumentType.objects.select_for_update().get(pk=doc_type.pk, practice=by.practice)
    fields = ["never_share", "hidden_from_portal", "share_to_sign", "clinical"]
    before = {field: getattr(locked, field) for field in fields}
    locked.never_share, locked.hidden_from_portal = never_share, hidden_from_portal
    if share_to_sign is not None:
        locked.share_to_sign = share_to_sign
    if clinical is not None:
        locked.clinical = clinical
    locked.save(update_fields=fields)
    record_event(
        DocumentTypeExceptionsChanged(before=before, after={field: getattr(locked, field) for field in fields}),
        actor=Actor.staff(by.user),
        practice=by.practice,
        target=locked,
    )
    return locked
