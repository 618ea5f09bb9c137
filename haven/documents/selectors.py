"""Reads of documents, always scoped, with a fixed number of queries however many documents there are."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from haven.clients.models import Client, RelatedContact
from haven.documents import policy
from haven.documents.models import Document, DocumentType, Share
from haven.portal_access.models import AccessKind, AccessStatus, ProfileAccess


def _open_shares(**filters: object) -> QuerySet[Share]:
    return Share.objects.open().filter(document=OuterRef("pk"), **filters)


def with_recipients(documents: QuerySet[Document]) -> QuerySet[Document]:
    """Each document's open shares as ``open_shares`` (one more query per page, by the page's document ids), so
    Share Status names them and the globe knows its colour (``Document.shared_all``, ``shared_individually``)."""
    shares = (
        Share.objects.open()
        .select_related("contact__linked_client", "access__account")
        .order_by("audience", "contact__last_name", "access__display_name", "pk")
    )
    return documents.select_related("client").prefetch_related(
        Prefetch("shares", queryset=shares, to_attr="open_shares")
    )


def activity_log(client: Client, *, type_id: int | None = None) -> QuerySet[Document]:
    """The client's documents, newest first, each with what its globe and Share Status need (the page's open shares,
    fetched by its document ids: no subquery over every share)."""
    documents = with_recipients(
        Document.objects.filter(client=client, practice_id=client.practice_id).select_related(
            "type", "author__user", "current_version"
        )
    )
    if type_id is not None:
        documents = documents.filter(type_id=type_id)
    return documents


def shareable_documents(client: Client) -> QuerySet[Document]:
    """The client's documents the portal may show once shared (``policy.portal_may_show``)."""
    return policy.portal_may_show(Document.objects.filter(client=client, practice_id=client.practice_id))


def unshared_with_client(client: Client) -> QuerySet[Document]:
    """Shareable documents the client cannot see yet (no open share reaches them, ``policy.shares_reaching``):
    what Share all would share."""
    reaching = policy.shares_reaching(AccessKind.SELF)
    return shareable_documents(client).exclude(Exists(_open_shares().filter(reaching)))


def unshared_with_contact(contact: RelatedContact) -> QuerySet[Document]:
    """Shareable documents of the contact's client this contact cannot see yet: what Share all with them would share."""
    reaching = policy.shares_reaching(AccessKind.CONTACT, contact_id=contact.pk)
    return shareable_documents(contact.client).exclude(Exists(_open_shares().filter(reaching)))


def has_own_portal_login(client: Client) -> bool:
    """The client has a portal login of their own, signed in or invited."""
    return ProfileAccess.objects.filter(
        client=client, kind=AccessKind.SELF, status__in=[AccessStatus.PENDING, AccessStatus.ACTIVE]
    ).exists()


def portal_guardians(client: Client) -> QuerySet[RelatedContact]:
    """Legal guardians with Web Portal permission: who a minor's documents can go to instead."""
    return RelatedContact.objects.filter(
        client=client, practice_id=client.practice_id, web_portal=True, legal_guardian=True
    ).select_related("linked_client")


def open_portal_users(client: Client) -> QuerySet[ProfileAccess]:
    """Portal users added for this client (ACC-10), invited or signed in: who the share dialog offers."""
    return (
        ProfileAccess.objects.filter(
            client=client,
            practice_id=client.practice_id,
            kind=AccessKind.PORTAL_USER,
            status__in=[AccessStatus.PENDING, AccessStatus.ACTIVE],
        )
        .select_related("account")
        .order_by("display_name", "pk")
    )


def all_shared_with_client(client: Client) -> bool:
    """The Activity Log's own globe: orange when everything available is shared with the client."""
    return shareable_documents(client).exists() and not unshared_with_client(client).exists()


def document_types(practice_id: int) -> QuerySet[DocumentType]:
    return DocumentType.objects.filter(practice_id=practice_id)
