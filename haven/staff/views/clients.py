"""Client list, chart and edits. Views are thin: access check, action, response."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from html import escape
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.db.models.sql.where import WhereNode
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_htmx.http import push_url

from haven.audit.selectors import client_history, client_history_first_page, history_events
from haven.clients import policy as clients_policy
from haven.clients.actions import create_client, update_client, view_chart
from haven.clients.models import Client, ClientStatus
from haven.clients.policy import get_client
from haven.clients.search import split_query, successor
from haven.clients.selectors import (
    SORTS,
    chart_contacts,
    visible_clients_matching,
)
from haven.core.errors import ApplicationError, ConflictError
from haven.core.html import format_html
from haven.core.prepared import Prepared
from haven.core.templatetags.haven_fixed import fixed_url
from haven.documents.selectors import activity_log_first_page
from haven.practices.access import StaffRequest, staff_view
from haven.practices.models import Permission, StaffMember
from haven.practices.viewers import StaffViewer
from haven.signing.selectors import staff_signature_status
from haven.staff import paging, saved_searches
from haven.staff.access_history import describe_events
from haven.staff.forms.clients import ClientForm
from haven.staff.forms.versions import rebase
from haven.staff.views.activities import activities_face
from haven.staff.views.calendar import appointments_face
from haven.staff.views.documents._common import with_staff_urls
from haven.staff.views.intake import intake_face
from haven.staff.views.messages import messages_face

HISTORY_PAGE = 50  # events a page of the Access history lists
RECENT_DOCUMENTS = 5  # on the Chart Face; the Activity Log has them all

PAGE_SIZE = 25

_PLACEHOLDER = 987654321  # stands for a row's id in an address reversed once per page

SEARCH_KIND = "clients"  # the client list's searches, in the session (haven.staff.saved_searches)


class SeeOther(HttpResponseRedirect):
    """Answer a search with the page's clean address (303: the browser fetches it with GET, nothing resent)."""

    status_code = 303


def _list_url(*, search: str = "", status: str = "", sort: str = "name", page: int = 1) -> str:
    """The list's address: an opaque key for the typed search, never its text; other filters as they are."""
    params: dict[str, str | int] = {"search": search, "status": status, "sort": sort if sort != "name" else ""}
    params["page"] = page if page > 1 else ""
    query = urlencode({name: value for name, value in params.items() if value})
    return f"{fixed_url('staff:client_list')}?{query}" if query else fixed_url("staff:client_list")


def _filters(data: QueryDict) -> tuple[str, str]:
    status = data.get("status", "")
    sort = data.get("sort", "name")
    return (status if status in ClientStatus.values else "", sort if sort in SORTS else "name")


@staff_view()
def client_list(request: StaffRequest) -> HttpResponse:
    """The client list and its search. The typed text (names, dates of birth) travels by POST and is kept in the
    session: every address the page makes (its own, pagination, the one HTMX shows) names it by a key only."""
    data = request.POST if request.method == "POST" else request.GET
    status, sort = _filters(data)
    if request.method == "POST" or "q" in request.GET:
        # A search typed now (or an old address that carried the text): keep it, answer with a clean address.
        text = data.get("q", "").strip()[:100]
        search = saved_searches.remember(request.session, SEARCH_KIND, text) if text else ""
        address = _list_url(search=search, status=status, sort=sort)
        if request.method == "GET" or not request.htmx:  # type: ignore[attr-defined]
            return SeeOther(address)
        return push_url(_render_list(request, query=text, search=search, status=status, sort=sort), address)
    search = request.GET.get("search", "")
    kept = saved_searches.recall(request.session, SEARCH_KIND, search) if search else ""
    if kept is None:  # a key this session no longer keeps (or never made): the whole list, and a word why
        return _render_list(request, query="", search="", status=status, sort=sort, forgotten=True)
    return _render_list(request, query=kept, search=search, status=status, sort=sort)


def _render_list(
    request: StaffRequest, *, query: str, search: str, status: str, sort: str, forgotten: bool = False
) -> HttpResponse:
    page = _list_page(request, query=query, status=status, sort=sort)
    context = {
        "nav": "clients",
        "page": page,
        "rows": _rows(page.object_list),
        "query": query,
        "status": status,
        "sort": sort,
        "statuses": [(value, str(label)) for value, label in ClientStatus.choices],
        "search_forgotten": forgotten,
        "previous_url": _list_url(search=search, status=status, sort=sort, page=page.number - 1),
        "next_url": _list_url(search=search, status=status, sort=sort, page=page.number + 1),
    }
    fragment = request.htmx and not request.htmx.history_restore_request  # type: ignore[attr-defined]
    template = "staff/clients/list.html#results" if fragment else "staff/clients/list.html"
    return render(request, template, context)


