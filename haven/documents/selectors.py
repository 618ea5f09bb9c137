"""Reads of documents, always scoped, with a fixed number of queries however many documents there are."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import router
from django.db.models import Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery

from haven.clients.models import Client, RelatedContact
from haven.core.prepared import Prepared
from haven.documents import policy
from haven.documents.listed import ListedDocument, ListedShare, ListedVersion, recipient_label_of, unsaved_contact
from haven.documents.models import Document, DocumentType, DocumentVersion, Share, VersionSource, contact_role
from haven.portal_access.models import AccessKind, AccessStatus, ProfileAccess
from haven.practices.viewers import StaffViewer


def _open_shares(**filters: object) -> QuerySet[Share]:
    return Share.objects.open().filter(document=OuterRef("pk"), **filters)


def _recipients_order(shares: QuerySet[Share]) -> QuerySet[Share]:
    return shares.select_related("contact__linked_client", "access__account").order_by(
        "audience", "contact__last_name", "access__display_name", "pk"
    )


def with_recipients(documents: QuerySet[Document]) -> QuerySet[Document]:
    """Each document's open shares as ``open_shares`` (one more query per page, by the page's document ids), so
    Share Status names them and the globe knows its colour (``Document.shared_all``, ``shared_individually``)."""
    shares = _recipients_order(Share.objects.open())
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


# --- A page of documents, in prepared queries (``haven.core.prepared``) -----------------------------------

#: The most documents a page lists: the Activity Log's page (the Chart Face shows fewer). The queries that read
#: a page's shares or signature requests by its document ids take exactly this many, the unused ones 0 (no id).
PAGE_IDS = 25


def page_ids(ids: Sequence[int], size: int = PAGE_IDS) -> list[int]:
    """A page's ids as the prepared queries by page take them (``size`` of them): padded with 0, which no row has."""
    if len(ids) > size:
        raise ValueError(f"a page names at most {size} rows")
    return [*ids, *([0] * (size - len(ids)))]


# Whom an open share reaches, as values: the columns ``Share.recipient_label`` reads (``recipient_label_of``).
_RECIPIENT_COLUMNS = (
    "audience",
    "contact_id",
    "access_id",
    "contact__first_name",
    "contact__last_name",
    "contact__relationship",
    "contact__legal_guardian",
    "contact__linked_client_id",
    "contact__linked_client__first_name",
    "contact__linked_client__last_name",
    "access__display_name",
    "access__account__full_name",
)
_OPEN_SHARES: Prepared[tuple[Any, ...]] = Prepared(
    lambda *ids: _recipients_order(Share.objects.open().filter(document_id__in=ids)).values_list(
        "document_id", "pk", *_RECIPIENT_COLUMNS
    ),
    *([int] * PAGE_IDS),
)


def attach_recipients(documents: Sequence[ListedDocument]) -> Sequence[ListedDocument]:
    """Each listed document's open shares as ``open_shares`` (``ListedShare``s, in the order ``with_recipients``
    gives), in one query of values by the page's ids (none for an empty page); a share with the client names the
    page's client."""
    by_id: dict[int, list[ListedShare]] = {document.pk: [] for document in documents}
    if len(by_id) > PAGE_IDS:
        raise ValueError(f"a page names at most {PAGE_IDS} documents")
    if by_id:
        client = documents[0].client
        for document_id, pk, *recipient in _OPEN_SHARES(*page_ids(list(by_id))):
            by_id[document_id].append(ListedShare(pk, tuple(recipient), client))
    for document in documents:
        document.open_shares = by_id[document.pk]
    return documents


