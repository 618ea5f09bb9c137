"""``{% globe colour %}``: the share globe (DOC-4, DOC-5), drawn without a template include per row.

``colour`` is "blue" (shared to All Authorized), "orange" (shared to chosen recipients, or everything
shared with the client) or anything else for gray (not shared). Decorative: the caller supplies the words.

``{% share_status document can_share %}``: a listed document's globe and Share Status, with its words.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.translation import get_language, gettext

from haven.core.html import format_html
from haven.core.remembered_words import per_language
from haven.core.templatetags.haven_fixed import fixed_url

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


def _words(text: Any) -> str:
    """Words for a ``format_html`` string: escaped as ``format_html`` would escape a value, braces doubled."""
    return str(conditional_escape(text)).replace("{", "{{").replace("}", "}}")


def _status_words() -> dict[str, str]:
    """Share Status's fragments of ``format_html`` string in the current language: its words translated and escaped
    once per process and language (they hold no client data), the values left as ``{url}``, ``{title}`` and
    ``{names}``."""
    language = get_language() or ""
    words = _STATUS_WORDS.get(language)
    if words is None:
        words = _STATUS_WORDS[language] = _translate_status_words()
    return words


_STATUS_WORDS: dict[str, dict[str, str]] = per_language()


def _translate_status_words() -> dict[str, str]:
    recipients = '<span class="small text-body-secondary">· {}</span>'
    words = {
        "exception tip": _words(gettext("This document type is on the portal exception list and can't be shared.")),
        "recipients blue": recipients.format(_words(gettext("All Authorized"))),
        "recipients orange": '<span class="small text-body-secondary" data-shared-with>· {names}</span>',
        "recipients signed": recipients.format(_words(gettext("Signed"))),
        "recipients gray": "",
        # As {% blocktranslate %}: the title escaped, the translated words as they are.
        "choose": translated_format(gettext("choose who can see “%(title)s”"), "title"),
    }
    tips = {
        "blue": gettext("Shared to All Authorized"),
        "orange": gettext("Shared with individually selected recipients"),
        "gray": gettext("Not shared to the portal"),
    }
    for colour, tip in tips.items():
        tip, globe_svg = _words(tip), _words(_GLOBES[colour])
        words[f"link {colour}"] = (
            '<a class="d-inline-flex align-items-center gap-1 text-decoration-none" href="{url}#share" '
            f'title="{tip}">\n  {globe_svg}\n  <span class="text-body" data-share-status>'
        )
        words[f"link end {colour}"] = f'\n  <span class="visually-hidden">({tip}) — {words["choose"]}</span>\n</a>'
        words[f"span {colour}"] = (
            f'<span class="d-inline-flex align-items-center gap-1" title="{tip}">\n  {globe_svg}\n'
            '  <span class="text-body" data-share-status>'
        )
        words[f"span end {colour}"] = f'\n  <span class="visually-hidden">({tip})</span>\n</span>'
    return words


def _label(status: Any, words: dict[str, str]) -> str:
    """A Share Status's label in ``words``, translated and escaped at its first use in the language."""
    label = words.get(status.value)
    if label is None:
        label = words[status.value] = _words(status.label)
    return label


def _status_format(document: Any, can_share: object, words: dict[str, str]) -> tuple[str, str | None]:
    """A listed document's globe and Share Status (DOC-4, DOC-6, SIGN-4) as a ``format_html`` string of
    ``words`` (``_status_words``) that takes ``url`` and ``title`` (when ``can_share``) and ``names`` (the people
    it is shared with, returned with it when it names them): what ``Document.share_status`` and
    ``Document.globe`` say."""
    status = document.share_status
    if status == "exception":  # ShareStatus.EXCEPTION
        exception = f'<span class="badge text-bg-light border" title="{words["exception tip"]}">{_label(status, words)}'
        return exception + "</span>", None
    colour = document.globe
    names = None
    if colour == "orange":
        names = ", ".join(share.recipient_label for share in document.open_shares)
        recipients = words["recipients orange"]
    elif colour == "gray" and getattr(document, "signed", False):
        recipients = words["recipients signed"]
    else:
        recipients = words[f"recipients {colour}"]
    opening, closing = ("link", "link end") if can_share else ("span", "span end")
    shape = words[f"{opening} {colour}"] + _label(status, words) + "</span>\n  " + recipients
    return shape + words[f"{closing} {colour}"], names


