"""``{% access_history_row entry %}``: one line of a client's Access history, drawn in one call.

A page lists 50 lines; drawing each cell with its own template nodes cost more than everything else on the
page. The words come from the page (``when_label``, ``who_label``, ``what_label``, ``from_label``,
``portal_badge``), translated once; ``format_html`` escapes every value, and translated sentences are used as
``{% blocktranslate %}`` uses them (their values escaped).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext

from haven.core.html import format_html
from haven.core.templatetags.haven_globe import translated_format

register = template.Library()


def when(moment: Any) -> str:
    """A moment as ``{{ moment|date:"Y-m-d H:i:s T" }}`` shows it: in the current time zone, with its abbreviation."""
    local = timezone.localtime(moment)
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or ''}".rstrip()


_NOTHING = format_html("{}", "")  # an empty safe string


@register.simple_tag(takes_context=True)
def access_history_row(context: template.Context, entry: Any) -> str:
    event = entry.event
    badge = (
        format_html(' <span class="badge badge-portal">{}</span>', context["portal_badge"])
        if entry.in_portal
        else _NOTHING
    )
    acting_for = (
        format_html(
            '<br><span class="small text-body-secondary">{}</span>',
            format_html(translated_format(gettext("for %(who)s"), "who"), who=entry.acting_for),
        )
        if entry.acting_for
        else _NOTHING
    )
    fields = (
        format_html(
            '<br><span class="small text-body-secondary">'
            + translated_format(gettext("Fields: %(fields)s"), "fields")
            + "</span>",
            fields=", ".join(str(name) for name in entry.fields),
        )
        if entry.fields
        else _NOTHING
    )
    device = format_html('<br><span class="text-body-secondary">{}</span>', entry.device) if entry.device else _NOTHING
    return format_html(
        '<tr data-action="{}">\n'
        '    <td data-label="{}" class="text-nowrap">{}</td>\n'
        '    <td data-label="{}"><span class="fw-semibold">{}</span> · {}{}{}</td>\n'
        '    <td data-label="{}" class="text-break">{}{}</td>\n'
        '    <td data-label="{}" class="small">{}{}</td>\n'
        "  </tr>",
        event.action,
        context["when_label"],
        when(event.occurred_at),
        context["who_label"],
        entry.who,
        entry.role,
        badge,
        acting_for,
        context["what_label"],
        entry.what,
        fields,
        context["from_label"],
        event.ip or "—",
        device,
    )
