"""The client's Access history in words: what happened to which document, who by name and role, for whom."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client as HttpClient
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from haven.audit.actions import record_event
from haven.audit.events import (
    EVENT_TYPES,
    AuditAction,
    DocumentDownloaded,
    DocumentViewed,
    PortalPinFailed,
    SignatureExpired,
)
from haven.audit.labels import LABELS, what_happened
from haven.audit.models import Actor, AuditEvent
from haven.audit.selectors import HistoryEvent
from haven.clients.actions import update_client
from haven.core.templatetags.haven_rows import when
from haven.core.templatetags.haven_time import stamp_in
from haven.messaging.actions import mark_read
from haven.messaging.models import Message
from haven.portal_access.actions import portal_actor
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import Permission
from haven.signing.requests import request_signature
from haven.signing.tests.flow import treatment_plan
from haven.staff.access_history import HistoryEntry
from tests.personas import World

pytestmark = pytest.mark.django_db

HAVEN = Path(__file__).resolve().parents[2]


def history_of(http: HttpClient, world: World) -> str:
    response = http.get(f"/staff/clients/{world.max.pk}/access-history/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def rows(page: str) -> list[str]:
    """Each event's row as plain text: tags dropped, spaces folded."""
    found = re.findall(r'<tr data-action="[^"]+">(.*?)</tr>', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in found]


def portal_download(world: World, document_id: int) -> None:
    record_event(
        DocumentDownloaded(version=1, profile=world.gia_access_max.pk),
        actor=portal_actor(world.gia_account),
        acting_for=world.max.full_name,
        practice=world.riverside,
        client=world.max,
        target=world.progress_note.__class__.objects.get(pk=document_id),
    )


def test_access_history_says_what_happened_to_which_document_and_who_by_name_and_role(world, login):
    plan = treatment_plan(world.ada, world.max, title="Treatment Plan")
    request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    portal_download(world, plan.pk)
    update_client(by=world.ada, client=world.max, data={"pronouns": "he/him"}, expected_version=world.max.version)
    http = login(world.ada)
    http.get(f"/staff/clients/{world.max.pk}/")
    page = history_of(http, world)
    lines = rows(page)
    assert "Ada Admin · Administrator Viewed the chart" in lines[0]
    assert any(
        "Gia Moreno · Legal guardian Portal for Max Moreno Downloaded “Treatment Plan”" in line for line in lines
    )
    assert any("Ada Admin · Administrator Asked for a signature on “Treatment Plan”" in line for line in lines)
    assert any("Ada Admin · Administrator Added “Treatment Plan”" in line for line in lines)
    assert any("Changed the chart Fields: pronouns" in line for line in lines)
    for raw in ("chart.viewed", "document.downloaded", world.ada.user.email, "gia@example.com"):
        assert raw not in "".join(lines), raw


def test_a_system_event_and_a_code_without_words_still_read_sensibly(world, login, monkeypatch):
    monkeypatch.delitem(LABELS, AuditAction.PORTAL_PIN_FAILED)
    expired = SignatureExpired(document=world.progress_note.pk, expired_at="2026-12-01T09:00:00+00:00")
    record_event(expired, actor=Actor.system(), practice=world.riverside, client=world.max)
    record_event(PortalPinFailed(attempts_left=2), actor=Actor.system(), practice=world.riverside, client=world.max)
    lines = rows(history_of(login(world.ada), world))
    title = world.progress_note.title
    assert any(f"Haven · Automatic The signature request for “{title}” expired" in line for line in lines)
    assert any("Recorded “portal.pin_failed”" in line for line in lines)


def test_titles_of_another_clients_documents_are_never_shown(world, login):
    """An event on Max's history that names Ana's document (it should not happen) shows no title."""
    anas_plan = treatment_plan(world.ada, world.ana, title="Ana's private plan")
    record_event(
        DocumentViewed(version=1),
        actor=Actor.staff(world.theo.user),
        practice=world.riverside,
        client=world.max,
        target=anas_plan,
    )
    page = history_of(login(world.ada), world)
    assert "Ana's private plan" not in page
    assert any("Theo Therapist · Therapist Viewed a document" in line for line in rows(page))


