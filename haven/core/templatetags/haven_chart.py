"""``{% chart_urls client as urls %}``: the addresses of a client's chart tabs, reversed once per process.

Each tab's address differs between clients only by the client's id: the patterns are reversed once with a
stand-in id (per script prefix) and the id is put in, so a chart page's header costs no ``{% url %}`` per tab.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import get_script_prefix, reverse

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
