"""Reads of the inboxes, built on the messaging policy: pages of 25 threads and unread counts, each in a constant
number of queries however many messages there are."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from haven.core.policy import Viewer
from haven.messaging import policy
from haven.messaging.models import Message, Participant, Thread
from haven.practices.models import StaffMember

PAGE_SIZE = 25


class Box(StrEnum):
    MINE = "mine"  # threads a staff member takes part in by name
    TEAM = "team"  # threads written to the practice team
    ARCHIVED = "archived"


@dataclass(frozen=True)
class StaffUnread:
    """How many threads have messages a staff member has not read: theirs by name, and the team's."""

    mine: int
    team: int

    @property
    def total(self) -> int:
        return self.mine + self.team


def staff_unread(member: StaffMember) -> StaffUnread:
    """One query (after the team's membership, which the request asks once)."""
    rows = policy.staff_participations(member).filter(archived_at__isnull=True, unread__gt=0)
    counted = rows.aggregate(mine=Count("pk", filter=Q(via_team=False)), team=Count("pk", filter=Q(via_team=True)))
    return StaffUnread(mine=counted["mine"] or 0, team=counted["team"] or 0)


def staff_box(member: StaffMember, box: Box) -> QuerySet[Participant]:
    """A staff member's rows in one box, newest conversation first, with what the list shows of each thread."""
    rows = policy.staff_participations(member)
    if box is Box.ARCHIVED:
        rows = rows.filter(archived_at__isnull=False)
    else:
        rows = rows.filter(archived_at__isnull=True, via_team=box is Box.TEAM)
    return rows.select_related(
        "thread__client", "thread__account", "thread__assigned_to__user", "thread__started_by__user"
    ).order_by("-last_message_at", "-pk")


def page_of(rows: QuerySet[Participant], number: str | int | None) -> Page:
    """One page of 25: a count and the page's rows, two queries."""
    return Paginator(rows, PAGE_SIZE).get_page(number)


def portal_unread(viewer: Viewer) -> int:
    """How many of the selected profile's threads have messages the portal login has not read (0 without a
    query before a profile is chosen)."""
    found = policy.addressee(viewer)
    if found is None:
        return 0
    account_id, client_id, practice_id = found
    return Participant.objects.filter(
        account_id=account_id,
        thread__client_id=client_id,
        thread__practice_id=practice_id,
        unread__gt=0,
        archived_at__isnull=True,
    ).count()


def portal_box(viewer: Viewer, *, archived: bool = False) -> QuerySet[Participant]:
    """The portal login's rows for the selected profile's threads, newest conversation first."""
    found = policy.addressee(viewer)
    if found is None:
        return Participant.objects.none()
    account_id, client_id, practice_id = found
    return (
        Participant.objects.filter(
            account_id=account_id,
            thread__client_id=client_id,
            thread__practice_id=practice_id,
            archived_at__isnull=not archived,
        )
        .select_related("thread")
        .order_by("-last_message_at", "-pk")
    )


def thread_messages(thread: Thread) -> list[Message]:
    """A thread's messages, oldest first, with their senders and attachments: three queries."""
    return list(
        thread.messages.select_related("sent_by__user", "sent_by_account", "document", "signature_request")
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class ReadMark:
    """ "Read by Gia Moreno, 3:04 PM": who has read a thread through which message, and when."""

    name: str
    through: int
    at: object
    staff_id: int | None = None  # whose mark it is, so a page can leave out the viewer's own
    account_id: int | None = None


def read_marks(thread: Thread) -> list[ReadMark]:
    """Each participant's read position, for showing under the last message they read."""
    marks = []
    for row in thread.participants.filter(read_at__isnull=False).select_related("staff__user", "account"):
        if row.account is not None:
            name = row.account.full_name or row.account.email
        elif row.staff is not None:
            name = row.staff.user.full_name
        else:
            continue
        marks.append(
            ReadMark(
                name=name, through=row.read_through, at=row.read_at, staff_id=row.staff_id, account_id=row.account_id
            )
        )
    return marks


def unread_about_request(viewer: Viewer, request_id: int) -> list[Message]:
    """The viewer's record-request messages about this signature request not yet read, each with its thread (none,
    without a query, before a profile is chosen)."""
    found = policy.addressee(viewer)
    if found is None:
        return []
    account_id, client_id, practice_id = found
    unread_rows = Participant.objects.filter(
        thread_id=OuterRef("thread_id"), account_id=account_id, read_through__lt=OuterRef("pk")
    )
    return list(
        Message.objects.filter(
            signature_request_id=request_id,
            thread__in=policy.addressed_to(account_id, client_id, practice_id),
        )
        .filter(Exists(unread_rows))
        .select_related("thread__client")
        .order_by("pk")
    )
