"""The client's Access history in words: what happened, what it was about, and who did it, by name and role.

The audit trail keeps codes and the login it saw (an email); ``describe_events`` reads them with
the words of ``haven.audit.labels`` and resolves documents, staff, portal logins and messages in
bulk, a fixed number of queries for a page however long.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, Min, OuterRef, Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from haven.audit.events import AuditAction
from haven.audit.labels import what_happened
from haven.audit.models import AuditEvent
from haven.audit.selectors import HistoryEvent
from haven.clients.models import Client, RelatedContact
from haven.core.policy import Viewer
from haven.core.prepared import Prepared
from haven.core.remembered_words import per_language
from haven.documents.models import Document
from haven.documents.policy import visible_among
from haven.documents.selectors import page_ids, titles_staff_may_open
from haven.messaging.models import Message
from haven.portal_access.models import ProfileAccess
from haven.practices.models import StaffMember
from haven.practices.viewers import StaffViewer
from haven.signing.devices import describe_device
from haven.signing.models import Signature, SignatureRequest


class HistoryEntry(NamedTuple):
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


def _document_id(event: AuditEvent | HistoryEvent, details: Any) -> int | None:
    if event.object_type == "documents.document":
        return _int(event.object_id)
    return _int(details.get("document")) if isinstance(details, dict) else None


def _request_id(event: AuditEvent | HistoryEvent, details: Any) -> int | None:
    if event.object_type == "signing.signaturerequest":
        return _int(event.object_id)
    return _int(details.get("request")) if isinstance(details, dict) else None


# What an event is about, as ``describe_events`` finds it: a message, or a document directly, through a signature
# or through a signature request, each by its id; or nothing it could name.
_MESSAGE, _DOCUMENT, _SIGNATURE, _REQUEST, _NOTHING, _THREAD = range(6)


def describe_events(
    events: Sequence[AuditEvent | HistoryEvent], client: Client, *, viewer: Viewer
) -> list[HistoryEntry]:
    """The events about ``client`` in words. Titles and people are looked up within the client's practice only,
    and a title is shown only when the viewer may open its document (the documents policy): a reader without
    Read clinical documents sees "Viewed a document", never a clinical document's title."""
    staff_ids: set[int] = set()
    portal_ids: set[int] = set()
    message_ids: set[int] = set()
    thread_ids: set[int] = set()
    signature_ids: set[int] = set()
    request_ids: set[int] = set()
    document_ids: set[int] = set()
    subjects: list[tuple[int, int]] = []  # each event's: what it is about, and its id
    for event in events:
        if event.actor_id is not None:
            if event.actor_kind == "staff":
                staff_ids.add(event.actor_id)
            elif event.actor_kind == "portal":
                portal_ids.add(event.actor_id)
        if event.object_type == "messaging.message":
            message = _int(event.object_id)
            if message is not None:
                message_ids.add(message)
            subjects.append((_MESSAGE, message or 0))
        elif event.object_type == "messaging.thread":
            thread = _int(event.object_id)
            if thread is not None:
                thread_ids.add(thread)
            subjects.append((_THREAD, thread or 0))
        elif event.object_type == "signing.signature":
            signature = _int(event.object_id)
            if signature is not None:
                signature_ids.add(signature)
            subjects.append((_SIGNATURE, signature or 0))
        elif event.object_type == "documents.document" and (document := _int(event.object_id)) is not None:
            document_ids.add(document)  # the common case, which needs no details
            subjects.append((_DOCUMENT, document))
        else:
            details = event.details  # decoded once, for the document or request they may name
            if (document := _document_id(event, details)) is not None:
                document_ids.add(document)
                subjects.append((_DOCUMENT, document))
            elif (request := _request_id(event, details)) is not None:
                request_ids.add(request)
                subjects.append((_REQUEST, request))
            else:
                subjects.append((_NOTHING, 0))

    request_documents: dict[int, int] = {}
    signature_documents: dict[int, int] = {}
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
        document_ids.update(request_documents.values(), signature_documents.values())

    def readable() -> QuerySet[Document]:  # built only when a query needs it
        return visible_among(viewer, Document.objects.filter(client=client))

    if isinstance(viewer, StaffViewer):
        titles = titles_staff_may_open(viewer, client, document_ids)
    else:
        titles = dict(readable().filter(pk__in=document_ids).values_list("pk", "title")) if document_ids else {}
    message_subjects: dict[int, str] = {}
    thread_subjects: dict[int, str] = {}
    if message_ids or thread_ids:
        # One query: the messages named, and one message of each thread named, each with its thread's subject.
        # A subject is shown only when every document its thread's messages carry is one the viewer may open.
        one_of_each = (
            Message.objects.filter(thread_id__in=thread_ids).order_by().values("thread_id").annotate(one=Min("pk"))
        )
        withheld = Message.objects.filter(thread_id=OuterRef("thread_id"), document__isnull=False).exclude(
            document__in=readable()
        )
        named = (
            Message.objects.filter(Q(pk__in=message_ids) | Q(pk__in=one_of_each.values("one")), thread__client=client)
            .exclude(Exists(withheld))
            .select_related("thread")
            .only("thread", "thread__subject_encrypted")
            .order_by()
        )
        for row in named:
            if row.thread_id not in thread_subjects:
                thread_subjects[row.thread_id] = row.thread.subject
            if row.pk in message_ids:
                message_subjects[row.pk] = thread_subjects[row.thread_id]
    language = get_language()
    # Each member's name and role, worked out once for all their events.
    roles = _role_names(language)
    members = (
        {user_id: (name, roles.get(role, role)) for user_id, name, role in _members(staff_ids, client)}
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

    devices: dict[str, str] = {}  # a page's events mostly come from a few browsers
    entries = []
    for event, (about, key) in zip(events, subjects, strict=True):
        title: str | None = None
        if about == _DOCUMENT:
            title = titles.get(key)
        elif about == _MESSAGE:
            title = message_subjects.get(key)
        elif about == _THREAD:
            title = thread_subjects.get(key)
        elif about != _NOTHING:
            found = (signature_documents if about == _SIGNATURE else request_documents).get(key)
            title = titles.get(found) if found is not None else None
        who, role = _who(event, members, accesses)
        user_agent = event.user_agent
        if user_agent:
            device = devices.get(user_agent)
            if device is None:
                device = devices[user_agent] = describe_device(user_agent)
        else:
            device = ""
        entries.append(
            HistoryEntry(
                event,
                what_happened(event.action, title, language=language),
                who,
                role,
                event.actor_kind == "portal",
                event.acting_for,
                device,
                _field_names(event.action, event.details) if event.action in _CHANGED_FIELDS_OF else [],
            )
        )
    return entries


def _staff_of(practice_id: int, user_ids: Iterable[int]) -> QuerySet[StaffMember, tuple[int, str, str]]:
    """The staff members of the practice behind these logins: each one's login, name and role."""
    return (
        StaffMember.objects.filter(user_id__in=user_ids, practice_id=practice_id)
        .order_by()
        .values_list("user_id", "user__full_name", "role")
    )


_MEMBER_IDS = 50  # a page's events name at most this many staff
_MEMBERS: Prepared[tuple[int, str, str]] = Prepared(
    lambda practice_id, *user_ids: _staff_of(practice_id, user_ids), int, *([int] * _MEMBER_IDS)
)


def _members(user_ids: set[int], client: Client) -> Iterable[tuple[int, str, str]]:
    """The staff members of the client's practice behind these logins, in a prepared query for a page of them."""
    if len(user_ids) > _MEMBER_IDS:
        return _staff_of(client.practice_id, user_ids)
    return _MEMBERS(client.practice_id, *page_ids(sorted(user_ids), _MEMBER_IDS))


# Each role's name as ``get_role_display`` says it, by language.
_ROLE_NAMES: dict[str | None, dict[str, str]] = per_language()


def _role_names(language: str | None) -> dict[str, str]:
    names = _ROLE_NAMES.get(language)
    if names is None:
        choices = StaffMember._meta.get_field("role").flatchoices
        names = _ROLE_NAMES[language] = {str(value): str(label) for value, label in choices}
    return names


# The events that name the changed fields of a chart or contact, and the model the fields are of.
_CHANGED_FIELDS_OF: dict[str, type[Client] | type[RelatedContact]] = {
    AuditAction.CLIENT_CHANGED: Client,
    AuditAction.CONTACT_CHANGED: RelatedContact,
}


def _field_names(action: str, details: Any) -> list[str]:
    """The changed fields of a chart or contact, by their labels ("date of birth", not ``date_of_birth``)."""
    names = details.get("fields") if isinstance(details, dict) else None
    model = _CHANGED_FIELDS_OF.get(action)
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
