"""``{% globe colour %}``: the share globe (DOC-4, DOC-5), drawn without a template include per row.

``colour`` is "blue" (shared to All Authorized), "orange" (shared to chosen recipients, or everything
shared with the client) or anything else for gray (not shared). Decorative: the caller supplies the words.

``{% share_status document can_share %}``: a listed document's globe and Share Status, with its words.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

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


@register.simple_tag
def share_status(document: Any, can_share: object) -> SafeString:
    """One Activity Log entry's globe and Share Status (DOC-4, DOC-6, SIGN-4), as ``Document.share_status`` says,
    linking to its share dialog for staff who may share: one call per row instead of a template include."""
    status = document.share_status
    if status == "exception":  # ShareStatus.EXCEPTION
        tip = escape(gettext("This document type is on the portal exception list and can't be shared."))
        return mark_safe(f'<span class="badge text-bg-light border" title="{tip}">{escape(status.label)}</span>')  # noqa: S308
    tip = escape(document.share_tip)
    if document.shared_all:
        recipients = f'<span class="small text-body-secondary">· {escape(gettext("All Authorized"))}</span>'
    elif document.shared_individually:
        names = escape(", ".join(share.recipient_label for share in document.open_shares))
        recipients = f'<span class="small text-body-secondary" data-shared-with>· {names}</span>'
    elif getattr(document, "signed", False):
        recipients = f'<span class="small text-body-secondary">· {escape(gettext("Signed"))}</span>'
    else:
        recipients = ""
    if can_share:
        href = escape(document.staff_url)
        opening = (
            f'<a class="d-inline-flex align-items-center gap-1 text-decoration-none" href="{href}#share" title="{tip}">'
        )
        choose = " — " + escape(gettext("choose who can see “%(title)s”") % {"title": document.title})
        closing = "</a>"
    else:
        opening = f'<span class="d-inline-flex align-items-center gap-1" title="{tip}">'
        choose = ""
        closing = "</span>"
    globe_svg = _GLOBES.get(document.globe, _GLOBES["gray"])
    label = escape(status.label)
    # Every value above is escaped; the globes are made with format_html.
    return mark_safe(  # noqa: S308
        f'{opening}\n  {globe_svg}\n  <span class="text-body" data-share-status>{label}</span>\n  {recipients}\n'
        f'  <span class="visually-hidden">({tip}){choose}</span>\n{closing}'
    )