@register.simple_tag
def share_status(document: Any, can_share: object) -> str:
    """One listed document's globe and Share Status (DOC-4, DOC-6, SIGN-4), as ``Document.share_status`` says,
    linking to its share dialog (``staff_url``) for staff who may share: one call per row instead of a template
    include. Built with ``format_html``, which escapes every value; its words translated once per language."""
    shape, names = _status_format(document, can_share, _status_words())
    if names is None:
        return format_html(shape, url=document.staff_url, title=document.title)
    return format_html(shape, url=document.staff_url, title=document.title, names=names)


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


def _row_words(words: dict[str, str]) -> dict[str, str]:
    """The Activity Log row's own fragments, added to ``words`` (``_status_words``) at its first use in a language."""
    if "row head" not in words:
        date, type_, author, status = (_words(gettext(label)) for label in ("Date", "Type", "Author", "Share Status"))
        words["row head"] = f'\n  <tr>\n    <td data-label="{date}" class="text-nowrap">'
        words["row title"] = '</td>\n    <td><a href="{url}">{title}</a>'
        words["preparing"] = (
            f' <span class="badge text-bg-light border">{_words(gettext("PDF being prepared…"))}</span>'
        )
        words["share to sign"] = (
            '\n    <div><a class="small" href="{url}#share-to-sign">'
            f'{_words(gettext("Share to Sign"))}<span class="visually-hidden">: {{title}}</span></a></div>'
        )
        words["row type"] = f'</td>\n    <td data-label="{type_}">'
        words["row author"] = f'</td>\n    <td data-label="{author}">'
        words["row status"] = f'</td>\n    <td data-label="{status}">'
    return words


@register.simple_tag(takes_context=True)
def activity_log_rows(context: template.Context, entries: Any) -> str:
    """The Activity Log's rows: each entry's date, title (with Preparing, and Share to Sign when the view offers it),
    type, author and Share Status, each row one ``format_html`` (which escapes every value) of words translated once
    per process and language (``_status_words``). A page's few type and author names, escaped as ``format_html``
    escapes them, once per name and call (``_words``), and its dates (digits, ``_day``) are part of the row's
    shape; its address, title and recipients are values."""
    words = _row_words(_status_words())
    can_share = context.get("can_share")
    head, title, preparing, share_to_sign = (
        words["row head"],
        words["row title"],
        words["preparing"],
        words["share to sign"],
    )
    type_cell, author_cell, status_cell = words["row type"], words["row author"], words["row status"]
    names_of: dict[str, str] = {}  # each type or author name on the page as ``_words`` escapes it; this call only
    rows = []
    for document in entries:
        status, names = _status_format(document, can_share, words)
        type_name, author = document.type.name, _author_name(document)
        type_words = names_of.get(type_name)
        if type_words is None:
            type_words = names_of[type_name] = _words(type_name)
        author_words = names_of.get(author)
        if author_words is None:
            author_words = names_of[author] = _words(author)
        shape = "".join(
            (
                head,
                _day(document.document_date),
                title,
                "" if document.current_version_id else preparing,
                share_to_sign if getattr(document, "offer_share_to_sign", False) else "",
                type_cell,
                type_words,
                author_cell,
                author_words,
                status_cell,
                status,
                "</td>\n  </tr>\n  ",
            )
        )
        if names is None:
            rows.append(format_html(shape, url=document.staff_url, title=document.title))
        else:
            rows.append(format_html(shape, url=document.staff_url, title=document.title, names=names))
    return format_html("{}" * len(rows), *rows) if rows else _NOTHING


_TABLE_WORDS: dict[str, dict[str, str]] = per_language()


