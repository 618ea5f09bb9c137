"""Who may read and write which secure messages: the one answer the inboxes, their counts, each thread, each
attachment, the notifications and the URL walk ask (see ``haven.core.policy``).

- A portal login reads the threads addressed to it about the selected profile's client, in this practice,
  while that profile's access is in effect (the session checks it on every request). A guardian whose access
  ended, or a contact who lost Web Portal permission, reads nothing more.
- A staff member with Secure messages reads the threads they take part in by name (they wrote, were written
  to, or were assigned) and, while they are on the practice's message team, the team's threads.
- A portal login may start a conversation only when the practice lets clients start them, and only to
  the client's clinician or the practice's team; it may always reply to a thread a staff member wrote in.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import reduce
from typing import Any

from django.db.models import Exists, Q, QuerySet
from django.utils.translation import gettext as _

from haven.audit.denials import not_found
from haven.core.policy import Reason, Viewer
from haven.messaging.models import Attachment, MessagingSettings, Participant, Thread
from haven.portal_access.models import PortalAccount, ProfileAccess
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import Permission, Practice, StaffMember
from haven.practices.viewers import StaffViewer

OBJECT_TYPE = "messaging.thread"
ATTACHMENT_TYPE = "messaging.attachment"


class MessagingVerb(StrEnum):
    REPLY = "reply"
    ARCHIVE = "archive"
    ASSIGN = "assign"
    FILE = "file"  # file an attachment into the client's documents


class MessagingReason(Reason):
    NO_PERMISSION = "no_permission"
    REPLIES_OFF = "replies_off"
    NOT_A_TEAM_THREAD = "not_a_team_thread"
    NO_UPLOAD = "no_upload"
    ALREADY_FILED = "already_filed"

    def words(self, subject: Any = None) -> str:
        return {
            MessagingReason.NO_PERMISSION: _("Your account doesn't have the Secure messages permission."),
            MessagingReason.REPLIES_OFF: _(
                "This conversation can't be answered here. Please call the practice if you need to reach them."
            ),
            MessagingReason.NOT_A_TEAM_THREAD: _("Only a message to the practice team can be assigned."),
            MessagingReason.NO_UPLOAD: _("Filing into a chart needs the Upload Client General Documents permission."),
            MessagingReason.ALREADY_FILED: _("That attachment is already in the client's documents."),
        }[self]


def settings_of(practice_id: int) -> MessagingSettings:
    """The practice's messaging settings (the defaults, unsaved, when it never changed them)."""
    found = MessagingSettings.objects.filter(practice_id=practice_id).first()
    return found if found is not None else MessagingSettings(practice_id=practice_id)


def may_message(member: StaffMember) -> bool:
    return member.has_permission(Permission.SECURE_MESSAGES)


def messaging_staff(practice_id: int) -> list[StaffMember]:
    """The practice's staff with Secure messages whose login works, by name: who may be on the message team, and
    whom a team thread may be assigned to."""
    members = StaffMember.objects.filter(practice_id=practice_id, user__is_active=True).select_related("user")
    return sorted((m for m in members if may_message(m)), key=lambda m: (m.user.full_name.lower(), m.pk))


def team_of(practice: Practice | int) -> list[StaffMember]:
    """Who receives messages to the practice team: the chosen members, or the administrators while no one is
    chosen; of them, those with Secure messages whose login works."""
    practice_id = practice if isinstance(practice, int) else practice.pk
    chosen = set(
        MessagingSettings.team.through.objects.filter(messagingsettings__practice_id=practice_id).values_list(
            "staffmember_id", flat=True
        )
    )
    return [m for m in messaging_staff(practice_id) if (m.pk in chosen if chosen else m.is_administrator)]


def is_on_team(member: StaffMember) -> bool:
    """Whether the member reads the team's threads now: the same condition the inbox's queries hold (``_on_team``)."""
    return may_message(member) and StaffMember.objects.filter(pk=member.pk).filter(_on_team(member)).exists()


# --- what each viewer sees ------------------------------------------------------------------------------------


def addressee(viewer: Viewer) -> tuple[int, int, int] | None:
    """Whose threads a portal viewer reads: (account id, client id, practice id) of the selected profile, or None."""
    if not isinstance(viewer, PortalViewer) or viewer.profile is None:
        return None
    profile = viewer.profile
    if profile.account_id != viewer.account.pk or profile.practice_id != viewer.practice_id:
        return None
    return profile.account_id, profile.client_id, viewer.practice_id


def addressed_to(account_id: int, client_id: int, practice_id: int) -> QuerySet[Thread]:
    """The threads of this login about this client, in this practice."""
    return Thread.objects.filter(account_id=account_id, client_id=client_id, practice_id=practice_id)


def _on_team(member: StaffMember) -> Q:
    """True in SQL while the member is on the practice's message team: chosen, or an administrator while no one
    is chosen. A condition of the query that asks it, so no count or list needs a query of its own for it."""
    chosen = MessagingSettings.team.through.objects.filter(messagingsettings__practice_id=member.practice_id)
    on_team = Q(Exists(chosen.filter(staffmember_id=member.pk)))
    if member.is_administrator:
        on_team |= ~Q(Exists(chosen))
    return on_team


