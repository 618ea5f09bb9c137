"""Every secure message, read, archive, assignment, attachment download and filing goes through here.

Each action asks the messaging policy, changes the participants' unread counts in the same transaction as
the message (so no count is ever stale), writes its audit event and queues the emails after commit. Emails
say only that a new secure message is waiting, with a link: never the client, subject, body or file names.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haven.audit.actions import record_event
from haven.audit.events import (
    MessageArchived,
    MessageAssigned,
    MessageAttachmentDownloaded,
    MessageAttachmentFiled,
    MessageRead,
    MessageRestored,
    MessageSent,
    PracticeSettingsChanged,
)
from haven.audit.models import Actor
from haven.clients.models import Client
from haven.core.bidi import refuse_bidi_controls
from haven.core.email import send_email_on_commit
from haven.core.encryption import delete_stored, read_decrypted, store_encrypted
from haven.core.errors import ApplicationError
from haven.core.policy import Viewer
from haven.documents.files import ACCEPTED, CheckedFile, Upload, check_upload
from haven.documents.models import Document, DocumentType
from haven.messaging import policy
from haven.messaging.models import (
    Attachment,
    EmailPreference,
    Frequency,
    Message,
    MessageKind,
    MessagingSettings,
    Participant,
    Thread,
)
from haven.messaging.policy import MessagingVerb
from haven.portal_access.models import PortalAccount, ProfileAccess
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import Permission, Practice, StaffMember
from haven.practices.viewers import StaffViewer

SUBJECT_MAX = 200
BODY_MAX = 10_000


def check_attachments(uploads: Sequence[Upload]) -> list[CheckedFile]:
    """Each file judged from its content, within the size and number limits, or refused in words naming it."""
    if len(uploads) > settings.HAVEN_MESSAGE_MAX_ATTACHMENTS:
        raise ApplicationError(
            ngettext(
                "You can attach up to %(count)d file to a message.",
                "You can attach up to %(count)d files to a message.",
                settings.HAVEN_MESSAGE_MAX_ATTACHMENTS,
            )
            % {"count": settings.HAVEN_MESSAGE_MAX_ATTACHMENTS}
        )
    return [
        check_upload(
            upload,
            fallback_name=_("attachment"),
            limit=settings.HAVEN_MESSAGE_ATTACHMENT_MAX_BYTES,
            too_large=_("“%(name)s” is too large. Each attachment must be under %(size)s MB."),
            refused=_("“%(name)s” was not attached: %(reason)s"),
        )
        for upload in uploads
    ]


def _check_words(subject: str | None, body: str) -> tuple[str | None, str]:
    body = body.strip()
    if not body:
        raise ApplicationError(_("Write a message before sending it."))
    if len(body) > BODY_MAX:
        raise ApplicationError(
            _("That message is too long: please keep it under %(count)d characters.") % {"count": BODY_MAX}
        )
    refuse_bidi_controls(body)
    if subject is not None:
        subject = " ".join(subject.split())
        if not subject:
            raise ApplicationError(_("Give the message a subject."))
        if len(subject) > SUBJECT_MAX:
            raise ApplicationError(_("Keep the subject under %(count)d characters.") % {"count": SUBJECT_MAX})
        refuse_bidi_controls(subject)
    return subject, body


def _check_rate(*, account: PortalAccount | None = None, staff: StaffMember | None = None) -> None:
    """A login sends at most so many messages an hour: enough for any conversation, not for a flood."""
    since = timezone.now() - datetime.timedelta(hours=1)
    if account is not None:
        limit = settings.HAVEN_PORTAL_MESSAGES_PER_HOUR
        sent = Message.objects.filter(sent_by_account=account, created_at__gte=since).count()
    else:
        limit = settings.HAVEN_STAFF_MESSAGES_PER_HOUR
        sent = Message.objects.filter(sent_by=staff, created_at__gte=since).count()
    if sent >= limit:
        raise ApplicationError(
            _(
                "You have sent %(count)d messages in the last hour, which is as many as Haven allows. "
                "Your message is kept below: please send it a little later, or call the practice if it can't wait."
            )
            % {"count": sent}
        )


# --- sending ---------------------------------------------------------------------------------------------------


def _add_message(
    thread: Thread,
    *,
    body: str,
    files: Sequence[CheckedFile] = (),
    staff: StaffMember | None = None,
    account: PortalAccount | None = None,
    document: Document | None = None,
    signature_request_id: int | None = None,
) -> Message:
    """Write the message and its attachments, and bring every other participant's count up by one."""
    message = Message(
        thread=thread,
        sent_by=staff,
        sent_by_account=account,
        document=document,
        signature_request_id=signature_request_id,
    )
    message.body = body
    message.save()
    stored: list[str] = []
    try:
        for file in files:
            name = store_encrypted(file.data, folder="messages")
            stored.append(name)
            attachment = Attachment(
                message=message,
                content_type=file.content_type,
                size=len(file.data),
                sha256=hashlib.sha256(file.data).hexdigest(),
                storage_name=name,
            )
            attachment.name = file.name
            attachment.save()
    except Exception:
        for name in stored:  # nothing half-written remains when the transaction rolls back
            delete_stored(name)
        raise
    now = message.created_at
    Thread.objects.filter(pk=thread.pk).update(last_message_at=now)
    thread.last_message_at = now
    others = Participant.objects.filter(thread=thread)
    if staff is not None:
        others = others.exclude(staff=staff)
    if account is not None:
        others = others.exclude(account=account)
    # A new message brings an archived thread back to each reader's inbox.
    others.update(unread=F("unread") + 1, archived_at=None, last_message_at=now)
    writer = Participant.objects.filter(thread=thread, staff=staff) if staff else None
    if account is not None:
        writer = Participant.objects.filter(thread=thread, account=account)
    if writer is not None:
        values = {"unread": 0, "read_through": message.pk, "read_at": now, "archived_at": None, "last_message_at": now}
        if staff is not None:
            values["via_team"] = False  # who answers a team thread takes part in it by name
        if not writer.update(**values):
            Participant.objects.create(thread=thread, staff=staff, account=account, **values)
    return message


