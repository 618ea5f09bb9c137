"""``{% globe colour %}``: the share globe (DOC-4, DOC-5), drawn without a template include per row.

``colour`` is "blue" (shared to All Authorized), "orange" (shared to chosen recipients, or everything
shared with the client) or anything else for gray (not shared). Decorative: the caller supplies the words.

``{% share_status document can_share %}``: a listed document's globe and Share Status, with its words.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext

from haven.core.html import format_html

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


_NOTHING = format_html("{}", "")  # an empty safe string


@register.simple_tag
def share_status(document: Any, can_share: object) -> str:
    """One Activity Log entry's globe and Share Status (DOC-4, DOC-6, SIGN-4), as ``Document.share_status`` says,
    linking to its share dialog for staff who may share: one call per row instead of a template include. Built with
    ``format_html``, which escapes every value."""
    status = document.share_status
    if status == "exception":  # ShareStatus.EXCEPTION
        return format_html(
            '<span class="badge text-bg-light border" title="{}">{}</span>',
            gettext("This document type is on the portal exception list and can't be shared."),
            status.label,
        )
    tip = document.share_tip
    if document.shared_all:
        recipients = format_html('<span class="small text-body-secondary">· {}</span>', gettext("All Authorized"))
    elif document.shared_individually:
        recipients = format_html(
            '<span class="small text-body-secondary" data-shared-with>· {}</span>',
            ", ".join(share.recipient_label for share in document.open_shares),
        )
    elif getattr(document, "signed", False):
        recipients = format_html('<span class="small text-body-secondary">· {}</span>', gettext("Signed"))
    else:
        recipients = _NOTHING
    globe_svg = _GLOBES.get(document.globe, _GLOBES["gray"])
    if can_share:
        # As {% blocktranslate %}: the title escaped, the translated words as they are.
        choose = format_html(
            translated_format(gettext("choose who can see “%(title)s”"), "title"), title=document.title
        )
        return format_html(
            '<a class="d-inline-flex align-items-center gap-1 text-decoration-none" href="{}#share" title="{}">\n'
            '  {}\n  <span class="text-body" data-share-status>{}</span>\n  {}\n'
            '  <span class="visually-hidden">({}) — {}</span>\n</a>',
            document.staff_url,
            tip,
            globe_svg,
            status.label,
            recipients,
            tip,
            choose,
        )
    return format_html(
        '<span class="d-inline-flex align-items-center gap-1" title="{}">\n'
        '  {}\n  <span class="text-body" data-share-status>{}</span>\n  {}\n'
        '  <span class="visually-hidden">({})</span>\n</span>',
        tip,
        globe_svg,
        status.label,
        recipients,
        tip,
    )


def translated_format(translated: str, *names: str) -> str:
    """A translated ``{% blocktranslate %}`` sentence as a ``format_html`` string: its words as they are, each named
    value (``%(name)s``) a ``{name}`` that format_html fills, escaped, by name (a translation may reorder them)."""
    sentence = translated.replace("{", "{{").replace("}", "}}").replace("%%", "%")
    for name in names:
        sentence = sentence.replace(f"%({name})s", "{" + name + "}")
    return sentence


def _day(value: Any) -> str:
    """A date as ``{{ value|date:"Y-m-d" }}`` writes it."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _author_name(document: Any) -> str:
    """The author's name: as the first page's query read it (``listed_author``), or from the author."""
    name = getattr(document, "listed_author", None)
    return str(name) if name is not None else str(document.author.user.full_name)


@register.simple_tag(takes_context=True)
def activity_log_row(context: template.Context, document: Any) -> str:
    """One Activity Log entry's cells: date, title (with Preparing, and Share to Sign when the view offers it), type,
    author and Share Status. The words come from the page (``date_label``, ``type_label``, ``author_label``,
    ``status_label``, ``preparing``, ``share_to_sign``), translated once; ``format_html`` escapes every value."""
    preparing = (
        _NOTHING
        if document.current_version_id
        else format_html(' <span class="badge text-bg-light border">{}</span>', context["preparing"])
    )
    share_to_sign = (
        format_html(
            '\n    <div><a class="small" href="{}#share-to-sign">{}<span class="visually-hidden">: {}</span></a></div>',
            document.staff_url,
            context["share_to_sign"],
            document.title,
        )
        if getattr(document, "offer_share_to_sign", False)
        else _NOTHING
    )
    return format_html(
        '<td data-label="{}" class="text-nowrap">{}</td>\n'
        '    <td><a href="{}">{}</a>{}{}</td>\n'
        '    <td data-label="{}">{}</td>\n'
        '    <td data-label="{}">{}</td>\n'
        '    <td data-label="{}">{}</td>',
        context["date_label"],
        _day(document.document_date),
        document.staff_url,
        document.title,
        preparing,
        share_to_sign,
        context["type_label"],
        document.type.name,
        context["author_label"],
        _author_name(document),
        context["status_label"],
        share_status(document, context.get("can_share")),
    )


@register.simple_tag(takes_context=True)
def chart_document_row(context: template.Context, document: Any) -> str:
    """One of the Chart Face's latest documents: date, title, type, Share Status and its file. The words come from
    the page (``date_label``, ``type_label``, ``status_label``, ``download``, ``download_signed``, ``preparing``),
    translated once; ``format_html`` escapes every value."""
    if document.current_version_id:
        words = context["download_signed"] if getattr(document, "signed", False) else context["download"]
        file = format_html(
            '<a href="{}?download=1">{}<span class="visually-hidden">: {}</span></a>',
            document.file_url,
            words,
            document.title,
        )
    else:
        file = format_html('<span class="small text-body-secondary">{}</span>', context["preparing"])
    return format_html(
        '<tr data-document="{}">\n'
        '          <td data-label="{}" class="text-nowrap">{}</td>\n'
        '          <td><a href="{}">{}</a></td>\n'
        '          <td data-label="{}">{}</td>\n'
        '          <td data-label="{}">{}</td>\n'
        '          <td class="text-nowrap">{}</td>\n'
        "        </tr>",
        document.pk,
        context["date_label"],
        _day(document.document_date),
        document.staff_url,
        document.title,
        context["type_label"],
        document.type.name,
        context["status_label"],
        share_status(document, context.get("can_share")),
        file,
    )
