"""Typed searches kept in the staff member's session, named in addresses by an opaque key.

What staff type to find a client (names, dates of birth) is health information: it must stay out of every
address, so out of browser history, bookmarks and access logs. A search is sent by POST; the text stays here,
on the server, for the rest of the session, and the page's address carries only a random key for it, so the
result page can still be reloaded, paged through and returned to with Back.
"""

from __future__ import annotations

import secrets

from django.contrib.sessions.backends.base import SessionBase

KEPT = 20  # the most recent searches of each kind; an older key finds nothing and the page asks to search again


def _searches(session: SessionBase, kind: str) -> dict[str, str]:
    stored = session.get(f"searches:{kind}")
    return dict(stored) if isinstance(stored, dict) else {}


def remember(session: SessionBase, kind: str, text: str) -> str:
    """The key that names this search from now on (the same key for the same text)."""
    searches = _searches(session, kind)
    key = next((key for key, kept in searches.items() if kept == text), None) or secrets.token_urlsafe(9)
    searches.pop(key, None)
    searches[key] = text  # the most recent last
    session[f"searches:{kind}"] = dict(list(searches.items())[-KEPT:])
    return key


def recall(session: SessionBase, kind: str, key: str) -> str | None:
    """The text a key names, or None when this session never made it or no longer keeps it."""
    return _searches(session, kind).get(key)
