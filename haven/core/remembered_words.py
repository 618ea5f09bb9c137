"""Per-process memories of what depends only on the language and the settings: translated words, blank forms.

Pages keep a few things that hold no client's data, worked out once per language (the Activity Log's row words,
the chart's header, the blank signing form...). Each keeps them in a dict made by ``per_language()``; any change
of settings (a test's ``override_settings``: languages, catalogues, templates, addresses) empties them all, so no
such memory outlives what it was worked out from. In production the settings do not change.
"""

from __future__ import annotations

from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver

_MEMORIES: list[dict[Any, Any]] = []


def per_language() -> dict[Any, Any]:
    """A new memory, keyed by the caller (by language and whatever else its contents depend on)."""
    memory: dict[Any, Any] = {}
    _MEMORIES.append(memory)
    return memory


@receiver(setting_changed)
def _forget(**kwargs: Any) -> None:
    for memory in _MEMORIES:
        memory.clear()
