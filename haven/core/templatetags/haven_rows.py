"""``{% access_history_rows entries %}``: the lines of a client's Access history, drawn in one call.

A page lists 50 lines; drawing each cell with its own template nodes cost more than everything else on the
page, and a tag per line in a ``{% for %}`` loop still a third of it. The words come from the page
(``when_label``, ``who_label``, ``what_label``, ``from_label``, ``portal_badge``), translated once;
``format_html`` escapes every value, and translated sentences are used as ``{% blocktranslate %}`` uses them
(their values escaped).
"""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.translation import get_language, gettext

from haven.core.html import format_html
from haven.core.remembered_words import per_language
from haven.core.templatetags.haven_fixed import fixed_url
from haven.core.templatetags.haven_globe import translated_format
from haven.core.templatetags.haven_time import stamp_in

register = template.Library()


def when(moment: Any) -> str:
    """A moment as ``{{ moment|date:"Y-m-d H:i:s T" }}`` shows it: in the current time zone, with its abbreviation."""
    return stamp_in(moment, timezone.get_current_timezone())


_NOTHING = format_html("{}", "")  # an empty safe string


def _escaped(words: Any) -> str:
    """The page's words escaped as ``format_html`` escapes a value, for its format string."""
    return str(conditional_escape(words)).replace("{", "{{").replace("}", "}}")


class _Page:
    """What every line of one page shares, worked out at its first line: the line's format string with the page's
    words in it (escaped), one for each shape a line takes (with or without the portal badge, the person acted
    for, the changed fields and the device), and the zone times are shown in."""

    def __init__(self, context: template.Context) -> None:
        self.words = {name: _escaped(context[name]) for name in ("when_label", "who_label", "what_label", "from_label")}
        self.badge = _escaped(format_html(' <span class="badge badge-portal">{}</span>', context["portal_badge"]))
        self.shapes: dict[tuple[bool, bool, bool, bool], str] = {}
        self.zone = timezone.get_current_timezone()

    def shape(self, in_portal: bool, acting_for: bool, fields: bool, device: bool) -> str:
        """The format string of a line of this shape: the action, time, name, role, what and address by position;
        the person acted for (``{who}``), the fields (``{fields}``) and the device (``{device}``) by name."""
        key = (in_portal, acting_for, fields, device)
        found = self.shapes.get(key)
        if found is None:
            words = self.words
            found = self.shapes[key] = (
                '<tr data-action="{}">\n'
                f'    <td data-label="{words["when_label"]}" class="text-nowrap">{{}}</td>\n'
                f'    <td data-label="{words["who_label"]}"><span class="fw-semibold">{{}}</span> · {{}}'
                + (self.badge if in_portal else "")
                + (
                    '<br><span class="small text-body-secondary">'
                    + translated_format(gettext("for %(who)s"), "who")
                    + "</span>"
                    if acting_for
                    else ""
                )
                + "</td>\n"
                f'    <td data-label="{words["what_label"]}" class="text-break">{{}}'
                + (
                    '<br><span class="small text-body-secondary">'
                    + translated_format(gettext("Fields: %(fields)s"), "fields")
                    + "</span>"
                    if fields
                    else ""
                )
                + "</td>\n"
                f'    <td data-label="{words["from_label"]}" class="small">{{}}'
                + ('<br><span class="text-body-secondary">{device}</span>' if device else "")
                + "</td>\n"
                "  </tr>"
            )
        return found


@register.simple_tag(takes_context=True)
def access_history_rows(context: template.Context, entries: Any) -> str:
    """A page of the client's Access history (``HistoryEntry`` tuples), a line each: when, who (name, role, the portal
    badge, for whom), what (and the fields changed), and from where (address, device). ``format_html`` escapes every
    value; translated sentences are used as ``{% blocktranslate %}`` uses them (their values escaped). The page's
    words come from the page (``when_label``, ``who_label``, ``what_label``, ``from_label``, ``portal_badge``),
    translated once."""
    if not entries:
        return _NOTHING
    page = _Page(context)
    zone = page.zone
    # Most lines (staff, for no one else, from an address) are drawn in one format_html for the page: their values
    # in place; any other line is drawn by its own, and put in whole. Each line on its own, as the template's loop
    # over them wrote it.
    plain = "\n  " + page.shape(False, False, False, False) + "\n  "
    shapes: list[str] = []
    values: list[object] = []
    for event, what, who, role, in_portal, acting_for, device, fields in entries:
        line = (event.action, stamp_in(event.occurred_at, zone), who, role, what, event.ip or "—")
        if in_portal or acting_for or fields or device:
            named: dict[str, object] = {}
            if acting_for:
                named["who"] = acting_for
            if fields:
                named["fields"] = ", ".join(str(name) for name in fields)
            if device:
                named["device"] = device
            shape = page.shape(in_portal, bool(acting_for), bool(fields), bool(device))
            shapes.append("\n  {}\n  ")
            values.append(format_html(shape, *line, **named))
        else:
            shapes.append(plain)
            values += line
    return format_html("".join(shapes), *values)


