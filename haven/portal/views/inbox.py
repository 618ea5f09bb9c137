"""The portal inbox (SIGN-2): the selected profile's messages from the practice, newest first."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import dateformat, timezone
from django.views.decorators.http import require_safe

from haven.core.prepared import Prepared, counting
from haven.documents.policy import may_see
from haven.messaging import policy
from haven.messaging.actions import mark_read
from haven.messaging.models import Message
from haven.portal.access import PortalRequest, portal_view
from haven.portal.links import row_link
from haven.signing.policy import SigningVerb, why_not

PAGE_SIZE = 20


# The first page, and how many messages there are: what nearly every visit asks, prepared.
_FIRST_PAGE: Prepared[Message] = Prepared(
    lambda account_id, client_id, practice_id: policy.addressed_to(account_id, client_id, practice_id).order_by(
        "-created_at", "-pk"
    )[:PAGE_SIZE],
    int,
    int,
    int,
)
_COUNT: Prepared[int] = Prepared(
    lambda account_id, client_id, practice_id: counting(
        policy.addressed_to(account_id, client_id, practice_id), "account_id"
    ),
    int,
    int,
    int,
)


def _page(request: PortalRequest) -> Page | None:
    """The page of the inbox asked for: the first from prepared queries, any other as Django's paginator finds it."""
    addressee = policy.addressee(request.viewer)
    if addressee is None:
        return None
    number = request.GET.get("page")
    if number not in (None, "", "1"):
        listed = policy.visible_to(request.viewer).select_related(None)  # the list shows the messages alone
        return Paginator(listed, PAGE_SIZE).get_page(number)
    counted, rows = _COUNT(*addressee), _FIRST_PAGE(*addressee)
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = counted[0] if counted else 0  # every message's, counted by the database
    return Page(rows, 1, paginator)


@portal_view
@require_safe
def inbox_list(request: PortalRequest) -> HttpResponse:
    page = None
    inbox_messages: list[Message] = []
    if request.viewer.profile is not None:
        page = _page(request)
        inbox_messages = list(page.object_list) if page is not None else []
        link = row_link("portal:message", slug=request.practice.slug, id_kwarg="message_id")
        for message in inbox_messages:
            message.url = link(message.pk)  # type: ignore[attr-defined]
            # Its date written once here, in the practice's time, as the ``date`` filter writes it.
            sent = timezone.localtime(message.created_at)
            message.sent_iso = dateformat.format(sent, "c")  # type: ignore[attr-defined]
            message.sent_label = dateformat.format(sent, "M j, Y")  # type: ignore[attr-defined]
    return render(request, "portal/inbox/list.html", {"page": page, "inbox_messages": inbox_messages})


@portal_view
@require_safe
def message_detail(request: PortalRequest, message_id: int) -> HttpResponse:
    """One message, marked read on first opening, with the way to its document or signature request."""
    message = policy.get_message(request.viewer, message_id, path=request.path)
    mark_read(message, account=request.portal.account, acting_for=request.viewer.acting_for)
    document_visible = message.document is not None and may_see(request.viewer, message.document)
    sign_request = message.signature_request
    problem = None
    if sign_request is not None:
        reason = why_not(request.viewer, SigningVerb.SIGN, sign_request)
        problem = reason.words(sign_request) if reason is not None else None
    return render(
        request,
        "portal/inbox/message.html",
        {
            "message": message,
            "document_visible": document_visible,
            "sign_request": sign_request,
            "can_sign": sign_request is not None and problem is None,
            "sign_problem": problem,
        },
    )
