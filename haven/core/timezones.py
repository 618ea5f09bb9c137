"""Times are stored in UTC and shown in the practice's time zone, to staff and portal users alike.

Pages activate the zone once per request (``PracticeTimezoneMiddleware`` for staff, the portal's
access decorators for the portal) and emails render under it, so templates format times with
Django's ``date`` filter and never convert by hand. Where a time could be read in another zone,
it carries the zone's abbreviation: ``WHEN_FORMAT`` gives "Dec 1, 2026, 9:05 p.m. CST".
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from django.utils import timezone
from django.utils.dateformat import format as format_date


class Practice(Protocol):
    """A practice, as far as its time zone goes (core names no domain model)."""

    @property
    def time_zone(self) -> str: ...


# A moment as portal users read it: day, time and the zone, in the practice's zone.
WHEN_FORMAT = "M j, Y, P T"


def zone_named(name: str) -> datetime.tzinfo:
    """The zone called ``name``, or the server's default zone when the name is unknown."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def practice_zone(practice: Practice) -> datetime.tzinfo:
    return zone_named(practice.time_zone)


def activate_practice_zone(practice: Practice) -> None:
    """Show this request's times in the practice's zone (deactivated again at the next request)."""
    timezone.activate(practice_zone(practice))


@contextmanager
def practice_zone_active(time_zone: str) -> Iterator[None]:
    """Render something (an email) in a practice's zone, given by name; "" keeps the current zone."""
    if not time_zone:
        yield
        return
    with timezone.override(zone_named(time_zone)):
        yield


def when_in_practice_zone(moment: datetime.datetime, practice: Practice) -> str:
    """``moment`` as "Dec 1, 2026, 9:05 p.m. CST" in the practice's zone, for text built outside a template."""
    return format_date(timezone.localtime(moment, practice_zone(practice)), WHEN_FORMAT)
