"""The portal's secure messages (MSG-1, MSG-2, SIGN-2): the selected profile's threads with the practice, one
thread with its reply form, writing a new message, an attachment's download and how the person is emailed.

Every thread and attachment is reached through ``haven.messaging.policy`` for the selected profile; anything
else answers 404 and is audited. The messaging actions check what was written, send it, count it and audit it;
these views turn what was posted into their arguments and show their answers. A refused message comes back
with everything typed in place (the files must be chosen again: no browser keeps them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from haven.core.errors import ApplicationError
from haven.core.forms import HavenForm
from haven.documents.policy import may_see
from haven.documents.responses import stored_file_response
from haven.messaging import actions, policy, selectors
from haven.messaging.forms import MessageForm, subject_field
from haven.messaging.models import Frequency, Message, Thread
from haven.messaging.policy import MessagingVerb, PortalRecipient
from haven.portal.access import PortalRequest, portal_view, require_profile
from haven.portal.links import row_link
from haven.portal.templatetags.portal_urls import portal_url
from haven.portal_access.session import select_profile
from haven.portal_access.viewers import PortalViewer
from haven.signing.policy import SigningVerb
from haven.signing.policy import why_not as signing_why_not

# --- What a person writes ---------------------------------------------------------------------------------------


class ComposeForm(MessageForm):
    """A new conversation: to whom (the clinician or the practice team), a subject, the words, any attachments."""

    recipient = forms.ChoiceField(
        label=gettext_lazy("To"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose whom to write to."),
            "invalid_choice": gettext_lazy("Choose whom to write to."),
        },
    )
    subject = subject_field()
    field_order = ["recipient", "subject", "body", "attachments"]

    def __init__(self, *args: Any, recipients: list[PortalRecipient], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["recipient"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(recipient.key, recipient.label) for recipient in recipients]
        if len(recipients) == 1:
            self.initial.setdefault("recipient", recipients[0].key)


class EmailsForm(HavenForm):
    """When the person hears of a new message by email."""

    frequency = forms.ChoiceField(
        label=gettext_lazy("Email me about new messages"),
        choices=[(Frequency.IMMEDIATE, Frequency.IMMEDIATE.label), (Frequency.DAILY, Frequency.DAILY.label)],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose one of the options shown.")},
    )


# --- The inbox ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """One thread as the list shows it."""

    thread_id: int
    url: str
    subject: str
    kind: str
    unread: int
    at: Any


def _rows(participants: list[Any], slug: str) -> list[_Row]:
    link = row_link("portal:thread", slug=slug, id_kwarg="thread_id")
    return [
        _Row(
            thread_id=row.thread_id,
            url=link(row.thread_id),
            subject=row.thread.subject,
            kind=row.thread.kind,
            unread=row.unread,
            at=row.last_message_at,
        )
        for row in participants
    ]


@portal_view
@require_safe
def inbox_list(request: PortalRequest) -> HttpResponse:
    """The selected profile's threads, newest conversation first, 25 a page, in a constant number of queries."""
    context: dict[str, Any] = {"page": None, "rows": [], "recipients": [], "messages_off": False}
    if request.viewer.profile is not None:
        page = selectors.page_of(selectors.portal_box(request.viewer), request.GET.get("page"))
        recipients = policy.portal_recipients(request.viewer)
        context.update(
            page=page,
            rows=_rows(list(page.object_list), request.practice.slug),
            recipients=recipients,
            messages_off=not recipients and not policy.settings_of(request.practice.pk).client_messages_enabled,
        )
    context["emails_form"] = EmailsForm(initial={"frequency": actions.frequency_of(account=request.portal.account)})
    return render(request, "portal/inbox/list.html", context)


@portal_view
@require_POST
def message_emails(request: PortalRequest) -> HttpResponse:
    """Right away or once a day: how this login hears of new messages (in every practice's portal)."""
    form = EmailsForm(request.POST)
    if form.is_valid():
        try:
            actions.set_frequency(frequency=form.cleaned_data["frequency"], account=request.portal.account)
        except ApplicationError as refusal:
            messages.error(request, refusal.message)
        else:
            if form.cleaned_data["frequency"] == Frequency.DAILY:
                messages.success(request, _("Saved. You will get at most one email a day about new messages."))
            else:
                messages.success(request, _("Saved. You will get an email as soon as a new message comes."))
    else:
        messages.error(request, _("Choose one of the options shown."))
    return redirect(portal_url("portal:inbox", request.practice.slug) + "#message-emails")


# --- One thread -------------------------------------------------------------------------------------------------


@dataclass
class _Shown:
    """A message of the thread as the page shows it: who wrote it, and the way to its document or request."""

    message: Message
    who: str
    mine: bool
    document_visible: bool = False
    sign_request: Any = None
    can_sign: bool = False
    sign_problem: str | None = None
    read: bool = False
    attachments: list[Any] = field(default_factory=list)