class _CountUpTo(Subquery):
    """How many rows a (sliced) subquery has: ``SELECT COUNT(*) FROM (...)``, read beside a page's rows."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


@dataclass(frozen=True)
class FirstPage:
    """The first entries of a list and how many there are, counted up to ``count_limit`` + 1; asked for and read
    with them, whether everything available is shared with the client (``all_shared_with_client``; None when not
    asked, or when there is no row to read it with)."""

    rows: list[ListedDocument]
    counted: int
    all_shared: bool | None = None


# What a listed entry shows of a document, of its file and of its author (the name only), read as values.
_LISTED = (
    "pk",
    "practice_id",
    "type_id",
    "title",
    "document_date",
    "current_version_id",
    "current_version__content_type",
    "current_version__source",
    "listed_author",
)
# Its type's columns, when the page has not read the practice's types: a ``DocumentType`` per type on the page.
_TYPE_FIELDS = tuple(field.attname for field in DocumentType._meta.concrete_fields)
_LISTED_TYPE = tuple(f"type__{field.name}" for field in DocumentType._meta.concrete_fields)
_FIRST_PAGES: dict[tuple[int, int, bool, bool, bool, Q], Prepared[tuple[Any, ...]]] = {}


def activity_log_first_page(
    client: Client,
    viewer: StaffViewer,
    *,
    size: int,
    count_limit: int = 0,
    type_id: int | None = None,
    types: Sequence[DocumentType] | None = None,
    all_shared: bool = False,
) -> FirstPage:
    """The first ``size`` entries of ``activity_log(client, type_id=...)`` this staff member sees
    (``policy.visible_among``), as ``ListedDocument``s with their open shares; with ``count_limit``, how many entries
    there are up to ``count_limit`` + 1, read in the same query. In prepared queries of values: one by the documents,
    one by their shares. Given the practice's ``types`` (the page has read them), each entry's type is one of them,
    not a copy read with every row. With ``all_shared``, ``all_shared_with_client`` is read in the same query, with
    the rows (its subqueries do not depend on the row: the database evaluates them once)."""
    rule = policy.staff_rule(viewer)
    key = (size, count_limit, type_id is not None, types is not None, all_shared, rule)
    prepared = _FIRST_PAGES.get(key)
    if prepared is None:

        def build(
            client_id: int, client_practice_id: int, staff_practice_id: int, *typed: int
        ) -> QuerySet[Document, tuple[Any, ...]]:
            documents = Document.objects.filter(client_id=client_id, practice_id=client_practice_id)
            if typed:
                documents = documents.filter(type_id=typed[0])
            documents = policy.visible_to_staff(documents, practice_id=staff_practice_id, rule=rule)
            listed = documents.annotate(listed_author=F("author__user__full_name"))
            fields = _LISTED if types is not None else _LISTED + _LISTED_TYPE
            if count_limit:
                listed = listed.annotate(haven_counted=_CountUpTo(documents.order_by().values("pk")[: count_limit + 1]))
                fields += ("haven_counted",)
            if all_shared:
                listed = listed.annotate(**_all_shared_exists(client_id, client_practice_id))
                fields += ("haven_any", "haven_unshared")
            return listed.values_list(*fields)[:size]

        kinds = (int, int, int, int) if type_id is not None else (int, int, int)
        prepared = _FIRST_PAGES[key] = Prepared(build, *kinds)
    values = (client.pk, client.practice_id, viewer.practice_id) + ((type_id,) if type_id is not None else ())
    found = prepared(*values)
    rows = _listed(client, found, types)
    attach_recipients(rows)
    counted = found[0][len(_LISTED) + (0 if types is not None else len(_LISTED_TYPE))] if found and count_limit else 0
    shared = bool(found[0][-2]) and not found[0][-1] if found and all_shared else None
    return FirstPage(rows, counted, shared)


def _listed(client: Client, found: list[tuple[Any, ...]], types: Sequence[DocumentType] | None) -> list[ListedDocument]:
    """The first page's rows as ``ListedDocument``s of the page's client, each with its type: one of the page's
    ``types``, or made from its columns in the row, once per type."""
    by_id = {doc_type.pk: doc_type for doc_type in types} if types is not None else {}
    if types is not None and any(row[2] not in by_id for row in found):  # not one of the practice's types: read it
        by_id.update(DocumentType.objects.in_bulk({row[2] for row in found} - set(by_id)))
    columns = len(_LISTED)
    rows = []
    for row in found:
        pk, practice_id, doc_type_id, title, document_date, version_id, content_type, source, author = row[:columns]
        doc_type = by_id.get(doc_type_id)
        if doc_type is None:
            db = router.db_for_read(DocumentType)
            doc_type = by_id[doc_type_id] = DocumentType.from_db(
                db, _TYPE_FIELDS, row[columns : columns + len(_TYPE_FIELDS)]
            )
        version = ListedVersion(content_type, source) if version_id is not None else None
        rows.append(
            ListedDocument(pk, practice_id, client, doc_type, title, document_date, version, version_id, author)
        )
    return rows


def _all_shared_exists(client_id: int, practice_id: int) -> dict[str, Exists]:
    """``all_shared_with_client`` as two conditions on no outer row: ``haven_any``, the client has a shareable
    document (``shareable_documents``); ``haven_unshared``, one the client cannot see yet (``unshared_with_client``).
    Everything is shared when the first holds and the second does not."""
    shareable = policy.portal_may_show(Document.objects.filter(client_id=client_id, practice_id=practice_id))
    reaching = policy.shares_reaching(AccessKind.SELF)
    return {
        "haven_any": Exists(shareable),
        "haven_unshared": Exists(shareable.exclude(Exists(_open_shares().filter(reaching)))),
    }


_ALL_SHARED: Prepared[Client] = Prepared(
    lambda client_id, practice_id: (
        Client.objects.filter(pk=client_id, practice_id=practice_id)
        .annotate(**_all_shared_exists(client_id, practice_id))
        .only("pk")
    ),
    int,
    int,
)


def all_shared_with_client_at_once(client: Client) -> bool:
    """``all_shared_with_client`` in one prepared query."""
    found = _ALL_SHARED(client.pk, client.practice_id)
    return bool(found) and bool(found[0].haven_any) and not found[0].haven_unshared  # type: ignore[attr-defined]


_DOCUMENT_TYPES: Prepared[DocumentType] = Prepared(
    lambda practice_id: DocumentType.objects.filter(practice_id=practice_id), int
)


def document_types_of(practice_id: int) -> list[DocumentType]:
    """``document_types`` in a prepared query."""
    return _DOCUMENT_TYPES(practice_id)


@dataclass(frozen=True, slots=True)
class OpenShare:
    """One open share of a document as its page's share dialog names it."""

    audience: str
    contact_id: int | None
    access_id: int | None
    recipient_label: str  # ``Share.recipient_label``


