"""``{% access_history_row entry %}``: one line of a client's Access history, drawn in one call.

A page lists 50 lines; drawing each cell with its own template nodes cost more than everything else on the
page. The words come from the page (``when_label``, ``who_label``, ``what_label``, ``from_label``,
``portal_badge``), translated once; every value is escaped, translated sentences are used as
``{% blocktranslate %}`` uses them (their values escaped).
"""

from __future__ import annotations

import html
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


def _escape(value: object) -> str:
    """``conditional_escape`` without its lazy-argument wrapper: safe strings as they are, anything else escaped."""
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(value))


def when(moment: Any) -> str:
    """A moment as ``{{ moment|date:"Y-m-d H:i:s T" }}`` shows it: in the current time zone, with its abbreviation."""
    local = timezone.localtime(moment)
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or ''}".rstrip()


@register.simple_tag(takes_context=True)
def access_history_row(context: template.Context, entry: Any) -> SafeString:
    event = entry.event
    badge = f' <span class="badge badge-portal">{_escape(context["portal_badge"])}</span>' if entry.in_portal else ""
    acting_for = (
        '<br><span class="small text-body-secondary">'
        + gettext("for %(who)s") % {"who": _escape(entry.acting_for)}
        + "</span>"
        if entry.acting_for
        else ""
    )
    fields = (
        '<br><span class="small text-body-secondary">'
        + gettext("Fields: %(fields)s") % {"fields": _escape(", ".join(str(name) for name in entry.fields))}
        + "</span>"
        if entry.fields
        else ""
    )
    device = f'<br><span class="text-body-secondary">{_escape(entry.device)}</span>' if entry.device else ""
    moment = _escape(when(event.occurred_at))
    return mark_safe(  # noqa: S308
        f'<tr data-action="{_escape(event.action)}">\n'
        f'    <td data-label="{_escape(context["when_label"])}" class="text-nowrap">{moment}</td>\n'
        f'    <td data-label="{_escape(context["who_label"])}"><span class="fw-semibold">{_escape(entry.who)}</span>'
        f" · {_escape(entry.role)}{badge}{acting_for}</td>\n"
        f'    <td data-label="{_escape(context["what_label"])}" class="text-break">{_escape(entry.what)}{fields}</td>\n'
        f'    <td data-label="{_escape(context["from_label"])}" class="small">{_escape(event.ip or "—")}{device}</td>\n'
        "  </tr>"
    )
