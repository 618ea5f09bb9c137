"""What every page of a client's documents shows around itself."""

from __future__ import annotations

from haven.clients.models import Client
from haven.practices.access import StaffRequest
from haven.practices.models import Permission

PAGE_SIZE = 25
PDF = "application/pdf"


def chart_context(request: StaffRequest, client: Client, **extra: object) -> dict[str, object]:
    return {
        "nav": "clients",
        "client": client,
        "tab": "documents",
        "can_see_history": request.staff.has_permission(Permission.ORG_ADMIN),
        **extra,
    }