def _minute_of(local: datetime.datetime) -> str:
    """A local moment as the date filter's ``"Y-m-d H:i"`` writes it."""
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"


def _minute(moment: Any) -> str:
    """A moment as ``{{ moment|date:"Y-m-d H:i" }}`` shows it, in the current time zone."""
    return _minute_of(timezone.localtime(moment))


def _moment(moment: Any) -> str:
    """A moment as ``{{ moment|date:"Y-m-d H:i T" }}`` shows it, in the current time zone: the zone's name, or
    nothing (as the filter writes it) for a moment the clocks went back or forward over."""
    if not moment:
        return ""
    local = timezone.localtime(moment)
    zone = local.tzinfo
    if zone is None or zone.utcoffset(local.replace(fold=not local.fold)) != zone.utcoffset(local):
        return _minute_of(local) + " "
    return f"{_minute_of(local)} {zone.tzname(local)}"


# The detail tags' words by language: fixed labels and translated sentences as format strings.
_DETAIL_WORDS: dict[str | None, dict[str, str]] = per_language()

_VERSION_WORDS = {
    "current": "Current",
    "signed": "Signed",
    "source": "Source",
    "size": "Size",
    "sha": "SHA-256",
    "created": "Created",
    "view": "View",
    "download": "Download",
    "check": "Check seal",
    "requested": "Requested",
    "version sent": "Version sent",
    "expired": "Expired",
    "expires": "Expires",
    "reminders sent": "Reminders sent",
    "declined": "Declined",
    "reason given": "Reason given",
    "cancelled": "Cancelled",
    "not signed in time": "not signed in time; send a new request to ask again",
    "type": "Type",
    "date": "Date",
    "author": "Author",
    "current version": "Current version",
    "see the request": "See the request",
}


def _detail_words() -> dict[str, str]:
    """The version and request tags' words in the active language, translated at their first use in it."""
    language = get_language()
    words = _DETAIL_WORDS.get(language)
    if words is None:
        words = {key: gettext(english) for key, english in _VERSION_WORDS.items()}
        words["version number"] = translated_format(gettext("Version %(number)s"), "number")
        words["by name"] = translated_format(gettext("by %(name)s"), "name")
        words["last on"] = translated_format(gettext("last on %(when)s"), "when")
        words["waiting"] = translated_format(
            gettext(
                "Waiting for %(name)s to sign (asked on %(when)s). To ask again or ask someone else, cancel that "
                "request first."
            ),
            "name",
            "when",
        )
        words["asked earlier"] = translated_format(
            gettext(
                "%(name)s was asked to sign an earlier version, which can no longer be signed. Cancel that request to "
                "send the current version."
            ),
            "name",
        )
        _DETAIL_WORDS[language] = words
    return words


