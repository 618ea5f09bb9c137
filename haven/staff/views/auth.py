"""Signing in: password, second factor, invitation links."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from haven.accounts import two_factor
from haven.core.access import public_view, url_with_next
from haven.core.errors import ApplicationError
from haven.practices.access import staff_view
from haven.practices.models import LinkPurpose
from haven.practices.password_links import find_usable_link, request_password_reset, set_password_with_link
from haven.staff.forms.auth import (
    CodeForm,
    PasswordResetRequestForm,
    RecoveryCodeForm,
    SetPasswordForm,
    StaffLoginForm,
)

# New recovery codes wait here between the step that made them and the one page that shows them, once.
RECOVERY_CODES_TO_SHOW = "haven.staff.recovery_codes_to_show"


class StaffLoginView(auth_views.LoginView):
    template_name = "staff/auth/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form: StaffLoginForm) -> HttpResponse:  # type: ignore[override]
        """An attempt refused because the account had too many recent ones answers 429, like a lockout."""
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
        return response


login_view = public_view(StaffLoginView.as_view())


@public_view
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("staff:login")


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/staff/"


@staff_view(requires_second_factor=False)
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if two_factor.confirmed_device(user) is not None:  # type: ignore[arg-type]
        return redirect(url_with_next("staff:two_factor_verify", _next_url(request)))
    device = two_factor.pending_device(user)  # type: ignore[arg-type]
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = two_factor.confirm_enrolment(
            request,
            user=user,  # type: ignore[arg-type]
            device=device,
            token=form.cleaned_data["code"],
        )
        if result.ok:
            messages.success(
                request, _("Two-factor sign-in is set up. You'll be asked for a code each time you sign in.")
            )
            return show_recovery_codes(request, result.recovery_codes, _next_url(request))
        form.add_error("code", _two_factor_error(result.reason))
    return render(
        request,
        "staff/auth/two_factor_setup.html",
        {
            "form": form,
            "qr_code": two_factor.qr_code_data_uri(device, account=user.email),  # type: ignore[union-attr]
            "secret": two_factor.secret_for_display(device),
            "next": _next_url(request),
        },
    )


@staff_view(requires_second_factor=False)
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if two_factor.confirmed_device(user) is None:  # type: ignore[arg-type]
        return redirect(url_with_next("staff:two_factor_setup", _next_url(request)))
    if user.is_verified():  # type: ignore[union-attr]
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = two_factor.verify_second_factor(request, user=user, token=form.cleaned_data["code"])  # type: ignore[arg-type]
        if result.ok:
            return redirect(_next_url(request))
        form.add_error("code", _two_factor_error(result.reason))
    return render(request, "staff/auth/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@staff_view(requires_second_factor=False)
def two_factor_recovery(request: HttpRequest) -> HttpResponse:
    """Sign in with a recovery code instead of the app's code."""
    user = request.user
    if two_factor.confirmed_device(user) is None:  # type: ignore[arg-type]
        return redirect(url_with_next("staff:two_factor_setup", _next_url(request)))
    if user.is_verified():  # type: ignore[union-attr]
        return redirect(_next_url(request))
    form = RecoveryCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = two_factor.verify_recovery_code(request, user=user, code=form.cleaned_data["code"])  # type: ignore[arg-type]
        if result.ok:
            remaining = result.remaining or 0
            text = ngettext(
                "You signed in with a recovery code; it won't work again. %(count)d recovery code is left.",
                "You signed in with a recovery code; it won't work again. %(count)d recovery codes are left.",
                remaining,
            ) % {"count": remaining}
            if remaining <= 3:
                text += " " + _("Make a new set on Your account page before they run out.")
            messages.warning(request, text)
            return redirect(_next_url(request))
        form.add_error("code", _recovery_code_error(result.reason))
    return render(
        request,
        "staff/auth/two_factor_recovery.html",
        {
            "form": form,
            "next": _next_url(request),
            "has_codes": two_factor.recovery_codes_left(user) > 0,  # type: ignore[arg-type]
        },
    )


def show_recovery_codes(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    """Send the browser to the page that shows new recovery codes, once."""
    request.session[RECOVERY_CODES_TO_SHOW] = codes
    return redirect(url_with_next("staff:two_factor_recovery_codes", next_url))


@staff_view()
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown this once; a reload shows that they were already shown."""
    codes = request.session.pop(RECOVERY_CODES_TO_SHOW, None) or []
    return render(request, "staff/auth/recovery_codes.html", {"codes": codes, "next": _next_url(request)})


def _two_factor_error(reason: str) -> str:
    if reason == "throttled":
        return _("Too many wrong codes. Wait a minute, then try the newest code.")
    return _("That code didn't match. Check the time on your phone and try the newest code from your app.")


def _recovery_code_error(reason: str) -> str:
    if reason == "throttled":
        return _("Too many wrong codes. Wait a minute, then try again.")
    if reason == "no_device":
        return _(
            "You have no recovery codes left. Ask an administrator of your practice to reset your two-factor sign-in."
        )
    return _("That recovery code didn't match, or it was used already. Check it and try another one.")


def _set_password_page(request: HttpRequest, token: str, purpose: LinkPurpose, template: str) -> HttpResponse:
    link = find_usable_link(token, purpose)
    if link is None:
        return render(request, "staff/auth/link_invalid.html", {"purpose": purpose}, status=410)
    member = link.member
    form = SetPasswordForm(request.POST or None, user=member.user)
    if request.method == "POST" and form.is_valid():
        try:
            member = set_password_with_link(token=token, purpose=purpose, password=form.cleaned_data["password1"])
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            logout(request)
            login(request, member.user, backend="haven.accounts.backends.ModelBackend")
            messages.success(request, _("Your password is set. Welcome to Haven."))
            return redirect("staff:home")
    return render(request, template, {"form": form, "member": member})


@public_view
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    return _set_password_page(request, token, LinkPurpose.INVITATION, "staff/auth/accept_invitation.html")


@public_view
def password_reset_confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _set_password_page(request, token, LinkPurpose.RESET, "staff/auth/password_reset_confirm.html")


@public_view
def password_reset(request: HttpRequest) -> HttpResponse:
    """Forgot Password: the same answer whether or not the email has a login."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request_password_reset(email=form.cleaned_data["email"])
        return render(request, "staff/auth/password_reset_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "staff/auth/password_reset.html", {"form": form})
