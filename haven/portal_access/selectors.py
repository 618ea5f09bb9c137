from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from haven.clients.models import Client
from haven.portal_access import policy
from haven.portal_access.models import AccessStatus, ProfileAccess
from haven.portal_access.viewers import PortalViewer

# How long the portal home keeps telling a guardian that a profile ended at the age of majority.
MAJORITY_NOTICE_FOR = datetime.timedelta(days=90)


def access_for_client(client: Client) -> QuerySet[ProfileAccess]:
    """Everyone who has, or had, portal access to this client's profile: open links first."""
    return (
        ProfileAccess.objects.filter(client=client, practice_id=client.practice_id)
        .select_related("account", "contact", "contact__linked_client", "client", "practice")
        .order_by("status", "account__full_name", "pk")
    )


def open_access_for_client(client: Client) -> QuerySet[ProfileAccess]:
    return access_for_client(client).filter(status__in=[AccessStatus.PENDING, AccessStatus.ACTIVE])


def profiles_ended_at_majority(viewer: PortalViewer, still_reached: Iterable[int] | None = None) -> int:
    """How many of this login's profiles ended lately because the client reached the age of majority.

    Counted, never named: the portal home tells the guardian that it happened, not whose profile.
    A profile the login still reaches another way (``policy.visible_to``) is not counted: ``still_reached``
    is that answer's client ids when the caller already holds it (the portal session asked it on this
    request), else it is asked here.
    """
    recent = Q(status=AccessStatus.ACTIVE) | Q(ended_at__gte=timezone.now() - MAJORITY_NOTICE_FOR)
    ended = ProfileAccess.objects.ended_at_majority(viewer.practice).filter(recent, account_id=viewer.account.pk)
    if still_reached is None:
        ended = ended.exclude(client_id__in=policy.visible_to(viewer).values("client_id"))
    else:
        ended = ended.exclude(client_id__in=list(still_reached))
    return ended.values("client_id").distinct().count()
