"""The client's Access history in words: what happened, what it was about, and who did it, by name and role.

The audit trail keeps codes and the login it saw (an email); ``describe_events`` reads them with
the words of ``haven.audit.labels`` and resolves documents, staff, portal logins and messages in
bulk, a fixed number of queries for a page however long.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from haven.audit.events import AuditAction
from haven.audit.labels import what_happened
from haven.audit.models import AuditEvent
from haven.audit.selectors import HistoryEvent
from haven.clients.models import Client, RelatedContact
from haven.core.policy import Viewer
from haven.core.prepared import Prepared
from haven.documents.models import Document
from haven.documents.policy import visible_among
from haven.documents.selectors import page_ids, titles_staff_may_open
from haven.messaging.models import Message
from haven.portal_access.models import ProfileAccess
from haven.practices.models import StaffMember
from haven.practices.viewers import StaffViewer
from haven.signing.devices import describe_device
from haven.signing.models import Signature, SignatureRequest


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the Access history, in words."""

    event: AuditEvent | HistoryEvent
    what: str
    who: str
    role: str
    in_portal: bool
    acting_for: str
    device: str
    fields: list[str]


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _document_id(event: AuditEvent | HistoryEvent) -> int | None:
    if event.object_type == "documents.document":
        return _int(event.object_id)
    return _int(event.details.get("document")) if isinstance(event.details, dict) else None


def _request_id(event: AuditEvent | HistoryEvent) -> int | None:
    if event.object_type == "signing.signaturerequest":
        return _int(event.object_id)
    return _int(event.details.get("request")) if isinstance(event.details, dict) else None


def describe_events(
    events: Sequence[AuditEvent | HistoryEvent], client: Client, *, viewer: Viewer
) -> list[HistoryEntry]:
    """The events about ``client`` in words. Titles and people are looked up within the client's practice only,
    and a title is shown only when the viewer may open its document (the documents policy): a reader without
    Read clinical documents sees "Viewed a document", never a clinical document's title."""

    def ids(pick: Iterable[int | None]) -> set[int]:
        return {value for value in pick if value is not None}

    staff_ids = ids(e.actor_id for e in events if e.actor_kind == "staff")
    portal_ids = ids(e.actor_id for e in events if e.actor_kind == "portal")
    message_ids = ids(_int(e.object_id) for e in events if e.object_type == "messaging.message")
    signature_ids = ids(_int(e.object_id) for e in events if e.object_type == "signing.signature")
    request_ids = ids(_request_id(e) for e in events if _document_id(e) is None)

    request_documents: dict[int, int] = {}
    if request_ids or signature_ids:
        request_documents = dict(
            SignatureRequest.objects.filter(pk__in=request_ids, document__client=client).values_list(
                "pk", "document_id"
            )
        )
        signature_documents = dict(
            Signature.objects.filter(pk__in=signature_ids, request__document__client=client).values_list(
                "pk", "request__document_id"
            )
        )
    else:
        signature_documents = {}

    def document_of(event: AuditEvent | HistoryEvent) -> int | None:
        if event.object_type == "signing.signature":
            return signature_documents.get(_int(event.object_id) or 0)
        found = _document_id(event)
        if found is None:
            request = _request_id(event)
            return request_documents.get(request) if request is not None else None
        return found

    document_ids = ids(document_of(e) for e in events)

    def readable() -> QuerySet[Document]:  # built only when a query needs it
        return visible_among(viewer, Document.objects.filter(client=client))

    if isinstance(viewer, StaffViewer):
        titles = titles_staff_may_open(viewer, client, document_ids)
    else:
        titles = dict(readable().filter(pk__in=document_ids).values_list("pk", "title")) if document_ids else {}
    subjects = (
        dict(
            Message.objects.filter(pk__in=message_ids, client=client)
            .filter(Q(document__isnull=True) | Q(document__in=readable()))
            .values_list("pk", "subject")
        )
        if message_ids
        else {}
    )
    # Each member's name and role, worked out once for all their events.
    members = (
        {member.user_id: (member.user.full_name, member.get_role_display()) for member in _members(staff_ids, client)}
        if staff_ids
        else {}
    )
    accesses: dict[int, ProfileAccess] = {}
    if portal_ids:
        for access in (
            ProfileAccess.objects.filter(account_id__in=portal_ids, client=client)
            .select_related("account", "contact", "practice")
            .order_by("pk")
        ):
            accesses[access.account_id] = access  # the latest link between that login and this client

    entries = []
    for event in events:
        if event.object_type == "messaging.message":
            title = subjects.get(_int(event.object_id) or 0)
        else:
            document = document_of(event)
            title = titles.get(document) if document is not None else None
        what = what_happened(event.action, title)
        who, role = _who(event, members, accesses)
        entries.append(
            HistoryEntry(
                event=event,
                what=what,
                who=who,
                role=role,
                in_portal=event.actor_kind == "portal",
                acting_for=event.acting_for,
                device=describe_device(event.user_agent) if event.user_agent else "",
                fields=_field_names(event),
            )
        )
    return entries


def _staff_of(practice_id: int, user_ids: Iterable[int]) -> QuerySet[StaffMember]:
    return (
        StaffMember.objects.filter(user_id__in=user_ids, practice_id=practice_id)
        .select_related("user")
        .only("user__full_name", "role", "user_id", "practice_id")
    )


_MEMBER_IDS = 50  # a page's events name at most this many staff
_MEMBERS: Prepared[StaffMember] = Prepared(
    lambda practice_id, *user_ids: _staff_of(practice_id, user_ids), int, *([int] * _MEMBER_IDS)
)


def _members(user_ids: set[int], client: Client) -> Iterable[StaffMember]:
    """The staff members of the client's practice behind these logins, in a prepared query for a page of them."""
    if len(user_ids) > _MEMBER_IDS:
        return _staff_of(client.practice_id, user_ids)
    return _MEMBERS(client.practice_id, *page_ids(sorted(user_ids), _MEMBER_IDS))


def _field_names(event: AuditEvent | HistoryEvent) -> list[str]:
    """The changed fields of a chart or contact, by their labels ("date of birth", not ``date_of_birth``)."""
    names = event.details.get("fields") if isinstance(event.details, dict) else None
    model = {AuditAction.CLIENT_CHANGED: Client, AuditAction.CONTACT_CHANGED: RelatedContact}.get(event.action)  # type: ignore[call-overload]
    if not isinstance(names, list) or model is None:
        return []
    labels = []
    for name in names:
        try:
            field = model._meta.get_field(str(name))
            labels.append(str(getattr(field, "verbose_name", name)))
        except FieldDoesNotExist:
            labels.append(str(name))
    return labels


def _who(
    event: AuditEvent | HistoryEvent, members: dict[int, tuple[str, str]], accesses: dict[int, Any]
) -> tuple[str, str]:
    if event.actor_kind == "staff":
        member = members.get(event.actor_id or 0)
        if member is not None:
            name, role = member
            return name or event.actor_label, role
        return event.actor_label, _("No longer on staff")
    if event.actor_kind == "portal":
        access = accesses.get(event.actor_id or 0)
        if access is not None:
            return access.account.full_name or event.actor_label, access.capacity_label
        return event.actor_label, _("Portal user")
    if event.actor_kind == "system":
        return _("Haven"), _("Automatic")
    return event.actor_label or _("Someone not signed in"), _("Not signed in")
