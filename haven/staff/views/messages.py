"""Secure messages for staff (MSG-1, MSG-2): the inbox and its boxes, a thread with its read marks, replying,
archiving, assigning, attachments and filing them into the chart, writing to a client's portal login from the
chart, and the practice's messaging settings.

Views are thin: the messaging policy finds the thread or attachment (a 404, audited, for anyone else's), an action
does the work, the page shows what came of it. Staff without Secure messages are refused by ``staff_view``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from haven.clients.models import Client
from haven.clients.policy import get_client
from haven.core.errors import ApplicationError
from haven.core.forms import HavenForm
from haven.documents.models import DocumentType
from haven.documents.responses import stored_file_response
from haven.messaging import actions, policy, selectors
from haven.messaging.forms import MessageForm, subject_field
from haven.messaging.models import (
    DEFAULT_CRISIS_NOTICE,
    Attachment,
    Message,
    MessageKind,
    MessagingSettings,
    Participant,
    Thread,
)
from haven.messaging.policy import MessagingVerb
from haven.messaging.selectors import Box
from haven.portal_access.models import AccessKind, ProfileAccess
from haven.practices.access import StaffRequest, staff_view
from haven.practices.models import Permission, StaffMember
from haven.staff.forms.documents import DocumentDetailsForm, uploadable_types
from haven.staff.links import id_link
from haven.staff.templatetags.staff_inbox import unread_of

MESSAGES = Permission.SECURE_MESSAGES

# --- Addresses, reversed once per page ------------------------------------------------------------------------------


def _inbox_url(box: Box = Box.MINE) -> str:
    base = reverse("staff:inbox")
    return base if box is Box.MINE else f"{base}?box={box.value}"


# --- Times, in the practice's zone (activated for the request) ------------------------------------------------------


def _when(moment: datetime.datetime | None, *, short: bool = False) -> str:
    """ "3:04 PM" today; "Mar 3, 3:04 PM" this year (``short``: "Mar 3"); "Mar 3, 2025, 3:04 PM" before."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    today = timezone.localdate()
    if local.date() == today:
        return dateformat.format(local, "g:i A")
    if local.year == today.year:
        return dateformat.format(local, "M j" if short else "M j, g:i A")
    return dateformat.format(local, "M j, Y" if short else "M j, Y, g:i A")


def _iso(moment: datetime.datetime | None) -> str:
    return dateformat.format(timezone.localtime(moment), "c") if moment is not None else ""


# --- Forms ----------------------------------------------------------------------------------------------------------


class ReplyForm(MessageForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].label = _("Your reply")


class ComposeForm(MessageForm):
    recipient = forms.TypedChoiceField(
        label=gettext_lazy("To"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose whom to write to."),
            "invalid_choice": gettext_lazy("Choose whom to write to."),
        },
    )
    subject = subject_field()
    field_order = ["recipient", "subject", "body", "attachments"]

    def __init__(self, *args: Any, recipients: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = list(recipients)  # type: ignore[attr-defined]
        if len(recipients) == 1:
            self.fields["recipient"].initial = recipients[0][0]


class FileToChartForm(DocumentDetailsForm):
    """An attachment filed in Documents: its type (among those worked out once for the page), title and date."""

    doc_type = forms.TypedChoiceField(
        label=gettext_lazy("Type"),
        coerce=int,
        error_messages={
            "required": gettext_lazy("Choose the type of document."),
            "invalid_choice": gettext_lazy("Choose the type of document."),
        },
    )
    field_order = ["doc_type", "title", "document_date"]

    def __init__(self, *args: Any, types: Sequence[DocumentType] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].choices = [("", _("Choose a type")), *((t.pk, t.name) for t in types)]  # type: ignore[attr-defined]


class SettingsForm(HavenForm):
    client_messages_enabled = forms.BooleanField(
        label=MessagingSettings._meta.get_field("client_messages_enabled").verbose_name,
        help_text=MessagingSettings._meta.get_field("client_messages_enabled").help_text,
        required=False,
    )
    crisis_notice = forms.CharField(
        label=gettext_lazy("Emergency notice"),
        required=False,
        max_length=actions.CRISIS_NOTICE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": gettext_lazy("Keep the emergency notice under %(limit_value)d characters.")},
    )
    team = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Message team"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=MessagingSettings._meta.get_field("team").help_text,
        error_messages={"invalid_choice": gettext_lazy("Choose staff members who can read secure messages.")},
    )

    def __init__(self, *args: Any, candidates: Sequence[StaffMember] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(m.pk, m.user.full_name) for m in candidates]  # type: ignore[attr-defined]
        default = str(DEFAULT_CRISIS_NOTICE)
        self.fields["crisis_notice"].widget.attrs["placeholder"] = default
        self.fields["crisis_notice"].help_text = _(
            "Shown where portal users write a message. Leave it empty for the standard wording, shown in the box, "
            "which names 988 and 911."
        )

    def chosen_team(self) -> set[int]:
        """The team members ticked: as typed after an error, else as saved."""
        raw = self["team"].value() or []
        return {int(value) for value in raw if str(value).isdigit()}