def _record_sent(
    thread: Thread, message: Message, *, files: Sequence[CheckedFile], actor: Actor, acting_for: str = "", reply: bool
) -> None:
    record_event(
        MessageSent(
            kind=thread.kind,
            account=thread.account_id,
            thread=thread.pk,
            attachments=len(files) or None,
            reply=reply or None,
        ),
        actor=actor,
        acting_for=acting_for,
        practice_id=thread.practice_id,
        client=thread.client,
        target=message,
    )


@transaction.atomic
def post_message(
    *,
    by: StaffMember | None,
    account: PortalAccount,
    client: Client,
    kind: str,
    subject: str,
    body: str = "",
    document: Document | None = None,
    signature_request_id: int | None = None,
    email: bool = True,
    files: Sequence[Upload] = (),
) -> Message:
    """Start a thread from the practice (a staff member, or Haven itself when ``by`` is None) to one portal login
    about one client, and email them that something waits (no health information).

    ``signature_request_id`` names the ``signing.SignatureRequest`` a record request asks to answer (by id:
    signing builds on messaging, never the other way round). ``email=False`` when another email already tells
    the person (a portal invitation sent with intake forms).
    """
    if by is not None and by.practice_id != client.practice_id:
        raise ApplicationError(_("That client is not part of your practice."))
    checked = check_attachments(files)
    if kind == MessageKind.CONVERSATION:
        subject_checked, body = _check_words(subject, body)
        subject = subject_checked or subject
        if by is not None:
            _check_rate(staff=by)
    thread = Thread(practice_id=client.practice_id, client=client, account=account, kind=kind, started_by=by)
    thread.subject = subject
    thread.save()
    Participant.objects.create(thread=thread, account=account, last_message_at=thread.last_message_at)
    message = _add_message(
        thread, body=body, files=checked, staff=by, document=document, signature_request_id=signature_request_id
    )
    actor = Actor.staff(by.user) if by is not None else Actor.system()
    _record_sent(thread, message, files=checked, actor=actor, reply=False)
    if email:
        _notify_portal(thread)
    return message


@transaction.atomic
def write_to_client(
    *, by: StaffMember, access: ProfileAccess, subject: str, body: str, files: Sequence[Upload] = ()
) -> Thread:
    """A staff member starts a conversation with a portal login whose access to the client is in effect."""
    if not policy.staff_recipients(by, access.client_id).filter(pk=access.pk).exists():
        raise ApplicationError(_("That person can't receive portal messages about this client."))
    message = post_message(
        by=by,
        account=access.account,
        client=access.client,
        kind=MessageKind.CONVERSATION,
        subject=subject,
        body=body,
        files=files,
    )
    return message.thread


