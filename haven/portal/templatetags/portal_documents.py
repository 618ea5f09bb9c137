"""``{% document_cards documents %}``: the cards of My Documents, drawn in one call.

Drawing each card with its own template nodes cost more than the page's queries. Each row is a ``DocumentRow``
(values, not model instances), its links worked out once for the page (``haven.portal.links``); its words are
the page's, translated once (``pending_label``, ``out_of_date_label``, ``signed_label``, ``image_label``,
``sign_label``, ``view_label``, ``new_tab_label``, ``download_label``, ``check_seal_label``). ``format_html``
escapes every value, as the template's ``{{ }}`` did, and the HTML is the same as the template loop drew.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django import template
from django.template.loader import get_template
from django.utils.html import conditional_escape, format_html_join

from haven.core.html import format_html

register = template.Library()


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """What one card shows: the document's values and its links."""

    pk: int
    title: str
    type_name: str
    date_iso: str
    date_label: str
    is_pdf: bool
    file_size: str  # "" when the document has no file
    pending_review: bool
    request_out_of_date: bool
    signed: bool
    view_url: str
    download_url: str
    verify_url: str
    sign_url: str  # "" when no request waits


@dataclass(frozen=True, slots=True)
class _Words:
    """The cards' words, as the page translated them once (``{% translate ... as ... %}``)."""

    pending: str
    out_of_date: str
    signed: str
    image: str
    sign: str
    view: str
    new_tab: str
    download: str
    check_seal: str
    out_of_date_sentence: str

    @classmethod
    def of(cls, context: template.Context, documents: Sequence[DocumentRow]) -> _Words:
        sentence = ""
        if any(row.request_out_of_date and not row.pending_review for row in documents):
            # The one sentence every page says of an out-of-date request, from its one template.
            sentence = get_template("portal/signing/_out_of_date.html").render()
        return cls(
            pending=context["pending_label"],
            out_of_date=context["out_of_date_label"],
            signed=context["signed_label"],
            image=context["image_label"],
            sign=context["sign_label"],
            view=context["view_label"],
            new_tab=context["new_tab_label"],
            download=context["download_label"],
            check_seal=context["check_seal_label"],
            out_of_date_sentence=sentence,
        )


_NOTHING = format_html("{}", "")  # an empty safe string
# The words a card writes as they are, made safe strings once: format_html passes a safe string through.
_PDF, _PRIMARY, _OUTLINE = (format_html("{}", word) for word in ("PDF", "btn-primary", "btn-outline-primary"))


def _card(row: DocumentRow, words: _Words) -> str:
    title = conditional_escape(row.title)  # escaped once, written four times
    tags = _NOTHING
    if row.pending_review:
        tags = format_html('<span class="badge text-bg-warning">{}</span>', words.pending)
    elif row.request_out_of_date:
        tags = format_html('<span class="badge text-bg-secondary">{}</span>', words.out_of_date)
    if row.signed:
        tags = format_html('{}<span class="badge text-bg-success">{}</span>', tags, words.signed)
    size = format_html("· {}, {}", _PDF if row.is_pdf else words.image, row.file_size) if row.file_size else _NOTHING
    out_of_date = (
        format_html('\n      <p class="small mb-3" data-request-out-of-date>{}</p>\n      ', words.out_of_date_sentence)
        if row.request_out_of_date and not row.pending_review
        else _NOTHING
    )
    sign = (
        format_html(
            '\n      <a class="btn btn-primary w-100 mb-2" href="{}">{}<span class="visually-hidden"> {}</span></a>\n'
            "      ",
            row.sign_url,
            words.sign,
            title,
        )
        if row.pending_review and row.sign_url
        else _NOTHING
    )
    check_seal = (
        format_html(
            '<a class="btn btn-outline-secondary flex-fill" href="{}">{}<span class="visually-hidden"> {}</span></a>',
            row.verify_url,
            words.check_seal,
            title,
        )
        if row.signed
        else _NOTHING
    )
    return format_html(
        '\n  <li class="card shadow-sm mb-3" data-document="{}">\n'
        '    <div class="card-body p-3">\n'
        '      <div class="d-flex justify-content-between align-items-start gap-2">\n'
        '        <h2 class="h6 mb-1 text-break">{}</h2>\n'
        '        <div class="document-tags d-flex flex-wrap gap-1 flex-shrink-0">{}</div>\n'
        "      </div>\n"
        '      <p class="small text-body-secondary mb-3">\n'
        '        <span class="document-type">{}</span> ·\n'
        '        <time datetime="{}">{}</time>\n'
        "        {}\n"
        "      </p>\n"
        "      {}\n"
        "      {}\n"
        '      <div class="d-flex flex-wrap gap-2">\n'
        '        <a class="btn {} flex-fill" href="{}" target="_blank" rel="noopener">{}'
        '<span class="visually-hidden"> {} {}</span></a>\n'
        '        <a class="btn btn-outline-primary flex-fill" href="{}">{}'
        '<span class="visually-hidden"> {}</span></a>\n'
        "        {}\n"
        "      </div>\n"
        "    </div>\n"
        "  </li>\n  ",
        row.pk,
        title,
        tags,
        row.type_name,
        row.date_iso,
        row.date_label,
        size,
        out_of_date,
        sign,
        _OUTLINE if row.pending_review else _PRIMARY,
        row.view_url,
        words.view,
        title,
        words.new_tab,
        row.download_url,
        words.download,
        title,
        check_seal,
    )


@register.simple_tag(takes_context=True)
def document_cards(context: template.Context, documents: Sequence[DocumentRow]) -> str:
    """The page's cards, one ``<li>`` each, in the words the page translated once."""
    words = _Words.of(context, documents)
    return format_html_join("", "{}", ((_card(row, words),) for row in documents))