# --- The inbox ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxRow:
    """One thread in a box, as the list shows it."""

    thread_id: int
    url: str
    client_name: str
    person: str
    subject: str
    kind_label: str  # "" for a conversation
    when: str
    when_iso: str
    unread: int
    assigned_to: str
    to_team: bool


def _inbox_rows(rows: Sequence[Participant]) -> list[InboxRow]:
    link = id_link("staff:thread")
    found = []
    for row in rows:
        thread = row.thread
        found.append(
            InboxRow(
                thread_id=thread.pk,
                url=link(thread.pk),
                client_name=thread.client.display_name,
                person=thread.account.full_name or thread.account.email,
                subject=thread.subject,
                kind_label="" if thread.kind == MessageKind.CONVERSATION else str(thread.get_kind_display()),
                when=_when(row.last_message_at, short=True),
                when_iso=_iso(row.last_message_at),
                unread=row.unread,
                assigned_to=thread.assigned_to.user.full_name if thread.assigned_to is not None else "",
                to_team=thread.to_team,
            )
        )
    return found


@staff_view(MESSAGES)
@require_safe
def inbox(request: StaffRequest) -> HttpResponse:
    """Mine, Team (for the message team) and Archived, 25 threads a page, newest conversation first, each box with
    its unread count; the same number of queries however many messages there are."""
    member = request.staff
    on_team = policy.is_on_team(member)
    try:
        box = Box(request.GET.get("box", Box.MINE))
    except ValueError:
        box = Box.MINE
    if box is Box.TEAM and not on_team:
        box = Box.MINE
    page = selectors.page_of(selectors.staff_box(member, box), request.GET.get("page"))
    unread = unread_of(request, member)
    boxes = [(Box.MINE, _("Mine"), unread.mine)]
    if on_team:
        boxes.append((Box.TEAM, _("Team"), unread.team))
    boxes.append((Box.ARCHIVED, _("Archived"), 0))
    return render(
        request,
        "staff/messages/inbox.html",
        {
            "nav": "messages",
            "box": box.value,
            "boxes": [
                {"key": key.value, "label": label, "unread": count, "url": _inbox_url(key)}
                for key, label, count in boxes
            ],
            "page": page,
            "rows": _inbox_rows(list(page.object_list)),
            "page_url": _inbox_url(box) + ("&" if box is not Box.MINE else "?") + "page=",
        },
    )


# --- A thread -------------------------------------------------------------------------------------------------------


@dataclass
class AttachmentView:
    attachment: Attachment
    name: str
    url: str
    file_url: str
    filed_url: str  # the document it was filed as, in the chart's Documents
    form: FileToChartForm | None  # shown when the viewer may file it


@dataclass
class MessageView:
    message: Message
    sender: str
    from_practice: bool
    when: str
    when_iso: str
    attachments: list[AttachmentView]
    document_url: str
    read_by: list[str] = field(default_factory=list)


def _sender(message: Message, practice_name: str) -> tuple[str, bool]:
    if message.sent_by is not None:
        return message.sent_by.user.full_name, True
    if message.sent_by_account is not None:
        return message.sent_by_account.full_name or message.sent_by_account.email, False
    return _("%(practice)s (sent automatically)") % {"practice": practice_name}, True


def _filing_types(request: StaffRequest) -> list[DocumentType]:
    """The types this staff member may file an attachment as, once for the page (one form per attachment)."""
    return list(uploadable_types(request.staff).order_by("name"))


