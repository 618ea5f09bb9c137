"""The portal home for the selected profile, switching profiles, and confirming a link with the PIN."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.portal.access import PortalRequest, portal_public_view, portal_view
from haven.portal.forms import PinForm
from haven.portal_access import two_factor
from haven.portal_access.actions.pins import confirm_pin, pending_pin_count
from haven.portal_access.selectors import profiles_ended_at_majority
from haven.portal_access.session import PROFILE, select_profile


def _home_context(request: PortalRequest, pin_form: PinForm | None = None) -> dict[str, object]:
    return {
        "pin_form": pin_form or PinForm(),
        "pending_count": pending_pin_count(request.portal.account, request.practice),
        "two_factor_on": two_factor.is_on(request.portal.account),
        # The profiles still in effect: the session's answer on this request, not asked again.
        "ended_at_majority": profiles_ended_at_majority(
            request.viewer, still_reached=[profile.client_id for profile in request.portal.profiles]
        ),
    }


@portal_view
def home(request: PortalRequest) -> HttpResponse:
    return render(request, "portal/home.html", _home_context(request))


@portal_view
@require_POST
def switch_profile(request: PortalRequest) -> HttpResponse:
    try:
        profile_id = int(request.POST.get("profile", ""))
    except ValueError:
        messages.error(request, _("Choose whose profile to show."))
        return redirect("portal:home", slug=request.practice.slug)
    if not select_profile(request, request.portal, profile_id):
        raise Http404
    messages.info(request, _("Now showing %(name)s.") % {"name": request.portal.selected.client.first_name})  # type: ignore[union-attr]
    return redirect("portal:home", slug=request.practice.slug)


@portal_view
@require_POST
def enter_pin(request: PortalRequest) -> HttpResponse:
    form = PinForm(request.POST)
    if form.is_valid():
        access = confirm_pin(account=request.portal.account, practice=request.practice, pin=form.cleaned_data["pin"])
        if access is not None:
            # The new profile is re-checked, like any selection, on the next request.
            request.session[PROFILE] = access.pk
            messages.success(
                request, _("Thank you. You can now see %(name)s's profile.") % {"name": access.client.first_name}
            )
            return redirect("portal:home", slug=request.practice.slug)
        form.add_error(
            "pin",
            _("That PIN didn't match, or it has expired. Check the sheet, or ask the practice for a new one."),
        )
    return render(request, "portal/home.html", _home_context(request, form), status=400)


@portal_public_view
def handout(request: PortalRequest) -> HttpResponse:
    """ACC-12: the practice's handout about the portal, for anyone to download."""
    from haven.portal_access.documents import render_portal_handout

    response = HttpResponse(render_portal_handout(request.practice), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="portal-handout.pdf"'
    return response
