"""The inbox for the selected profile: only that login's messages about that client."""

from __future__ import annotations

from django.db.models import QuerySet

from haven.messaging.models import Message
from haven.portal_access.models import ProfileAccess


def inbox(access: ProfileAccess) -> QuerySet[Message]:
    return Message.objects.filter(
        account_id=access.account_id, client_id=access.client_id, practice_id=access.practice_id
    ).select_related("document", "signature_request")


def unread_count(access: ProfileAccess) -> int:
    return inbox(access).filter(read_at__isnull=True).count()