def _thread_context(
    request: StaffRequest,
    thread: Thread,
    *,
    reply_form: ReplyForm | None = None,
    file_form: tuple[int, FileToChartForm] | None = None,
) -> dict[str, object]:
    viewer, member = request.viewer, request.staff
    practice_name = member.practice.name
    may_file = policy.why_not(viewer, MessagingVerb.FILE, thread) is None
    types = _filing_types(request) if may_file else []
    download, file_to_chart = id_link("staff:message_attachment"), id_link("staff:attachment_file")
    document = id_link("staff:document_detail", thread.client_id)
    marks: dict[int, list[selectors.ReadMark]] = {}
    for mark in selectors.read_marks(thread):
        if mark.staff_id != member.pk:  # the viewer's own mark says nothing to them
            marks.setdefault(mark.through, []).append(mark)
    shown = []
    for message in selectors.thread_messages(thread):
        sender, from_practice = _sender(message, practice_name)
        attachments = []
        for attachment in message.attachments.all():
            form = None
            if may_file and attachment.filed_document_id is None:
                if file_form is not None and file_form[0] == attachment.pk:
                    form = file_form[1]
                else:
                    form = FileToChartForm(
                        types=types, initial={"title": attachment.name}, prefix=f"file-{attachment.pk}"
                    )
            attachments.append(
                AttachmentView(
                    attachment=attachment,
                    name=attachment.name,
                    url=download(attachment.pk),
                    file_url=file_to_chart(attachment.pk),
                    filed_url=document(attachment.filed_document_id) if attachment.filed_document_id else "",
                    form=form,
                )
            )
        read_by = [
            _("Read by %(name)s, %(when)s") % {"name": mark.name, "when": _when(mark.at)}  # type: ignore[arg-type]
            for mark in marks.get(message.pk, [])
            if not (mark.staff_id and mark.staff_id == message.sent_by_id)
            and not (mark.account_id and mark.account_id == message.sent_by_account_id)
        ]
        shown.append(
            MessageView(
                message=message,
                sender=sender,
                from_practice=from_practice,
                when=_when(message.created_at),
                when_iso=_iso(message.created_at),
                attachments=attachments,
                document_url=document(message.document_id) if message.document_id else "",
                read_by=read_by,
            )
        )
    own = Participant.objects.filter(thread=thread, staff=member).only("archived_at").first()
    may_reply = policy.why_not(viewer, MessagingVerb.REPLY, thread) is None
    may_assign = policy.why_not(viewer, MessagingVerb.ASSIGN, thread) is None
    return {
        "nav": "messages",
        "thread": thread,
        "client": thread.client,
        "person": thread.account.full_name or thread.account.email,
        "kind_label": "" if thread.kind == MessageKind.CONVERSATION else thread.get_kind_display(),
        "assigned_to": thread.assigned_to.user.full_name if thread.assigned_to is not None else "",
        "shown_messages": shown,
        "archived": own is not None and own.archived_at is not None,
        "reply_form": (reply_form or ReplyForm()) if may_reply else None,
        "may_assign": may_assign,
        "assignable": policy.messaging_staff(thread.practice_id) if may_assign else [],
        "back_url": _inbox_url(Box.ARCHIVED if own is not None and own.archived_at else Box.MINE),
    }


@staff_view(MESSAGES)
@require_safe
def thread_detail(request: StaffRequest, thread_id: int) -> HttpResponse:
    """One thread, oldest message first, marked read through its last message as it opens (audited)."""
    thread = policy.get_thread(request.viewer, thread_id, path=request.path)
    actions.mark_read(request.viewer, thread)
    return render(request, "staff/messages/thread.html", _thread_context(request, thread))


