"""``{% globe colour %}``: the share globe (DOC-4, DOC-5), drawn without a template include per row.

``colour`` is "blue" (shared to All Authorized), "orange" (shared to chosen recipients, or everything
shared with the client) or anything else for gray (not shared). Decorative: the caller supplies the words.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()

_COLOURS = {  # fill, stroke
    "blue": ("#e7f0fa", "#1f6fb5"),
    "orange": ("#fdeee2", "#b35300"),
    "gray": ("none", "#6c757d"),
}
# Every globe there is, made once (format_html escapes each value), so a row costs a dictionary lookup.
_GLOBES = {
    colour: format_html(
        '<svg class="flex-shrink-0" data-globe="{}" aria-hidden="true" focusable="false" viewBox="0 0 22 22"'
        ' width="22" height="22" stroke-width="1.6" fill="{}" stroke="{}"><circle cx="11" cy="11" r="8.5"/>'
        '<ellipse cx="11" cy="11" rx="3.6" ry="8.5"/><line x1="2.5" y1="11" x2="19.5" y2="11"/></svg>',
        colour,
        fill,
        stroke,
    )
    for colour, (fill, stroke) in _COLOURS.items()
}


@register.simple_tag
def globe(colour: object) -> str:
    return _GLOBES.get(str(colour), _GLOBES["gray"])
