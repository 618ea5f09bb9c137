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

from haven.core.html import conditional_escape, format_html
from haven.core.templatetags.haven_globe import translated_format
from haven.core.templatetags.haven_time import stamp_in

register = template.Library()


def when(moment: Any) -> str:
    """A moment as ``{{ moment|date:"Y-m-d H:i:s T" }}`` shows it: in the current time zone, with its abbreviation."""
    return stamp_in(moment, timezone.get_current_timezone())


_NOTHING = format_html("{}", "")  # an empty safe string


def _escaped(words: Any) -> str:
    """The page's words escaped as ``format_html`` escapes a value, for its format string."""
    return str(conditional_escape(words)).replace("{", "{{").replace("}", "}}")


class _Page:
    """What every line of one page shares, worked out at its first line: the format string with the page's
    words in it (escaped), the portal badge, the sentences filled per line, and the zone times are shown in."""

    def __init__(self, context: template.Context) -> None:
        self.row = (
            '<tr data-action="{}">\n'
            f'    <td data-label="{_escaped(context["when_label"])}" class="text-nowrap">{{}}</td>\n'
            f'    <td data-label="{_escaped(context["who_label"])}">'
            '<span class="fw-semibold">{}</span> · {}{}{}</td>\n'
            f'    <td data-label="{_escaped(context["what_label"])}" class="text-break">{{}}{{}}</td>\n'
            f'    <td data-label="{_escaped(context["from_label"])}" class="small">{{}}{{}}</td>\n'
            "  </tr>"
        )
        self.badge = format_html(' <span class="badge badge-portal">{}</span>', context["portal_badge"])
        self.acting_for = (
            '<br><span class="small text-body-secondary">'
            + translated_format(gettext("for %(who)s"), "who")
            + "</span>"
        )
        self.fields = (
            '<br><span class="small text-body-secondary">'
            + translated_format(gettext("Fields: %(fields)s"), "fields")
            + "</span>"
        )
        self.zone = timezone.get_current_timezone()


_PAGE_KEY = "haven_rows.access_history_page"


def _page(context: template.Context) -> _Page:
    found = context.render_context.get(_PAGE_KEY)
    if not isinstance(found, _Page):
        found = context.render_context[_PAGE_KEY] = _Page(context)
    return found


@register.simple_tag(takes_context=True)
def access_history_row(context: template.Context, entry: Any) -> str:
    page = _page(context)
    event = entry.event
    acting_for = format_html(page.acting_for, who=entry.acting_for) if entry.acting_for else _NOTHING
    fields = (
        format_html(page.fields, fields=", ".join(str(name) for name in entry.fields)) if entry.fields else _NOTHING
    )
    device = format_html('<br><span class="text-body-secondary">{}</span>', entry.device) if entry.device else _NOTHING
    return format_html(
        page.row,
        event.action,
        stamp_in(event.occurred_at, page.zone),
        entry.who,
        entry.role,
        page.badge if entry.in_portal else _NOTHING,
        acting_for,
        entry.what,
        fields,
        event.ip or "—",
        device,
    )
