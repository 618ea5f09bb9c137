"""A listed entry of a client's documents read as values, not model instances: what the Activity Log and the Chart
Face show of a document and its current file (``selectors.activity_log_first_page``), with the Share Status and globe
of ``Document``'s own rules (``share_status_of``, ``globe_of``)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import NamedTuple

from haven.clients.models import Client
from haven.documents.models import DocumentType, Share, ShareStatus, globe_of, share_status_of


class ListedVersion(NamedTuple):
    """What a listed entry reads of its current file: its content type (Share to Sign takes a PDF) and its source
    (a signed version makes the entry signed, ``signing.selectors.staff_signature_status``)."""

    content_type: str
    source: str


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
        self.open_shares: Sequence[Share] = ()
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