@transaction.atomic
def write_to_practice(
    viewer: PortalViewer, *, recipient: str, subject: str, body: str, files: Sequence[Upload] = ()
) -> Thread:
    """A portal user starts a conversation with the client's clinician or the practice team."""
    profile = viewer.profile
    if profile is None:
        raise ApplicationError(_("Choose whose records this message is about first."))
    chosen = next((r for r in policy.portal_recipients(viewer) if r.key == recipient), None)
    if chosen is None:
        raise ApplicationError(_("Choose whom to write to."))
    checked_subject, body = _check_words(subject, body)
    checked = check_attachments(files)
    _check_rate(account=viewer.account)
    thread = Thread(
        practice_id=viewer.practice_id,
        client=profile.client,
        account=viewer.account,
        kind=MessageKind.CONVERSATION,
        to_team=chosen.staff is None,
    )
    thread.subject = checked_subject or ""
    thread.save()
    for member in [chosen.staff] if chosen.staff is not None else policy.team_of(viewer.practice_id):
        Participant.objects.create(
            thread=thread, staff=member, via_team=chosen.staff is None, last_message_at=thread.last_message_at
        )
    message = _add_message(thread, body=body, files=checked, account=viewer.account)
    _record_sent(thread, message, files=checked, actor=viewer.actor, acting_for=viewer.acting_for, reply=False)
    _email_staff(_staff_to_tell(thread), thread)
    return thread


@transaction.atomic
def reply(viewer: Viewer, thread: Thread, *, body: str, files: Sequence[Upload] = ()) -> Message:
    """Answer in a thread the viewer can read (``policy.get_thread``); the other side is told by email."""
    _refuse(policy.why_not(viewer, MessagingVerb.REPLY, thread))
    _, body = _check_words(None, body)
    checked = check_attachments(files)
    Thread.objects.select_for_update().filter(pk=thread.pk).first()  # replies to one thread, one at a time
    if isinstance(viewer, StaffViewer):
        _check_rate(staff=viewer.member)
        message = _add_message(thread, body=body, files=checked, staff=viewer.member)
        _record_sent(thread, message, files=checked, actor=viewer.actor, reply=True)
        _notify_portal(thread)
        return message
    assert isinstance(viewer, PortalViewer)
    _check_rate(account=viewer.account)
    if not Participant.objects.filter(thread=thread, staff__isnull=False).exists():
        # Haven's own notice answered: the team reads the answer.
        thread.to_team = True
        thread.save(update_fields=["to_team"])
        for member in policy.team_of(thread.practice_id):
            Participant.objects.create(thread=thread, staff=member, via_team=True)
    message = _add_message(thread, body=body, files=checked, account=viewer.account)
    _record_sent(thread, message, files=checked, actor=viewer.actor, acting_for=viewer.acting_for, reply=True)
    _email_staff(_staff_to_tell(thread), thread)
    return message


def _refuse(reason: policy.Reason | None) -> None:
    if reason is not None:
        raise ApplicationError(reason.words())


# --- reading, archiving, assigning ------------------------------------------------------------------------------


def _own_row(viewer: Viewer, thread: Thread) -> Participant:
    """The viewer's row in the thread, made when a team member opens a team thread for the first time."""
    if isinstance(viewer, StaffViewer):
        row = Participant.objects.filter(thread=thread, staff=viewer.member).first()
        if row is None:
            unread = thread.messages.exclude(sent_by=viewer.member).count()
            row, _created = Participant.objects.get_or_create(
                thread=thread,
                staff=viewer.member,
                defaults={"via_team": thread.to_team, "unread": unread, "last_message_at": thread.last_message_at},
            )
        return row
    assert isinstance(viewer, PortalViewer)
    row = Participant.objects.filter(thread=thread, account=viewer.account).first()
    if row is None:
        row, _created = Participant.objects.get_or_create(
            thread=thread, account=viewer.account, defaults={"last_message_at": thread.last_message_at}
        )
    return row