def _table_words() -> dict[str, str]:
    """The Activity Log table's fixed words around its rows, translated once per process and language, as the
    template wrote them: ``{% translate "literal" %}`` (``_template_words``) and ``{% blocktranslate %}``
    (``translated_format``) leave a template's own words as they are."""
    language = get_language() or ""
    words = _TABLE_WORDS.get(language)
    if words is None:
        words = _TABLE_WORDS[language] = _translate_table_words()
    return words


def _translate_table_words() -> dict[str, str]:
    log, date, title, type_, author, status, pages, previous, following = (
        _template_words(gettext(label))
        for label in ("Activity Log", "Date", "Title", "Type", "Author", "Share Status", "Pages", "Previous", "Next")
    )
    return {
        "head": (
            '\n<div class="table-responsive">\n<table class="table bg-white table-responsive-stack mb-2">\n'
            f'  <caption class="visually-hidden">{log}</caption>\n'
            f'  <thead><tr><th scope="col">{date}</th><th scope="col">{title}</th><th scope="col">{type_}</th>'
            f'<th scope="col">{author}</th><th scope="col">{status}</th></tr></thead>\n'
            "  <tbody>\n  \n  {rows}\n  </tbody>\n</table>\n</div>\n"
            f'<nav class="d-flex flex-wrap justify-content-between align-items-center gap-2" aria-label="{pages}">\n'
            '  <span class="small text-body-secondary">'
        ),
        # The msgids of the template's {% blocktranslate %} sentences, their dash as it is.
        "of": translated_format(gettext("%(start)s–%(end)s of %(total)s"), "start", "end", "total"),  # noqa: RUF001
        "of more": translated_format(
            gettext("%(start)s–%(end)s of more than %(total)s"),  # noqa: RUF001
            "start",
            "end",
            "total",
        ),
        "list": '</span>\n  <ul class="pagination mb-0">\n    ',
        "previous": f'<li class="page-item"><a class="page-link" href="?{{type}}page={{previous}}">{previous}</a></li>',
        "between": "\n    ",
        "next": f'<li class="page-item"><a class="page-link" href="?{{type}}page={{next}}">{following}</a></li>',
        "end": "\n  </ul>\n</nav>\n",
        "none of type": (
            '\n<div class="card card-body text-body-secondary">'
            f"{_template_words(gettext('No documents of this type yet.'))}</div>\n"
        ),
        "none": (
            '\n<div class="card card-body text-body-secondary">'
            + _template_words(gettext("No documents yet. Upload a document or write a note; it appears here."))
            + "</div>\n"
        ),
    }


@register.simple_tag(takes_context=True)
def activity_log_table(context: template.Context, page: Any, entries: Any, type_id: object) -> str:
    """The Activity Log's table (``activity_log_rows``) and its pages, or, with no entry, why the log is empty: one
    ``format_html`` of words translated once per process and language (``_table_words``), which escapes every
    value."""
    words = _table_words()
    if not page.object_list:
        return format_html(words["none of type" if type_id else "none"] + "{}", "")
    shape = "".join(
        (
            words["head"],
            words["of more" if page.total_is_lower_bound else "of"],
            words["list"],
            words["previous"] if page.has_previous else "",
            words["between"],
            words["next"] if page.has_next else "",
            words["end"],
        )
    )
    return format_html(
        shape,
        rows=activity_log_rows(context, entries),
        start=page.start_index,
        end=page.end_index,
        total=page.total,
        type=format_html("type={}&amp;", type_id) if type_id else "",
        previous=page.previous_page_number,
        next=page.next_page_number,
    )


_ACTIONS_WORDS: dict[str, dict[str, str]] = per_language()


def _actions_words() -> dict[str, str]:
    """The Activity Log's heading, its own globe (DOC-5) and its buttons, as ``format_html`` strings of words
    translated once per process and language (``_template_words``), the values left as ``{share_all}``, ``{confirm}``,
    ``{csrf}``, ``{upload}`` and ``{write_note}``."""
    language = get_language() or ""
    words = _ACTIONS_WORDS.get(language)
    if words is None:
        words = _ACTIONS_WORDS[language] = _translate_actions_words()
    return words


