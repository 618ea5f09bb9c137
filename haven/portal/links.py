"""Links for the rows of a portal list, worked out once rather than once per row.

``reverse`` walks the URL configuration each time (about a quarter of a millisecond for a portal route); a
page's rows differ only by their id. So a route is reversed once per process with stand-in values (the
practice's slug, any fixed ids and the row's id), cut where they stand, and filled in with the page's values.
A slug is letters, digits, ``-`` and ``_`` and an id a non-negative int, which reverse writes as they are, so
the link is the one ``reverse`` gives; any other value is reversed as it is.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

# Stands for the row's id while the route is reversed once; the id takes its place in each row's link.
_SENTINEL = 987654321987
_SLUG_STAND_IN = "haven-row-link-slug-stand-in"
_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")


@dataclass(frozen=True, slots=True)
class RowLink:
    """The link of one route for any row: ``reverse(name, slug, id)`` worked out once, then filled in per row."""

    prefix: str
    suffix: str

    def __call__(self, object_id: int) -> str:
        return f"{self.prefix}{int(object_id)}{self.suffix}"


def _stand_in(position: int) -> str:
    return str(_SENTINEL + 1 + position)


@functools.lru_cache(maxsize=128)
def _pieces(name: str, id_kwarg: str, fixed: tuple[str, ...], urlconf: str | None, prefix: str) -> tuple[str, ...]:
    """The route reversed with stand-ins, cut into its text and the stand-ins in the order they come; () if a
    stand-in does not come exactly once (the route is then reversed for each page)."""
    kwargs: dict[str, Any] = {"slug": _SLUG_STAND_IN, id_kwarg: _SENTINEL}
    kwargs.update({key: int(_stand_in(position)) for position, key in enumerate(fixed)})
    url = reverse(name, kwargs=kwargs, urlconf=urlconf)
    tokens = [_SLUG_STAND_IN, str(_SENTINEL), *(_stand_in(position) for position in range(len(fixed)))]
    pieces = tuple(re.split("(" + "|".join(re.escape(token) for token in tokens) + ")", url))
    if sorted(pieces[1::2]) != sorted(tokens):
        return ()
    return pieces


def row_link(name: str, *, slug: str, id_kwarg: str, **fixed: int) -> RowLink:
    """The route's link for any row: ``id_kwarg`` varies by row, the slug and any ``fixed`` values do not."""
    keys = tuple(sorted(fixed))
    pieces: tuple[str, ...] = ()
    if _SLUG.match(slug) and all(type(fixed[key]) is int and fixed[key] >= 0 for key in keys):
        pieces = _pieces(name, id_kwarg, keys, get_urlconf(), get_script_prefix())
    if pieces:
        values = {_SLUG_STAND_IN: slug, **{_stand_in(position): str(fixed[key]) for position, key in enumerate(keys)}}
        at = pieces.index(str(_SENTINEL))
        return RowLink(
            "".join(values.get(piece, piece) if odd % 2 else piece for odd, piece in enumerate(pieces[:at])),
            "".join(
                values.get(piece, piece) if odd % 2 else piece for odd, piece in enumerate(pieces[at + 1 :], at + 1)
            ),
        )
    url = reverse(name, kwargs={"slug": slug, **fixed, id_kwarg: _SENTINEL})
    before, after = url.rsplit(str(_SENTINEL), 1)  # the id comes after the practice's slug in every route
    return RowLink(before, after)


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: Any) -> None:
    """Tests that change how addresses are made (``override_settings``) get fresh ones."""
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _pieces.cache_clear()
