"""Links for the rows of a portal list, reversed once per page rather than once per row."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

# Stands for the row's id while the route is reversed once; the id takes its place in each row's link.
_SENTINEL = 987654321987


@dataclass(frozen=True, slots=True)
class RowLink:
    """The link of one route for any row: ``reverse(name, slug, id)`` worked out once, then filled in per row."""

    prefix: str
    suffix: str

    def __call__(self, object_id: int) -> str:
        return f"{self.prefix}{int(object_id)}{self.suffix}"


def row_link(name: str, *, slug: str, id_kwarg: str, **fixed: int) -> RowLink:
    """The route's link for any row: ``id_kwarg`` varies by row, the slug and any ``fixed`` values do not."""
    url = reverse(name, kwargs={"slug": slug, **fixed, id_kwarg: _SENTINEL})
    prefix, suffix = url.rsplit(str(_SENTINEL), 1)  # the id comes after the practice's slug in every route
    return RowLink(prefix, suffix)