def _template_words(text: str) -> str:
    """Words for a ``format_html`` string as ``{% translate "literal" %}`` writes them: a template's own words,
    translated, trusted as the template trusts them (not escaped), braces doubled."""
    return text.replace("{", "{{").replace("}", "}}")


def _translate_actions_words() -> dict[str, str]:
    tips = {
        True: _template_words(gettext("Everything available is shared with the client on the portal.")),
        False: _template_words(gettext("Not everything available is shared with the client on the portal yet.")),
    }
    send = _template_words(gettext("— send all documentation to the client's portal."))
    seal = _template_words(gettext("Check a PDF's seal"))
    labels = {
        (True, True): _template_words(gettext("All shared")),
        (True, False): _template_words(gettext("Share all")),
        (False, True): _template_words(gettext("All shared")),
        (False, False): _template_words(gettext("Not all shared")),
    }
    words = {
        "head": (
            '<div class="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-3">\n'
            '  <div class="d-flex flex-wrap align-items-center gap-2">\n'
            f'    <h2 class="h5 mb-0">{_template_words(gettext("Activity Log"))}</h2>\n    \n\n'
        ),
        "buttons": '\n\n  </div>\n  <div class="d-flex flex-wrap gap-2">\n    ',
        "upload": f'<a class="btn btn-primary" href="{{upload}}">{_template_words(gettext("Upload document"))}</a>',
        "write note": (
            f'<a class="btn btn-outline-primary" href="{{write_note}}">{_template_words(gettext("Write a note"))}</a>'
        ),
        "verify": (f'\n    <a class="btn btn-outline-secondary" href="{{verify}}">{seal}</a>\n  </div>\n</div>'),
    }
    for shared in (True, False):
        tip, globe_svg = tips[shared], _words(_GLOBES["orange" if shared else "gray"])
        words[f"share {shared}"] = (
            '\n<form method="post" action="{share_all}" data-confirm="{confirm}">\n  {csrf}\n'
            '  <button type="submit" class="btn btn-sm btn-outline-secondary d-inline-flex align-items-center gap-1"'
            f' title="{tip}">\n    {globe_svg}\n    <span>{labels[True, shared]}</span>\n'
            f'    <span class="visually-hidden">{send} {tip}</span>\n  </button>\n</form>\n'
        )
        words[f"show {shared}"] = (
            f'\n<span class="d-inline-flex align-items-center gap-1 small" title="{tip}">\n  {globe_svg}\n'
            f'  <span>{labels[False, shared]}</span>\n  <span class="visually-hidden">: {tip}</span>\n</span>\n'
        )
    return words


@register.simple_tag(takes_context=True)
def activity_log_actions(context: template.Context, chart_url: Any) -> str:
    """The Activity Log's heading with its own globe (DOC-5: Share all for staff who may share, else whether all is
    shared) and its buttons (Upload document, Write a note, Check a PDF's seal): one ``format_html`` of words
    translated once per process and language (``_actions_words``), which escapes every value."""
    words = _actions_words()
    shared = bool(context.get("all_shared"))
    can_share = context.get("can_share")
    shape = "".join(
        (
            words["head"],
            words[f"share {shared}"] if can_share else words[f"show {shared}"],
            words["buttons"],
            words["upload"] if context.get("can_upload") else "",
            "\n    ",
            words["write note"] if context.get("can_write_notes") else "",
            words["verify"],
        )
    )
    values: dict[str, object] = {"verify": fixed_url("staff:verify")}
    if can_share:
        csrf_token = context.get("csrf_token")
        csrf = ""
        if csrf_token and csrf_token != "NOTPROVIDED":  # noqa: S105  (as {% csrf_token %}: no token, not a password)
            csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token)
        values.update(share_all=chart_url["share_all"], confirm=context.get("share_all_confirm", ""), csrf=csrf)
    if context.get("can_upload"):
        values["upload"] = chart_url["upload"]
    if context.get("can_write_notes"):
        values["write_note"] = chart_url["write_note"]
    return format_html(shape, **values)
