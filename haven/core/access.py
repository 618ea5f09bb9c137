"""Deny by default: every view declares who may reach it.

A view without a declaration answers 404 to everyone (``AccessPolicyMiddleware``),
and the URL walk test fails, so a new URL is closed until its check is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AccessRule:
    audience: str  # "public" or "staff"
    permission: str | None = None
    requires_second_factor: bool = True


def declare_access[ViewFunc: Callable[..., Any]](view: ViewFunc, rule: AccessRule) -> ViewFunc:
    view.haven_access = rule  # type: ignore[attr-defined]
    return view


def access_rule_of(view: Callable[..., Any]) -> AccessRule | None:
    rule = getattr(view, "haven_access", None)
    if rule is None and hasattr(view, "view_class"):
        rule = getattr(view.view_class, "haven_access", None)
    return rule


def public_view[ViewFunc: Callable[..., Any]](view: ViewFunc) -> ViewFunc:
    """Reachable without logging in: login pages, invitation links, static practice branding."""
    return declare_access(view, AccessRule(audience="public"))


def url_with_next(view_name: str, next_url: str) -> str:
    from urllib.parse import urlencode

    from django.urls import reverse

    return f"{reverse(view_name)}?{urlencode({'next': next_url})}"
