"""Pages of a list without counting the whole list.

The total is counted only up to ``COUNT_LIMIT`` rows (or to the end of the page asked for, if further):
beyond that the page says "more than". A page costs the same two queries however long the list is,
and neither reads more of it than the page needs. A list's first page can be one query instead
(``counted_first_page``): each of its rows carries the count, a subquery the database works out once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Func, IntegerField, QuerySet, Subquery

COUNT_LIMIT = 1000

COUNTED = "paging_counted"  # the count each row of ``counted_first_page`` carries, the last of its values


@dataclass(frozen=True)
class Page:
    object_list: Sequence[Any]
    number: int
    per_page: int
    total: int  # exact, or the list holds more than this (``total_is_lower_bound``)
    total_is_lower_bound: bool
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def page_number(raw: object) -> int:
    """The page a request asks for: a bad or missing number is the first."""
    try:
        number = int(str(raw))
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


def get_page(queryset: QuerySet[Any], per_page: int, number: object) -> Page:
    """The page ``number`` asks for (a bad or missing one is the first; one past the end is the last)."""
    page = page_number(number)
    offset = (page - 1) * per_page
    limit = max(COUNT_LIMIT, offset + per_page) + 1
    counted = queryset.order_by().values("pk")[:limit].count()
    more = counted == limit  # more than limit - 1 rows: not counted on
    if not more and offset >= counted and page > 1:  # past the end: the last page, as Django's Paginator answers
        page = max((counted + per_page - 1) // per_page, 1)
        offset = (page - 1) * per_page
    rows = list(queryset[offset : offset + per_page])
    total = limit - 1 if more else counted
    return Page(rows, page, per_page, total, more, more or offset + len(rows) < counted)


class _CountOf(Func):
    """How many rows a subquery returns: one scalar, which the database works out once for the whole query."""

    template = "(SELECT COUNT(*) FROM %(expressions)s counted)"
    output_field = IntegerField()


def counted_first_page(queryset: QuerySet[Any], per_page: int, *fields: str) -> QuerySet[Any, tuple[Any, ...]]:
    """The first page of the list as ``fields`` tuples, each ending with the list's length counted up to the limit
    (``COUNTED``): the page and its count in one query, the count reading no more of the list than ``get_page``'s.
    ``first_page`` makes the page of its rows."""
    limit = max(COUNT_LIMIT, per_page) + 1
    counted = _CountOf(Subquery(queryset.order_by().values("pk")[:limit]))
    return queryset.annotate(**{COUNTED: counted}).values_list(*fields, COUNTED)[:per_page]


def first_page(rows: Sequence[tuple[Any, ...]], per_page: int) -> Page:
    """The first page of ``counted_first_page``'s rows (each without its count), as ``get_page`` would answer."""
    limit = max(COUNT_LIMIT, per_page) + 1
    counted = rows[0][-1] if rows else 0  # no row on the first page: the list is empty
    more = counted == limit
    listed = [row[:-1] for row in rows]
    return Page(listed, 1, per_page, limit - 1 if more else counted, more, more or len(listed) < counted)
