"""``{% chart_urls client as urls %}``: the addresses of a client's chart tabs, reversed once per process.

Each tab's address differs between clients only by the client's id: the patterns are reversed once with a
stand-in id (per script prefix) and the id is put in, so a chart page's header costs no ``{% url %}`` per tab.

``{% chart_header %}``: the header every chart page shows above its tabs, drawn in one call.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from django import template
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext

from haven.core.html import format_html
from haven.core.remembered_words import per_language
from haven.core.templatetags.haven_globe import share_status, translated_format

register = template.Library()

_STAND_IN = 987654321
_TABS = {
    "chart": "staff:client_chart",
    "edit": "staff:client_edit",
    "documents": "staff:activity_log",
    "intake": "staff:intake_forms",
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
    """The client's chart tab addresses by tab: chart, edit, documents, intake, contacts, portal, history; and the
    Activity Log's actions: upload, write_note, share_all."""
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
    "{{notice}}"
)
_TAB = '  <li class="nav-item"><a class="nav-link{active}" href="{{}}">{label}</a></li>\n'
_ACTIVE = ' active" aria-current="page'
_HEADERS: dict[tuple[str, str], tuple[str, dict[tuple[str, bool], str]]] = per_language()


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
            "intake": gettext("Intake Forms"),
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
    ("intake", "intake"),
    ("contacts", "contacts"),
    ("portal", "portal"),
)
_ALL_TABS = (*_HEADER_TABS, ("history", "history"))


@register.simple_tag(takes_context=True)
def chart_header(context: template.Context) -> str:
    """The chart's header (``staff/clients/_header.html``): the client's name, birth date, pronouns and status, the
    Edit button and the chart's tabs, ``tab`` marked current and Access history only when ``can_see_history``; then
    ``chart_notice``, markup a page drew for under the tabs (the intake safety flag), if any. Drawn by one
    ``format_html``, which escapes every value (a ``chart_notice`` that is not a safe string too)."""
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
        notice=context.get("chart_notice") or "",
    )


_DETAILS = (
    '  <section class="col-12 col-lg-6" aria-labelledby="face-details">\n'
    '    <div class="card h-100"><div class="card-body">\n'
    '      <h2 class="h5" id="face-details">{details}</h2>\n'
    '      <dl class="row mb-0">\n'
    '        <dt class="col-sm-4">{email}</dt><dd class="col-sm-8">{{email}}</dd>\n'
    '        <dt class="col-sm-4">{phone}</dt><dd class="col-sm-8">{{phone}}</dd>\n'
    '        <dt class="col-sm-4">{address}</dt><dd class="col-sm-8">{{address}}</dd>\n'
    '        <dt class="col-sm-4">{facility}</dt><dd class="col-sm-8">{{facility}}</dd>\n'
    '        <dt class="col-sm-4">{age}</dt><dd class="col-sm-8">{{age}}</dd>\n'
    '        <dt class="col-sm-4">{since}</dt><dd class="col-sm-8">{{since}}</dd>\n'
    "      </dl>\n"
    "    </div></div>\n"
    "  </section>\n"
    '  <section class="col-12 col-lg-6" aria-labelledby="face-contacts">\n'
    '    <div class="card h-100"><div class="card-body">\n'
    '      <div class="d-flex justify-content-between align-items-center">\n'
    '        <h2 class="h5 mb-0" id="face-contacts">{related}</h2>\n'
    '        <a class="small" href="{{contacts_url}}">{manage}</a>\n'
    "      </div>\n"
    "      {{contacts}}\n"
    "      {{contact_of}}\n"
    "    </div></div>\n"
    "  </section>"
)


@dataclass(frozen=True)
class _Face:
    """The Chart Face's cards' words for one language, translated and escaped once: they hold no client's data."""

    details: str  # the format string of both cards
    no_contacts: str  # drawn (safe)
    contact: str  # the format string of one contact, then its badges
    web_portal: str  # drawn (safe)
    legal_guardian: str  # drawn (safe)
    contact_of: str  # the format string of the list of clients the client is a contact for
    the_practice: str


_FACES: dict[str, _Face] = per_language()


