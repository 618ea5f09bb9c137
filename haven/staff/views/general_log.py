"""The General Log (DOC-7): group notes linked to several clients, and sharing them to All Authorized."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.db.models.sql.where import WhereNode
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from haven.audit.denials import not_found, object_ids
from haven.clients import policy as clients_policy
from haven.clients.models import Client, ClientStatus
from haven.clients.selectors import search_visible_clients
from haven.core.errors import ApplicationError
from haven.core.forms import DateInput, HavenForm
from haven.core.html import format_html
from haven.core.policy import Viewer
from haven.core.prepared import Prepared
from haven.core.templatetags.haven_globe import globe
from haven.documents import group_notes
from haven.documents.group_notes import MAX_TITLE_CHARS, MIN_CLIENTS
from haven.documents.models import DocumentType, GroupNote
from haven.documents.policy import get_group_note, group_notes_visible_among, reads_clinical
from haven.practices.access import StaffRequest, staff_view
from haven.practices.models import Permission, StaffMember
from haven.practices.viewers import StaffViewer
from haven.staff import paging

PAGE_SIZE = 25
_PLACEHOLDER = 987654321  # stands for a row's id in an address reversed once per page


PICKER_RESULTS = 8  # enough to spot the right person; more means typing more of the name


def client_label(client: Client) -> str:
    """How the picker names a client: the name and the date of birth, which tells two namesakes apart."""
    return f"{client.full_name} · {client.date_of_birth:%Y-%m-%d}"


class ClientChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return client_label(obj)


class GroupNoteForm(HavenForm):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=MAX_TITLE_CHARS,
        help_text=gettext_lazy("Every linked client sees this title. Don't name anyone in it."),
        error_messages={"required": gettext_lazy("Give the group note a title.")},
    )
    document_date = forms.DateField(
        label=gettext_lazy("Date"),
        widget=DateInput(),
        error_messages={
            "required": gettext_lazy("Enter the group note's date."),
            "invalid": gettext_lazy("Enter a date like 2025-03-14."),
        },
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "A PDF, PNG or JPEG file. Each linked client gets their own copy, so the file must not name "
            "any member of the group."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
        error_messages={"required": gettext_lazy("Choose the file to upload.")},
    )
    clients = ClientChoiceField(
        label=gettext_lazy("Clients"),
        queryset=Client.objects.none(),
        widget=forms.MultipleHiddenInput(),
        help_text=gettext_lazy("Choose at least two active clients: type part of a name, then add each client."),
        error_messages={
            "required": gettext_lazy("Choose the clients who took part."),
            "invalid_choice": gettext_lazy("Choose clients from the list."),
            "invalid_pk_value": gettext_lazy("Choose clients from the list."),
        },
    )

    def __init__(self, *args: Any, member: StaffMember, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clients"].queryset = _active_clients(StaffViewer(member))  # type: ignore[attr-defined]
        self.fields["document_date"].initial = timezone.localdate()

    def clean_clients(self) -> list[Client]:
        chosen = list(self.cleaned_data["clients"])
        if len(chosen) < MIN_CLIENTS:
            raise forms.ValidationError(_("Choose at least two clients for a group note."), code="too_few")
        return chosen


def _reject_foreign_clients(request: StaffRequest, raw_ids: list[str]) -> list[int]:
    """Any client id the staff member may not see refuses the whole request: 404, audited, nothing created."""
    wanted = object_ids(request.viewer, raw_ids, object_type="clients.client", path=request.path)
    found = set(clients_policy.visible_to(request.viewer).filter(pk__in=wanted).values_list("pk", flat=True))
    for client_id in wanted:
        if client_id not in found:
            raise not_found(request.viewer, object_type="clients.client", object_id=client_id, path=request.path)
    return wanted


def _active_clients(viewer: Viewer, *, query: str = "") -> QuerySet[Client]:
    """The active clients this viewer may see (``haven.clients.policy.visible_to``) matching the query."""
    return search_visible_clients(viewer, query=query, status=ClientStatus.ACTIVE)


def _picker_context(viewer: Viewer, *, chosen_ids: list[int], query: str, searched: bool) -> dict[str, object]:
    """The chosen clients as chips, and (after a search) up to PICKER_RESULTS others matching the query."""
    chosen = list(_active_clients(viewer).filter(pk__in=chosen_ids)) if chosen_ids else []
    results: list[Client] = []
    if query:
        results = list(_active_clients(viewer, query=query).exclude(pk__in=chosen_ids)[: PICKER_RESULTS + 1])
    return {
        "chosen": [(client, client_label(client)) for client in chosen],
        "results": [(client, client_label(client)) for client in results[:PICKER_RESULTS]],
        "more_results": len(results) > PICKER_RESULTS,
        "client_query": query,
        "searched": searched,
    }


def _query(data: QueryDict) -> str:
    return data.get("client_q", "").strip()[:100]


def _context(request: StaffRequest, **extra: object) -> dict[str, object]:
    return {
        "nav": "general_log",
        "can_share": request.staff.has_permission(Permission.WEB_PORTAL),
        # A group note is clinical by default: only staff who may open it add one.
        "can_upload": request.staff.has_permission(Permission.UPLOAD_DOCUMENTS) and reads_clinical(request.viewer),
        **extra,
    }


# What a row of the General Log shows, in this order: the group note's id, date, title, its type's two portal
# exceptions (``DocumentType.shareable``) and its author's name.
_ROW = ("pk", "document_date", "title", "type__never_share", "type__hidden_from_portal", "author__user__full_name")


@staff_view()
@require_safe
def general_log(request: StaffRequest) -> HttpResponse:
    """The practice's group notes, newest first, each with how many clients it links and its globe."""
    practice_id = request.staff.practice_id
    number = paging.page_number(request.GET.get("page"))
    counts: dict[int, tuple[int, int]] = {}
    if number == 1:  # the page and its count in one prepared query, their clients and shares in another
        listed, counted = _first_page_queries(request.staff)
        page = paging.first_page(listed(practice_id), PAGE_SIZE)
        if page.object_list:
            counts = {note_id: (clients, shared) for note_id, clients, shared in counted(practice_id)}
    else:
        notes = group_notes_visible_among(request.viewer, group_notes.general_log_notes(practice_id))
        page = paging.get_page(notes.values_list(*_ROW), PAGE_SIZE, number)
    missing = [row[0] for row in page.object_list if row[0] not in counts]  # a later page, or one just changed
    if missing:
        counts.update(
            (note_id, (clients, shared)) for note_id, clients, shared in group_notes.copy_counts(practice_id, missing)
        )
    context = _context(request, page=page, reads_clinical=reads_clinical(request.viewer))
    context["rows"] = _rows(page.object_list, counts, can_share=bool(context["can_share"]))
    return render(request, "staff/general_log/list.html", context)


