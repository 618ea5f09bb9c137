"""The portal inbox (SIGN-2): the selected profile's messages from the practice, newest first."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from haven.audit.actions import record_event
from haven.documents.selectors import documents_for_portal
from haven.messaging.actions import mark_read
from haven.messaging.models import Message
from haven.messaging.selectors import inbox
from haven.portal.access import PortalRequest, portal_view
from haven.portal_access.actions import portal_actor
from haven.signing.actions import answer_problem

PAGE_SIZE = 20


@portal_view
@require_safe
def inbox_list(request: PortalRequest) -> HttpResponse:
    selected = request.portal.selected
    page = None
    if selected is not None:
        page = Paginator(inbox(selected), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/inbox/list.html", {"page": page})


def _get_message(request: PortalRequest, message_id: int) -> Message:
    """A message to this login about the selected profile; anything else is 404, audited."""
    selected = request.portal.selected
    message = inbox(selected).filter(pk=message_id).first() if selected is not None else None
    if message is None:
        record_event(
            action="access.denied",
            actor=portal_actor(request.portal.account),
            practice=request.portal.practice,
            details={"object_type": "messaging.message", "object_id": str(message_id), "path": request.path},
        )
        raise Http404
    return message


@portal_view
@require_safe
def message_detail(request: PortalRequest, message_id: int) -> HttpResponse:
    """One message, marked read on first opening, with the way to its document or signature request."""
    message = _get_message(request, message_id)
    selected = request.portal.selected
    assert selected is not None  # _get_message found the message through it
    mark_read(message, account=request.portal.account, acting_for=selected.client.full_name)
    document_visible = (
        message.document_id is not None and documents_for_portal(selected).filter(pk=message.document_id).exists()
    )
    sign_request = message.signature_request
    problem = None
    if sign_request is not None:
        found = answer_problem(sign_request, selected, request.portal.account)
        problem = found[1] if found is not None else None
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
