"""``{{ moment|when }}``: a moment in the active (practice's) zone, with the zone, as "Dec 1, 2026, 9:05 p.m. CST"."""

from __future__ import annotations

import datetime

from django import template
from django.template.defaultfilters import date as date_filter

from haven.core.timezones import WHEN_FORMAT

register = template.Library()


@register.filter(expects_localtime=True)
def when(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    return str(date_filter(moment, WHEN_FORMAT))


def stamp_in(moment: datetime.datetime, zone: datetime.tzinfo) -> str:
    """A moment as ``{{ moment|date:"Y-m-d H:i:s T" }}`` shows it, in ``zone`` (the current zone, looked up once by
    the caller for a page of moments rather than once per moment as ``timezone.localtime`` does)."""
    local = moment.astimezone(zone)
    # isoformat's "YYYY-MM-DD HH:MM:SS", in less time than strftime's
    return f"{local.isoformat(' ', 'seconds')[:19]} {local.tzname() or ''}".rstrip()
