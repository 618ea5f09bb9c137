"""Who may see which clients and related contacts: the one answer staff pages, portal pages, actions and the
URL walk ask (see ``haven.core.policy``).

Staff see the clients and contacts of their practice. A portal login sees the one client its selected
profile is for, and no related contacts (no portal page shows them).
"""

from __future__ import annotations

from django.db.models import QuerySet

from haven.audit.denials import not_found
from haven.clients.models import Client, RelatedContact
from haven.core.policy import Viewer, ViewerKind
from haven.core.prepared import Prepared
from haven.practices.models import StaffMember
from haven.practices.viewers import StaffViewer


def visible_to(viewer: Viewer) -> QuerySet[Client]:
    """The clients this viewer may see."""
    clients = Client.objects.filter(practice_id=viewer.practice_id)
    if viewer.kind == ViewerKind.STAFF:
        return clients
    if viewer.client_id is None:
        return clients.none()
    return clients.filter(pk=viewer.client_id)


def contacts_visible_to(viewer: Viewer) -> QuerySet[RelatedContact]:
    """The related contacts this viewer may see: those of the clients the viewer may see, for staff only."""
    if viewer.kind != ViewerKind.STAFF:
        return RelatedContact.objects.none()
    return RelatedContact.objects.filter(practice_id=viewer.practice_id, client__in=visible_to(viewer))


# A staff member's client with its facility (and its practice, unless the staff member's is at hand: the client is
# of the viewer's practice), in a prepared query built by asking ``visible_to`` (for a stand-in staff member of the
# practice) and kept by that rule and shape; None when the rule shows nothing.
_STAFF_CLIENTS: dict[tuple[object, bool], Prepared[Client] | None] = {}


def _staff_client(practice_id: int, client_id: int, *, with_practice: bool) -> Client | None:
    rule = visible_to
    key = (rule, with_practice)
    if key not in _STAFF_CLIENTS:
        related = ("facility", "practice") if with_practice else ("facility",)

        def build(practice_id: int, client_id: int) -> QuerySet[Client]:
            viewer = StaffViewer(StaffMember(practice_id=practice_id))
            return rule(viewer).select_related(*related).filter(pk=client_id)[:1]

        _STAFF_CLIENTS[key] = None if build(0, 0).query.is_empty() else Prepared(build, int, int)
    prepared = _STAFF_CLIENTS[key]
    found = prepared(practice_id, client_id) if prepared is not None else []
    return found[0] if found else None


def get_client(viewer: Viewer, client_id: int, *, path: str = "") -> Client:
    """The client, or a 404 (audited) that looks exactly like a missing one."""
    if viewer.kind == ViewerKind.STAFF and type(client_id) is int and abs(client_id) < 2**63:
        member = viewer.member if isinstance(viewer, StaffViewer) else None
        practice = member.practice if member is not None and StaffMember.practice.is_cached(member) else None
        client = _staff_client(viewer.practice_id, client_id, with_practice=practice is None)
        if client is not None and practice is not None and client.practice_id == practice.pk:
            Client.practice.field.set_cached_value(client, practice)  # the staff member's, read with them
    else:
        client = visible_to(viewer).select_related("facility", "practice").filter(pk=client_id).first()
    if client is None:
        raise not_found(viewer, object_type="clients.client", object_id=client_id, path=path)
    return client


def get_contact(viewer: Viewer, client: Client, contact_id: int, *, path: str = "") -> RelatedContact:
    """One of this client's related contacts, or a 404 (audited): a contact named under another client is refused."""
    contact = contacts_visible_to(viewer).select_related("linked_client").filter(client=client, pk=contact_id).first()
    if contact is None:
        raise not_found(viewer, object_type="clients.relatedcontact", object_id=contact_id, path=path)
    return contact