def staff_participations(member: StaffMember) -> QuerySet[Participant]:
    """The rows by which a staff member reads threads: by name always, through the team while on it."""
    if not may_message(member):
        return Participant.objects.none()
    # A staff member's rows are all in their own practice's threads (every action that makes one checks it).
    return Participant.objects.filter(staff=member).filter(Q(via_team=False) | _on_team(member))


def visible_to(viewer: Viewer) -> QuerySet[Thread]:
    """The threads this viewer may read."""
    if isinstance(viewer, StaffViewer):
        member = viewer.member
        if not may_message(member):
            return Thread.objects.none()
        named = Participant.objects.filter(staff=member, via_team=False).values("thread_id")
        return Thread.objects.filter(practice_id=member.practice_id).filter(
            Q(pk__in=named) | (Q(to_team=True) & _on_team(member))
        )
    found = addressee(viewer)
    if found is None:
        return Thread.objects.none()
    return addressed_to(*found)


def profile_reading(
    account: PortalAccount, practice: Practice, profiles: Sequence[ProfileAccess], **lookup: object
) -> ProfileAccess | None:
    """Among a login's profiles, the one whose inbox holds the newest thread matching ``lookup`` (for its client,
    the oldest of the login's profiles: a person may hold two, as a contact and a portal user); one query."""
    if not profiles:
        return None
    inboxes = [visible_to(PortalViewer(account=account, practice=practice, profile=profile)) for profile in profiles]
    client_id = reduce(operator.or_, inboxes).filter(**lookup).values_list("client_id", flat=True).first()
    if client_id is None:
        return None
    return min((profile for profile in profiles if profile.client_id == client_id), key=lambda p: p.pk)


def get_thread(viewer: Viewer, thread_id: int, *, path: str = "") -> Thread:
    """A thread this viewer may read, or a 404 audited as access.denied."""
    thread = visible_to(viewer).filter(pk=thread_id).select_related("client", "account", "assigned_to__user").first()
    if thread is None:
        raise not_found(viewer, object_type=OBJECT_TYPE, object_id=thread_id, path=path)
    return thread


def get_attachment(viewer: Viewer, attachment_id: int, *, path: str = "") -> Attachment:
    """An attachment of a thread this viewer may read, or a 404 audited as access.denied."""
    attachment = (
        Attachment.objects.filter(pk=attachment_id, message__thread__in=visible_to(viewer).values("pk"))
        .select_related("message__thread__client")
        .first()
    )
    if attachment is None:
        raise not_found(viewer, object_type=ATTACHMENT_TYPE, object_id=attachment_id, path=path)
    return attachment


# --- whom one may write to ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortalRecipient:
    """Whom a portal user may write to: "clinician" (one staff member) or "team"."""

    key: str
    label: str
    staff: StaffMember | None = None


def portal_recipients(viewer: Viewer) -> list[PortalRecipient]:
    """Whom this portal viewer may start a conversation with; empty when the practice turned that off."""
    if not isinstance(viewer, PortalViewer) or viewer.profile is None:
        return []
    if not settings_of(viewer.practice_id).client_messages_enabled:
        return []
    found: list[PortalRecipient] = []
    clinician = viewer.profile.client.clinician
    if clinician is not None and may_message(clinician) and clinician.user.is_active:
        found.append(PortalRecipient("clinician", _("%(name)s (clinician)") % {"name": clinician.user}, clinician))
    if team_of(viewer.practice_id):
        found.append(PortalRecipient("team", _("The practice team")))
    return found


def staff_recipients(member: StaffMember, client_id: int) -> QuerySet[ProfileAccess]:
    """The portal logins a staff member may write to about a client: the client's own and each contact's or
    portal user's whose access to the client is in effect."""
    if not may_message(member):
        return ProfileAccess.objects.none()
    return (
        ProfileAccess.objects.effective(member.practice)
        .filter(client_id=client_id, client__practice_id=member.practice_id)
        .select_related("account", "contact")
        .order_by("kind", "pk")
    )


# --- what each viewer may do -----------------------------------------------------------------------------------


def why_not(viewer: Viewer, verb: MessagingVerb, thread: Thread, attachment: Attachment | None = None) -> Reason | None:
    """None when the viewer may do this to a thread they can read (``get_thread`` checked that), else why not."""
    if isinstance(viewer, StaffViewer):
        if not may_message(viewer.member):
            return MessagingReason.NO_PERMISSION
        if verb is MessagingVerb.ASSIGN and not thread.to_team:
            return MessagingReason.NOT_A_TEAM_THREAD
        if verb is MessagingVerb.FILE:
            if not viewer.has_permission(Permission.UPLOAD_DOCUMENTS):
                return MessagingReason.NO_UPLOAD
            if attachment is not None and attachment.filed_document_id is not None:
                return MessagingReason.ALREADY_FILED
        return None
    if verb is MessagingVerb.REPLY:
        # A staff member's message can always be answered; otherwise only while clients may write.
        if _staff_wrote(thread) or settings_of(viewer.practice_id).client_messages_enabled:
            return None
        return MessagingReason.REPLIES_OFF
    if verb is MessagingVerb.ARCHIVE:
        return None
    return MessagingReason.NO_PERMISSION


def _staff_wrote(thread: Thread) -> bool:
    return thread.started_by_id is not None or thread.messages.filter(sent_by__isnull=False).exists()
