"""Signing in to a practice's portal, registering, and the links sent by email."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from haven.accounts.throttle import seconds_to_wait, wait_message
from haven.core.errors import ApplicationError
from haven.core.forms import NewPasswordForm
from haven.messaging import policy as messaging_policy
from haven.messaging.models import MessageKind
from haven.portal.access import PortalRequest, portal_public_view
from haven.portal.forms import EmailForm, PortalLoginForm, RegisterForm, TwoFactorCodeForm
from haven.portal_access import accounts, two_factor
from haven.portal_access import policy as access_policy
from haven.portal_access.links import find_usable_link
from haven.portal_access.models import PortalAccount, PortalLinkPurpose, ProfileAccess
from haven.portal_access.session import (
    PROFILE,
    authenticate_portal,
    begin_two_factor_sign_in,
    clear_two_factor_sign_in,
    end_portal_session,
    load_portal_session,
    pending_two_factor_account,
    start_portal_session,
)
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import Practice


def _home(request: PortalRequest) -> HttpResponse:
    return redirect("portal:home", slug=request.practice.slug)


def _waiting_record_request(account: PortalAccount, practice: Practice) -> ProfileAccess | None:
    """The profile of the newest unread record request to this login, among the profiles it may open now.

    Which profiles: the portal access policy's answer; which messages each may read: the messaging policy's.
    """
    profiles = list(access_policy.visible_to(PortalViewer(account=account, practice=practice, profile=None)))
    return messaging_policy.profile_reading(
        account,
        practice,
        profiles,
        kind=MessageKind.RECORD_REQUEST,
        participants__account=account,
        participants__unread__gt=0,
    )


def _safe_next(request: PortalRequest) -> str:
    """The portal page the person was going to, if it is one of this practice's portal pages; else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith(f"/p/{request.practice.slug}/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return ""


def _after_login(request: PortalRequest, account: PortalAccount) -> HttpResponse:
    """Back to the portal page the person was going to, never anywhere else; else to a waiting request or Home."""
    target = _safe_next(request)
    if target:
        return redirect(target)
    waiting = _waiting_record_request(account, request.practice)
    if waiting is not None:
        # Seed 004: after signing in, a person asked to review a record lands in that profile's inbox.
        request.session[PROFILE] = waiting.pk  # re-checked, like any selection, on the next request
        return redirect("portal:inbox", slug=request.practice.slug)
    return _home(request)


