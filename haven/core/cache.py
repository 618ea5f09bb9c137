"""The shared cache is a help, never a need: when it cannot be reached, the work is done again."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.cache import cache

logger = logging.getLogger(__name__)


def remembered(key: str, make: Callable[[], bytes], *, timeout: int) -> bytes:
    """The bytes cached under ``key``, or ``make()``'s, kept for ``timeout`` seconds when the cache answers.

    A cache that is down (Redis restarting, say) costs the rendering again, never an error page.
    """
    try:
        found = cache.get(key)
    except Exception:  # any backend's failure to answer
        logger.warning("The cache could not be read; %s is made again.", key.split(":")[1] if ":" in key else "a value")
        return make()
    if found is not None:
        return bytes(found)
    made = make()
    try:
        cache.set(key, made, timeout=timeout)
    except Exception:  # any backend's failure to answer
        logger.warning("The cache could not be written.")
    return made
