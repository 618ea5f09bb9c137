"""``{% portal_url name practice.slug [id] %}``: a portal address for the practice, worked out once per process.

Every portal page links to the same pages of its practice: the portal's addresses differ only by the practice's
slug. ``{% url %}`` walks the URL configuration again for each of them on every page; this tag reverses each
name once with a stand-in slug (per URL configuration and script prefix) and puts the practice's slug in its
place. A slug is letters, digits, ``-`` and ``_`` (the ``slug`` path converter), which reverse leaves as they are,
so the answer is the same as ``{% url name slug %}``; anything else is reversed as ``{% url %}`` would. An address
that also takes a record's id (``sign/<int:request_id>/``) is worked out the same way with a stand-in id.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

STAND_IN = "haven-practice-slug-stand-in"
STAND_IN_ID = 987654321987654321
SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")


@functools.lru_cache(maxsize=128)
def _pattern(name: str, with_id: bool, urlconf: str | None, prefix: str) -> tuple[str, ...]:
    address = reverse(name, args=[STAND_IN, STAND_IN_ID] if with_id else [STAND_IN], urlconf=urlconf)
    parts = address.split(STAND_IN)
    if len(parts) != 2:
        raise ValueError(f"{name} does not take the practice's slug once")
    if not with_id:
        return tuple(parts)
    rest = parts[1].split(str(STAND_IN_ID))
    if len(rest) != 2:
        raise ValueError(f"{name} does not take an id once, after the slug")
    return (parts[0], *rest)


@register.simple_tag
def portal_url(name: str, slug: str, record_id: int | None = None) -> str:
    """The address of a portal page of the practice with ``slug`` (as ``{% url name slug %}``), or of one of its
    records (as ``{% url name slug record_id %}``)."""
    if record_id is None:
        if not SLUG.match(slug):
            return reverse(name, args=[slug])
        before, after = _pattern(name, False, get_urlconf(), get_script_prefix())
        return f"{before}{slug}{after}"
    if not SLUG.match(slug) or type(record_id) is not int or record_id < 0:
        return reverse(name, args=[slug, record_id])
    before, middle, after = _pattern(name, True, get_urlconf(), get_script_prefix())
    return f"{before}{slug}{middle}{record_id}{after}"


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: Any) -> None:
    """Tests that change how addresses are made (``override_settings``) get fresh ones."""
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _pattern.cache_clear()
