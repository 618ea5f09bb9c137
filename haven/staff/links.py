"""Links for the rows of a staff page, reversed once per page rather than once per row."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

# Stands for the row's id while the route is reversed once; the id takes its place in each row's link.
_STAND_IN = 987654398


def id_link(name: str, *before_args: int) -> Callable[[int], str]:
    """``reverse(name, args=[*before_args, pk])`` for many ``pk``: reversed once, the id put in."""
    before, _stand_in, after = reverse(name, args=[*before_args, _STAND_IN]).partition(str(_STAND_IN))

    def url(pk: int) -> str:
        return f"{before}{int(pk)}{after}"

    return url
