from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from haven.clients import policy
from haven.clients.models import Client, ClientStatus, RelatedContact
from haven.core.policy import Viewer

SORTS = {
    "name": ("last_name", "first_name", "pk"),
    "-name": ("-last_name", "-first_name", "-pk"),
    "dob": ("date_of_birth", "pk"),
    "-dob": ("-date_of_birth", "-pk"),
    "recent": ("-created_at", "-pk"),
}


def search_visible_clients(
    viewer: Viewer, *, query: str = "", status: str = "", sort: str = "name"
) -> QuerySet[Client]:
    """The clients this viewer may see (``haven.clients.policy.visible_to``) matching the search."""
    return filter_clients(policy.visible_to(viewer), query=query, status=status, sort=sort)


def filter_clients(
    clients: QuerySet[Client], *, query: str = "", status: str = "", sort: str = "name"
) -> QuerySet[Client]:
    """Those of these clients matching a name, email or date of birth (YYYY-MM-DD or MM/DD/YYYY)."""
    clients = clients.select_related("facility")
    if status in ClientStatus.values:
        clients = clients.filter(status=status)
    for term in query.split():
        birth_date = _parse_date(term)
        if birth_date is not None:
            clients = clients.filter(date_of_birth=birth_date)
        else:
            clients = clients.filter(
                Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(preferred_name__icontains=term)
                | Q(email__icontains=term)
            )
    return clients.order_by(*SORTS.get(sort, SORTS["name"]))


def _parse_date(term: str) -> datetime.date | None:
    for pattern in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.datetime.strptime(term, pattern).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


def contacts_of(client: Client) -> QuerySet[RelatedContact]:
    return RelatedContact.objects.filter(client=client, practice_id=client.practice_id).select_related("linked_client")


def clients_client_is_contact_for(client: Client) -> QuerySet[RelatedContact]:
    """Where this client appears as someone else's contact (for the chart face)."""
    return RelatedContact.objects.filter(linked_client=client, practice_id=client.practice_id).select_related("client")


def linkable_clients(client: Client) -> QuerySet[Client]:
    """Other clients of the practice who could be added as this client's contact."""
    already = RelatedContact.objects.filter(client=client, linked_client__isnull=False).values("linked_client")
    return Client.objects.filter(practice_id=client.practice_id).exclude(pk=client.pk).exclude(pk__in=already)
