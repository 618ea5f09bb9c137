from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def haven(request: HttpRequest) -> dict[str, Any]:
    member = getattr(request.user, "staff_member", None) if request.user.is_authenticated else None
    return {
        "staff_member": member,
        "current_practice": member.practice if member is not None else None,
        "haven_env": settings.HAVEN_ENV,
    }
