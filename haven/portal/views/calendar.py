"""Appointments in the person's own calendar app (APPT-2): "Add to calendar" for one appointment, and a private
subscription address that keeps a calendar app up to date with every appointment of the login's profiles.

The one appointment is reached through ``haven.scheduling.policy`` for the selected profile (anything else
answers 404 and is audited). The subscription's address is public, as calendar apps fetch it without signing
in: its long random token is the key, it answers 404 once turned off, and what it serves says only
"Appointment", when, and the practice's name.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from haven.portal.access import PortalRequest, portal_public_view, portal_view
from haven.portal.templatetags.portal_urls import portal_url
from haven.scheduling import calendars, feeds, policy

CALENDAR_TYPE = "text/calendar; charset=utf-8"
# The new address, kept in the session for the one page that shows it right after it is made.
JUST_MADE = "haven_calendar_link"


def _calendar_response(content: bytes, *, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(content, content_type=CALENDAR_TYPE)
    if filename is not None:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


@portal_view
@require_safe
def appointment_ics(request: PortalRequest, appointment_id: int) -> HttpResponse:
    """Add to calendar: the selected profile's appointment as a file the phone or computer opens in its calendar."""
    # No require_profile first: without a profile the policy sees nothing, and the refusal is audited.
    appointment = policy.get_appointment(request.viewer, appointment_id, path=request.path)
    return _calendar_response(
        calendars.appointment_ics(appointment, practice=request.practice), filename="appointment.ics"
    )


def feed_addresses(slug: str, token: str) -> tuple[str, str]:
    """The subscription's web address and its webcal:// one (which opens the calendar app on most devices)."""
    address = settings.HAVEN_BASE_URL + reverse("portal:calendar_feed", kwargs={"slug": slug, "token": token})
    webcal = "webcal://" + address.split("://", 1)[1]
    return address, webcal


@portal_view
@require_http_methods(["GET", "HEAD", "POST"])
def calendar_subscription(request: PortalRequest) -> HttpResponse:
    """GET: whether the login's calendar link is on, and (once, right after it is made) the link itself.
    POST ``action=create``: a new link (the old one stops working); ``action=turn_off``: no link."""
    here = portal_url("portal:calendar_subscription", request.practice.slug)
    session_key = f"{JUST_MADE}:{request.practice.pk}"
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            made, token = feeds.issue_feed(request.viewer)
            request.session[session_key] = {"feed": made.pk, "token": token}
            messages.success(request, _("Your calendar link is ready. Add it to your calendar app now."))
        elif action == "turn_off":
            request.session.pop(session_key, None)
            live = feeds.live_feed(request.viewer)
            if live is not None and feeds.revoke_feed(request.viewer, live):
                messages.success(
                    request, _("Your calendar link is off. Calendars that used it no longer get your appointments.")
                )
        else:
            return HttpResponseBadRequest()
        return redirect(here)
    feed = feeds.live_feed(request.viewer)
    just_made = request.session.pop(session_key, None)
    context: dict[str, Any] = {"feed": feed, "address": "", "webcal": ""}
    if feed is not None and isinstance(just_made, dict) and just_made.get("feed") == feed.pk:
        context["address"], context["webcal"] = feed_addresses(request.practice.slug, str(just_made["token"]))
    return render(request, "portal/calendar/subscription.html", context)


@portal_public_view
@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The subscription a calendar app fetches: no sign-in, the token is the key. Unknown or turned off: 404."""
    practice = request.practice  # type: ignore[attr-defined]
    feed = feeds.feed_for(token, practice=practice)
    if feed is None:
        raise Http404
    feeds.mark_fetched(feed)
    return _calendar_response(calendars.feed_ics(feed))
