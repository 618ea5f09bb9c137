"""A listed entry of a client's documents read as values, not model instances: what the Activity Log and the Chart
Face show of a document and its current file (``selectors.activity_log_first_page``), with the Share Status and globe
of ``Document``'s own rules (``share_status_of``, ``globe_of``)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, NamedTuple

from haven.clients.models import Client, RelatedContact
from haven.documents.models import Audience, DocumentType, Share, ShareStatus, client_label, globe_of, share_status_of
from haven.portal_access.models import PortalAccount, ProfileAccess


class ListedVersion(NamedTuple):
    """What a listed entry reads of its current file: its content type (Share to Sign takes a PDF) and its source
    (a signed version makes the entry signed, ``signing.selectors.staff_signature_status``)."""

    content_type: str
    source: str


def unsaved_contact(
    first_name: str, last_name: str, relationship: str, legal_guardian: bool, linked: tuple[str, str] | None
) -> RelatedContact:
    """A contact as read for a label (unsaved): its own name, or its linked client's."""
    linked_client = Client(first_name=linked[0], last_name=linked[1]) if linked is not None else None
    return RelatedContact(
        first_name=first_name,
        last_name=last_name,
        relationship=relationship,
        legal_guardian=legal_guardian,
        linked_client=linked_client,
    )


def recipient_label_of(row: Sequence[Any], client: Client) -> str:
    """``Share.recipient_label`` of a share read as values (``selectors._RECIPIENT_COLUMNS``: its audience, contact
    and portal user with the names the label reads), ``client`` being its document's client."""
    audience, contact_id, access_id, first, last, relationship, guardian, linked_id, *rest = row
    linked_first, linked_last, display_name, account_name = rest
    if audience == Audience.CLIENT:
        return client_label(client)
    share = Share(audience=audience)  # unsaved, to label it by the model's own rule
    if contact_id is not None:
        linked = (linked_first, linked_last) if linked_id is not None else None
        share.contact = unsaved_contact(first, last, relationship, guardian, linked)
    if access_id is not None:
        share.access = ProfileAccess(display_name=display_name, account=PortalAccount(full_name=account_name))
    return share.recipient_label


class ListedShare:
    """An open share of a listed entry, as its Share Status reads it: its ``pk``, its ``audience`` and, worked out
    only when the page names it, whom it reaches (``recipient_label``, from the values read with it)."""

    __slots__ = ("_client", "_label", "_row", "audience", "pk")

    def __init__(self, pk: int, row: tuple[Any, ...], client: Client) -> None:
        self.pk = pk
        self.audience: str = row[0]
        self._row = row
        self._client = client
        self._label: str | None = None

    @property
    def recipient_label(self) -> str:
        if self._label is None:
            self._label = recipient_label_of(self._row, self._client)
        return self._label

    def __repr__(self) -> str:
        return f"<ListedShare: {self.audience}>"


class ListedDocument:
    """A document as a list shows it, with the attributes of ``Document`` the list reads: ``pk``, ``practice_id``,
    ``client``, ``type`` (a ``DocumentType``), ``title``, ``document_date``, ``current_version_id`` and
    ``current_version`` (a ``ListedVersion``, or None while its PDF is being prepared), ``listed_author`` (its author's
    name), and what the page adds: ``open_shares`` (``selectors.attach_recipients``), the signing columns
    (``signing.selectors.staff_signature_status``; until then, not signed), its addresses and Share to Sign."""

    __slots__ = (
        "client",
        "current_version",
        "current_version_id",
        "document_date",
        "file_url",
        "last_request_status",
        "listed_author",
        "offer_share_to_sign",
        "open_shares",
        "pending_signature",
        "pk",
        "practice_id",
        "signature_outdated",
        "signed",
        "staff_url",
        "title",
        "type",
    )

    def __init__(
        self,
        pk: int,
        practice_id: int,
        client: Client,
        doc_type: DocumentType,
        title: str,
        document_date: datetime.date,
        current_version: ListedVersion | None,
        current_version_id: int | None,
        listed_author: str,
    ) -> None:
        self.pk = pk
        self.practice_id = practice_id
        self.client = client
        self.type = doc_type
        self.title = title
        self.document_date = document_date
        self.current_version = current_version
        self.current_version_id = current_version_id
        self.listed_author = listed_author
        self.open_shares: Sequence[ListedShare] = ()
        self.signed = False
        self.pending_signature = False
        self.signature_outdated = False
        self.last_request_status: str | None = None
        self.staff_url = ""
        self.file_url = ""
        self.offer_share_to_sign = False

    def __repr__(self) -> str:
        return f"<ListedDocument: {self.pk}>"

    @property
    def share_status(self) -> ShareStatus:
        """As ``Document.share_status``."""
        return share_status_of(self.type.shareable, self.open_shares, self)

    @property
    def globe(self) -> str:
        """As ``Document.globe``."""
        return globe_of(self.open_shares)
