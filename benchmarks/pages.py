"""The pages `make bench` loads: each staff and portal page that lists or shows client data.

A page is named once here; the in-process run (queries) and the HTTP run (wrk) both take this list.
Its ids come from the seeded practice (``Ids``, read by ``benchmarks.inprocess``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Ids:
    """The seeded logins and the rows the pages name (``haven.demo.management.commands.seed_scale``)."""

    slug: str
    staff_email: str
    portal_email: str
    password: str
    totp_key: str
    portal_client: int  # Rosa Quintero, who has a portal login
    busy_client: int  # the client with about a thousand documents
    busy_document: int
    busy_document_title: str
    consent: int  # Rosa's document waiting for her signature
    consent_title: str
    signature_request: int
    shared_title: str  # one of the documents shared with Rosa

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Page:
    """One page: who opens it (``staff`` or ``portal``), its address (or, for a search, the text typed),
    the status its first response must have and a piece of text its body must hold."""

    name: str
    world: str
    path: str
    marker: str
    status: int = 200
    search: str = ""

    @property
    def key(self) -> str:
        return self.name.lower().replace(" ", "-").replace(",", "").replace(":", "")


def pages(ids: Ids) -> list[Page]:
    portal = f"/p/{ids.slug}"
    return [
        Page("Staff home (redirects to the client list)", "staff", "/staff/", "", status=302),
        Page("Client list", "staff", "/staff/clients/", 'id="client-search"'),
        Page("Client search: name", "staff", "", "Patel", search="Patel"),
        Page("Client search: email", "staff", "", "Quintero", search=ids.portal_email),
        Page("Client search: date of birth", "staff", "", "Quintero", search="1986-09-14"),
        Page("Client chart", "staff", f"/staff/clients/{ids.portal_client}/", "Quintero"),
        Page(
            "Activity Log, 1,000 documents",
            "staff",
            f"/staff/clients/{ids.busy_client}/documents/",
            ids.busy_document_title,
        ),
        Page(
            "Document page",
            "staff",
            f"/staff/clients/{ids.busy_client}/documents/{ids.busy_document}/",
            ids.busy_document_title,
        ),
        Page(
            "Document page with its signature requests",
            "staff",
            f"/staff/clients/{ids.portal_client}/documents/{ids.consent}/",
            "Pending Signature",
        ),
        Page("Access history", "staff", f"/staff/clients/{ids.busy_client}/access-history/", "Blackwood"),
        Page("General Log", "staff", "/staff/general-log/", "Group session"),
        Page("Portal home", "portal", f"{portal}/home/", "Rosa"),
        Page("Portal documents", "portal", f"{portal}/documents/", ids.shared_title),
        Page("Portal document (the PDF, inline)", "portal", f"{portal}/documents/{ids.consent}/", "%PDF"),
        Page("Portal signature request", "portal", f"{portal}/sign/{ids.signature_request}/", ids.consent_title),
        Page("Portal inbox", "portal", f"{portal}/inbox/", ids.consent_title),
    ]