# What a row of the list shows, in this order: the client's id, last, first and preferred names, date of birth,
# email, facility and status.
_ROW = ("pk", "last_name", "first_name", "preferred_name", "date_of_birth", "email", "facility__name", "status")

# The list's first page, prepared (``haven.core.prepared``) for each shape of search: its sort, whether it names a
# status, how many dates of birth and how many words it holds, and the condition the clients policy sets for the
# staff member. A search of more dates or words than these is rare, and is built as usual.
_PREPARED_DATES = 2
_PREPARED_WORDS = 4
_first_pages: dict[tuple[str, bool, int, int, int, WhereNode], Prepared[tuple[Any, ...]]] = {}


def _viewer(practice_id: int, permissions: list[str]) -> StaffViewer:
    return StaffViewer(StaffMember(practice_id=practice_id, permissions=permissions))


def _first_page_query(
    member: StaffMember, sort: str, with_status: bool, dates: int, words: int
) -> Prepared[tuple[Any, ...]]:
    """The first page of the clients a staff member with this one's permissions sees in a practice
    (``haven.clients.policy.visible_to``) that match a search of this shape, with the list's count. Its values: the
    practice's id, then the status (if any), the ISO dates of birth, and the start and end of each word's range
    of search terms. The policy's condition is worked out on every request: whenever the policy would answer
    differently, another query is prepared."""
    permissions = list(member.permissions)
    condition = clients_policy.visible_to(_viewer(0, permissions)).query.where
    shape = (sort, with_status, dates, words, paging.COUNT_LIMIT, condition)
    found = _first_pages.get(shape)
    if found is not None:
        return found

    def build(practice_id: int, *values: str) -> QuerySet[Client, tuple[Any, ...]]:
        births, bounds = values[with_status : with_status + dates], values[with_status + dates :]
        clients = visible_clients_matching(
            _viewer(practice_id, permissions),
            status=values[0] if with_status else "",
            births=births,
            ranges=list(zip(bounds[0::2], bounds[1::2], strict=True)),
            sort=sort,
        )
        return paging.counted_first_page(clients, PAGE_SIZE, *_ROW)

    kinds = (int, *[str] * (with_status + dates + 2 * words))
    return _first_pages.setdefault(shape, Prepared(build, *kinds))


def _list_page(request: StaffRequest, *, query: str, status: str, sort: str) -> paging.Page:
    """The page of the list asked for: its rows as ``_ROW`` tuples."""
    number = request.GET.get("page") if request.method == "GET" else 1
    dates, keys = split_query(query)
    births = [birth.isoformat() for birth in dates]
    ranges = [(key, successor(key)) for key in keys]
    if paging.page_number(number) == 1 and len(births) <= _PREPARED_DATES and len(ranges) <= _PREPARED_WORDS:
        prepared = _first_page_query(request.staff, sort, bool(status), len(births), len(ranges))
        values = [status] if status else []
        rows = prepared(request.viewer.practice_id, *values, *births, *(bound for pair in ranges for bound in pair))
        return paging.first_page(rows, PAGE_SIZE)
    clients = visible_clients_matching(request.viewer, status=status, births=births, ranges=ranges, sort=sort)
    return paging.get_page(clients.values_list(*_ROW), PAGE_SIZE, number)


def _words(text: str) -> str:
    """Translated words escaped for a ``format_html`` format string, as ``{% blocktranslate %}`` uses them."""
    return escape(text).replace("{", "{{").replace("}", "}}")


def _rows(listed: Sequence[tuple[Any, ...]]) -> list[str]:
    """Each row drawn once here by ``format_html`` (which escapes every value), the page's words translated once,
    rather than looked up, filtered and translated cell by cell in the template."""
    chart = reverse("staff:client_chart", args=[_PLACEHOLDER])  # one reverse per page, not one per row
    placeholder = str(_PLACEHOLDER)
    statuses = {value: str(label) for value, label in ClientStatus.choices}
    row = (
        '<tr>\n      <td><a href="{}">{}</a>{}</td>\n'
        f'      <td data-label="{_words(_("Date of birth"))}">{{}}</td>\n'
        f'      <td data-label="{_words(_("Email"))}">{{}}</td>\n'
        f'      <td data-label="{_words(_("Facility"))}">{{}}</td>\n'
        f'      <td data-label="{_words(_("Status"))}">{{}}</td>\n'
        "    </tr>"
    )
    return [
        format_html(
            row,
            chart.replace(placeholder, str(pk)),
            f"{last_name}, {first_name}",
            format_html(' <span class="text-body-secondary">({})</span>', preferred_name) if preferred_name else "",
            birth.isoformat(),
            email or "—",
            facility or "—",
            statuses.get(client_status, client_status),
        )
        for pk, last_name, first_name, preferred_name, birth, email, facility, client_status in listed
    ]


