from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from haven.clients.models import Client
from haven.core.prepared import Prepared
from haven.portal_access import policy
from haven.portal_access.models import AccessStatus, ProfileAccess, years_before
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
    practice = viewer.practice
    today = timezone.localdate()
    ended = _ENDED_CLIENTS(
        viewer.account.pk,
        practice.pk,
        today,
        years_before(today, practice.age_of_majority),
        timezone.now() - MAJORITY_NOTICE_FOR,
    )
    if not ended:
        return 0
    if still_reached is None:
        still_reached = policy.visible_to(viewer).values_list("client_id", flat=True)
    return len(set(ended) - set(still_reached))


def _ended_clients(
    account_id: int, practice_id: int, today: datetime.date, majority_cutoff: datetime.date, since: datetime.datetime
) -> QuerySet[ProfileAccess, int]:
    """The clients of a login's profiles that ended at the age of majority, closed since then or waiting for it."""
    recent = Q(status=AccessStatus.ACTIVE) | Q(ended_at__gte=since)
    return (
        ProfileAccess.objects.ended_at_majority_on(practice_id, today=today, majority_cutoff=majority_cutoff)
        .filter(recent, account_id=account_id)
        .order_by()
        .values_list("client_id", flat=True)
        .distinct()
    )


_ENDED_CLIENTS: Prepared[int] = Prepared(_ended_clients, int, int, datetime.date, datetime.date, datetime.datetime)