def _face() -> _Face:
    language = get_language() or ""
    found = _FACES.get(language)
    if found is None:
        details = _DETAILS.format(
            details=_words(gettext("Details")),
            email=_words(gettext("Email")),
            phone=_words(gettext("Phone")),
            address=_words(gettext("Address")),
            facility=_words(gettext("Facility")),
            age=_words(gettext("Age")),
            since=_words(gettext("Client since")),
            related=_words(gettext("Related contacts")),
            manage=_words(gettext("Manage contacts")),
        )
        found = _FACES[language] = _Face(
            details=details,
            no_contacts=format_html(
                '\n      <p class="text-body-secondary mt-2 mb-0">{}</p>\n      ', gettext("No related contacts yet.")
            ),
            contact=(
                '\n        <li class="py-1">{} <span class="text-body-secondary">· {}</span>\n'
                "          {}\n          {}</li>\n        "
            ),
            web_portal=format_html('<span class="badge badge-portal">{}</span>', gettext("Web Portal")),
            legal_guardian=format_html('<span class="badge badge-guardian">{}</span>', gettext("Legal guardian")),
            contact_of=(
                f'\n      <h3 class="h6 mt-3">{_words(gettext("Is a contact for"))}</h3>\n'
                '      <ul class="list-unstyled mb-0">\n        {}\n      </ul>\n      '
            ),
            the_practice=gettext("The practice"),
        )
    return found


def _lines(text: str) -> Any:
    """``{{ text|linebreaksbr }}``: each line escaped, joined by ``<br>``."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return format_html("<br>".join(["{}"] * len(lines)), *lines)


def _day(moment: Any) -> str:
    """``{{ moment|date:"Y-m-d" }}``: the day in the current time zone."""
    if moment is None:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d}"


@register.simple_tag(takes_context=True)
def chart_face_details(context: template.Context) -> str:
    """The Chart Face's Details and Related contacts cards (``client``, ``age``, ``contacts``, ``contact_of``), as
    the template's nodes drew them: its words translated once per language, ``format_html`` escaping every value."""
    client = context["client"]
    face = _face()
    urls = _patterns()
    listed: str
    others: str
    contacts = context.get("contacts")
    if contacts:
        items = format_html(
            face.contact * len(contacts),
            *(
                value
                for contact in contacts
                for value in (
                    contact.full_name,
                    contact.get_relationship_display(),
                    face.web_portal if contact.web_portal else "",
                    face.legal_guardian if contact.legal_guardian else "",
                )
            ),
        )
        listed = format_html('\n      <ul class="list-unstyled mt-2 mb-0">\n        {}\n      </ul>\n      ', items)
    else:
        listed = face.no_contacts
    contact_of = context.get("contact_of")
    if contact_of:
        before, after = urls["chart"]
        links = format_html(
            '<li><a href="{}">{}</a> <span class="text-body-secondary">· {}</span></li>' * len(contact_of),
            *(
                value
                for link in contact_of
                for value in (
                    before + str(int(link.client_id)) + after,
                    link.client_full_name,
                    link.get_relationship_display(),
                )
            ),
        )
        others = format_html(face.contact_of, links)
    else:
        others = ""
    facility = client.facility.name if client.facility_id is not None else ""
    before, after = urls["contacts"]
    return format_html(
        face.details,
        email=client.email or "—",
        phone=client.phone or "—",
        address=_lines(client.address) if client.address else "—",
        facility=facility or face.the_practice,
        age=context.get("age", ""),
        since=_day(client.created_at),
        contacts_url=before + str(int(client.pk)) + after,
        contacts=listed,
        contact_of=others,
    )