def test_a_reader_without_read_clinical_documents_sees_no_clinical_title(world, login):
    """Minimum necessary: the Access history names a clinical document only to staff who may open it."""
    portal_download(world, world.progress_note.pk)
    consent_title = "Consent for telehealth"
    consent = treatment_plan(world.ada, world.max, title=consent_title)
    consent.type = world.riverside.document_types.get(name="Consent")
    consent.save(update_fields=["type"])
    portal_download(world, consent.pk)
    world.ada.permissions = [p for p in world.ada.permissions if p != Permission.CLINICAL_DOCUMENTS]
    world.ada.save(update_fields=["permissions"])
    page = history_of(login(world.ada), world)
    assert world.progress_note.title not in page
    assert any("Portal for Max Moreno Downloaded a document" in line for line in rows(page))
    assert f"Downloaded “{consent_title}”" in page


def test_a_portal_message_is_named_by_its_subject_only_to_staff_who_may_open_what_it_carries(world, login):
    """Message events name their thread's subject: sent (about the message) and read (about the thread) alike;
    a subject is withheld from staff who may not open a document the thread's messages carry."""
    plan = treatment_plan(world.ada, world.max, title="Treatment Plan")
    request = request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    thread = Message.objects.select_related("thread").get(signature_request=request).thread
    mark_read(PortalViewer(account=world.gia_account, practice=world.riverside, profile=world.gia_access_max), thread)
    subject = "Please review and sign: Treatment Plan"
    lines = rows(history_of(login(world.ada), world))
    assert any(f"Ada Admin · Administrator Sent the portal message “{subject}”" in line for line in lines)
    assert any(f"Portal for Max Moreno Read the portal message “{subject}”" in line for line in lines)

    world.ada.permissions = [p for p in world.ada.permissions if p != Permission.CLINICAL_DOCUMENTS]
    world.ada.save(update_fields=["permissions"])
    page = history_of(login(world.ada, HttpClient()), world)
    assert subject not in page and "Treatment Plan" not in page
    lines = rows(page)
    assert any("Ada Admin · Administrator Sent a portal message" in line for line in lines)
    assert any("Portal for Max Moreno Read a portal message" in line for line in lines)


def plans_downloaded_and_viewed(world, count: int, *, asked_to_sign: bool = False) -> None:
    """Plans 0 to count-1 for Max, each (asked of Gia to sign,) downloaded in the portal and viewed by Theo."""
    for n in range(count):
        plan = treatment_plan(world.ada, world.max, pages=1, title=f"Plan {n}")
        if asked_to_sign:
            request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
        portal_download(world, plan.pk)
        record_event(
            DocumentViewed(version=1),
            actor=Actor.staff(world.theo.user),
            practice=world.riverside,
            client=world.max,
            target=plan,
        )


def test_access_history_queries_do_not_grow_with_the_events(world, login, django_assert_max_num_queries):
    http = login(world.ada)
    plans_downloaded_and_viewed(world, 12, asked_to_sign=True)
    assert AuditEvent.objects.filter(client=world.max).count() >= 48
    with django_assert_max_num_queries(13):
        page = history_of(http, world)
    lines = rows(page)
    assert len(lines) == 50
    assert lines[0].endswith("Theo Therapist · Therapist Viewed “Plan 11” —")
    assert "Gia Moreno · Legal guardian Portal for Max Moreno Downloaded “Plan 11” —" in lines[1]


def test_a_later_page_of_the_access_history_reads_as_the_first_does(world, login):
    http = login(world.ada)
    plans_downloaded_and_viewed(world, 26)
    total = AuditEvent.objects.filter(client=world.max).count()
    assert 50 < total <= 100
    first = rows(history_of(http, world))
    response = http.get(f"/staff/clients/{world.max.pk}/access-history/?page=2")
    assert response.status_code == 200
    second = rows(html.unescape(response.content.decode()))
    assert len(first) == 50 and len(second) == total - 50
    assert first[0].endswith("Theo Therapist · Therapist Viewed “Plan 25” —")
    assert any("Gia Moreno · Legal guardian Portal for Max Moreno Downloaded “Plan 0” —" in line for line in second)
    assert any(line.endswith("Theo Therapist · Therapist Viewed “Plan 0” —") for line in second)


