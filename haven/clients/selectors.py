from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, DateField, F, Lookup, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast
from django.db.models.sql.compiler import SQLCompiler

from haven.clients import policy
from haven.clients.models import Client, ClientSearchTerm, ClientStatus, RelatedContact, Relationship
from haven.clients.search import split_query, successor
from haven.core.policy import Viewer
from haven.core.prepared import Prepared

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
    """The clients this viewer may see (``haven.clients.policy.visible_to``) matching the search: every typed word
    begins a word of their name, preferred name or email (case and accents aside), or is their date of birth
    (YYYY-MM-DD or MM/DD/YYYY). Each word is one range of the search-term index (``haven.clients.search``), so the
    cost follows the matches, not the practice's size; the client list and the group-note picker both use it."""
    dates, keys = split_query(query)
    births = [birth.isoformat() for birth in dates]
    return visible_clients_matching(
        viewer,
        status=status if status in ClientStatus.values else "",
        births=births,
        ranges=[(key, successor(key)) for key in keys],
        sort=sort,
    )


def visible_clients_matching(
    viewer: Viewer, *, status: str, births: Sequence[str], ranges: Sequence[tuple[str, str]], sort: str
) -> QuerySet[Client]:
    """``search_visible_clients`` for a search already split: the status (a ``ClientStatus`` value, or "" for any),
    the dates of birth (ISO text) and, for each typed word, its range of search terms (``start <= term < end``).
    Every value reaches the SQL as a parameter, so the same query serves as a prepared one (``haven.core.prepared``)."""
    clients = policy.visible_to(viewer).select_related("facility")
    if status:
        clients = clients.filter(status=status)
    for birth in births:
        clients = clients.filter(date_of_birth=Cast(Value(birth, output_field=CharField()), DateField()))
    if ranges:
        clients = clients.filter(FoundBy(F("pk"), Subquery(found_by_terms(viewer.practice_id, ranges))))
    return clients.order_by(*SORTS.get(sort, SORTS["name"]))


def found_by_terms(practice_id: int, ranges: Sequence[tuple[str, str]]) -> QuerySet[ClientSearchTerm, int]:
    """The ids of the practice's clients with a term in each range: one index range per typed word, intersected
    inside the database (``INTERSECT``), each range read once."""
    first, *others = (
        matching_terms(practice_id, start, end).values_list("client_id", flat=True) for start, end in ranges
    )
    return first.intersection(*others) if others else first


def matching_terms(practice_id: int, start: str, end: str) -> QuerySet[ClientSearchTerm]:
    """The practice's search terms from ``start`` up to ``end`` (for a typed key, ``successor(key)``): one range of
    the (practice, term, client) index."""
    return ClientSearchTerm.objects.filter(practice_id=practice_id, term__gte=start, term__lt=end)


class FoundBy(Lookup[Any]):
    """The client is among those the term subquery found, fetched by primary key after the subquery ran.

    PostgreSQL reads ``pk = ANY(ARRAY(subquery))``: the array is computed once, before the clients are read, so the
    planner cannot walk the practice's clients in name order testing each one (its estimate assumes a name search's
    matches are spread through the alphabet, when they sit together) nor scan the table to hash them. SQLite reads
    ``pk IN (subquery)``, which its planner answers the same way given the figures migration 0003 records.
    """

    lookup_name = "found_by"

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, tuple[Any, ...]]:
        return self._compile(compiler, connection, "{pk} IN {found}")

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        return self._compile(compiler, connection, "{pk} = ANY(ARRAY{found})")

    def _compile(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, template: str
    ) -> tuple[str, tuple[Any, ...]]:
        pk_sql, pk_params = self.process_lhs(compiler, connection)
        found_sql, found_params = self.process_rhs(compiler, connection)
        return template.format(pk=pk_sql, found=found_sql), (*pk_params, *found_params)


def contacts_of(client: Client) -> QuerySet[RelatedContact]:
    return RelatedContact.objects.filter(client=client, practice_id=client.practice_id).select_related("linked_client")


def clients_client_is_contact_for(client: Client) -> QuerySet[RelatedContact]:
    """Where this client appears as someone else's contact (for the chart face)."""
    return RelatedContact.objects.filter(linked_client=client, practice_id=client.practice_id).select_related("client")


def linkable_clients(client: Client) -> QuerySet[Client]:
    """Other clients of the practice who could be added as this client's contact."""
    already = RelatedContact.objects.filter(client=client, linked_client__isnull=False).values("linked_client")
    return Client.objects.filter(practice_id=client.practice_id).exclude(pk=client.pk).exclude(pk__in=already)


@dataclass(frozen=True)
class ChartContact:
    """A related contact as the Chart Face lists it: what ``RelatedContact`` says of its name, relationship and
    badges, and the client it is a contact of (``client_id``, ``client_full_name``)."""

    full_name: str  # ``RelatedContact.full_name``: the linked client's name, else the contact's own
    relationship: str
    web_portal: bool
    legal_guardian: bool
    client_id: int
    client_full_name: str  # ``Client.full_name`` of the client it is a contact of

    def get_relationship_display(self) -> str:
        """As ``RelatedContact.get_relationship_display``: the choice's label, or the stored value if it has none."""
        return str(_RELATIONSHIPS.get(self.relationship, self.relationship))


_RELATIONSHIPS: dict[str, Any] = dict(Relationship.choices)

_CHART_CONTACTS: Prepared[tuple[Any, ...]] = Prepared(
    lambda client_id, practice_id, also_client_id: RelatedContact.objects.filter(
        Q(client_id=client_id) | Q(linked_client_id=also_client_id), practice_id=practice_id
    ).values_list(
        "client_id",
        "linked_client_id",
        "first_name",
        "last_name",
        "relationship",
        "web_portal",
        "legal_guardian",
        "client__first_name",
        "client__last_name",
        "linked_client__first_name",
        "linked_client__last_name",
    ),
    int,
    int,
    int,
)


def chart_contacts(client: Client) -> tuple[list[ChartContact], list[ChartContact]]:
    """``contacts_of`` and ``clients_client_is_contact_for`` (the Chart Face's two lists) as ``ChartContact``s, read
    as values in one prepared query of the practice's contacts on either side of the client, each list in its
    queryset's order (by id)."""
    contacts: list[ChartContact] = []
    contact_of: list[ChartContact] = []
    for row in _CHART_CONTACTS(client.pk, client.practice_id, client.pk):
        (
            client_id,
            linked_id,
            first,
            last,
            relationship,
            web_portal,
            guardian,
            of_first,
            of_last,
            linked_first,
            linked_last,
        ) = row
        name = f"{linked_first} {linked_last}" if linked_id is not None else f"{first} {last}".strip()
        contact = ChartContact(name, relationship, web_portal, guardian, client_id, f"{of_first} {of_last}")
        if client_id == client.pk:
            contacts.append(contact)
        if linked_id == client.pk:
            contact_of.append(contact)
    return contacts, contact_of
