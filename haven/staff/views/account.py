"""Your account: the signed-in staff member's own login, second factor, recovery codes and message emails."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.accounts import two_factor
from haven.core.errors import ApplicationError
from haven.messaging import actions as messaging
from haven.messaging import policy as messaging_policy
from haven.messaging.models import Frequency
from haven.practices.access import StaffRequest, staff_view
from haven.staff.forms.account import ConfirmPasswordForm
from haven.staff.views.auth import show_recovery_codes


@staff_view()
def account(request: StaffRequest) -> HttpResponse:
    user = request.staff.user
    form = ConfirmPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.regenerate_recovery_codes(user=user, password=form.cleaned_data["password"])
        except ApplicationError as error:
            form.add_error("password", error.message)
        else:
            return show_recovery_codes(request, codes, reverse("staff:account"))
    may_message = messaging_policy.may_message(request.staff)
    return render(
        request,
        "staff/account.html",
        {
            "nav": "account",
            "form": form,
            "has_app": two_factor.confirmed_device(user) is not None,
            "codes_left": two_factor.recovery_codes_left(user),
            "may_message": may_message,
            "message_emails_on": may_message and messaging.frequency_of(staff=request.staff) == Frequency.IMMEDIATE,
        },
    )


@staff_view()
@require_POST
def message_emails(request: StaffRequest) -> HttpResponse:
    """Email me when a secure message arrives: on (right away) or off. The email says only that one is waiting."""
    on = request.POST.get("message_emails") == "on"
    try:
        messaging.set_frequency(staff=request.staff, frequency=Frequency.IMMEDIATE if on else Frequency.OFF)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("You will get an email when a secure message arrives.")
            if on
            else _("You will not get emails about secure messages. New ones show in Messages."),
        )
    return redirect(reverse("staff:account") + "#message-emails")
