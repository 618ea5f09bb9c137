"""Your account: the signed-in staff member's own login, second factor and recovery codes."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from haven.accounts import two_factor
from haven.core.errors import ApplicationError
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
    return render(
        request,
        "staff/account.html",
        {
            "nav": "account",
            "form": form,
            "has_app": two_factor.confirmed_device(user) is not None,
            "codes_left": two_factor.recovery_codes_left(user),
        },
    )
