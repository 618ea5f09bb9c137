"""``{% chart_urls client as urls %}``: the addresses of a client's chart tabs, reversed once per process.

Each tab's address differs between clients only by the client's id: the patterns are reversed once with a
stand-in id (per script prefix) and the id is put in, so a chart page's header costs no ``{% url %}`` per tab.

``{% chart_header %}``: the header every chart page shows above its tabs, drawn in one call.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from haven.core.templatetags.haven_globe import translated_format

register = template.Library()

_STAND_IN = 987654321
_TABS = {
    "chart": "staff:client_chart",
    "edit": "staff:client_edit",
    "documents": "staff:activity_log",
    "contacts": "staff:contact_list",
    "portal": "staff:portal_overview",
    "history": "staff:client_access_history",
    "upload": "staff:document_upload",
    "write_note": "staff:note_create",
    "share_all": "staff:document_share_all",
}
_PATTERNS: dict[str, dict[str, tuple[str, str]]] = {}


def _patterns() -> dict[str, tuple[str, str]]:
    prefix = get_script_prefix()
    found = _PATTERNS.get(prefix)
    if found is None:
        found = {}
        for key, name in _TABS.items():
            before, _stand_in, after = reverse(name, args=[_STAND_IN]).partition(str(_STAND_IN))
            found[key] = (before, after)
        _PATTERNS[prefix] = found
    return found


def chart_urls_for(client_id: int) -> dict[str, str]:
    """The client's chart tab addresses by tab: chart, edit, documents, contacts, portal, history; and the Activity
    Log's actions: upload, write_note, share_all."""
    pk = str(int(client_id))
    return {key: before + pk + after for key, (before, after) in _patterns().items()}


@register.simple_tag
def chart_urls(client: Any) -> dict[str, str]:
    return chart_urls_for(client.pk)


_HEADER = (
    '\n<div class="d-flex flex-wrap justify-content-between align-items-start gap-2 mb-3">\n'
    "  <div>\n"
    '    <p class="mb-1"><a href="{list}">{clients}</a></p>\n'
    '    <h1 class="h3 mb-0">{{name}}</h1>\n'
    '    <p class="text-body-secondary mb-0">{born}{{pronouns}} · {{status}}</p>\n'
    "  </div>\n"
    '  <a class="btn btn-outline-secondary" href="{{edit}}">{edit_client}</a>\n'
    "</div>\n"
    '<ul class="nav nav-tabs chart-tabs mb-3">\n'
    "{{tabs}}"
    "</ul>\n"
)
_TAB = '  <li class="nav-item"><a class="nav-link{active}" href="{{}}">{label}</a></li>\n'
_ACTIVE = ' active" aria-current="page'
_HEADERS: dict[tuple[str, str], tuple[str, dict[tuple[str, bool], str]]] = {}


def _words(text: str) -> str:
    """Words escaped for a ``format_html`` format string."""
    return escape(text).replace("{", "{{").replace("}", "}}")


def _header_formats() -> tuple[str, dict[tuple[str, bool], str]]:
    """The header's ``format_html`` string and each tab's (active or not), their words translated and escaped, once
    per language and script prefix: they hold no client's data, only the words and the client list's address."""
    key = (get_language() or "", get_script_prefix())
    found = _HEADERS.get(key)
    if found is None:
        labels = {
            "face": gettext("Chart Face"),
            "documents": gettext("Documents"),
            "contacts": gettext("Contacts"),
            "portal": gettext("Portal"),
            "history": gettext("Access history"),
        }
        header = _HEADER.format(
            list=_words(reverse("staff:client_list")),
            clients=_words(gettext("Clients")),
            born=translated_format(gettext("Born %(dob)s"), "dob"),
            edit_client=_words(gettext("Edit client")),
        )
        tabs = {
            (tab, active): _TAB.format(active=_ACTIVE if active else "", label=_words(label))
            for tab, label in labels.items()
            for active in (False, True)
        }
        found = _HEADERS[key] = (header, tabs)
    return found


_HEADER_TABS: tuple[tuple[str, str], ...] = (
    ("face", "chart"),
    ("documents", "documents"),
    ("contacts", "contacts"),
    ("portal", "portal"),
)
_ALL_TABS = (*_HEADER_TABS, ("history", "history"))


@register.simple_tag(takes_context=True)
def chart_header(context: template.Context) -> str:
    """The chart's header (``staff/clients/_header.html``): the client's name, birth date, pronouns and status, the
    Edit button and the chart's tabs, ``tab`` marked current and Access history only when ``can_see_history``.
    Drawn by one ``format_html``, which escapes every value."""
    client = context["client"]
    tab = context.get("tab")
    header, tab_formats = _header_formats()
    urls = chart_urls_for(client.pk)
    if context.get("can_see_history"):
        shown = _ALL_TABS
        hidden = ""
    else:
        shown = _HEADER_TABS
        hidden = "  \n"  # where Access history would be
    tabs = format_html(
        "".join(tab_formats[name, name == tab] for name, _url in shown) + hidden, *(urls[url] for _name, url in shown)
    )
    birth = client.date_of_birth
    pronouns = client.pronouns
    return format_html(
        header,
        name=client.display_name,
        dob=f"{birth.year:04d}-{birth.month:02d}-{birth.day:02d}" if birth is not None else "",
        pronouns=format_html(" · {}", pronouns) if pronouns else "",
        status=client.get_status_display(),
        edit=urls["edit"],
        tabs=tabs,
    )