def test_the_first_page_offers_older_events_only_when_there_are_more_than_a_page(world, login):
    http = login(world.ada)
    events = AuditEvent.objects.filter(client=world.max)
    while events.count() < 50:
        record_event(PortalPinFailed(attempts_left=2), actor=Actor.system(), practice=world.riverside, client=world.max)
    assert events.count() == 50
    page = history_of(http, world)
    assert len(rows(page)) == 50 and "?page=2" not in page
    record_event(PortalPinFailed(attempts_left=1), actor=Actor.system(), practice=world.riverside, client=world.max)
    page = history_of(http, world)
    assert len(rows(page)) == 50 and 'href="?page=2"' in page


def test_access_history_is_refused_to_other_roles_and_other_practices(world, login, client):
    assert login(world.theo).get(f"/staff/clients/{world.max.pk}/access-history/").status_code == 403
    other = HttpClient()
    assert login(world.hana, other).get(f"/staff/clients/{world.max.pk}/access-history/").status_code == 404
    denied = AuditEvent.objects.filter(action="access.denied", actor_id=world.hana.user.pk)
    assert denied.exists()


def test_every_event_code_haven_records_has_a_detail_shape_and_words():
    """A code recorded anywhere has its class in haven.audit.events; one about a client has its words too.

    So a new code without its detail shape, or without the words the Access history shows, fails here,
    as does a code with words but no shape.
    """
    source = "\n".join(
        path.read_text() for path in HAVEN.rglob("*.py") if "tests" not in path.parts and "migrations" not in path.parts
    )
    names = {event_type.__name__ for event_type in EVENT_TYPES.values()}
    used = set(re.findall(r"\b([A-Z][A-Za-z]+)\(", source)) & names
    assert "AccessDenied" in used
    assert set(EVENT_TYPES) == set(AuditAction), "every code has exactly one detail shape"
    about_a_client = {
        code
        for code in AuditAction
        if code.split(".")[0] in CLIENT_AREAS or (code.startswith("portal.") and code not in PORTAL_ACCOUNT_ONLY)
    }
    assert "document.downloaded" in about_a_client and "document.unshared" in about_a_client
    assert about_a_client - set(LABELS) == set(), "every code about a client has its words"
    assert set(LABELS) - set(EVENT_TYPES) == set(), "every code with words has its detail shape"


CLIENT_AREAS = {"access", "chart", "client", "contact", "document", "group_note", "message", "signature"}


# Portal events about the login itself, never about one client's chart.
PORTAL_ACCOUNT_ONLY = {
    "portal.login",
    "portal.logout",
    "portal.session_ended",
    "portal.login_failed",
    "portal.login_throttled",
    "portal.registration_requested",
    "portal.email_verified",
    "portal.password_reset_requested",
    "portal.two_factor_enabled",
    "portal.two_factor_disabled",
    "portal.two_factor_failed",
    "portal.two_factor_verified",
    "portal.two_factor_setup_started",
}


def test_the_access_history_takes_its_words_from_the_one_table(world, login, monkeypatch):
    """Change an event's words in haven.audit.labels and the staff page follows: no second copy of them."""
    from haven.audit import labels

    monkeypatch.setitem(labels.LABELS, AuditAction.CHART_VIEWED, ("Looked at the chart", None))
    http = login(world.ada)
    http.get(f"/staff/clients/{world.max.pk}/")
    assert "Ada Admin · Administrator Looked at the chart" in rows(history_of(http, world))[0]