@portal_public_view
def login_view(request: PortalRequest) -> HttpResponse:
    session, _reason = load_portal_session(request, request.practice)
    if session is not None:
        return _home(request)
    form = PortalLoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        account, reason = authenticate_portal(
            request,
            practice=request.practice,
            email=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if account is not None and two_factor.is_on(account):
            return _ask_for_code(request, account)
        if account is not None:
            start_portal_session(request, account=account, practice=request.practice)
            return _after_login(request, account)
        if reason == "locked":
            return render(request, "portal/auth/locked_out.html", status=429)
        if reason == "throttled":
            wait = seconds_to_wait(world="portal", email=form.cleaned_data["username"])
            form.add_error(None, wait_message(max(wait, 1)))
            status = 429
        elif reason == "unverified":
            form.add_error(None, _("Please confirm your email first: use the link we sent when you registered."))
        else:
            form.add_error(None, _("That email and password don't match. Check them, or use Forgot Password."))
    ended = request.GET.get("ended") == "1"
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    return render(request, "portal/auth/login.html", {"form": form, "ended": ended, "next": next_url}, status=status)


def _ask_for_code(request: PortalRequest, account: PortalAccount) -> HttpResponse:
    """Half signed in: the second page asks for the code; the page the person was going to rides along."""
    begin_two_factor_sign_in(request, account=account, practice=request.practice)
    target = _safe_next(request)
    url = reverse("portal:sign_in_code", kwargs={"slug": request.practice.slug})
    return redirect(f"{url}?{urlencode({'next': target})}" if target else url)


CODE_ERRORS = {
    "wrong": _lazy("That code didn't match. Check that the time on your phone is right, and type the newest code."),
    "replayed": _lazy("That code was already used. Wait for your app to show a new code, then type it."),
    "throttled": _lazy("Too many wrong codes. To protect your information, please wait a few minutes and try again."),
}


@portal_public_view
def sign_in_code(request: PortalRequest) -> HttpResponse:
    """The second step of signing in. Without a password checked here in the last five minutes it refuses."""
    account, reason = pending_two_factor_account(request, request.practice)
    if account is None:
        if reason == "expired":
            messages.info(request, _("Signing in took too long. Please enter your email and password again."))
        login_url = reverse("portal:login", kwargs={"slug": request.practice.slug})
        target = _safe_next(request)
        return redirect(f"{login_url}?{urlencode({'next': target})}" if target else login_url)
    form = TwoFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        outcome = two_factor.verify_sign_in(account=account, practice=request.practice, code=form.cleaned_data["code"])
        if outcome == "ok":
            clear_two_factor_sign_in(request)
            start_portal_session(request, account=account, practice=request.practice)
            return _after_login(request, account)
        if outcome == "not_on":  # turned off meanwhile: sign in again from the start
            clear_two_factor_sign_in(request)
            return redirect("portal:login", slug=request.practice.slug)
        form.add_error("code", str(CODE_ERRORS.get(outcome, CODE_ERRORS["wrong"])))
        status = 429 if outcome == "throttled" else 400
    return render(request, "portal/auth/sign_in_code.html", {"form": form, "next": _safe_next(request)}, status=status)


@portal_public_view
@require_POST
def logout_view(request: PortalRequest) -> HttpResponse:
    end_portal_session(request)
    messages.info(request, _("You have signed out."))
    return redirect("portal:login", slug=request.practice.slug)


@portal_public_view
def register(request: PortalRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accounts.register_account(
            practice=request.practice,
            full_name=form.cleaned_data["full_name"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
        )
        return render(request, "portal/auth/check_email.html", {"email": form.cleaned_data["email"], "why": "register"})
    return render(request, "portal/auth/register.html", {"form": form})


@portal_public_view
def verify_email(request: PortalRequest, token: str) -> HttpResponse:
    if find_usable_link(token, PortalLinkPurpose.VERIFY_EMAIL, request.practice) is None:
        return render(request, "portal/auth/link_invalid.html", status=410)
    if request.method == "POST":
        try:
            accounts.verify_email(token=token, practice=request.practice)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Thank you, your email is confirmed. You can sign in now."))
        return redirect("portal:login", slug=request.practice.slug)
    # Confirming takes a click, so mail scanners that open links do not confirm for the person.
    return render(request, "portal/auth/verify_email.html")


def _set_password_page(request: PortalRequest, token: str, purpose: PortalLinkPurpose) -> HttpResponse:
    link = find_usable_link(token, purpose, request.practice)
    if link is None:
        return render(request, "portal/auth/link_invalid.html", status=410)
    form = NewPasswordForm(request.POST or None, user=link.account)
    if request.method == "POST" and form.is_valid():
        try:
            account = accounts.set_password_with_link(
                token=token, purpose=purpose, practice=request.practice, password=form.cleaned_data["password1"]
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            if two_factor.is_on(account):
                # A reset link proves the email, not the phone: the code is still asked for.
                messages.success(request, _("Your password is set. Now enter the code from your authenticator app."))
                return _ask_for_code(request, account)
            start_portal_session(request, account=account, practice=request.practice)
            messages.success(request, _("Your password is set. Welcome to the portal."))
            return _home(request)
    template = (
        "portal/auth/accept_invitation.html" if purpose == PortalLinkPurpose.INVITATION else "portal/auth/reset.html"
    )
    context: dict[str, object] = {"form": form, "account": link.account}
    if purpose == PortalLinkPurpose.INVITATION and link.access is not None:
        # The header names the facility the invitation email came from.
        context["portal_facility"] = link.access.client.facility_name_beside_practice()
    return render(request, template, context)


@portal_public_view
def accept_invitation(request: PortalRequest, token: str) -> HttpResponse:
    return _set_password_page(request, token, PortalLinkPurpose.INVITATION)


@portal_public_view
def password_reset_confirm(request: PortalRequest, token: str) -> HttpResponse:
    return _set_password_page(request, token, PortalLinkPurpose.RESET)


@portal_public_view
def password_reset(request: PortalRequest) -> HttpResponse:
    """Forgot Password: the same answer for every email."""
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accounts.request_password_reset(practice=request.practice, email=form.cleaned_data["email"])
        return render(request, "portal/auth/check_email.html", {"email": form.cleaned_data["email"], "why": "reset"})
    return render(request, "portal/auth/password_reset.html", {"form": form})