@staff_view()
def client_create(request: StaffRequest) -> HttpResponse:
    form = ClientForm(request.POST or None, member=request.staff)
    if request.method == "POST" and form.is_valid():
        try:
            client = create_client(by=request.staff, data=form.client_data())
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": client.full_name})
            return redirect(client.get_absolute_url())
    return render(request, "staff/clients/form.html", {"nav": "clients", "form": form, "client": None})


def _chart_context(request: StaffRequest, client_id: int, tab: str) -> dict[str, object]:
    client = get_client(request.viewer, client_id, path=request.path)
    return {
        "nav": "clients",
        "client": client,
        "tab": tab,
        "can_see_history": request.staff.has_permission(Permission.ORG_ADMIN),
    }


@staff_view()
def client_chart(request: StaffRequest, client_id: int) -> HttpResponse:
    """The Chart Face: who the client is, who is related to them and their latest documents, at a glance.

    A signed document shows here as soon as its signed version is current (SIGN-4), with the same
    Share Status as the Activity Log; the page's queries don't grow with the chart.
    """
    context = _chart_context(request, client_id, "face")
    client = context["client"]
    view_chart(by=request.staff, client=client)  # type: ignore[arg-type]
    context["age"] = client.age_on(timezone.localdate())  # type: ignore[attr-defined]
    context["contacts"], context["contact_of"] = chart_contacts(client)  # type: ignore[arg-type]
    # The Activity Log's first entries (``activity_log`` as the viewer sees it), in prepared queries.
    recent = activity_log_first_page(client, request.viewer, size=RECENT_DOCUMENTS)  # type: ignore[arg-type]
    context["recent_documents"] = with_staff_urls(client, staff_signature_status(recent.rows))  # type: ignore[arg-type]
    context["can_share"] = request.staff.has_permission(Permission.WEB_PORTAL)
    context.update(intake_face(request, client))  # type: ignore[arg-type]
    context["face_cards"] = format_html("{}{}", context.get("face_cards", ""), messages_face(request, client))  # type: ignore[arg-type]
    context["face_cards"] = format_html("{}{}", context["face_cards"], activities_face(request, client))  # type: ignore[arg-type]
    context["face_cards"] = format_html("{}{}", context["face_cards"], appointments_face(request, client))  # type: ignore[arg-type]
    return render(request, "staff/clients/chart.html", context)


@staff_view()
def client_edit(request: StaffRequest, client_id: int) -> HttpResponse:
    client = get_client(request.viewer, client_id, path=request.path)
    form = ClientForm(request.POST or None, instance=client, member=request.staff)
    if request.method == "POST" and form.is_valid():
        try:
            update_client(
                by=request.staff,
                client=client,
                data=form.client_data(),
                expected_version=form.cleaned_data.get("version") or 0,
            )
        except ConflictError as error:
            current = get_client(request.viewer, client_id)
            # Keep everything typed, but base the next save on the version now stored.
            form = ClientForm(rebase(request, current.version), instance=client, member=request.staff)
            form.is_valid()
            form.add_error(None, error.message)
            return render(
                request,
                "staff/clients/form.html",
                {"nav": "clients", "form": form, "client": current, "current": current},
                status=409,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(client.get_absolute_url())
    return render(request, "staff/clients/form.html", {"nav": "clients", "form": form, "client": client})


@staff_view(Permission.ORG_ADMIN)
def access_history(request: StaffRequest, client_id: int) -> HttpResponse:
    """Every recorded event about this client in words: what happened to what, who (name and role), when, from where."""
    context = _chart_context(request, client_id, "history")
    client = context["client"]
    if request.GET.get("page") in (None, "", "1"):  # the first page, nearly always the one opened: one query
        # The page shows no total, only whether there are older events: those it has, a lower bound when there are.
        rows, more = client_history_first_page(client, size=HISTORY_PAGE)  # type: ignore[arg-type]
        page = paging.Page(rows, 1, HISTORY_PAGE, len(rows), more, more)
    else:
        page = paging.get_page(client_history(client), HISTORY_PAGE, request.GET.get("page"))  # type: ignore[arg-type]
        page = dataclasses.replace(page, object_list=history_events(page.object_list))
    context["page"] = page
    context["entries"] = describe_events(page.object_list, client, viewer=request.viewer)  # type: ignore[arg-type]
    return render(request, "staff/clients/access_history.html", context)