@register.simple_tag
def version_rows(versions: Any) -> str:
    """A document's versions (``VersionRow``), newest first: number (current, signed), source (and its signer), size,
    hash, when and by whom, and its file's View, Download and, for a PDF, Check seal (the row's ``file_url`` and
    ``verify_url``). Each row one ``format_html``, which escapes every value; translated sentences are used as
    ``{% blocktranslate %}`` uses them."""
    words = _detail_words()
    rows = []
    for row in versions:
        version = row.version
        number = format_html(words["version number"], number=version.number)
        current = format_html(' <span class="badge badge-portal">{}</span>', words["current"]) if row.is_current else ""
        signed = (
            format_html(' <span class="badge text-bg-success">{}</span>', words["signed"])
            if version.source == "signed"
            else ""
        )
        signer = (
            format_html(
                '<div class="small text-body-secondary">{}</div>',
                format_html(words["by name"], name=row.signature.signer_name),
            )
            if row.signature
            else ""
        )
        author = format_html(" · {}", version.author) if version.author is not None else ""
        check = (
            format_html('<a href="{}" aria-describedby="version-{}">{}</a>', row.verify_url, version.pk, words["check"])
            if row.is_pdf
            else ""
        )
        rows.append(
            format_html(
                '\n    <tr data-version="{number}">\n'
                '      <td id="version-{pk}">{label}{current}{signed}</td>\n'
                '      <td data-label="{source_label}">{source}{signer}</td>\n'
                '      <td data-label="{size_label}">{size}</td>\n'
                '      <td data-label="{sha_label}">'
                '<code class="text-body text-nowrap" title="{sha}">{sha_short}</code></td>\n'
                '      <td data-label="{created_label}">{created}{author}</td>\n'
                "      <td>\n"
                '        <span class="d-inline-flex flex-wrap gap-2 small">\n'
                '          <a href="{file_url}?version={pk}" aria-describedby="version-{pk}">{view}</a>\n'
                '          <a href="{file_url}?version={pk}&amp;download=1" '
                'aria-describedby="version-{pk}">{download}</a>\n'
                "          {check}\n"
                "        </span>\n"
                "      </td>\n"
                "    </tr>\n    ",
                number=version.number,
                pk=version.pk,
                label=number,
                current=current,
                signed=signed,
                source_label=words["source"],
                source=version.source_label,
                signer=signer,
                size_label=words["size"],
                size=filesizeformat(version.size),
                sha_label=words["sha"],
                sha=version.sha256,
                sha_short=version.sha256[:12],
                created_label=words["created"],
                created=_minute(version.created_at),
                author=author,
                file_url=row.file_url,
                view=words["view"],
                download=words["download"],
                check=check,
            )
        )
    return format_html("{}" * len(rows), *rows) if rows else _NOTHING


@register.simple_tag
def document_details(document: Any) -> str:
    """The document page's details: its type, date, author and current version (and whether it is the signed one),
    as ``<dt>``/``<dd>`` pairs; one ``format_html``, which escapes every value."""
    words = _detail_words()
    day = document.document_date
    version = document.current_version
    current = (
        format_html(
            '<dt class="col-sm-4">{}</dt><dd class="col-sm-8">{}{}</dd>',
            words["current version"],
            format_html(words["version number"], number=version.number),
            format_html(' <span class="badge text-bg-success">{}</span>', words["signed"])
            if version.source == "signed"
            else "",
        )
        if version
        else ""
    )
    return format_html(
        '<dt class="col-sm-4">{}</dt><dd class="col-sm-8">{}</dd>\n'
        '        <dt class="col-sm-4">{}</dt><dd class="col-sm-8">{}</dd>\n'
        '        <dt class="col-sm-4">{}</dt><dd class="col-sm-8">{}</dd>\n'
        "        {}",
        words["type"],
        document.type.name,
        words["date"],
        f"{day.year:04d}-{day.month:02d}-{day.day:02d}",
        words["author"],
        document.author.user.full_name,
        current,
    )


_VERIFY_HINTS: dict[tuple[str | None, str], str] = per_language()


@register.simple_tag
def verify_hint() -> str:
    """Under a document's versions: where to check a copy's seal. The same sentence on every page in a language, made
    once as ``{% blocktranslate %}`` makes it (the address escaped into the translated words)."""
    url = fixed_url("staff:verify")
    key = (get_language(), url)
    hint = _VERIFY_HINTS.get(key)
    if hint is None:
        sentence = gettext(
            'Someone sent you a copy? <a href="%(verify_url)s">Check a PDF\'s seal</a> to see whether it is one of '
            "these versions, unchanged."
        )
        hint = _VERIFY_HINTS[key] = format_html(translated_format(sentence, "verify_url"), verify_url=url)
    return hint


@register.simple_tag
def waiting_notice(waiting: Any) -> str:
    """Share to Sign while a request waits (``RequestRow``): who was asked and when, or that they were asked to sign
    an earlier version, and a link to the request. One ``format_html``, which escapes every value; the sentences are
    used as ``{% blocktranslate %}`` uses them."""
    words = _detail_words()
    sign_request = waiting.request
    if waiting.document_changed:
        sentence = format_html(words["asked earlier"], name=sign_request.signer_name)
    else:
        asked = timezone.localtime(sign_request.requested_at)
        day = f"{asked.year:04d}-{asked.month:02d}-{asked.day:02d}"
        sentence = format_html(words["waiting"], name=sign_request.signer_name, when=day)
    return format_html(
        '<p class="mb-0">{}</p>\n  <p class="mb-0 mt-2"><a href="#signature-request-{}">{}</a></p>',
        sentence,
        sign_request.pk,
        words["see the request"],
    )