def _shown(request: PortalRequest, thread: Thread) -> list[_Shown]:
    listed = selectors.thread_messages(thread)
    # How far the practice has read: the furthest any of its staff read (their names stay on the staff side).
    staff_read_through = max((mark.through for mark in selectors.read_marks(thread) if mark.staff_id), default=0)
    account_id = request.portal.account.pk
    shown = []
    for message in listed:
        if message.sent_by_account_id is not None:
            mine = message.sent_by_account_id == account_id
            who = _("You") if mine else (message.sent_by_account.full_name or _("Portal user"))  # type: ignore[union-attr]
        elif message.sent_by is not None:
            mine, who = False, message.sent_by.user.full_name
        else:
            mine, who = False, request.practice.name
        item = _Shown(message=message, who=who, mine=mine, attachments=list(message.attachments.all()))
        if message.document is not None:
            item.document_visible = may_see(request.viewer, message.document)
        if message.signature_request is not None:
            item.sign_request = message.signature_request
            reason = signing_why_not(request.viewer, SigningVerb.SIGN, message.signature_request)
            item.sign_problem = reason.words(message.signature_request) if reason is not None else None
            item.can_sign = reason is None
        shown.append(item)
    # "Read" under the person's own last message, once someone at the practice has read that far.
    own = [item for item in shown if item.mine]
    if own and staff_read_through >= own[-1].message.pk:
        own[-1].read = True
    return shown


def _thread_page(
    request: PortalRequest, thread: Thread, form: MessageForm | None = None, *, status: int = 200
) -> HttpResponse:
    reason = policy.why_not(request.viewer, MessagingVerb.REPLY, thread)
    context = {
        "thread": thread,
        "shown": _shown(request, thread),
        "reply_form": form or MessageForm(),
        "reply_problem": reason.words() if reason is not None else "",
        "thread_url": portal_url("portal:thread", request.practice.slug, thread.pk),
        "crisis_words": policy.settings_of(request.practice.pk).crisis_words,
    }
    return render(request, "portal/inbox/thread.html", context, status=status)


def _profile_of_thread(request: PortalRequest, thread_id: int) -> None:
    """The link in an email names a thread about one of the person's profiles, maybe not the one selected: switch
    to it (audited as any switch) when the messaging policy shows the thread to that profile; otherwise nothing
    changes and the thread's lookup answers 404 as for anyone."""
    session = request.portal
    if len(session.profiles) < 2:
        return
    profile = policy.profile_reading(session.account, request.practice, session.profiles, pk=thread_id)
    if profile is None or (session.selected is not None and session.selected.client_id == profile.client_id):
        return
    if select_profile(request, session, profile.pk):
        request.viewer = PortalViewer(account=session.account, practice=request.practice, profile=profile)
        messages.info(request, _("Now showing %(name)s.") % {"name": profile.client.first_name})


@portal_view
@require_http_methods(["GET", "HEAD", "POST"])
def thread_detail(request: PortalRequest, thread_id: int) -> HttpResponse:
    """GET shows the thread (marked read) with the reply form; POST sends a reply."""
    if request.method != "POST":
        _profile_of_thread(request, thread_id)
    thread = policy.get_thread(request.viewer, thread_id, path=request.path)
    if request.method != "POST":
        actions.mark_read(request.viewer, thread)
        return _thread_page(request, thread)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            message = actions.reply(
                request.viewer, thread, body=form.cleaned_data["body"], files=form.cleaned_data["attachments"]
            )
        except ApplicationError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Message sent."))
            return redirect(f"{portal_url('portal:thread', request.practice.slug, thread.pk)}#message-{message.pk}")
    return _thread_page(request, thread, form, status=400)


# --- A new conversation ------------------------------------------------------------------------------------------


@portal_view
@require_http_methods(["GET", "HEAD", "POST"])
def compose(request: PortalRequest) -> HttpResponse:
    """Write to the clinician or the practice team, under the practice's emergency notice."""
    require_profile(request)
    recipients = policy.portal_recipients(request.viewer)
    context: dict[str, Any] = {
        "crisis_words": policy.settings_of(request.practice.pk).crisis_words,
        "recipients": recipients,
    }
    if not recipients:
        # The practice does not take new messages here (or no one can receive them): say so, and how to reach it.
        context["messages_off"] = not policy.settings_of(request.practice.pk).client_messages_enabled
        return render(request, "portal/inbox/compose.html", context, status=403 if request.method == "POST" else 200)
    if request.method != "POST":
        context["form"] = ComposeForm(recipients=recipients)
        return render(request, "portal/inbox/compose.html", context)
    form = ComposeForm(request.POST, request.FILES, recipients=recipients)
    if form.is_valid():
        try:
            thread = actions.write_to_practice(
                request.viewer,
                recipient=form.cleaned_data["recipient"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
            )
        except ApplicationError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Message sent."))
            return redirect(portal_url("portal:thread", request.practice.slug, thread.pk))
    context["form"] = form
    return render(request, "portal/inbox/compose.html", context, status=400)


# --- Attachments ---------------------------------------------------------------------------------------------------


@portal_view
@require_safe
def attachment_download(request: PortalRequest, attachment_id: int) -> HttpResponse:
    """An attachment of a thread the selected profile may read, saved to the device; every download audited."""
    attachment = policy.get_attachment(request.viewer, attachment_id, path=request.path)
    return stored_file_response(
        actions.open_attachment(request.viewer, attachment),
        content_type=attachment.content_type,
        filename=actions.download_name(attachment),
        download=True,
    )
