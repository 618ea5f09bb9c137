"""``{% globe colour %}``: the share globe (DOC-4, DOC-5), drawn without a template include per row.

``colour`` is "blue" (shared to All Authorized), "orange" (shared to chosen recipients, or everything
shared with the client) or anything else for gray (not shared). Decorative: the caller supplies the words.

``{% share_status document can_share %}``: a listed document's globe and Share Status, with its words.
"""

from __future__ import annotations

import html
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeData, SafeString, mark_safe
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


def _escape(value: object) -> str:
    """``conditional_escape`` without its lazy-argument wrapper: safe strings as they are, anything else escaped
    (``html.escape``, as Django's ``escape``). Called a few times per listed row."""
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(value))


@register.simple_tag
def share_status(document: Any, can_share: object) -> SafeString:
    """One Activity Log entry's globe and Share Status (DOC-4, DOC-6, SIGN-4), as ``Document.share_status`` says,
    linking to its share dialog for staff who may share: one call per row instead of a template include."""
    status = document.share_status
    if status == "exception":  # ShareStatus.EXCEPTION
        tip = _escape(gettext("This document type is on the portal exception list and can't be shared."))
        return mark_safe(f'<span class="badge text-bg-light border" title="{tip}">{_escape(status.label)}</span>')  # noqa: S308
    tip = _escape(document.share_tip)
    if document.shared_all:
        recipients = f'<span class="small text-body-secondary">· {_escape(gettext("All Authorized"))}</span>'
    elif document.shared_individually:
        names = _escape(", ".join(share.recipient_label for share in document.open_shares))
        recipients = f'<span class="small text-body-secondary" data-shared-with>· {names}</span>'
    elif getattr(document, "signed", False):
        recipients = f'<span class="small text-body-secondary">· {_escape(gettext("Signed"))}</span>'
    else:
        recipients = ""
    if can_share:
        href = _escape(document.staff_url)
        opening = (
            f'<a class="d-inline-flex align-items-center gap-1 text-decoration-none" href="{href}#share" title="{tip}">'
        )
        # As {% blocktranslate %}: the title escaped, the translated words as they are.
        choose = " — " + gettext("choose who can see “%(title)s”") % {"title": _escape(document.title)}
        closing = "</a>"
    else:
        opening = f'<span class="d-inline-flex align-items-center gap-1" title="{tip}">'
        choose = ""
        closing = "</span>"
    globe_svg = _GLOBES.get(document.globe, _GLOBES["gray"])
    label = _escape(status.label)
    # Every value above is escaped; the globes are made with format_html.
    return mark_safe(  # noqa: S308
        f'{opening}\n  {globe_svg}\n  <span class="text-body" data-share-status>{label}</span>\n  {recipients}\n'
        f'  <span class="visually-hidden">({tip}){choose}</span>\n{closing}'
    )


@register.simple_tag(takes_context=True)
def activity_log_row(context: template.Context, document: Any) -> SafeString:
    """One Activity Log entry's cells: date, title (with Preparing, and Share to Sign when the view offers it), type,
    author and Share Status. The words come from the page (``date_label``, ``type_label``, ``author_label``,
    ``status_label``, ``preparing``, ``share_to_sign``), translated once; every value is escaped."""
    day = document.document_date
    href = _escape(document.staff_url)
    title = _escape(document.title)
    preparing = (
        ""
        if document.current_version_id
        else f' <span class="badge text-bg-light border">{_escape(context["preparing"])}</span>'
    )
    share_to_sign = (
        f'\n    <div><a class="small" href="{href}#share-to-sign">{_escape(context["share_to_sign"])}'
        f'<span class="visually-hidden">: {title}</span></a></div>'
        if getattr(document, "offer_share_to_sign", False)
        else ""
    )
    date = f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
    status = share_status(document, context.get("can_share"))
    return mark_safe(  # noqa: S308
        f'<td data-label="{_escape(context["date_label"])}" class="text-nowrap">{date}</td>\n'
        f'    <td><a href="{href}">{title}</a>{preparing}{share_to_sign}</td>\n'
        f'    <td data-label="{_escape(context["type_label"])}">{_escape(document.type.name)}</td>\n'
        f'    <td data-label="{_escape(context["author_label"])}">{_escape(document.author.user.full_name)}</td>\n'
        f'    <td data-label="{_escape(context["status_label"])}">{status}</td>'
    )


@register.simple_tag(takes_context=True)
def chart_document_row(context: template.Context, document: Any) -> SafeString:
    """One of the Chart Face's latest documents: date, title, type, Share Status and its file. The words come from
    the page (``date_label``, ``type_label``, ``status_label``, ``download``, ``download_signed``, ``preparing``),
    translated once; every value is escaped."""
    day = document.document_date
    title = _escape(document.title)
    if document.current_version_id:
        words = context["download_signed"] if getattr(document, "signed", False) else context["download"]
        file = (
            f'<a href="{_escape(document.file_url)}?download=1">{_escape(words)}'
            f'<span class="visually-hidden">: {title}</span></a>'
        )
    else:
        file = f'<span class="small text-body-secondary">{_escape(context["preparing"])}</span>'
    date = f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
    status = share_status(document, context.get("can_share"))
    return mark_safe(  # noqa: S308
        f'<tr data-document="{int(document.pk)}">\n'
        f'          <td data-label="{_escape(context["date_label"])}" class="text-nowrap">{date}</td>\n'
        f'          <td><a href="{_escape(document.staff_url)}">{title}</a></td>\n'
        f'          <td data-label="{_escape(context["type_label"])}">{_escape(document.type.name)}</td>\n'
        f'          <td data-label="{_escape(context["status_label"])}">{status}</td>\n'
        f'          <td class="text-nowrap">{file}</td>\n'
        "        </tr>"
    )