def mark_read(viewer: Viewer, thread: Thread, *, through: int | None = None) -> None:
    """The viewer has read the thread through its last message (or through the message ``through``, when only that
    one was read, as opening a signature request reads its record request): their count drops to what comes after
    it, once, audited."""
    last = thread.messages.order_by("-pk").values_list("pk", flat=True).first() or 0
    through = last if through is None else min(through, last)
    with transaction.atomic():
        row = _own_row(viewer, thread)
        if row.read_through >= through and (through < last or row.unread == 0):
            return
        later = 0 if through == last else _from_others(viewer, thread).filter(pk__gt=through).count()
        values: dict[str, object] = {"unread": later}
        if row.read_through < through:
            values.update(read_through=through, read_at=timezone.now())
        # Only if no one else changed the row since it was read (two tabs): the first opening is recorded.
        if Participant.objects.filter(pk=row.pk, read_through=row.read_through, unread=row.unread).update(**values):
            record_event(
                MessageRead(through=through),
                actor=viewer.actor,
                acting_for=viewer.acting_for,
                practice_id=thread.practice_id,
                client=thread.client,
                target=thread,
            )


def _from_others(viewer: Viewer, thread: Thread) -> QuerySet[Message]:
    """The thread's messages the viewer did not write."""
    if isinstance(viewer, StaffViewer):
        return thread.messages.exclude(sent_by=viewer.member)
    assert isinstance(viewer, PortalViewer)
    return thread.messages.exclude(sent_by_account=viewer.account)


@transaction.atomic
def archive(viewer: Viewer, thread: Thread) -> None:
    """Out of the viewer's inbox (not anyone else's); a new message brings it back. Nothing is deleted."""
    _refuse(policy.why_not(viewer, MessagingVerb.ARCHIVE, thread))
    row = _own_row(viewer, thread)
    if Participant.objects.filter(pk=row.pk, archived_at__isnull=True).update(archived_at=timezone.now(), unread=0):
        record_event(
            MessageArchived(),
            actor=viewer.actor,
            acting_for=viewer.acting_for,
            practice_id=thread.practice_id,
            client=thread.client,
            target=thread,
        )


@transaction.atomic
def restore(viewer: Viewer, thread: Thread) -> None:
    """Back into the viewer's inbox."""
    row = _own_row(viewer, thread)
    if Participant.objects.filter(pk=row.pk, archived_at__isnull=False).update(archived_at=None):
        record_event(
            MessageRestored(),
            actor=viewer.actor,
            acting_for=viewer.acting_for,
            practice_id=thread.practice_id,
            client=thread.client,
            target=thread,
        )


@transaction.atomic
def assign(viewer: StaffViewer, thread: Thread, *, to: StaffMember) -> None:
    """Give a team thread to one staff member: it is theirs by name, and they are emailed of what comes next."""
    _refuse(policy.why_not(viewer, MessagingVerb.ASSIGN, thread))
    if to.practice_id != thread.practice_id or not policy.may_message(to) or not to.user.is_active:
        raise ApplicationError(_("Choose a staff member who can read secure messages."))
    if thread.assigned_to_id == to.pk:
        return
    thread.assigned_to = to
    thread.save(update_fields=["assigned_to"])
    if not Participant.objects.filter(thread=thread, staff=to).update(via_team=False, archived_at=None):
        Participant.objects.create(
            thread=thread,
            staff=to,
            unread=thread.messages.exclude(sent_by=to).count(),
            last_message_at=thread.last_message_at,
        )
    record_event(
        MessageAssigned(staff=to.pk),
        actor=viewer.actor,
        practice_id=thread.practice_id,
        client=thread.client,
        target=thread,
    )
    if to.pk != viewer.member.pk:
        _email_staff([to], thread)


# --- attachments ------------------------------------------------------------------------------------------------


def open_attachment(viewer: Viewer, attachment: Attachment) -> bytes:
    """The attachment's bytes for a viewer ``policy.get_attachment`` let through; every opening is audited."""
    data = read_decrypted(attachment.storage_name)
    thread = attachment.message.thread
    record_event(
        MessageAttachmentDownloaded(attachment=attachment.pk, sha256=attachment.sha256),
        actor=viewer.actor,
        acting_for=viewer.acting_for,
        practice_id=thread.practice_id,
        client=thread.client,
        target=thread,
    )
    return data


def download_name(attachment: Attachment) -> str:
    """A safe name to save the file under: the sender's, without anything a file system or header would mind."""
    stem = "".join(c for c in attachment.name.rsplit(".", 1)[0] if c.isalnum() or c in " ._-").strip(" .")
    return f"{stem[:80] or 'attachment'}.{ACCEPTED[attachment.content_type]}"