# Only the columns the labels need, as values: no model instances for a dialog that mostly lists nobody.
_DOCUMENT_SHARES: Prepared[tuple[Any, ...]] = Prepared(
    lambda document_id: (
        Share.objects.open()
        .filter(document_id=document_id)
        .order_by("audience", "contact__last_name", "access__display_name")
        .values_list(*_RECIPIENT_COLUMNS)
    ),
    int,
)


def open_shares_of(document: Document) -> list[OpenShare]:
    """The document's open shares with whom they reach (the document page's share dialog), in a prepared query;
    each labelled as ``Share.recipient_label`` labels it (a client share by the given document's client)."""
    rows = _DOCUMENT_SHARES(document.pk)
    return [OpenShare(row[0], row[1], row[2], recipient_label_of(row, document.client)) for row in rows]


@dataclass(frozen=True, slots=True)
class PageVersion:
    """One version of a document as its page lists it."""

    pk: int
    number: int
    source: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime.datetime
    author: str | None  # who added it (``created_by.user.full_name``); None for one Haven made itself

    @property
    def source_label(self) -> str:
        """``get_source_display()``."""
        return str(dict(VersionSource.choices).get(self.source, self.source))


_VERSIONS: Prepared[tuple[Any, ...]] = Prepared(
    lambda document_id: (
        DocumentVersion.objects.filter(document_id=document_id)
        .order_by("-number")
        .annotate(
            # Whether anyone was ever asked to sign the document (Share to Sign's requests, by their name on
            # Document): the same on every row.
            asked_to_sign=Exists(Document.objects.filter(pk=OuterRef("document_id"), signature_requests__isnull=False))
        )
        .values_list(
            "pk",
            "number",
            "source",
            "content_type",
            "size",
            "sha256",
            "created_at",
            "created_by_id",
            "created_by__user__full_name",
            "asked_to_sign",
        )
    ),
    int,
)


