"""Practice-scoped lookups: another practice's client answers exactly like a missing one."""

from __future__ import annotations

from haven.clients.models import Client, RelatedContact
from haven.practices.access import deny
from haven.practices.models import StaffMember


def get_client_for_staff(member: StaffMember, client_id: int, *, path: str = "") -> Client:
    client = (
        Client.objects.select_related("facility", "practice").filter(practice=member.practice, pk=client_id).first()
    )
    if client is None:
        raise deny(member, object_type="clients.client", object_id=client_id, path=path)
    return client


def get_contact_for_staff(member: StaffMember, client: Client, contact_id: int, *, path: str = "") -> RelatedContact:
    contact = (
        RelatedContact.objects.select_related("linked_client")
        .filter(practice=member.practice, client=client, pk=contact_id)
        .first()
    )
    if contact is None:
        raise deny(member, object_type="clients.relatedcontact", object_id=contact_id, path=path)
    return contact
