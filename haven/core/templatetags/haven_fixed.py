"""``{% fixed_url name %}`` and ``{% fixed_static path %}``: addresses that are the same on every page, worked out once.

Every page's chrome links to the same few pages and loads the same stylesheets and scripts. ``{% url %}`` and
``{% static %}`` work each address out again on every page (a reverse walk, the static manifest); these tags do it
once per process and remember the answer, keyed by what it depends on: the URL configuration and the script
prefix (a setting changed in a test starts afresh). Only addresses without arguments: nothing of a request or a
client is kept.
"""

from __future__ import annotations

import functools
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@functools.lru_cache(maxsize=256)
def _url(name: str, urlconf: str | None, prefix: str) -> str:
    return reverse(name, urlconf=urlconf)


@functools.lru_cache(maxsize=256)
def _static(path: str, prefix: str) -> str:
    return static(path)


@register.simple_tag
def fixed_url(name: str) -> str:
    """The address of a URL pattern that takes no arguments (as ``{% url name %}``)."""
    return _url(name, get_urlconf(), get_script_prefix())


@register.simple_tag
def fixed_static(path: str) -> str:
    """The address of a static file (as ``{% static path %}``)."""
    return _static(path, get_script_prefix())


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: Any) -> None:
    """Tests that change how addresses are made (``override_settings``) get fresh ones."""
    if setting in {"ROOT_URLCONF", "STATIC_URL", "STATIC_ROOT", "STORAGES", "FORCE_SCRIPT_NAME"}:
        _url.cache_clear()
        _static.cache_clear()