@transaction.atomic
def file_to_chart(
    viewer: StaffViewer, attachment: Attachment, *, doc_type: DocumentType, title: str, document_date: datetime.date
) -> Document:
    """File an attachment into the client's General Documents; from then on the documents' rules apply to it."""
    from haven.documents.actions import upload_document

    locked = Attachment.objects.select_for_update().get(pk=attachment.pk)
    _refuse(policy.why_not(viewer, MessagingVerb.FILE, attachment.message.thread, locked))
    thread = attachment.message.thread
    document = upload_document(
        by=viewer.member,
        client=thread.client,
        doc_type=doc_type,
        title=title.strip() or attachment.name,
        document_date=document_date,
        data=read_decrypted(locked.storage_name),
    )
    locked.filed_document = document
    locked.save(update_fields=["filed_document"])
    attachment.filed_document = document
    record_event(
        MessageAttachmentFiled(attachment=locked.pk, document=document.pk),
        actor=viewer.actor,
        practice_id=thread.practice_id,
        client=thread.client,
        target=thread,
    )
    return document


# --- the practice's settings ------------------------------------------------------------------------------------

CRISIS_NOTICE_MAX = 1000


@transaction.atomic
def save_settings(
    *, by: StaffMember, client_messages_enabled: bool, crisis_notice: str, team: Sequence[StaffMember]
) -> MessagingSettings:
    """An administrator's choices for the practice's secure messages: whether clients may start conversations,
    the emergency notice (empty: the standard wording), and who receives messages to the team. Audited."""
    if not by.has_permission(Permission.ORG_ADMIN):
        raise ApplicationError(_("Only an administrator of the practice can change its settings."))
    crisis_notice = crisis_notice.strip()
    if len(crisis_notice) > CRISIS_NOTICE_MAX:
        raise ApplicationError(
            _("Keep the emergency notice under %(count)d characters.") % {"count": CRISIS_NOTICE_MAX}
        )
    refuse_bidi_controls(crisis_notice)
    if any(m.practice_id != by.practice_id or not policy.may_message(m) for m in team):
        raise ApplicationError(_("Choose staff members who can read secure messages."))
    found, _created = MessagingSettings.objects.select_for_update().get_or_create(practice_id=by.practice_id)
    changed: dict[str, dict[str, str]] = {}
    if found.client_messages_enabled != client_messages_enabled:
        changed["client_messages_enabled"] = {
            "from": str(found.client_messages_enabled),
            "to": str(client_messages_enabled),
        }
        found.client_messages_enabled = client_messages_enabled
    if found.crisis_notice != crisis_notice:
        changed["crisis_notice"] = {"from": found.crisis_notice, "to": crisis_notice}
        found.crisis_notice = crisis_notice
    before = sorted(found.team.values_list("pk", flat=True))
    after = sorted({m.pk for m in team})
    if before != after:
        changed["message_team"] = {"from": ",".join(map(str, before)), "to": ",".join(map(str, after))}
        found.team.set(after)
        _give_team_threads(by.practice_id)
    if changed:
        found.save()
        record_event(
            PracticeSettingsChanged(changed=changed),
            actor=Actor.staff(by.user),
            practice_id=by.practice_id,
            target=by.practice,
        )
    return found


def _give_team_threads(practice_id: int) -> None:
    """Who joins the team finds the team's conversations in their Team box (as read: they are not new to them)."""
    threads = list(Thread.objects.filter(practice_id=practice_id, to_team=True).values_list("pk", "last_message_at"))
    rows = [
        Participant(thread_id=pk, staff=member, via_team=True, last_message_at=last)
        for member in policy.team_of(practice_id)
        for pk, last in threads
    ]
    Participant.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


# --- emails -----------------------------------------------------------------------------------------------------


def frequency_of(*, account: PortalAccount | None = None, staff: StaffMember | None = None) -> str:
    found = EmailPreference.objects.filter(account=account, staff=staff).values_list("frequency", flat=True).first()
    return found or Frequency.IMMEDIATE


