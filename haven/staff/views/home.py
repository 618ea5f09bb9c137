from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from haven.core.access import public_view
from haven.practices.access import staff_view


@public_view
def root(request: HttpRequest) -> HttpResponse:
    return redirect("staff:home")


@staff_view()
def home(request: HttpRequest) -> HttpResponse:
    return redirect("staff:client_list")


@staff_view()
def demo_outbox(request: HttpRequest) -> HttpResponse:
    """Demo only: the emails Haven sent, newest first, so invitation links can be followed."""
    from haven.core.models import DemoOutboxEmail

    return render(request, "staff/demo_outbox.html", {"emails": DemoOutboxEmail.objects.all()[:50], "nav": "outbox"})
