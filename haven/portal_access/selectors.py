from __future__ import annotations

from django.db.models import QuerySet

from haven.clients.models import Client
from haven.portal_access.models import AccessStatus, ProfileAccess


def access_for_client(client: Client) -> QuerySet[ProfileAccess]:
    """Everyone who has, or had, portal access to this client's profile: open links first."""
    return (
        ProfileAccess.objects.filter(client=client, practice_id=client.practice_id)
        .select_related("account", "contact", "contact__linked_client", "practice")
        .order_by("status", "account__full_name", "pk")
    )


def open_access_for_client(client: Client) -> QuerySet[ProfileAccess]:
    return access_for_client(client).filter(status__in=[AccessStatus.PENDING, AccessStatus.ACTIVE])
