"""Requests whose 30 days ran out: closed as Expired, audited, and whoever asked told."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from haven.audit.actions import record_event
from haven.audit.events import SignatureExpired
from haven.audit.models import Actor
from haven.signing.models import RequestStatus, SignatureRequest
from haven.signing.notices import tell_requester


def expire(request: SignatureRequest, *, now: datetime.datetime, tell_requester_too: bool) -> None:
    """Close a request whose time ran out: status Expired, audited, and the staff member who asked told.

    The caller holds the request's row lock.
    """
    request.status = RequestStatus.EXPIRED
    request.answered_at = now
    request.save(update_fields=["status", "answered_at"])
    record_event(
        SignatureExpired(document=request.document_id, expired_at=request.expires_at.isoformat()),
        actor=Actor.system(),
        practice=request.practice,
        client=request.document.client,
        target=request,
    )
    if tell_requester_too:
        tell_requester(request, "expired")


def close_expired_requests() -> int:
    """The daily sweep: close every request past its time, so the record and the asker both know.

    Each is closed under its own row lock and only if still pending, so a sweep that runs twice, or
    beside a signer, closes each request once. Returns how many were closed.
    """
    now = timezone.now()
    closed = 0
    due = SignatureRequest.objects.filter(status=RequestStatus.PENDING, expires_at__lte=now)
    for request_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            locked = (
                SignatureRequest.objects.select_for_update(of=("self",))
                .select_related("document__client", "practice", "requested_by__user")
                .filter(pk=request_id, status=RequestStatus.PENDING, expires_at__lte=now)
                .first()
            )
            if locked is not None:
                expire(locked, now=now, tell_requester_too=True)
                closed += 1
    return closed
