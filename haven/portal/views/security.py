"""Security: turning two-step sign-in (a code from an authenticator app) on and off."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from haven.core.errors import ApplicationError
from haven.portal.access import PortalRequest, portal_view
from haven.portal.forms import TurnOffTwoFactorForm, TwoFactorCodeForm
from haven.portal_access import two_factor

ERRORS = {
    "wrong": _lazy("That code didn't match. Check that the time on your phone is right, and type the newest code."),
    "replayed": _lazy("That code was already used. Wait for your app to show a new code, then type it."),
    "throttled": _lazy("Too many wrong tries. To protect your information, please wait a few minutes and try again."),
    "wrong_password": _lazy("That password isn't right. Type the password you sign in to the portal with."),
}


def _security(request: PortalRequest) -> HttpResponse:
    return redirect("portal:security", slug=request.practice.slug)


def _page(request: PortalRequest, form: TurnOffTwoFactorForm | None = None, *, status: int = 200) -> HttpResponse:
    settings = two_factor.settings_of(request.portal.account)
    is_on = settings is not None and settings.is_on
    return render(
        request,
        "portal/security/security.html",
        {
            "two_factor_on": is_on,
            "on_since": settings.confirmed_at if is_on and settings is not None else None,
            "form": form or TurnOffTwoFactorForm(),
        },
        status=status,
    )


@portal_view
def security(request: PortalRequest) -> HttpResponse:
    return _page(request)


@portal_view
def two_factor_setup(request: PortalRequest) -> HttpResponse:
    """Scan the code (or type the key), then confirm with the first six-digit code the app shows."""
    account = request.portal.account
    try:
        settings = two_factor.start_enrolment(account=account, practice=request.practice)
    except ApplicationError as error:
        messages.info(request, error.message)
        return _security(request)
    form = TwoFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        outcome = two_factor.confirm_enrolment(
            account=account, practice=request.practice, code=form.cleaned_data["code"]
        )
        if outcome == "ok":
            messages.success(
                request,
                _("Two-step sign-in is on. From now on you'll type a code from your app each time you sign in."),
            )
            return _security(request)
        form.add_error("code", str(ERRORS.get(outcome, ERRORS["wrong"])))
        status = 429 if outcome == "throttled" else 400
    return render(
        request,
        "portal/security/two_factor_setup.html",
        {
            "form": form,
            "qr_code": two_factor.qr_code_data_uri(settings, issuer=request.practice.name),
            "secret": two_factor.secret_for_display(settings),
        },
        status=status,
    )


@portal_view
@require_POST
def two_factor_turn_off(request: PortalRequest) -> HttpResponse:
    form = TurnOffTwoFactorForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    outcome = two_factor.turn_off(
        account=request.portal.account,
        practice=request.practice,
        password=form.cleaned_data["password"],
        code=form.cleaned_data["code"],
    )
    if outcome == "ok":
        messages.success(request, _("Two-step sign-in is off. You'll sign in with your email and password only."))
        return _security(request)
    if outcome == "not_on":
        return _security(request)
    field = "password" if outcome == "wrong_password" else "code"
    form.add_error(field, str(ERRORS.get(outcome, ERRORS["wrong"])))
    return _page(request, form, status=429 if outcome == "throttled" else 400)