def set_frequency(*, frequency: str, account: PortalAccount | None = None, staff: StaffMember | None = None) -> None:
    """How this person hears of new messages: portal logins right away or daily; staff right away or never."""
    allowed = {Frequency.IMMEDIATE, Frequency.DAILY} if account is not None else {Frequency.IMMEDIATE, Frequency.OFF}
    if frequency not in allowed:
        raise ApplicationError(_("Choose one of the options shown."))
    EmailPreference.objects.update_or_create(account=account, staff=staff, defaults={"frequency": frequency})


def portal_thread_link(practice: Practice, thread_id: int) -> str:
    return settings.HAVEN_BASE_URL + reverse("portal:thread", kwargs={"slug": practice.slug, "thread_id": thread_id})


def staff_thread_link(thread_id: int) -> str:
    return settings.HAVEN_BASE_URL + reverse("staff:thread", kwargs={"thread_id": thread_id})


def _notify_portal(thread: Thread) -> None:
    """Tell the portal login, unless they asked for a daily email (the digest task tells them then)."""
    if frequency_of(account=thread.account) != Frequency.IMMEDIATE:
        return
    practice = Practice.objects.get(pk=thread.practice_id)
    if not _still_reads(thread.account_id, practice, [thread.client_id]):
        return  # their access ended: the message stays in the record, and no one is told of it
    send_email_on_commit(
        to=thread.account.email,
        template="portal_new_message",
        context={"sender": practice.name, "portal": portal_thread_link(practice, thread.pk)},
        practice=practice,
    )


def _still_reads(account_id: int, practice: Practice, client_ids: Sequence[int] | set[int]) -> bool:
    """Whether the login's access to any of these clients is in effect: only then is it told something waits."""
    return ProfileAccess.objects.effective(practice).filter(account_id=account_id, client_id__in=client_ids).exists()


def _staff_to_tell(thread: Thread) -> list[StaffMember]:
    """Who hears of a portal user's message: the assignee; else those in the thread by name; else the team."""
    if thread.assigned_to_id is not None:
        return list(StaffMember.objects.filter(pk=thread.assigned_to_id).select_related("user"))
    named = list(
        StaffMember.objects.filter(
            pk__in=Participant.objects.filter(thread=thread, staff__isnull=False, via_team=False).values("staff_id")
        ).select_related("user")
    )
    return named or policy.team_of(thread.practice_id)


def _email_staff(members: list[StaffMember], thread: Thread) -> None:
    off = set(
        EmailPreference.objects.filter(staff__in=members, frequency=Frequency.OFF).values_list("staff_id", flat=True)
    )
    practice = Practice.objects.get(pk=thread.practice_id)
    link = staff_thread_link(thread.pk)
    for member in members:
        if member.pk in off or not member.user.is_active or not policy.may_message(member):
            continue
        send_email_on_commit(
            to=member.user.email,
            template="staff_new_message",
            context={"name": member.user.full_name, "practice": practice.name, "link": link},
            practice=practice,
        )


def send_daily_digests(now: datetime.datetime | None = None) -> int:
    """One email per practice to each portal login that asked for a daily email and has unread messages there
    that came since its last one. Returns how many emails were queued."""
    now = now or timezone.now()
    sent = 0
    for preference in EmailPreference.objects.filter(frequency=Frequency.DAILY, account__isnull=False).select_related(
        "account"
    ):
        account = preference.account
        assert account is not None
        since = preference.digest_sent_at or now - datetime.timedelta(days=1)
        waiting: dict[int, set[int]] = {}  # practice id -> the clients whose threads have something new
        for practice_id, client_id in Participant.objects.filter(
            account=account, unread__gt=0, archived_at__isnull=True, last_message_at__gt=since
        ).values_list("thread__practice_id", "thread__client_id"):
            waiting.setdefault(practice_id, set()).add(client_id)
        practices = [
            practice
            for practice in Practice.objects.filter(pk__in=waiting).defer("logo")
            if _still_reads(account.pk, practice, waiting[practice.pk])
        ]
        if not practices:
            continue
        with transaction.atomic():
            for practice in practices:
                send_email_on_commit(
                    to=account.email,
                    template="portal_new_message",
                    context={
                        "sender": practice.name,
                        "portal": settings.HAVEN_BASE_URL + reverse("portal:inbox", kwargs={"slug": practice.slug}),
                    },
                    practice=practice,
                )
                sent += 1
            EmailPreference.objects.filter(pk=preference.pk).update(digest_sent_at=now)
    return sent