_first_pages: dict[tuple[int, WhereNode], tuple[Prepared[tuple[Any, ...]], Prepared[tuple[int, int, int]]]] = {}


def _viewer(practice_id: int, permissions: list[str]) -> StaffViewer:
    return StaffViewer(StaffMember(practice_id=practice_id, permissions=permissions))


def _first_page_queries(
    member: StaffMember,
) -> tuple[Prepared[tuple[Any, ...]], Prepared[tuple[int, int, int]]]:
    """The General Log's first page with its count, and the clients and shares of that page's group notes
    (``group_notes.copy_counts``), for the practice whose id they are given, as the policy
    (``group_notes_visible_among``) shows it to a staff member with this one's permissions. Prepared for each
    condition the policy sets, worked out on every request: whenever the policy would answer differently, other
    queries are prepared."""
    permissions = list(member.permissions)
    condition = group_notes_visible_among(_viewer(0, permissions), GroupNote.objects.all()).query.where
    shape = (paging.COUNT_LIMIT, condition)
    found = _first_pages.get(shape)
    if found is not None:
        return found

    def visible(practice_id: int) -> QuerySet[GroupNote]:
        return group_notes_visible_among(_viewer(practice_id, permissions), group_notes.general_log_notes(practice_id))

    def rows(practice_id: int) -> QuerySet[GroupNote, tuple[Any, ...]]:
        return paging.counted_first_page(visible(practice_id), PAGE_SIZE, *_ROW)

    def counts(practice_id: int) -> QuerySet[Any, tuple[int, int, int]]:
        return group_notes.copy_counts(practice_id, visible(practice_id).values("pk")[:PAGE_SIZE])

    return _first_pages.setdefault(shape, (Prepared(rows, int), Prepared(counts, int)))