def test_an_events_words_are_those_of_the_language_active_at_each_description(monkeypatch) -> None:
    """The words are translated once per language and code, and read again when the table changes."""
    monkeypatch.setitem(LABELS, AuditAction.CHART_VIEWED, (gettext_lazy("January"), None))
    said = []
    for language in ["en", "de", "en", "fr", "de"]:
        with translation.override(language):
            said.append(what_happened(AuditAction.CHART_VIEWED))
    assert said == ["January", "Januar", "January", "janvier", "Januar"]
    monkeypatch.setitem(LABELS, AuditAction.CHART_VIEWED, (gettext_lazy("February"), None))
    with translation.override("de"):
        assert what_happened(AuditAction.CHART_VIEWED) == "Februar"


def test_a_lines_time_reads_as_the_date_filter_shows_it_in_the_practice_zone() -> None:
    moment = timezone.now()
    for zone in ("America/New_York", "Europe/Paris", "UTC"):
        with timezone.override(zone):
            expected = Template('{{ moment|date:"Y-m-d H:i:s T" }}').render(Context({"moment": moment}))
            assert when(moment) == expected


def test_a_moment_stamped_in_a_zone_looked_up_once_reads_as_the_date_filter_shows_it() -> None:
    moment = timezone.now()
    for zone in ("America/New_York", "Europe/Paris", "UTC"):
        with timezone.override(zone):
            expected = Template('{{ moment|date:"Y-m-d H:i:s T" }}').render(Context({"moment": moment}))
            assert stamp_in(moment, timezone.get_current_timezone()) == expected


def test_the_pages_words_in_each_line_are_escaped_once_for_the_page() -> None:
    page = Template("{% load haven_rows %}{% access_history_rows entries %}").render(
        Context(
            {
                "entries": [_entry(), _entry()],
                "when_label": "<When {0}>",
                "who_label": "Who & {}",
                "what_label": "What",
                "from_label": "From",
                "portal_badge": "<Portal>",
            }
        )
    )
    assert page.count('data-label="&lt;When {0}&gt;"') == 2 and page.count('data-label="Who &amp; {}"') == 2
    assert page.count("&lt;Portal&gt;") == 2 and page.count("for &lt;Gia&gt;") == 2
    assert "<script>" not in page and page.count("&lt;script&gt;") == 2


def test_every_value_of_a_line_is_escaped_whatever_its_shape() -> None:
    """Each value of a line, in each shape a line takes (portal badge, person acted for, fields, device or not)."""
    event = _EVENT._replace(action='<action "a">', ip="<ip>")
    entries = [
        _entry(
            event=event, what="<what>", who="<who>", role="<role>", in_portal=portal, acting_for=acting_for
        )._replace(fields=["<field>", "<other & field>"] if acting_for else [], device="<device>" if portal else "")
        for portal in (True, False)
        for acting_for in ("<for>", "")
    ]
    words = {name: "" for name in ("when_label", "who_label", "what_label", "from_label", "portal_badge")}
    page = Template("{% load haven_rows %}{% access_history_rows entries %}").render(
        Context({"entries": entries, **words})
    )
    assert page.count("<tr ") == 4 and page.count("</tr>") == 4
    for value in ("action", "what", "who", "role", "ip"):
        assert f"<{value}" not in page and page.count(f"&lt;{value}") == 4
    assert page.count("&lt;action &quot;a&quot;&gt;") == 4
    assert page.count("for &lt;for&gt;") == 2 and page.count("&lt;field&gt;, &lt;other &amp; field&gt;") == 2
    assert page.count("&lt;device&gt;") == 2 and "<device>" not in page


_EVENT = HistoryEvent(
    pk=1,
    sequence=1,
    occurred_at=timezone.now(),
    actor_kind="staff",
    actor_id=1,
    actor_label="",
    acting_for="",
    action="chart.viewed",
    object_type="",
    object_id="",
    ip="203.0.113.9",
    user_agent="",
    details_json=None,
)


def _entry(**changes: Any) -> HistoryEntry:
    entry = HistoryEntry(
        event=_EVENT,
        what="Viewed",
        who="<script>",
        role="Role",
        in_portal=True,
        acting_for="<Gia>",
        device="",
        fields=[],
    )
    return entry._replace(**changes)
