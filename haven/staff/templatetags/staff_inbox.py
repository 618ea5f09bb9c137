"""The staff navigation's Messages link with its unread count, and a secure message's text as staff read it.

``{% staff_header_with_inbox %}`` is ``{% staff_header %}`` with a Messages link after Clients for staff with
Secure messages, and a Calendar link for staff with Scheduling. Its count (``unread_of``) is one query per request,
however often the page asks, and is asked while the page is drawn: a thread its view just marked read is no longer
counted.
"""

from __future__ import annotations

from django import template
from django.http import HttpRequest
from django.utils.translation import gettext

from haven.core.html import format_html
from haven.core.templatetags.haven_chrome import staff_header
from haven.core.templatetags.haven_fixed import fixed_url
from haven.core.templatetags.haven_globe import translated_format
from haven.messaging import policy, selectors
from haven.messaging.selectors import StaffUnread
from haven.practices.models import Permission, StaffMember

register = template.Library()

CACHE = "_haven_staff_unread"
NONE = StaffUnread(mine=0, team=0)


def unread_of(request: HttpRequest | None, member: StaffMember | None) -> StaffUnread:
    """The member's unread counts, asked once per request (``selectors.staff_unread``)."""
    cached = getattr(request, CACHE, None)
    if isinstance(cached, StaffUnread):
        return cached
    found = selectors.staff_unread(member) if member is not None and policy.may_message(member) else NONE
    if request is not None:
        setattr(request, CACHE, found)
    return found


def _messages_item(context: template.Context, member: StaffMember) -> str:
    unread = unread_of(context.get("request"), member).total
    active = context.get("nav") == "messages"
    label: str = gettext("Messages")
    if unread:
        label = format_html(
            '{}<span class="visually-hidden">{}</span>'
            '<span class="badge rounded-pill text-bg-danger ms-1" aria-hidden="true" data-staff-unread>{}</span>',
            label,
            format_html(translated_format(gettext(", %(count)s unread"), "count"), count=unread),
            unread,
        )
    return format_html(
        '<li class="nav-item"><a class="nav-link text-nowrap{}" {}href="{}">{}</a></li>',
        " active" if active else "",
        format_html('{}="page" ', "aria-current") if active else "",
        fixed_url("staff:inbox"),
        label,
    )


def _calendar_item(context: template.Context) -> str:
    active = context.get("nav") == "calendar"
    return format_html(
        '<li class="nav-item"><a class="nav-link text-nowrap{}" {}href="{}">{}</a></li>',
        " active" if active else "",
        format_html('{}="page" ', "aria-current") if active else "",
        fixed_url("staff:calendar"),
        gettext("Calendar"),
    )


@register.simple_tag(takes_context=True)
def staff_header_with_inbox(context: template.Context) -> str:
    """The staff header, with Messages (and its unread count) in the main navigation when the member may read
    secure messages, and Calendar when they have Scheduling, once their sign-in is complete."""
    member = context.get("staff_member")
    if member is None or not context.get("staff_nav_ready"):
        return staff_header(context)
    items = []
    if policy.may_message(member):
        items.append(_messages_item(context, member))
    if member.has_permission(Permission.SCHEDULING):
        items.append(_calendar_item(context))
    if not items:
        return staff_header(context)
    return staff_header(context, format_html("".join(["{}"] * len(items)), *items))


@register.simple_tag(takes_context=True)
def staff_unread(context: template.Context) -> StaffUnread:
    """``{% staff_unread as unread %}``: this request's counts (``unread.mine``, ``unread.team``, ``unread.total``)."""
    return unread_of(context.get("request"), context.get("staff_member"))
