"""``{% portal_url name practice.slug %}``: a portal address for the practice, worked out once per process.

Every portal page links to the same pages of its practice: the portal's addresses differ only by the practice's
slug. ``{% url %}`` walks the URL configuration again for each of them on every page; this tag reverses each
name once with a stand-in slug (per URL configuration and script prefix) and puts the practice's slug in its
place. A slug is letters, digits, ``-`` and ``_`` (the ``slug`` path converter), which reverse leaves as they are,
so the answer is the same as ``{% url name slug %}``; anything else is reversed as ``{% url %}`` would.
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
SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")


@functools.lru_cache(maxsize=128)
def _pattern(name: str, urlconf: str | None, prefix: str) -> tuple[str, str]:
    address = reverse(name, args=[STAND_IN], urlconf=urlconf)
    before, stand_in, after = address.partition(STAND_IN)
    if not stand_in or STAND_IN in after:
        raise ValueError(f"{name} does not take the practice's slug once")
    return before, after


@register.simple_tag
def portal_url(name: str, slug: str) -> str:
    """The address of a portal page of the practice with ``slug`` (as ``{% url name slug %}``)."""
    if not SLUG.match(slug):
        return reverse(name, args=[slug])
    before, after = _pattern(name, get_urlconf(), get_script_prefix())
    return f"{before}{slug}{after}"


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: Any) -> None:
    """Tests that change how addresses are made (``override_settings``) get fresh ones."""
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _pattern.cache_clear()
