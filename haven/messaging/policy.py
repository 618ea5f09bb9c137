"""Who may read which portal messages: the one answer the inbox, its count and its lookups ask
(see ``haven.core.policy``).

A message is addressed to a portal login about one client, so a login reads it only while that
client's profile is the selected one (and its access in effect, which the session checks on every
request). Staff see no portal inbox.
"""

from __future__ import annotations

from django.db.models import QuerySet

from haven.audit.denials import not_found
from haven.core.policy import Viewer
from haven.messaging.models import Message
from haven.portal_access.viewers import PortalViewer

OBJECT_TYPE = "messaging.message"


def addressee(viewer: Viewer) -> tuple[int, int, int] | None:
    """Whose messages this viewer reads: (account id, client id, practice id) of the selected profile, or None."""
    if not isinstance(viewer, PortalViewer) or viewer.profile is None:
        return None
    profile = viewer.profile
    if profile.account_id != viewer.account.pk or profile.practice_id != viewer.practice_id:
        return None
    return profile.account_id, profile.client_id, viewer.practice_id


def addressed_to(account_id: int, client_id: int, practice_id: int) -> QuerySet[Message]:
    """The messages to this login about this client, in this practice."""
    return Message.objects.filter(account_id=account_id, client_id=client_id, practice_id=practice_id)


def visible_to(viewer: Viewer) -> QuerySet[Message]:
    """The messages this viewer may read: to this login, about the selected profile's client, in this practice."""
    found = addressee(viewer)
    if found is None:
        return Message.objects.select_related("document", "signature_request").none()
    return addressed_to(*found).select_related("document", "signature_request")


def get_message(viewer: Viewer, message_id: int, *, path: str = "") -> Message:
    """A message this viewer may read, or a 404 audited as access.denied."""
    message = visible_to(viewer).filter(pk=message_id).first()
    if message is None:
        raise not_found(viewer, object_type=OBJECT_TYPE, object_id=message_id, path=path)
    return message
