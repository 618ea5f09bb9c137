"""The Activity Log (DOC-4..DOC-6): a client's documents with their globes and Share Status, and Share all."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from haven.audit.denials import object_ids
from haven.clients.models import Client, RelatedContact
from haven.clients.policy import get_client, get_contact
from haven.core.errors import ApplicationError
from haven.documents import actions, policy, selectors
from haven.documents.models import DocumentType, client_label, contact_label
from haven.documents.policy import DocumentVerb
from haven.practices.access import StaffRequest, staff_view
from haven.practices.models import Permission
from haven.signing.selectors import staff_signature_status
from haven.staff import paging
from haven.staff.views.documents._common import PAGE_SIZE, chart_context, with_staff_urls


def _type_filter(raw: str, allowed: set[int]) -> int | None:
    """The ?type= filter, kept only when it names one of the practice's types."""
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value in allowed else None


@dataclass(frozen=True)
class ShareAllChoice:
    """Share all with one guardian, offered when Share all to the client would reach nobody."""

    contact: RelatedContact
    label: str
    confirm: str


def _share_all_context(client: Client) -> dict[str, object]:
    """What Share all says before it runs: with whom; for a minor without a login, that the guardian won't see it."""
    confirm = "{} {}".format(
        _("Continuing will send all documentation to the Client via their portal account."),
        _("Who will see it: %(name)s only.") % {"name": client_label(client)},
    )
    minor_without_login = client.is_minor_on(timezone.localdate()) and not selectors.has_own_portal_login(client)
    guardians: list[ShareAllChoice] = []
    if minor_without_login:
        confirm += " " + _(
            "%(name)s is a minor without a portal login of their own: it waits until they have one, "
            "and their guardian will not see it."
        ) % {"name": client.full_name}
        for contact in selectors.portal_guardians(client):
            label = contact_label(contact)
            guardians.append(
                ShareAllChoice(
                    contact=contact,
                    label=label,
                    confirm=_("Continuing will send all documentation to %(name)s via their portal account.")
                    % {"name": label},
                )
            )
    return {
        "share_all_confirm": confirm,
        "share_all_minor_without_login": minor_without_login,
        "share_all_guardians": guardians,
    }


def _page(
    request: StaffRequest, client: Client, type_id: int | None, types: list[DocumentType]
) -> tuple[paging.Page, bool]:
    """The page of the log asked for (``paging.get_page``), and whether everything available is shared with the
    client (the log's own globe); the first page, the one nearly always opened, in prepared queries that read its
    entries, how many there are (up to ``paging.COUNT_LIMIT``) and the globe at once, then their shares."""
    if request.GET.get("page") not in (None, "", "1"):
        listed = selectors.activity_log(client, type_id=type_id)
        page = paging.get_page(policy.visible_among(request.viewer, listed), PAGE_SIZE, request.GET.get("page"))
        return page, selectors.all_shared_with_client_at_once(client)
    first = selectors.activity_log_first_page(
        client,
        request.viewer,
        size=PAGE_SIZE,
        count_limit=paging.COUNT_LIMIT,
        type_id=type_id,
        types=types,
        all_shared=True,
    )
    more = first.counted > paging.COUNT_LIMIT
    total = paging.COUNT_LIMIT if more else first.counted
    page = paging.Page(first.rows, 1, PAGE_SIZE, total, more, more or len(first.rows) < first.counted)
    # Read with the rows; with no row to read it with, on its own.
    all_shared = first.all_shared if first.all_shared is not None else selectors.all_shared_with_client_at_once(client)
    return page, all_shared


def _withheld(request: StaffRequest, client: Client, type_id: int | None) -> int:
    """How many entries the viewer may not open (``policy.withheld_count``); no queryset to build for a reader of
    clinical documents, who may open them all."""
    if policy.reads_clinical(request.viewer):
        return 0
    return policy.withheld_count(request.viewer, selectors.activity_log(client, type_id=type_id))


@staff_view()
@require_safe
def activity_log(request: StaffRequest, client_id: int) -> HttpResponse:
    """The client's documents, newest first, each with its globe and Share Status; a fixed number of queries."""
    client = get_client(request.viewer, client_id, path=request.path)
    types = selectors.document_types_of(client.practice_id)
    type_id = _type_filter(request.GET.get("type", ""), {doc_type.pk for doc_type in types})
    page, all_shared = _page(request, client, type_id, types)
    # Share to Sign beside an entry: the policy allows it, and nobody is asked to sign it yet.
    entries = with_staff_urls(client, staff_signature_status(list(page.object_list)))
    for document in entries:
        document.offer_share_to_sign = (
            policy.why_not(request.viewer, DocumentVerb.SHARE_TO_SIGN, document) is None
            and not document.pending_signature
        )
    context = chart_context(
        request,
        client,
        page=page,
        entries=entries,
        types=types,
        type_id=type_id,
        withheld=_withheld(request, client, type_id),
        all_shared=all_shared,
        can_share=request.staff.has_permission(Permission.WEB_PORTAL),
        can_upload=request.staff.has_permission(Permission.UPLOAD_DOCUMENTS),
        can_write_notes=request.staff.has_permission(Permission.DYNAMIC_FORMS),
        **_share_all_context(client),
    )
    return render(request, "staff/documents/activity_log.html", context)


@staff_view(Permission.WEB_PORTAL)
@require_POST
def share_all(request: StaffRequest, client_id: int) -> HttpResponse:
    """The Activity Log's globe (DOC-5): every available document, to the client only, or to one guardian."""
    client = get_client(request.viewer, client_id, path=request.path)
    raw_contact = request.POST.get("contact", "")
    try:
        if raw_contact:
            [contact_id] = object_ids(
                request.viewer, [raw_contact], object_type="clients.relatedcontact", path=request.path
            )
            contact = get_contact(request.viewer, client, contact_id, path=request.path)
            shared = actions.share_all_with_contact(by=request.staff, contact=contact)
            done = _("All documentation successfully portalized for %(name)s.") % {"name": contact_label(contact)}
        else:
            shared = actions.share_all_with_client(by=request.staff, client=client)
            done = "{} {}".format(
                _("All documentation successfully portalized for the client."),
                _("Shared with %(name)s.") % {"name": client_label(client)},
            )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if shared:
            messages.success(request, done)
        else:
            messages.info(request, _("Everything available was already shared."))
    return redirect("staff:activity_log", client_id=client.pk)
