from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from haven.core.access import public_view
from haven.practices.access import staff_view


@public_view
def root(request: HttpRequest) -> HttpResponse:
    return redirect("staff:home")


@staff_view()
def home(request: HttpRequest) -> HttpResponse:
    return redirect("staff:client_list")
