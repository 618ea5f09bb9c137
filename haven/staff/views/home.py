from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from haven.core.access import public_view
from haven.core.models import DemoOutboxEmail
from haven.practices.access import StaffRequest, staff_view
from haven.practices.models import StaffMember


@public_view
def root(request: HttpRequest) -> HttpResponse:
    return redirect("staff:home")


@staff_view()
def home(request: HttpRequest) -> HttpResponse:
    return redirect("staff:client_list")


@staff_view()
def demo_outbox(request: StaffRequest) -> HttpResponse:
    """Demo only: the emails Haven sent for this practice, newest first, so invitation links can be followed.

    Absent unless the installation asks for it (HAVEN_DEMO_OUTBOX), and never in production. A staff
    member sees the practice's mail to clients and to themselves, never another staff login's mail
    (an invitation or reset link there would be that login).
    """
    if not settings.HAVEN_DEMO_OUTBOX:
        raise Http404
    colleagues = StaffMember.objects.filter(practice=request.staff.practice).exclude(pk=request.staff.pk)
    emails = DemoOutboxEmail.objects.filter(practice_id=request.staff.practice_id).exclude(
        to__in=colleagues.values("user__email")
    )
    return render(request, "staff/demo_outbox.html", {"emails": emails[:50], "nav": "outbox"})
