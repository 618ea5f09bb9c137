"""``{% globe colour %}``: the share globe (DOC-4, DOC-5), drawn without a template include per row.

``colour`` is "blue" (shared to All Authorized), "orange" (shared to chosen recipients, or everything
shared with the client) or anything else for gray (not shared). Decorative: the caller supplies the words.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_STROKES = {
    "blue": ' fill="#e7f0fa" stroke="#1f6fb5"',
    "orange": ' fill="#fdeee2" stroke="#b35300"',
}
_GRAY = ' fill="none" stroke="#6c757d"'
_SHAPE = (
    '<circle cx="11" cy="11" r="8.5"/><ellipse cx="11" cy="11" rx="3.6" ry="8.5"/>'
    '<line x1="2.5" y1="11" x2="19.5" y2="11"/></svg>'
)
# Every globe there is, made once: the colour is one of three fixed words, so no value reaches the markup.
_GLOBES = {
    colour: mark_safe(  # noqa: S308 - constant markup, no input in it
        f'<svg class="flex-shrink-0" data-globe="{colour}" aria-hidden="true" focusable="false" viewBox="0 0 22 22"'
        f' width="22" height="22" stroke-width="1.6"{_STROKES.get(colour, _GRAY)}>{_SHAPE}'
    )
    for colour in ("blue", "orange", "gray")
}


@register.simple_tag
def globe(colour: object) -> SafeString:
    return _GLOBES.get(str(colour), _GLOBES["gray"])
