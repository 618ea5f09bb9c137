"""Appointment reminders (APPT-3): how this portal login wants them, by email, by text message, or both.

The choice belongs to the login, in every practice's portal it uses (``haven.scheduling.reminders``). A mobile
number that can't be texted is refused in words, with what was typed kept in its field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from haven.core.errors import ApplicationError
from haven.core.forms import HavenForm
from haven.core.sms import NUMBER_HELP, InvalidNumber, normalize_number, texts_available
from haven.portal.access import PortalRequest, portal_view
from haven.portal.templatetags.portal_urls import portal_url
from haven.scheduling import reminders


class ReminderPreferenceForm(HavenForm):
    email = forms.BooleanField(label=gettext_lazy("Email me appointment reminders"), required=False)
    sms = forms.BooleanField(label=gettext_lazy("Text me appointment reminders"), required=False)
    phone = forms.CharField(
        label=gettext_lazy("Mobile number for text messages"),
        required=False,
        max_length=30,
        help_text=NUMBER_HELP,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not texts_available():  # no provider configured: offer email only
            del self.fields["sms"], self.fields["phone"]

    def clean_phone(self) -> str:
        typed: str = self.cleaned_data["phone"]
        if not typed.strip():
            return ""
        try:
            return normalize_number(typed)
        except InvalidNumber as refusal:
            raise forms.ValidationError(str(refusal)) from refusal

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("sms") and "phone" not in self.errors and not cleaned.get("phone"):
            self.add_error("phone", _("Type your mobile number to get text messages."))
        return cleaned


@portal_view
@require_http_methods(["GET", "HEAD", "POST"])
def reminder_preferences(request: PortalRequest) -> HttpResponse:
    account = request.portal.account
    status = 200
    if request.method == "POST":
        form = ReminderPreferenceForm(request.POST)
        if form.is_valid():
            try:
                saved = reminders.set_preference(
                    account=account,
                    email=form.cleaned_data["email"],
                    sms=form.cleaned_data.get("sms", False),
                    phone=form.cleaned_data.get("phone", ""),
                )
            except ApplicationError as refusal:
                form.add_error(None, refusal.message)
            else:
                if saved.email or saved.sms:
                    messages.success(request, _("Saved. Your reminders will come as you chose."))
                else:
                    messages.success(request, _("Saved. You won't get appointment reminders."))
                return redirect(portal_url("portal:reminders", request.practice.slug))
        status = 400
    else:
        preference = reminders.preference_of(account)
        form = ReminderPreferenceForm(
            initial={"email": preference.email, "sms": preference.sms, "phone": preference.phone}
        )
    return render(request, "portal/reminders/preferences.html", {"form": form}, status=status)