@staff_view(MESSAGES)
@require_POST
def thread_reply(request: StaffRequest, thread_id: int) -> HttpResponse:
    """Answer in the thread; a refusal keeps what was typed (the files are chosen again)."""
    thread = policy.get_thread(request.viewer, thread_id, path=request.path)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.reply(
                request.viewer, thread, body=form.cleaned_data["body"], files=form.cleaned_data["attachments"]
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect(reverse("staff:thread", args=[thread.pk]) + "#latest")
    context = _thread_context(request, thread, reply_form=form)
    return render(request, "staff/messages/thread.html", context, status=400)


@staff_view(MESSAGES)
@require_POST
def thread_archive(request: StaffRequest, thread_id: int) -> HttpResponse:
    """Out of this staff member's inbox (nobody else's); a new message brings it back. Nothing is deleted."""
    thread = policy.get_thread(request.viewer, thread_id, path=request.path)
    try:
        actions.archive(request.viewer, thread)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("staff:thread", thread_id=thread.pk)
    messages.success(request, _("The conversation was moved to Archived. A new message brings it back."))
    return redirect(_inbox_url())


@staff_view(MESSAGES)
@require_POST
def thread_restore(request: StaffRequest, thread_id: int) -> HttpResponse:
    """Back into this staff member's inbox."""
    thread = policy.get_thread(request.viewer, thread_id, path=request.path)
    try:
        actions.restore(request.viewer, thread)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The conversation is back in your inbox."))
    return redirect("staff:thread", thread_id=thread.pk)


@staff_view(MESSAGES)
@require_POST
def thread_assign(request: StaffRequest, thread_id: int) -> HttpResponse:
    """Give a team thread to one staff member with Secure messages: it becomes theirs by name, and they are told."""
    thread = policy.get_thread(request.viewer, thread_id, path=request.path)
    chosen = request.POST.get("staff", "")
    to = next((m for m in policy.messaging_staff(thread.practice_id) if str(m.pk) == chosen), None)
    try:
        if to is None:
            raise ApplicationError(_("Choose a staff member who can read secure messages."))
        actions.assign(request.viewer, thread, to=to)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The conversation is assigned to %(name)s.") % {"name": to.user.full_name})
    return redirect("staff:thread", thread_id=thread.pk)


# --- Attachments ----------------------------------------------------------------------------------------------------


@staff_view(MESSAGES)
@require_safe
def attachment_download(request: StaffRequest, attachment_id: int) -> HttpResponse:
    """An attachment's file, downloaded (never shown inline), never cached; every download is audited."""
    attachment = policy.get_attachment(request.viewer, attachment_id, path=request.path)
    return stored_file_response(
        actions.open_attachment(request.viewer, attachment),
        content_type=attachment.content_type,
        filename=actions.download_name(attachment),
        download=True,
    )


@staff_view(MESSAGES)
@require_POST
def attachment_file(request: StaffRequest, attachment_id: int) -> HttpResponse:
    """File an attachment into the client's documents, as a type the staff member may upload and open."""
    attachment = policy.get_attachment(request.viewer, attachment_id, path=request.path)
    thread = policy.get_thread(request.viewer, attachment.message.thread_id, path=request.path)
    types = _filing_types(request)
    form = FileToChartForm(request.POST, types=types, prefix=f"file-{attachment.pk}")
    if form.is_valid():
        doc_type = next(t for t in types if t.pk == form.cleaned_data["doc_type"])
        try:
            document = actions.file_to_chart(
                request.viewer,
                attachment,
                doc_type=doc_type,
                title=form.cleaned_data["title"],
                document_date=form.cleaned_data["document_date"],
            )
        except ApplicationError as error:
            messages.error(request, error.message)  # shown above the thread: the form may be gone
        else:
            messages.success(request, _("“%(title)s” is filed in the client's Documents.") % {"title": document.title})
            return redirect(reverse("staff:thread", args=[thread.pk]) + f"#attachment-{attachment.pk}")
    context = _thread_context(request, thread, file_form=(attachment.pk, form))
    return render(request, "staff/messages/thread.html", context, status=400)


# --- A client's messages, and writing to a client -------------------------------------------------------------------


def _client_threads(request: StaffRequest, client: Client) -> QuerySet[Thread]:
    """The threads about this client the staff member may read, newest first, with their own unread count."""
    own_unread = Participant.objects.filter(thread=OuterRef("pk"), staff=request.staff).values("unread")[:1]
    return (
        policy.visible_to(request.viewer)
        .filter(client=client)
        .select_related("account", "assigned_to__user")
        .annotate(own_unread=Subquery(own_unread, output_field=IntegerField()))
        .order_by("-last_message_at", "-pk")
    )


@dataclass(frozen=True)
class ClientThreadRow:
    url: str
    person: str
    subject: str
    kind_label: str
    when: str
    when_iso: str
    unread: int
    assigned_to: str


def _client_rows(threads: Sequence[Thread]) -> list[ClientThreadRow]:
    link = id_link("staff:thread")
    return [
        ClientThreadRow(
            url=link(thread.pk),
            person=thread.account.full_name or thread.account.email,
            subject=thread.subject,
            kind_label="" if thread.kind == MessageKind.CONVERSATION else str(thread.get_kind_display()),
            when=_when(thread.last_message_at, short=True),
            when_iso=_iso(thread.last_message_at),
            unread=getattr(thread, "own_unread", 0) or 0,
            assigned_to=thread.assigned_to.user.full_name if thread.assigned_to is not None else "",
        )
        for thread in threads
    ]


def _chart(request: StaffRequest, client: Client, **extra: object) -> dict[str, object]:
    return {
        "nav": "clients",
        "client": client,
        "tab": "messages",
        "can_see_history": request.staff.has_permission(Permission.ORG_ADMIN),
        **extra,
    }


@staff_view(MESSAGES)
@require_safe
def client_messages(request: StaffRequest, client_id: int) -> HttpResponse:
    """The conversations about this client that the staff member may read, and New message."""
    client = get_client(request.viewer, client_id, path=request.path)
    page = Paginator(_client_threads(request, client), selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/messages/client_messages.html",
        _chart(request, client, page=page, rows=_client_rows(list(page.object_list))),
    )


def messages_face(request: StaffRequest, client: Client) -> str:
    """The Chart Face's Messages card, the way to the conversations about the client and to New message; nothing
    for staff without Secure messages. It asks no query: the chart's queries stay few."""
    if not policy.may_message(request.staff):
        return ""
    return render_to_string("staff/messages/_face.html", {"client": client}, request=request)


def recipient_label(access: ProfileAccess) -> str:
    """ "Gia Moreno (Legal guardian)", "Max Moreno (client)"."""
    name = access.account.full_name or access.account.email
    if access.kind == AccessKind.SELF:
        return _("%(name)s (client)") % {"name": name}
    return _("%(name)s (%(capacity)s)") % {"name": name, "capacity": access.capacity_label}


@staff_view(MESSAGES)
def message_compose(request: StaffRequest, client_id: int) -> HttpResponse:
    """Write to the client, or to a contact or portal user whose portal access to the client is in effect."""
    client = get_client(request.viewer, client_id, path=request.path)
    accesses = list(policy.staff_recipients(request.staff, client.pk).select_related("contact__linked_client"))
    form = ComposeForm(
        request.POST or None, request.FILES or None, recipients=[(a.pk, recipient_label(a)) for a in accesses]
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            access = next(a for a in accesses if a.pk == form.cleaned_data["recipient"])
            try:
                thread = actions.write_to_client(
                    by=request.staff,
                    access=access,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["attachments"],
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your message was sent to %(name)s.") % {"name": access.account.full_name})
                return redirect("staff:thread", thread_id=thread.pk)
    return render(
        request,
        "staff/messages/compose.html",
        _chart(
            request,
            client,
            form=form,
            has_recipients=bool(accesses),
        ),
        status=status,
    )


# --- The practice's settings ----------------------------------------------------------------------------------------


@staff_view(Permission.ORG_ADMIN)
def messaging_settings(request: StaffRequest) -> HttpResponse:
    """Organization Administration: whether clients may start conversations, the emergency notice on the portal's
    compose page, and the message team."""
    practice_id = request.staff.practice_id
    candidates = policy.messaging_staff(practice_id)
    current = policy.settings_of(practice_id)
    initial = {
        "client_messages_enabled": current.client_messages_enabled,
        "crisis_notice": current.crisis_notice,
        "team": list(current.team.values_list("pk", flat=True)) if current.pk else [],
    }
    form = SettingsForm(request.POST or None, initial=initial, candidates=candidates)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            chosen = set(form.cleaned_data["team"])
            try:
                actions.save_settings(
                    by=request.staff,
                    client_messages_enabled=form.cleaned_data["client_messages_enabled"],
                    crisis_notice=form.cleaned_data["crisis_notice"],
                    team=[m for m in candidates if m.pk in chosen],
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Messaging settings saved."))
                return redirect("staff:admin_messages")
    team_now = [m.user.full_name for m in policy.team_of(practice_id)]
    return render(
        request,
        "staff/messages/settings.html",
        {"nav": "admin", "section": "messages", "form": form, "chosen_team": form.chosen_team(), "team_now": team_now},
        status=status,
    )