def _words(text: str) -> str:
    """Translated words escaped for a ``format_html`` format string, as ``{% blocktranslate %}`` uses them."""
    return escape(text).replace("{", "{{").replace("}", "}}")


def _rows(listed: Sequence[tuple[Any, ...]], counts: dict[int, tuple[int, int]], *, can_share: bool) -> list[str]:
    """Each row drawn once here by ``format_html`` (which escapes every value): its address, its counts and the
    words and globe of its share status, the page's words translated once, rather than looked up, counted and
    translated cell by cell in the template."""
    detail = reverse("staff:group_note_detail", args=[_PLACEHOLDER])  # one reverse per page, not one per row
    placeholder = str(_PLACEHOLDER)
    statuses = {}  # each share state's link to the share dialog, its globe, words and tip in place
    for state, colour, words, tip in (
        ("all", "blue", _("Shared"), _("Shared to All Authorized")),
        ("some", "orange", _("Shared"), _("Shared to All Authorized for some of its clients")),
        ("none", "gray", _("Not Shared"), _("Not shared to All Authorized")),
    ):
        statuses[state] = (
            '<a class="d-inline-flex align-items-center gap-1 text-decoration-none" href="{}#share"'
            f' title="{_words(tip)}">\n        {globe(colour).replace("{", "{{").replace("}", "}}")}\n'
            f'        <span class="text-body">{_words(words)}</span>\n'
            f'        <span class="visually-hidden">({_words(tip)}){{}}</span>\n      </a>'
        )
    exception = format_html('<span class="badge text-bg-light border">{}</span>', _("Portal exception"))
    share = _("share “%(title)s”") if can_share else ""
    row = (
        '<tr data-group-note="{}">\n'
        f'    <td data-label="{_words(_("Date"))}" class="text-nowrap">{{}}</td>\n'
        '    <td><a href="{}">{}</a></td>\n'
        f'    <td data-label="{_words(_("Clients"))}">{{}}</td>\n'
        f'    <td data-label="{_words(_("Author"))}">{{}}</td>\n'
        f'    <td data-label="{_words(_("Share Status"))}">\n      {{}}\n    </td>\n'
        "  </tr>"
    )
    clients_words: dict[int, str] = {}
    shareable: dict[tuple[bool, bool], bool] = {}
    rows: list[str] = []
    for pk, document_date, title, never_share, hidden_from_portal, author in listed:
        clients, shared = counts.get(pk, (0, 0))
        exceptions = (never_share, hidden_from_portal)
        if exceptions not in shareable:
            shareable[exceptions] = DocumentType(
                never_share=never_share, hidden_from_portal=hidden_from_portal
            ).shareable
        if clients not in clients_words:
            clients_words[clients] = ngettext("%(count)s client", "%(count)s clients", clients) % {"count": clients}
        url = detail.replace(placeholder, str(pk))
        if shareable[exceptions]:
            state = "all" if shared and shared == clients else "some" if shared else "none"
            status = format_html(statuses[state], url, f" — {share % {'title': title}}" if share else "")
        else:
            status = exception
        rows.append(format_html(row, pk, document_date.isoformat(), url, title, clients_words[clients], author, status))
    return rows