_DOCUMENTS = (
    '\n  <section class="col-12" aria-labelledby="face-documents">\n'
    '    <div class="card"><div class="card-body">\n'
    '      <div class="d-flex justify-content-between align-items-center">\n'
    '        <h2 class="h5 mb-0" id="face-documents">{documents}</h2>\n'
    '        <a class="small" href="{{documents_url}}">{all_documents}</a>\n'
    "      </div>\n"
    "      {{table}}\n"
    "    </div></div>\n"
    "  </section>\n"
    "</div>"
)
_TABLE = (
    '\n      <div class="table-responsive">\n'
    '      <table class="table table-sm table-responsive-stack mt-2 mb-0">\n'
    '        <caption class="visually-hidden">{latest}</caption>\n'
    '        <thead><tr><th scope="col">{date}</th><th scope="col">{title}</th><th scope="col">{type}</th>'
    '<th scope="col">{status}</th><th scope="col"><span class="visually-hidden">{file}</span></th></tr></thead>\n'
    "        <tbody>\n"
    "        \n"
    "        {{rows}}\n"
    "        </tbody>\n"
    "      </table>\n"
    "      </div>\n"
    "      "
)
_ROW = (
    '\n        <tr data-document="{{}}">\n'
    '          <td data-label="{date}" class="text-nowrap">{{}}</td>\n'
    '          <td><a href="{{}}">{{}}</a></td>\n'
    '          <td data-label="{type}">{{}}</td>\n'
    '          <td data-label="{status}">{{}}</td>\n'
    '          <td class="text-nowrap">{{}}</td>\n'
    "        </tr>\n"
    "        "
)


@dataclass(frozen=True)
class _Documents:
    """The Chart Face's Documents card's words for one language, translated and escaped once (no client's data)."""

    card: str  # the format string of the card, then the end of the cards' row
    table: str  # the format string of the table of the latest documents
    row: str  # the format string of one document's row
    download: str  # the format string of a document's file link, with its words
    download_signed: str
    preparing: str  # drawn (safe)
    no_documents: str  # drawn (safe)


_DOCUMENT_CARDS: dict[str, _Documents] = per_language()


def _documents() -> _Documents:
    language = get_language() or ""
    found = _DOCUMENT_CARDS.get(language)
    if found is None:
        date, type_, status = _words(gettext("Date")), _words(gettext("Type")), _words(gettext("Share Status"))
        file = '<a href="{{}}?download=1">{words}<span class="visually-hidden">: {{}}</span></a>'
        found = _DOCUMENT_CARDS[language] = _Documents(
            card=_DOCUMENTS.format(
                documents=_words(gettext("Documents")), all_documents=_words(gettext("All documents"))
            ),
            table=_TABLE.format(
                latest=_words(gettext("The latest documents")),
                date=date,
                title=_words(gettext("Title")),
                type=type_,
                status=status,
                file=_words(gettext("File")),
            ),
            row=_ROW.format(date=date, type=type_, status=status),
            download=file.format(words=_words(gettext("Download"))),
            download_signed=file.format(words=_words(gettext("Download signed PDF"))),
            preparing=format_html('<span class="small text-body-secondary">{}</span>', gettext("PDF being prepared…")),
            no_documents=format_html(
                '\n      <p class="text-body-secondary mt-2 mb-0">{}</p>\n      ', gettext("No documents yet.")
            ),
        )
    return found


def _document_rows(words: _Documents, documents: Any, can_share: object) -> str:
    """The latest documents' rows (date, title, type, Share Status, file): one ``format_html`` for them all."""
    values: list[object] = []
    for document in documents:
        if document.current_version_id:
            shape = words.download_signed if getattr(document, "signed", False) else words.download
            file: object = format_html(shape, document.file_url, document.title)
        else:
            file = words.preparing
        day = document.document_date
        values += (
            document.pk,
            f"{day.year:04d}-{day.month:02d}-{day.day:02d}",
            document.staff_url,
            document.title,
            document.type.name,
            share_status(document, can_share),
            file,
        )
    return format_html(words.row * len(documents), *values)


@register.simple_tag(takes_context=True)
def chart_face(context: template.Context) -> str:
    """The Chart Face below the page's title (``staff/clients/chart.html``): the chart's header, the Details and
    Related contacts cards, the cards other apps drew for it (``face_cards``: intake forms), and the latest
    documents (``recent_documents``) with their Share Status (``can_share``),
    as the template's nodes drew them; its words translated once per language, ``format_html`` escaping every
    value."""
    words = _documents()
    documents = context.get("recent_documents")
    if documents:
        table: object = format_html(words.table, rows=_document_rows(words, documents, context.get("can_share")))
    else:
        table = words.no_documents
    return format_html(
        '{}\n<div class="row g-3">\n{}{}' + words.card,
        chart_header(context),
        chart_face_details(context),
        context.get("face_cards") or "",
        documents_url=chart_urls_for(context["client"].pk)["documents"],
        table=table,
    )
