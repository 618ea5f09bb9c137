"""Audit events in words: what happened, what it was about, and who did it, by name and role.

The audit table keeps its codes (``document.downloaded``) and the login it saw (an email); the
client's Access history reads them through ``describe_events``, which resolves documents, staff,
portal logins and messages in bulk, a fixed number of queries for a page however long.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from haven.audit.models import AuditEvent
from haven.signing.devices import describe_device

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from haven.clients.models import Client

# Each code: what happened, and the same with what it was about ("%(title)s", a document or message),
# or None when the event is never about a single document or message.
LABELS: dict[str, tuple[_StrPromise, _StrPromise | None]] = {
    "access.denied": (_l("Was refused something outside their access"), None),
    "access.forbidden": (_l("Was refused a page their role does not open"), None),
    "chart.viewed": (_l("Viewed the chart"), None),
    "client.created": (_l("Created the chart"), None),
    "client.changed": (_l("Changed the chart"), None),
    "contact.added": (_l("Added a related contact"), None),
    "contact.changed": (_l("Changed a related contact"), None),
    "contact.removed": (_l("Removed a related contact"), None),
    "document.created": (_l("Added a document"), _l("Added “%(title)s”")),
    "document.note_written": (_l("Wrote a note"), _l("Wrote “%(title)s”")),
    "document.rendered": (_l("Made the PDF of a note"), _l("Made the PDF of “%(title)s”")),
    "document.version_added": (_l("Added a new version of a document"), _l("Added a new version of “%(title)s”")),
    "document.viewed": (_l("Viewed a document"), _l("Viewed “%(title)s”")),
    "document.downloaded": (_l("Downloaded a document"), _l("Downloaded “%(title)s”")),
    "document.shared": (_l("Shared a document to the portal"), _l("Shared “%(title)s” to the portal")),
    "document.unshared": (_l("Stopped sharing a document"), _l("Stopped sharing “%(title)s”")),
    "document.shared_all": (_l("Shared all available documents with the client"), None),
    "group_note.created": (_l("Wrote a group note"), None),
    "group_note.shared": (_l("Shared a group note to the portal"), None),
    "group_note.unshared": (_l("Stopped sharing a group note"), None),
    "message.sent": (_l("Sent a portal message"), _l("Sent the portal message “%(title)s”")),
    "message.read": (_l("Read a portal message"), _l("Read the portal message “%(title)s”")),
    "portal.invited": (_l("Invited someone to the portal"), None),
    "portal.invitation_resent": (_l("Sent the portal invitation again"), None),
    "portal.invitation_accepted": (_l("Accepted the portal invitation"), None),
    "portal.linked": (_l("Linked a portal account"), None),
    "portal.portal_user_added": (_l("Added a portal user"), None),
    "portal.pin_issued": (_l("Issued a portal PIN"), None),
    "portal.pin_confirmed": (_l("Entered the portal PIN"), None),
    "portal.pin_failed": (_l("Entered a wrong portal PIN"), None),
    "portal.instructions_printed": (_l("Printed the portal instructions"), None),
    "portal.access_revoked": (_l("Removed portal access"), None),
    "portal.guardian_renewed": (_l("Renewed a guardian's portal access"), None),
    "portal.guardian_access_ended": (_l("Ended a guardian's portal access at the age of majority"), None),
    "portal.two_factor_reset": (_l("Turned off two-step sign-in for a portal login"), None),
    "portal.profile_selected": (_l("Opened this client's profile in the portal"), None),
    "portal.password_set": (_l("Set a portal password"), None),
    "portal.password_reset": (_l("Reset a portal password"), None),
    "signature.requested": (_l("Asked for a signature"), _l("Asked for a signature on “%(title)s”")),
    "signature.reminded": (_l("Sent a signature reminder"), _l("Sent a reminder to sign “%(title)s”")),
    "signature.cancelled": (_l("Cancelled a signature request"), _l("Cancelled the signature request for “%(title)s”")),
    "signature.expired": (_l("A signature request expired"), _l("The signature request for “%(title)s” expired")),
    "signature.viewed": (_l("Opened a document to sign"), _l("Opened “%(title)s” to sign")),
    "signature.consented": (_l("Agreed to sign electronically"), _l("Agreed to sign “%(title)s” electronically")),
    "signature.signed": (_l("Signed a document"), _l("Signed “%(title)s”")),
    "signature.declined": (_l("Declined to sign a document"), _l("Declined to sign “%(title)s”")),
    "signature.refused": (_l("A signature was not accepted"), _l("A signature on “%(title)s” was not accepted")),
    "signature.sealed": (_l("Sealed a signed document"), _l("Sealed the signed “%(title)s”")),
    "signature.verified": (_l("Checked a seal"), _l("Checked the seal of “%(title)s”")),
}


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the Access history, in words."""

    event: AuditEvent
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


