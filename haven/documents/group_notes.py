"""The General Log (DOC-7): group notes linked to several clients, and sharing them to All Authorized.

Privacy by construction: a group note is one ``GroupNote`` record and, for each linked client, an
ordinary ``Document`` in that client's chart carrying its own encrypted copy of the file. The
portal only ever sees a client's own copy, so no member of the group learns who else was in it.
The group note's title and file are the group's: they must not name any member.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.audit.events import GroupNoteCreated, GroupNoteShared, GroupNoteUnshared
from haven.audit.models import Actor
from haven.clients.models import Client, RelatedContact
from haven.core.encryption import delete_stored
from haven.core.errors import ApplicationError
from haven.documents import actions
from haven.documents.files import detect_content_type
from haven.documents.models import Audience, Category, Document, DocumentType, GroupNote
from haven.documents.selectors import open_portal_users, with_recipients
from haven.portal_access.models import ProfileAccess
from haven.practices.models import Permission, Practice, StaffMember

GROUP_NOTE_TYPE_NAME = "Group Note"
MIN_CLIENTS = 2
MAX_CLIENTS = 100  # far beyond any group session, short of abuse
MAX_TITLE_CHARS = 200


# --- Selectors ------------------------------------------------------------------------------------


def group_note_type(practice: Practice) -> DocumentType:
    """The practice's Group Note type, made on first use (administrators may set its portal exceptions)."""
    doc_type = DocumentType.objects.filter(practice=practice, category=Category.GROUP_NOTE).order_by("pk").first()
    if doc_type is not None:
        return doc_type
    doc_type, _created = DocumentType.objects.get_or_create(
        practice=practice, name=GROUP_NOTE_TYPE_NAME, defaults={"category": Category.GROUP_NOTE, "clinical": True}
    )
    if doc_type.category != Category.GROUP_NOTE:
        raise ApplicationError(
            _("The document type “%(name)s” is not a group note type. Ask an administrator to rename it.")
            % {"name": doc_type.name}
        )
    return doc_type


def general_log(practice_id: int) -> QuerySet[GroupNote]:
    """The practice's group notes, newest first, with how many clients each links and how many copies are shared."""
    open_all = Q(copies__shares__audience=Audience.ALL_AUTHORIZED, copies__shares__revoked_at__isnull=True)
    return (
        GroupNote.objects.filter(practice_id=practice_id)
        .select_related("type", "author__user")
        .annotate(
            client_count=Count("copies", distinct=True),
            shared_count=Count("copies__shares__document", filter=open_all, distinct=True),
        )
        .order_by("-document_date", "-created_at", "-pk")
    )


def general_log_notes(practice_id: int) -> QuerySet[GroupNote]:
    """The practice's group notes, newest first, with their type and author; ``copy_counts`` gives a page of them
    the counts ``general_log`` annotates, without grouping the whole log."""
    return (
        GroupNote.objects.filter(practice_id=practice_id)
        .select_related("type", "author__user")
        .order_by("-document_date", "-created_at", "-pk")
    )


def copy_counts(practice_id: int, group_note_ids: Iterable[int] | QuerySet[GroupNote, Any]) -> QuerySet[Document, Any]:
    """For each of these group notes (ids, or a query of a page of them), its id, how many clients it links and how
    many of their copies are open to All Authorized: one query by the page's ids."""
    open_all = Q(shares__audience=Audience.ALL_AUTHORIZED, shares__revoked_at__isnull=True)
    return (
        Document.objects.filter(practice_id=practice_id, group_note_id__in=group_note_ids)
        .values("group_note_id")
        .annotate(clients=Count("pk", distinct=True), shared=Count("shares__document", filter=open_all, distinct=True))
        .order_by()
        .values_list("group_note_id", "clients", "shared")
    )


def copies_of(group_note: GroupNote) -> QuerySet[Document]:
    """Each linked client's copy (staff only), with what its globe needs, by client name."""
    return with_recipients(
        Document.objects.filter(group_note=group_note, practice_id=group_note.practice_id)
        .select_related("client", "type", "current_version")
        .order_by("client__last_name", "client__first_name", "client__pk")
    )


# --- Actions --------------------------------------------------------------------------------------


def _require(by: StaffMember, permission: str, message: str) -> None:
    if not by.has_permission(permission):
        raise ApplicationError(message)


def _check_clients(by: StaffMember, clients: list[Client]) -> list[Client]:
    """The distinct clients, all of the staff member's practice; a single outsider refuses the whole request."""
    distinct = list({client.pk: client for client in clients}.values())
    if any(client.practice_id != by.practice_id for client in distinct):
        raise ApplicationError(_("That client is not part of your practice."))
    if len(distinct) < MIN_CLIENTS:
        raise ApplicationError(_("Choose at least two clients for a group note."))
    if len(distinct) > MAX_CLIENTS:
        raise ApplicationError(_("Choose at most %(count)d clients for one group note.") % {"count": MAX_CLIENTS})
    return distinct


