"""Telling whoever asked for a signature how it was answered: signed, declined or expired."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from haven.core.email import send_email_on_commit
from haven.signing.models import REQUEST_VALID_FOR, SignatureRequest


def tell_requester(request: SignatureRequest, outcome: str) -> None:
    """Email whoever asked that the request was answered: no names, no title, a link into Haven."""
    member = request.requested_by
    if not member.user.is_active:
        return
    path = reverse(
        "staff:document_detail", kwargs={"client_id": request.document.client_id, "document_id": request.document_id}
    )
    send_email_on_commit(
        to=member.user.email,
        template="staff_signature_answered",
        context={
            "practice": request.practice.name,
            "name": member.user.full_name,
            "outcome": outcome,
            "days": str(REQUEST_VALID_FOR.days),
            "link": f"{settings.HAVEN_BASE_URL}{path}",
        },
        practice=request.practice,
    )