@staff_view(Permission.UPLOAD_DOCUMENTS)
def group_note_create(request: StaffRequest) -> HttpResponse:
    """Upload a group note: one file, copied into each chosen client's Activity Log.

    Without JavaScript the picker's Search, Add and Remove buttons post the form back: the page comes
    again with what was typed, the chosen clients and the search results, and nothing is saved.
    """
    practice = request.staff.practice
    chosen_ids: list[int] = []
    if request.method == "POST":
        chosen_ids = _reject_foreign_clients(request, request.POST.getlist("clients"))
        added = _reject_foreign_clients(request, request.POST.getlist("add"))
        removed = set(_reject_foreign_clients(request, request.POST.getlist("remove")))
        # Enter in the search box (the form's default button carries no name) searches too.
        implicit_search = "save" not in request.POST and bool(_query(request.POST))
        if added or removed or "picker" in request.POST or implicit_search:
            chosen_ids = [pk for pk in dict.fromkeys(chosen_ids + added) if pk not in removed]
            form = GroupNoteForm(
                initial={"title": request.POST.get("title", ""), "document_date": request.POST.get("document_date")},
                member=request.staff,
            )
            picker = _picker_context(request.viewer, chosen_ids=chosen_ids, query=_query(request.POST), searched=True)
            # A browser cannot fill a file field again: say so rather than let the file vanish unnoticed.
            picker["file_dropped"] = bool(request.FILES)
            return render(request, "staff/general_log/form.html", _context(request, form=form, **picker))
    form = GroupNoteForm(request.POST or None, request.FILES or None, member=request.staff)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            # One byte past the limit is enough for the action to refuse it with its own message.
            data = form.cleaned_data["file"].read(settings.HAVEN_MAX_UPLOAD_BYTES + 1)
            try:
                group_note = group_notes.create_group_note(
                    by=request.staff,
                    clients=form.cleaned_data["clients"],
                    doc_type=group_notes.group_note_type(practice),
                    title=form.cleaned_data["title"],
                    document_date=form.cleaned_data["document_date"],
                    data=data,
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                count = len(form.cleaned_data["clients"])
                messages.success(
                    request,
                    ngettext(
                        "“%(title)s” was added to the Activity Log of %(count)d client.",
                        "“%(title)s” was added to the Activity Logs of %(count)d clients.",
                        count,
                    )
                    % {"title": group_note.title, "count": count},
                )
                return redirect("staff:group_note_detail", group_note_id=group_note.pk)
    picker = _picker_context(request.viewer, chosen_ids=chosen_ids, query="", searched=False)
    return render(request, "staff/general_log/form.html", _context(request, form=form, **picker), status=status)


@staff_view(Permission.UPLOAD_DOCUMENTS)
@require_POST
def group_note_client_search(request: StaffRequest) -> HttpResponse:
    """The picker's results as staff type: active clients of the practice, not yet chosen, a few at a time.

    What is typed (names, dates of birth) comes by POST, so it stays out of every address and access log.
    """
    chosen_ids = _reject_foreign_clients(request, request.POST.getlist("clients"))
    picker = _picker_context(request.viewer, chosen_ids=chosen_ids, query=_query(request.POST), searched=True)
    return render(request, "staff/general_log/form.html#picker_results", picker)


@staff_view()
@require_safe
def group_note_detail(request: StaffRequest, group_note_id: int) -> HttpResponse:
    """The linked clients (staff only) with each copy's share status, and the All Authorized button."""
    group_note = get_group_note(request.viewer, group_note_id, path=request.path)
    copies = list(group_notes.copies_of(group_note))
    shared_count = len([copy for copy in copies if getattr(copy, "shared_all", False)])
    context = _context(
        request,
        group_note=group_note,
        copies=copies,
        excepted=not group_note.type.shareable,
        shared_count=shared_count,
        all_shared=bool(copies) and shared_count == len(copies),
    )
    return render(request, "staff/general_log/detail.html", context)


@staff_view(Permission.WEB_PORTAL)
@require_POST
def group_note_share(request: StaffRequest, group_note_id: int) -> HttpResponse:
    """All Authorized: every linked client and their Web Portal contacts, each seeing only their own copy."""
    group_note = get_group_note(request.viewer, group_note_id, path=request.path)
    try:
        count = group_notes.share_group_note_all_authorized(by=request.staff, group_note=group_note)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "Shared to All Authorized: %(count)d client and their Web Portal contacts see their own copy.",
                "Shared to All Authorized: %(count)d clients and their Web Portal contacts each see their own copy.",
                count,
            )
            % {"count": count},
        )
    return redirect("staff:group_note_detail", group_note_id=group_note.pk)


@staff_view(Permission.WEB_PORTAL)
@require_POST
def group_note_unshare(request: StaffRequest, group_note_id: int) -> HttpResponse:
    """Stop sharing to All Authorized on every copy."""
    group_note = get_group_note(request.viewer, group_note_id, path=request.path)
    try:
        group_notes.unshare_group_note(by=request.staff, group_note=group_note)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The group note is no longer shared to All Authorized."))
    return redirect("staff:group_note_detail", group_note_id=group_note.pk)