def _term(term: str, value: object) -> str:
    return format_html('\n        <dt class="col-sm-4">{}</dt>\n        <dd class="col-sm-8">{}</dd>', term, value)


def _badge(sign_request: Any) -> tuple[str, str]:
    """The request's status badge: its colour and its ``data-request-status``."""
    if sign_request.is_expired:
        return "text-bg-secondary", "expired"
    colour = {"pending": "text-bg-warning", "signed": "text-bg-success", "declined": "text-bg-danger"}
    return colour.get(sign_request.status, "text-bg-secondary"), sign_request.status


def _staff_name(member: Any) -> str:
    """``{{ member.user.full_name }}``: empty without a member."""
    return member.user.full_name if member is not None else ""


@register.simple_tag
def signature_request_summary(row: Any) -> str:
    """One signature request of the document page (``RequestRow``): who is asked and in what capacity, its status
    badge, and when it was sent, which version, and what became of it (SIGN-4, SIGN-5). One ``format_html`` per
    part, which escapes every value; translated sentences are used as ``{% blocktranslate %}`` uses them."""
    words = _detail_words()
    sign_request = row.request
    status = sign_request.status
    colour, state = _badge(sign_request)
    version = format_html(words["version number"], number=sign_request.version.number)
    first = [
        _term(
            words["requested"],
            format_html("{} · {}", _moment(sign_request.requested_at), _staff_name(sign_request.requested_by)),
        ),
        _term(words["version sent"], version),
    ]
    branch: list[str] = []
    if status == "pending":
        reminded = (
            format_html(" · {}", format_html(words["last on"], when=_moment(sign_request.reminded_at)))
            if sign_request.reminded_at
            else ""
        )
        branch += [
            _term(words["expired"] if sign_request.is_expired else words["expires"], _moment(sign_request.expires_at)),
            _term(words["reminders sent"], format_html("{}{}", sign_request.reminder_count, reminded)),
        ]
    elif status == "declined":
        branch.append(_term(words["declined"], _moment(sign_request.answered_at)))
        branch.append(
            format_html(
                '\n        <dt class="col-sm-4">{}</dt>\n'
                '        <dd class="col-sm-8 text-break decline-reason">{}</dd>',
                words["reason given"],
                linebreaksbr(sign_request.decline_reason, autoescape=True),
            )
        )
    elif status == "cancelled":
        branch.append(
            _term(
                words["cancelled"],
                format_html("{} · {}", _moment(sign_request.answered_at), _staff_name(sign_request.cancelled_by)),
            )
        )
    elif status == "expired":
        branch.append(
            _term(
                words["expired"],
                format_html("{} · {}", _moment(sign_request.expires_at), words["not signed in time"]),
            )
        )
    extra = (
        [_term(words["reminders sent"], sign_request.reminder_count)]
        if (sign_request.reminder_count and status != "pending")
        else []
    )
    # The whitespace of the template this replaced: each {% if %} of the list leaves its line.
    terms = (
        "{}{}\n        "
        + ("{}" * len(branch) + "\n        " if branch else "")
        + "\n        "
        + ("{}\n        " if extra else "")
    )
    return format_html(
        '<li class="border rounded p-2 mb-2 signature-request" id="signature-request-{}">\n'
        '      <div class="d-flex flex-wrap justify-content-between align-items-start gap-2">\n'
        "        <div>\n"
        '          <span class="fw-semibold">{}</span>\n'
        '          <span class="text-body-secondary">· {}</span>\n'
        "        </div>\n"
        '        <span class="badge {}" data-request-status="{}">{}</span>\n'
        "      </div>\n"
        '      <dl class="row small mb-0 mt-1">' + terms + "\n      </dl>",
        sign_request.pk,
        sign_request.signer_name,
        row.capacity_label,
        colour,
        state,
        sign_request.status_label,
        *first,
        *branch,
        *extra,
    )


@register.simple_tag
def type_options(types: Any, selected_id: object) -> str:
    """The Activity Log's type filter's options, one per document type, the chosen one ``selected``: one
    ``format_html`` for them all, which escapes every name."""
    shape = "".join('<option value="{}"{}>{}</option>' for _type in types)
    if not shape:
        return _NOTHING
    values: list[object] = []
    for doc_type in types:
        values += [doc_type.pk, " selected" if doc_type.pk == selected_id else "", doc_type.name]
    return format_html(shape, *values)