def versions_of(document: Document) -> tuple[list[PageVersion], bool]:
    """The document's versions, newest first, with who added each, read as values in a prepared query; and whether
    anyone was ever asked to sign it (its page looks for signature requests only then)."""
    rows = _VERSIONS(document.pk)
    versions = [
        PageVersion(pk, number, source, content_type, size, sha256, created_at, None if by is None else name)
        for pk, number, source, content_type, size, sha256, created_at, by, name, _asked in rows
    ]
    return versions, any(row[-1] for row in rows)


_PORTAL_CONTACTS: Prepared[tuple[Any, ...]] = Prepared(
    lambda client_id, practice_id: RelatedContact.objects.filter(
        client_id=client_id, practice_id=practice_id, web_portal=True
    ).values_list(
        "pk",
        "first_name",
        "last_name",
        "relationship",
        "legal_guardian",
        "linked_client_id",
        "linked_client__first_name",
        "linked_client__last_name",
    ),
    int,
    int,
)
_OPEN_PORTAL_USERS: Prepared[tuple[Any, ...]] = Prepared(
    lambda client_id, practice_id: (
        ProfileAccess.objects.filter(
            client_id=client_id,
            practice_id=practice_id,
            kind=AccessKind.PORTAL_USER,
            status__in=[AccessStatus.PENDING, AccessStatus.ACTIVE],
        )
        .order_by("display_name", "pk")
        .values_list("pk", "display_name", "account__full_name")
    ),
    int,
    int,
)


@dataclass(frozen=True, slots=True)
class DialogPerson:
    """Someone the share dialog offers: a contact (with who they are to the client) or a portal user's access."""

    pk: int
    name: str
    role: str  # a contact's ``contact_role``; empty for a portal user


def share_dialog_people(client: Client) -> tuple[list[DialogPerson], list[DialogPerson]]:
    """Whom the share dialog offers: the client's contacts with Web Portal permission and ``open_portal_users``,
    read as values in prepared queries."""
    contacts = []
    for pk, first, last, relationship, guardian, linked_id, linked_first, linked_last in _PORTAL_CONTACTS(
        client.pk, client.practice_id
    ):
        linked = (linked_first, linked_last) if linked_id is not None else None
        contact = unsaved_contact(first, last, relationship, guardian, linked)
        contacts.append(DialogPerson(pk, contact.full_name, contact_role(contact)))
    portal_users = [
        DialogPerson(pk, display_name or account_name, "")
        for pk, display_name, account_name in _OPEN_PORTAL_USERS(client.pk, client.practice_id)
    ]
    return contacts, portal_users


#: The most documents one page of the Access history names (one per event).
TITLE_IDS = 50
_TITLES: dict[Q, Prepared[tuple[int, str]]] = {}


def titles_staff_may_open(viewer: StaffViewer, client: Client, document_ids: set[int]) -> dict[int, str]:
    """The titles of those of these documents of the client the staff member may open (``policy.visible_among``),
    by id: in a prepared query for a page's worth of ids."""
    if not document_ids:
        return {}
    if len(document_ids) > TITLE_IDS:
        listed = policy.visible_among(viewer, Document.objects.filter(client=client)).filter(pk__in=document_ids)
        return dict(listed.values_list("pk", "title").order_by())
    rule = policy.staff_rule(viewer)
    prepared = _TITLES.get(rule)
    if prepared is None:
        prepared = _TITLES[rule] = Prepared(
            lambda client_id, practice_id, *ids: (
                policy.visible_to_staff(
                    Document.objects.filter(client_id=client_id), practice_id=practice_id, rule=rule
                )
                .filter(pk__in=ids)
                .values_list("pk", "title")
                .order_by()  # read into a dict: the documents' order would only cost a sort
            ),
            int,
            int,
            *([int] * TITLE_IDS),
        )
    return dict(prepared(client.pk, viewer.practice_id, *page_ids(sorted(document_ids), TITLE_IDS)))
