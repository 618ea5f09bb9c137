"""A URL configuration holding one view that never declared its access rule (for the deny-by-default test)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path


def undeclared(request: HttpRequest) -> HttpResponse:
    return HttpResponse("this view forgot to declare who may reach it")


urlpatterns = [path("undeclared/", undeclared, name="undeclared")]