def _document_id(event: AuditEvent) -> int | None:
    if event.object_type == "documents.document":
        return _int(event.object_id)
    return _int(event.details.get("document")) if isinstance(event.details, dict) else None


def _request_id(event: AuditEvent) -> int | None:
    if event.object_type == "signing.signaturerequest":
        return _int(event.object_id)
    return _int(event.details.get("request")) if isinstance(event.details, dict) else None


def describe_events(events: Sequence[AuditEvent], client: Client) -> list[HistoryEntry]:
    """The events about ``client`` in words. Titles and people are looked up within the client's practice only."""
    from haven.documents.models import Document
    from haven.messaging.models import Message
    from haven.portal_access.models import ProfileAccess
    from haven.practices.models import StaffMember
    from haven.signing.models import Signature, SignatureRequest

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

    def document_of(event: AuditEvent) -> int | None:
        if event.object_type == "signing.signature":
            return signature_documents.get(_int(event.object_id) or 0)
        found = _document_id(event)
        if found is None:
            request = _request_id(event)
            return request_documents.get(request) if request is not None else None
        return found

    document_ids = ids(document_of(e) for e in events)
    titles = (
        dict(Document.objects.filter(pk__in=document_ids, client=client).values_list("pk", "title"))
        if document_ids
        else {}
    )
    subjects = (
        dict(Message.objects.filter(pk__in=message_ids, client=client).values_list("pk", "subject"))
        if message_ids
        else {}
    )
    members = (
        {
            member.user_id: member
            for member in StaffMember.objects.filter(user_id__in=staff_ids, practice_id=client.practice_id)
            .select_related("user")
            .only("user__full_name", "role", "user_id", "practice_id")
        }
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
        plain, about = LABELS.get(event.action, (None, None))
        if event.object_type == "messaging.message":
            title = subjects.get(_int(event.object_id) or 0)
        else:
            document = document_of(event)
            title = titles.get(document) if document is not None else None
        if plain is None:
            what = _("Recorded “%(code)s”") % {"code": event.action}
        elif about is not None and title:
            what = str(about) % {"title": title}
        else:
            what = str(plain)
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


def _field_names(event: AuditEvent) -> list[str]:
    """The changed fields of a chart or contact, by their labels ("date of birth", not ``date_of_birth``)."""
    from haven.clients.models import Client, RelatedContact

    names = event.details.get("fields") if isinstance(event.details, dict) else None
    model = {"client.changed": Client, "contact.changed": RelatedContact}.get(event.action)
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


def _who(event: AuditEvent, members: dict[int, Any], accesses: dict[int, Any]) -> tuple[str, str]:
    if event.actor_kind == "staff":
        member = members.get(event.actor_id or 0)
        if member is not None:
            return member.user.full_name or event.actor_label, member.get_role_display()
        return event.actor_label, _("No longer on staff")
    if event.actor_kind == "portal":
        access = accesses.get(event.actor_id or 0)
        if access is not None:
            return access.account.full_name or event.actor_label, access.capacity_label
        return event.actor_label, _("Portal user")
    if event.actor_kind == "system":
        return _("Haven"), _("Automatic")
    return event.actor_label or _("Someone not signed in"), _("Not signed in")
