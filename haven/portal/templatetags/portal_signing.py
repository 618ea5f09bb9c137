"""``{% signing_page %}``: the signing page (``portal/signing/sign.html``) below its title, drawn in one call.

The page's words, its sentences as ``format_html`` strings, are translated and escaped once per language (they hold
no signer's data); the request's values are put in by ``format_html``, which escapes every one of them, as the
template's nodes did (``{% blocktranslate %}`` sentences: the translated words as they are, each value escaped).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import get_language, gettext, ngettext

from haven.core.html import format_html
from haven.core.remembered_words import per_language
from haven.core.templatetags.haven_fixed import fixed_static
from haven.core.templatetags.haven_globe import translated_format
from haven.core.templatetags.haven_time import when
from haven.portal.templatetags.portal_urls import portal_url

register = template.Library()

_PAGE = (
    '\n<p class="mb-2"><a href="{{my_documents}}">&larr; {back}</a></p>\n'
    '<h1 class="h3 mb-3">{review}</h1>\n'
    "\n"
    '<section class="card shadow-sm mb-3" aria-labelledby="document-heading">\n'
    '  <div class="card-body p-4">\n'
    '    <div class="d-flex justify-content-between align-items-start gap-2">\n'
    '      <h2 class="h5 mb-1 text-break" id="document-heading">{{title}}</h2>\n'
    '      <span class="badge text-bg-warning flex-shrink-0">{pending}</span>\n'
    "    </div>\n"
    '    <p class="small text-body-secondary mb-3">\n'
    "      {{type}} ·\n"
    "      {{asks}}\n"
    "      {sign_by}\n"
    "    </p>\n"
    '    <p class="signing-as mb-3" id="signing-as">\n'
    "      <strong>{signing_as}</strong>\n"
    "      {{signer}}\n"
    "    </p>\n"
    '    <a class="btn btn-primary btn-lg w-100 mb-2" href="{{document_url}}" target="_blank" rel="noopener"'
    ' id="open-document">{open}<span class="visually-hidden"> {new_tab}</span></a>\n'
    '    <p class="small text-body-secondary mb-0" id="document-size">\n'
    "      PDF{{pages}}, {{size}}.\n"
    "      {{read}}\n"
    "    </p>\n"
    "    {{previews}}\n"
    "  </div>\n"
    "</section>\n"
    "\n"
    '<form method="post" action="{{sign_url}}" class="card shadow-sm mb-3" data-signing-form novalidate>\n'
    '  <div class="card-body p-4">\n'
    "    {{csrf}}\n"
    "    {{signature_fields}}\n"
    '    <input type="email" autocomplete="username" value="{{email}}" class="d-none" aria-hidden="true"'
    ' tabindex="-1" readonly>\n'
    "    {{password}}\n"
    '    <button type="submit" class="btn btn-primary btn-lg w-100">{sign_document}</button>\n'
    "  </div>\n"
    "</form>\n"
    "\n"
    '<details class="card shadow-sm mb-3 decline-box"{{decline_open}}>\n'
    '  <summary class="card-body px-4 py-3">{decline}</summary>\n'
    '  <form method="post" action="{{decline_url}}" class="card-body px-4 pt-0 pb-4" novalidate>\n'
    "    {{csrf}}\n"
    '    <p class="small text-body-secondary">{why}</p>\n'
    "    {{decline_fields}}\n"
    '    <button type="submit" class="btn btn-outline-danger">{decline}</button>\n'
    "  </form>\n"
    "</details>\n"
    "\n"
    '<script src="{{signature_pad}}" defer></script>\n'
    '<script src="{{signing_js}}" defer></script>\n'
)
_PREVIEWS = (
    '\n    <div class="document-pages mt-3" tabindex="0" role="group" aria-label="{label}">\n'
    "      {{}}\n"
    "    </div>\n"
    "    "
)
_PREVIEW = '\n      <img class="document-page" src="{}" width="900" loading="lazy" alt="{}">\n      '
_CSRF = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
_OPEN = format_html("{}", " open")
_NOTHING = format_html("{}", "")


@dataclass(frozen=True)
class _Words:
    """The signing page's words in one language, translated and escaped once: they hold no signer's data."""

    page: str  # the format string of the page
    asks: str  # the format string of who asks for the signature
    previews: str  # the format string of the document's page images, around them
    for_self: str  # the format string of "Signing as" for the signer themself
    as_guardian: str  # ... for a client, as their legal guardian
    read_below: str  # drawn (safe)
    read_in_tab: str  # drawn (safe)


_WORDS: dict[str, _Words] = per_language()


def _said(text: str) -> str:
    """Translated words for a ``format_html`` format string, as ``{% translate "..." %}`` wrote them: a constant's
    translation is written as it is (the catalogue is trusted, as the template is), its braces doubled."""
    return text.replace("{", "{{").replace("}", "}}")


def _words() -> _Words:
    language = get_language() or ""
    found = _WORDS.get(language)
    if found is None:
        # ``{% blocktranslate %}`` sentences: their words as they are, their values filled (escaped) by name.
        found = _WORDS[language] = _Words(
            page=_PAGE.format(
                back=_said(gettext("Back to My Documents")),
                review=_said(gettext("Review and sign")),
                pending=_said(gettext("Pending Review")),
                sign_by=translated_format(gettext("Please sign by %(date)s."), "date"),
                signing_as=_said(gettext("Signing as:")),
                open=_said(gettext("Open the document")),
                new_tab=_said(gettext("(opens in a new tab)")),
                sign_document=_said(gettext("Sign Document")),
                decline=_said(gettext("Decline to sign")),
                why=_said(
                    gettext(
                        "If you don't want to sign, or would rather sign on paper, tell the practice why. "
                        "Nothing is signed."
                    )
                ),
            ),
            previews=_PREVIEWS.format(label=_said(gettext("The document, page by page"))),
            asks=translated_format(gettext("%(name)s of %(practice)s asks for your signature."), "name", "practice"),
            for_self=translated_format(gettext("%(name)s — for yourself"), "name"),
            as_guardian=translated_format(gettext("%(name)s — for %(client)s as legal guardian"), "name", "client"),
            read_below=format_html(
                _said(
                    gettext(
                        "Read it all before you sign: its pages are below, or open it in a new tab "
                        "(this page stays here)."
                    )
                )
                + "{}",
                "",
            ),
            read_in_tab=format_html(
                _said(gettext("Read it all before you sign: it opens in a new tab, and this page stays here.")) + "{}",
                "",
            ),
        )
    return found


def _local(moment: Any) -> Any:
    """A moment as a filter that expects local time gets it: aware ones in the current time zone."""
    return timezone.localtime(moment) if moment is not None and timezone.is_aware(moment) else moment


@register.simple_tag(takes_context=True)
def signing_page(context: template.Context) -> str:
    """The signing page's document card, signing form and decline form (``sign_request``, ``document``,
    ``version``, ``page_count``, ``preview_pages``, ``for_self``, ``signer_name``, ``client``, ``asked_by``,
    ``fields``, ``signature_fields``, ``decline_open``, and the portal's ``practice``, ``portal`` and
    ``csrf_token``), as the template's nodes drew them."""
    words = _words()
    sign_request = context["sign_request"]
    document = context["document"]
    slug = context["practice"].slug
    if context.get("for_self"):
        signer = format_html(words.for_self, name=context["signer_name"])
    else:
        signer = format_html(words.as_guardian, name=context["signer_name"], client=context["client"].full_name)
    count = context.get("page_count")
    if count:
        sentence = translated_format(ngettext("%(counter)s page", "%(counter)s pages", count), "counter")
        pages: object = format_html(", " + sentence, counter=localize(count))
    else:
        pages = _NOTHING
    preview_pages = context.get("preview_pages")
    if preview_pages:
        images = format_html(_PREVIEW * len(preview_pages), *(value for pair in preview_pages for value in pair))
        previews: object = format_html(words.previews, images)
        read = words.read_below
    else:
        previews, read = _NOTHING, words.read_in_tab
    masked = context.get("csrf_token")  # as {% csrf_token %}: the page's one (masked) token, in both forms
    csrf: object = _NOTHING
    if masked:
        csrf = format_html(_CSRF, masked) if masked != "NOTPROVIDED" else _NOTHING
    fields = context["fields"]
    return format_html(
        words.page,
        my_documents=portal_url("portal:my_documents", slug),
        title=document.title,
        type=document.type.name,
        asks=format_html(words.asks, name=context["asked_by"], practice=context["practice"].name),
        date=when(_local(sign_request.expires_at)),
        signer=signer,
        document_url=portal_url("portal:document_view", slug, document.pk),
        pages=pages,
        size=filesizeformat(context["version"].size),
        read=read,
        previews=previews,
        sign_url=portal_url("portal:sign", slug, sign_request.pk),
        csrf=csrf,
        signature_fields=context["signature_fields"],
        email=context["portal"].account.email,
        password=fields["password"],
        decline_open=_OPEN if context.get("decline_open") else _NOTHING,
        decline_url=portal_url("portal:decline", slug, sign_request.pk),
        decline_fields=fields["decline"],
        signature_pad=fixed_static("vendor/signature_pad/signature_pad.umd.min.js"),
        signing_js=fixed_static("haven/signing.js"),
    )
