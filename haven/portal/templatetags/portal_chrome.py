"""``{% portal_header %}`` and ``{% portal_footer %}``: the portal pages' header, navigation and footer, drawn in one
call each.

Every portal page shows them; drawn by template nodes they cost a tag, a condition or a lookup for each link.
Here the addresses come from ``portal_url`` (worked out once per process), the words are translated on each call
and every value is escaped (``format_html``). What they show is read from the page's context on every request:
the practice, the signed-in portal session and its profiles (``portal``), the selected profile's facility, the
page's own name (to mark its link) and the unread count of the Inbox.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext, gettext_noop

from haven.core.html import format_html
from haven.core.templatetags.haven_globe import translated_format
from haven.portal.templatetags.portal_inbox import inbox_unread
from haven.portal.templatetags.portal_urls import portal_url

register = template.Library()

# The navigation: each link, the page names that show it as the current section (bold), and its words.
_NAV = (
    ("portal:home", ("home",), gettext_noop("Home")),
    ("portal:inbox", ("inbox", "thread", "compose"), gettext_noop("Inbox")),
    (
        "portal:appointments",
        (
            "appointments",
            "appointment",
            "appointment_book",
            "appointment_request",
            "appointment_cancel",
            "appointment_reschedule",
            "calendar_subscription",
            "reminders",
        ),
        gettext_noop("Appointments"),
    ),
    ("portal:activities", ("activities", "activity"), gettext_noop("Home Activities")),
    ("portal:forms", ("forms", "form_fill", "form_upload"), gettext_noop("Forms")),
    ("portal:my_documents", ("my_documents", "sign", "decline"), gettext_noop("My Documents")),
    ("portal:security", ("security", "two_factor_setup", "two_factor_turn_off"), gettext_noop("Security")),
)


_INBOX_ID = format_html(' {}="nav-inbox"', "id")
_CURRENT = format_html(' {}="page"', "aria-current")


def _csrf_input(context: template.Context) -> str:
    """As ``{% csrf_token %}`` draws it."""
    csrf = str(context.get("csrf_token") or "")
    if not csrf or csrf == "NOTPROVIDED":
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf)


def _nav(context: template.Context, slug: str) -> str:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = getattr(match, "url_name", None)
    unread = inbox_unread(context)
    items = []
    for url_name, sections, words in _NAV:
        name = url_name.split(":", 1)[1]
        label: str = gettext(words)
        if url_name == "portal:inbox":
            if unread:
                label = format_html(
                    '{}<span class="visually-hidden">{}</span>'
                    '<span class="badge rounded-pill text-bg-danger ms-1" aria-hidden="true">{}</span>',
                    label,
                    format_html(translated_format(gettext(", %(count)s unread"), "count"), count=unread),
                    unread,
                )
            link_id: str = _INBOX_ID
        else:
            link_id = ""
        items.append(
            format_html(
                '<li class="nav-item"><a class="nav-link px-0{}" href="{}"{}{}>{}</a></li>',
                " fw-semibold" if current in sections else "",
                portal_url(url_name, slug),
                _CURRENT if current == name else "",
                link_id,
                label,
            )
        )
    return format_html(
        '\n  <nav class="border-top" aria-label="{}">\n'
        '    <div class="container portal-container"><ul class="nav column-gap-3 py-1">\n'
        "      \n      {}\n      \n      {}\n      {}\n      {}\n      {}\n      {}\n      {}\n      \n"
        "    </ul></div>\n  </nav>\n  ",
        gettext("Portal"),
        *items,
    )


def _switcher(context: template.Context, portal: Any, slug: str) -> str:
    selected = getattr(portal.selected, "pk", None)
    options = [
        format_html(
            '\n        <option value="{}"{}>{}</option>\n        ',
            profile.pk,
            format_html(" {}", "selected") if profile.pk == selected else "",
            profile.client.full_name,
        )
        for profile in portal.profiles
    ]
    return format_html(
        '\n  <div class="profile-switcher border-top">\n'
        '    <form class="container portal-container d-flex align-items-center gap-2 py-2" method="post" action="{}">\n'
        "      {}\n"
        '      <label class="small text-body-secondary text-nowrap" for="profile-select">{}</label>\n'
        '      <select id="profile-select" name="profile" class="form-select form-select-sm" data-submit-on-change>\n'
        "        {}\n"
        "      </select>\n"
        '      <button type="submit" class="btn btn-sm btn-outline-primary">{}</button>\n'
        "    </form>\n  </div>\n  ",
        portal_url("portal:switch_profile", slug),
        _csrf_input(context),
        gettext("Showing"),
        format_html("".join(["{}"] * len(options)), *options) if options else "",
        gettext("Switch"),
    )


@register.simple_tag(takes_context=True)
def portal_header(context: template.Context) -> str:
    practice = context["practice"]
    portal = context.get("portal")
    facility = context.get("portal_facility")
    slug = practice.slug
    has_logo = practice.has_logo
    sign_out: str
    if portal:
        sign_out = format_html(
            '\n    <form class="flex-shrink-0" method="post" action="{}">{}\n'
            '      <button type="submit" class="btn btn-sm btn-outline-secondary text-nowrap">{}</button>\n'
            "    </form>\n    ",
            portal_url("portal:logout", slug),
            _csrf_input(context),
            gettext("Sign out"),
        )
        nav = _nav(context, slug)
        switcher = _switcher(context, portal, slug) if len(portal.profiles) > 1 else ""
    else:
        sign_out = nav = switcher = ""
    return format_html(
        '\n<header class="portal-header bg-white border-bottom">\n'
        '  <div class="container portal-container d-flex align-items-center justify-content-between gap-2 py-2">\n'
        '    <a class="portal-brand text-decoration-none{}" href="{}">\n'
        "      {}\n"
        '      <span class="portal-brand-names">\n'
        '        <span class="portal-practice-name">{}</span>\n'
        "        {}\n"
        "      </span>\n"
        "    </a>\n"
        "    {}\n"
        "  </div>\n"
        "  {}\n"
        "  {}\n"
        "</header>\n",
        " has-logo" if has_logo else "",
        portal_url("portal:home" if portal else "portal:login", slug),
        format_html('<img class="portal-brand-logo" src="{}" alt="" height="36">', practice.get_logo_url())
        if has_logo
        else "",
        practice.name,
        format_html(
            '<span class="portal-facility-name"><span class="visually-hidden"> \u2014 </span>{}</span>', facility
        )
        if facility
        else "",
        sign_out,
        nav,
        switcher,
    )


@register.simple_tag(takes_context=True)
def portal_footer(context: template.Context) -> str:
    practice = context["practice"]
    phone = practice.phone
    return format_html(
        '\n<footer class="container portal-container pb-4 small text-body-secondary">\n  {}\n  {}\n</footer>\n',
        format_html(translated_format(gettext("A secure portal of %(name)s."), "name"), name=practice.name),
        format_html('{} <a href="tel:{}">{}</a>', gettext("Questions?"), phone, phone) if phone else "",
    )
