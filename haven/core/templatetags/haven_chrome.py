"""``{% staff_header %}``: the staff pages' header and main navigation, drawn in one call.

Every staff page shows it; drawn by template nodes it cost a tag, a condition or a lookup for each link. Here
the addresses come from ``fixed_url`` (worked out once per process), the words are translated on each call and
every value is escaped (``format_html``). What it shows is read from the page's context on every request: the
staff member, their practice, whether their two-step sign-in is done (``staff_nav_ready``), the page's ``nav``.
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language, gettext

from haven.core.html import fill_slot, format_html
from haven.core.remembered_words import per_language
from haven.core.templatetags.haven_fixed import fixed_url

register = template.Library()

_CURRENT = format_html('{}="page" ', "aria-current")  # marks the page's own link


def _nav_link(nav: object, name: str, url_name: str, words: str, *, current: bool = True) -> str:
    """One item of the main navigation; the page's own is marked active (and, when ``current``, as the page)."""
    active = nav == name
    return format_html(
        '<li class="nav-item"><a class="nav-link text-nowrap{}" {}href="{}">{}</a></li>',
        " active" if active else "",
        _CURRENT if active and current else "",
        fixed_url(url_name),
        words,
    )


def _sign_out(csrf_input: str) -> str:
    return format_html(
        '<form method="post" action="{}">{}\n'
        '      <button type="submit" class="btn btn-sm btn-outline-secondary text-nowrap">{}</button>\n'
        "    </form>",
        fixed_url("staff:logout"),
        csrf_input,
        gettext("Sign out"),
    )


# Where the CSRF field goes in a kept header: text no escaped value can hold (``<`` is always escaped).
_CSRF_SLOT = format_html("<{}>", "haven-csrf-slot")
# Where a link the page's app adds goes, after Clients (the staff app's Messages, with this request's count).
_NAV_SLOT = format_html("<{}>", "haven-nav-slot")
# Headers drawn, by everything they show but the CSRF token (emptied, like the other memories of words, when a
# setting changes); forgotten and drawn again past ``_KEPT_MOST``: a practice has few staff, pages and languages.
_KEPT: dict[tuple[object, ...], str] = per_language()
_KEPT_MOST = 512


@register.simple_tag(takes_context=True)
def staff_header(context: template.Context, nav_item: str = "") -> str:
    """The header for this page and staff member: drawn once per process for what it shows (the practice's name,
    logo and two-step rule, the member's name, role and administration, the page's ``nav``, the language),
    kept, and given this response's CSRF token (and ``nav_item``, markup for the main navigation after Clients)
    each time."""
    practice = context.get("current_practice")
    member = context.get("staff_member")
    csrf = str(context.get("csrf_token") or "")  # as {% csrf_token %} draws it
    csrf_input = (
        format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf)
        if csrf and csrf != "NOTPROVIDED"
        else format_html("{}", "")
    )
    shown = (
        get_language(),
        (practice.name, practice.has_logo and practice.get_logo_url(), practice.require_staff_two_factor)
        if practice
        else None,
        (member.is_administrator, member.get_role_display(), member.user.full_name) if member else None,
        bool(context.get("staff_nav_ready")),
        context.get("nav"),
        bool(context.get("demo_outbox")),
    )
    header = _KEPT.get(shown)
    if header is None:
        if len(_KEPT) >= _KEPT_MOST:
            _KEPT.clear()
        header = _KEPT[shown] = _draw_header(*shown[1:])
    return fill_slot(
        fill_slot(header, _CSRF_SLOT, csrf_input), _NAV_SLOT, nav_item if nav_item else format_html("{}", "")
    )


def _draw_header(
    practice: tuple[str, str | bool, bool] | None,
    member: tuple[bool, str, str] | None,
    nav_ready: bool,
    nav: object,
    demo_outbox: bool,
) -> str:
    """The header, from only what it shows (in the active language), with ``_CSRF_SLOT`` for the CSRF field."""
    name = practice[0] if practice and practice[0] else "Haven"
    logo = (
        format_html('<img class="navbar-brand-logo" src="{}" alt="" height="32">', practice[1])
        if practice and practice[1]
        else ""
    )
    if member and nav_ready:
        is_administrator, role, full_name = member
        items = [
            _nav_link(nav, "clients", "staff:client_list", gettext("Clients")),
            _NAV_SLOT,
            _nav_link(nav, "general_log", "staff:general_log", gettext("General Log")),
            _nav_link(nav, "forms", "staff:form_library", gettext("Forms")),
        ]
        if demo_outbox:
            items.append(_nav_link(nav, "outbox", "staff:demo_outbox", gettext("Demo outbox"), current=False))
        if is_administrator:
            items.append(_nav_link(nav, "admin", "staff:admin_settings", gettext("Organization Administration")))
        on_account = nav == "account"
        menu: str = format_html(
            '<button class="navbar-toggler" type="button" data-bs-toggle="collapse" data-bs-target="#staff-nav"'
            ' aria-controls="staff-nav" aria-expanded="false" aria-label="{}">\n'
            '      <span class="navbar-toggler-icon"></span>\n    </button>\n'
            '    <div class="collapse navbar-collapse" id="staff-nav">\n'
            '      <ul class="navbar-nav me-auto">\n        {}\n      </ul>\n'
            '      <div class="d-flex align-items-center gap-3 flex-shrink-0">\n'
            '        <a class="small text-nowrap{}" {}href="{}" title="{} · {}">{}'
            '<span class="d-none d-xxl-inline"> · {}</span></a>\n'
            "        {}\n      </div>\n    </div>",
            gettext("Menu"),
            format_html("\n        ".join(["{}"] * len(items)), *items),
            " fw-semibold" if on_account else "",
            _CURRENT if on_account else "",
            fixed_url("staff:account"),
            gettext("Your account"),
            role,
            full_name,
            role,
            _sign_out(_CSRF_SLOT),
        )
    elif member:
        menu = _sign_out(_CSRF_SLOT)
    else:
        menu = ""
    header = format_html(
        '<header class="haven-header border-bottom bg-white">\n'
        '  <nav class="navbar navbar-expand-xl" aria-label="{}">\n'
        '   <div class="container">\n'
        '    <a class="navbar-brand d-flex align-items-center gap-2" href="{}" title="{}">\n'
        '      {}<span class="navbar-brand-name">{}</span>\n'
        "    </a>\n    {}\n   </div>\n  </nav>\n</header>",
        gettext("Main"),
        fixed_url("staff:home"),
        name,
        logo,
        name,
        menu,
    )
    if practice and not practice[2]:
        header += format_html(
            '\n<div class="notice-2fa-off text-center small py-1" role="note">\n  {}\n</div>',
            gettext(
                "Two-factor sign-in is turned off for this practice. Turn it on in Organization Administration "
                "before real client information is entered."
            ),
        )
    return header
