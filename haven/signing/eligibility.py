"""Who may be asked to sign for a client: the client with a portal login of their own, or a legal guardian."""

from __future__ import annotations

from dataclasses import dataclass

from haven.clients.models import Client, RelatedContact
from haven.documents.models import Document
from haven.portal_access.models import AccessKind, ProfileAccess
from haven.signing.models import Capacity, SignatureRequest


@dataclass(frozen=True)
class Signer:
    """Someone who may be asked to sign for the client: the client, or a guardian in the network."""

    capacity: str
    contact: RelatedContact | None
    name: str
    access: ProfileAccess

    @property
    def key(self) -> str:
        return "client" if self.contact is None else f"contact-{self.contact.pk}"


def possible_signers(document: Document) -> list[Signer]:
    """The client (with an active portal login of their own) and each legal guardian with one."""
    return possible_signers_for(document.client)


def possible_signers_for(client: Client) -> list[Signer]:
    """Who may be asked to sign, or to fill a form, for this client: the client, or a guardian with Web Portal."""
    signers: list[Signer] = []
    accesses = (
        ProfileAccess.objects.effective(client.practice)
        .filter(client=client, kind__in=[AccessKind.SELF, AccessKind.CONTACT])
        .select_related("account", "contact", "practice")
        .order_by("kind", "pk")
    )
    for access in accesses:
        if access.kind == AccessKind.SELF:
            signers.append(Signer(Capacity.SELF, None, client.full_name, access))
        elif access.is_guardian and access.contact is not None and access.contact.web_portal:
            signers.append(Signer(Capacity.GUARDIAN, access.contact, access.contact.full_name, access))
    return signers


def signer_name_in_chart(request: SignatureRequest, access: ProfileAccess) -> str:
    """The signer as the practice knows them: the client, or the guardian's contact record.

    A portal account's own name is whatever was typed when it was made, so it is never the signer's name.
    """
    if request.capacity == Capacity.GUARDIAN and access.contact is not None:
        return access.contact.full_name
    if request.capacity == Capacity.SELF:
        return request.document.client.full_name
    return request.signer_name