def create_group_note(
    *,
    by: StaffMember,
    clients: list[Client],
    doc_type: DocumentType,
    title: str,
    document_date: datetime.date,
    data: bytes,
) -> GroupNote:
    """One group note, and one copy of its file in each linked client's Activity Log; all of it or nothing."""
    _require(by, Permission.UPLOAD_DOCUMENTS, _("You don't have permission to upload documents."))
    members = _check_clients(by, clients)
    if doc_type.practice_id != by.practice_id:
        raise ApplicationError(_("That document type is not part of your practice."))
    if doc_type.category != Category.GROUP_NOTE:
        raise ApplicationError(_("%(type)s is not a group note type.") % {"type": doc_type.name})
    title = title.strip()
    if not title:
        raise ApplicationError(_("Give the group note a title."))
    if len(title) > MAX_TITLE_CHARS:
        raise ApplicationError(_("Keep the title under %(count)d characters.") % {"count": MAX_TITLE_CHARS})
    content_type = detect_content_type(data)  # refused before anything is stored
    stored: list[str] = []
    try:
        with transaction.atomic():
            group_note = GroupNote.objects.create(
                practice=by.practice, type=doc_type, title=title, document_date=document_date, author=by
            )
            copies = []
            for client in members:
                copy = actions.upload_document(
                    by=by, client=client, doc_type=doc_type, title=title, document_date=document_date, data=data
                )
                if copy.current_version is not None:
                    stored.append(copy.current_version.storage_name)
                copies.append(copy)
            Document.objects.filter(pk__in=[copy.pk for copy in copies]).update(group_note=group_note)
            record_event(
                GroupNoteCreated(type=doc_type.name, content_type=content_type, copies=[c.pk for c in copies]),
                actor=Actor.staff(by.user),
                practice=by.practice,
                target=group_note,
            )
    except Exception:
        # The rows are gone with the transaction; the files that named them go too.
        for name in stored:
            delete_stored(name)
        raise
    return group_note


def _copies(by: StaffMember, group_note: GroupNote) -> list[Document]:
    if group_note.practice_id != by.practice_id:
        raise ApplicationError(_("That group note is not part of your practice."))
    return list(
        Document.objects.filter(group_note=group_note, practice_id=by.practice_id)
        .select_related("type", "client", "practice")
        .order_by("pk")
    )


def _individual_recipients(copy: Document) -> tuple[bool, list[RelatedContact], list[ProfileAccess]]:
    """Who this copy is open to one by one: the client, contacts still allowed the portal, its portal users."""
    shares = list(copy.shares.open().select_related("contact"))
    client = any(share.audience == Audience.CLIENT for share in shares)
    contacts = [
        share.contact
        for share in shares
        if share.audience == Audience.CONTACT
        and share.contact is not None
        and share.contact.web_portal
        and share.contact.client_id == copy.client_id
    ]
    shared_users = {share.access_id for share in shares if share.audience == Audience.PORTAL_USER}
    portal_users = [access for access in open_portal_users(copy.client) if access.pk in shared_users]
    return client, contacts, portal_users


@transaction.atomic
def share_group_note_all_authorized(*, by: StaffMember, group_note: GroupNote) -> int:
    """All Authorized from the General Log: each copy to its own client and their Web Portal contacts."""
    _require(by, Permission.WEB_PORTAL, _("Only staff with the Web Portal permission can share to the portal."))
    copies = _copies(by, group_note)
    for copy in copies:
        client, contacts, portal_users = _individual_recipients(copy)
        actions.set_recipients(
            by=by, document=copy, all_authorized=True, client=client, contacts=contacts, portal_users=portal_users
        )
    record_event(
        GroupNoteShared(audience=Audience.ALL_AUTHORIZED, copies=[copy.pk for copy in copies]),
        actor=Actor.staff(by.user),
        practice=by.practice,
        target=group_note,
    )
    return len(copies)


@transaction.atomic
def unshare_group_note(*, by: StaffMember, group_note: GroupNote) -> int:
    """Stop sharing to All Authorized on every copy; recipients chosen one by one in a chart keep theirs."""
    _require(by, Permission.WEB_PORTAL, _("Only staff with the Web Portal permission can share to the portal."))
    copies = _copies(by, group_note)
    if not group_note.type.shareable:
        raise ApplicationError(
            _("%(type)s documents are on the portal exception list: nobody sees them in the portal.")
            % {"type": group_note.type.name}
        )
    unshared = [copy for copy in copies if copy.shares.open().filter(audience=Audience.ALL_AUTHORIZED).exists()]
    for copy in unshared:
        client, contacts, portal_users = _individual_recipients(copy)
        actions.set_recipients(
            by=by, document=copy, all_authorized=False, client=client, contacts=contacts, portal_users=portal_users
        )
    record_event(
        GroupNoteUnshared(audience=Audience.ALL_AUTHORIZED, copies=[copy.pk for copy in unshared]),
        actor=Actor.staff(by.user),
        practice=by.practice,
        target=group_note,
    )
    return len(unshared)
