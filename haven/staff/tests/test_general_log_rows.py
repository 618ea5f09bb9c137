"""The General Log's rows: each group note's clients and share status, counted by the page's ids."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from haven.documents import group_notes
from haven.documents.actions import set_type_exceptions
from haven.documents.models import Audience, GroupNote, Share
from haven.staff import paging
from haven.staff.views import general_log
from tests.personas import ONE_BLANK_PAGE_PDF, World

pytestmark = pytest.mark.django_db


def _note(world: World, title: str, clients: list[Any]) -> GroupNote:
    return group_notes.create_group_note(
        by=world.ada,
        clients=clients,
        doc_type=group_notes.group_note_type(world.riverside),
        title=title,
        document_date=timezone.localdate(),
        data=ONE_BLANK_PAGE_PDF,
    )


def _row(html: str, note: GroupNote) -> str:
    found = re.search(rf'<tr data-group-note="{note.pk}">(.*?)</tr>', html, re.S)
    assert found, note.title
    return " ".join(found.group(1).split())


def test_each_row_shows_its_clients_and_whether_all_some_or_none_of_its_copies_are_shared(
    world: World, login: Any
) -> None:
    everyone = _note(world, "Everyone", [world.ana, world.ben, world.max])
    some = _note(world, "Some", [world.ana, world.max])
    nobody = _note(world, "Nobody", [world.ana, world.ben])
    group_notes.share_group_note_all_authorized(by=world.ada, group_note=everyone)
    group_notes.share_group_note_all_authorized(by=world.ada, group_note=some)
    max_copy = Share.objects.filter(document__group_note=some, document__client=world.max)
    max_copy.filter(audience=Audience.ALL_AUTHORIZED).update(revoked_at=timezone.now())

    html = login(world.ada).get(reverse("staff:general_log")).content.decode()

    assert "3 clients" in _row(html, everyone) and 'data-globe="blue"' in _row(html, everyone)
    assert "(Shared to All Authorized) — share “Everyone”" in _row(html, everyone)
    assert "2 clients" in _row(html, some) and 'data-globe="orange"' in _row(html, some)
    assert "Shared to All Authorized for some of its clients" in _row(html, some)
    assert 'data-globe="gray"' in _row(html, nobody) and "Not Shared" in _row(html, nobody)
    assert world.ada.user.full_name in _row(html, nobody)
    assert f'href="{reverse("staff:group_note_detail", args=[nobody.pk])}"' in _row(html, nobody)


def test_a_portal_exception_shows_instead_of_a_globe_and_only_sharers_are_offered_to_share(
    world: World, login: Any
) -> None:
    note = _note(world, "Excepted", [world.ana, world.ben])
    set_type_exceptions(by=world.ada, doc_type=note.type, never_share=True, hidden_from_portal=False)

    excepted = _row(login(world.ada).get(reverse("staff:general_log")).content.decode(), note)
    assert "Portal exception" in excepted and "data-globe" not in excepted

    set_type_exceptions(by=world.ada, doc_type=note.type, never_share=False, hidden_from_portal=False)
    theo = _row(login(world.theo, HttpClient()).get(reverse("staff:general_log")).content.decode(), note)
    assert 'data-globe="gray"' in theo and "share “Excepted”" not in theo  # no Web Portal permission


def test_a_rows_title_and_author_are_escaped_in_every_place_they_show(world: World, login: Any) -> None:
    note = _note(world, '<b>Group</b> & "friends"', [world.ana, world.ben])
    world.ada.user.full_name = "Ada <i>Lovelace</i>"
    world.ada.user.save(update_fields=["full_name"])

    row = _row(login(world.ada).get(reverse("staff:general_log")).content.decode(), note)

    assert "<b>" not in row and "<i>" not in row
    assert "&lt;b&gt;Group&lt;/b&gt; &amp; &quot;friends&quot;</a>" in row
    assert "share “&lt;b&gt;Group&lt;/b&gt; &amp; &quot;friends&quot;”" in row
    assert "Ada &lt;i&gt;Lovelace&lt;/i&gt;" in row


def test_the_counts_by_the_pages_ids_are_those_of_the_whole_log(world: World) -> None:
    notes = [_note(world, f"Note {n}", [world.ana, world.ben, world.max][: 2 + n % 2]) for n in range(4)]
    group_notes.share_group_note_all_authorized(by=world.ada, group_note=notes[1])
    ids = [note.pk for note in notes]
    counted = {
        note_id: (clients, shared) for note_id, clients, shared in group_notes.copy_counts(world.riverside.pk, ids)
    }
    annotated = {
        note.pk: (note.client_count, note.shared_count)  # type: ignore[attr-defined]
        for note in group_notes.general_log(world.riverside.pk)
    }
    assert counted == annotated
    assert list(group_notes.copy_counts(world.hilltop.pk, ids)) == []


def test_the_first_page_reads_its_rows_and_count_in_one_query_and_their_counts_in_another(
    world: World, login: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(paging, "COUNT_LIMIT", 3)
    for n in range(5):
        _note(world, f"Note {n}", [world.ana, world.ben])
    http = login(world.ada)
    with CaptureQueriesContext(connection) as queries:
        html = http.get(reverse("staff:general_log")).content.decode()
    assert html.count("data-group-note=") == 5
    assert "1\N{EN DASH}5 of more than 3" not in html  # 25 a page: counted to the end of the page
    assert "1\N{EN DASH}5 of 5" in html
    log = [q["sql"] for q in queries if "documents_groupnote" in q["sql"] or "documents_document" in q["sql"]]
    assert len(log) == 2


def test_the_prepared_first_page_is_the_one_the_policy_gives_each_staff_member(world: World) -> None:
    notes = [_note(world, f"Group {n}", [world.ana, world.ben, world.max][: 2 + n % 2]) for n in range(3)]
    group_notes.share_group_note_all_authorized(by=world.ada, group_note=notes[0])
    for member in (world.ada, world.theo, world.bill):
        listed, counted = general_log._first_page_queries(member)
        listed.check(world.riverside.pk)
        counted.check(world.riverside.pk)
    ada, theo = general_log._first_page_queries(world.ada), general_log._first_page_queries(world.theo)
    assert ada == theo  # both read clinical documents
    assert general_log._first_page_queries(world.bill) != ada
    listed, counted = general_log._first_page_queries(world.bill)
    assert listed(world.riverside.pk) == [] and counted(world.riverside.pk) == []  # group notes are clinical
    listed, counted = ada
    assert sorted(counted(world.riverside.pk)) == [(notes[0].pk, 2, 2), (notes[1].pk, 3, 0), (notes[2].pk, 2, 0)]


def test_a_later_page_counts_its_own_group_notes_clients_and_shares(world: World, login: Any, monkeypatch: Any) -> None:
    oldest = _note(world, "Oldest", [world.ana, world.ben, world.max])
    group_notes.share_group_note_all_authorized(by=world.ada, group_note=oldest)
    for n in range(2):
        _note(world, f"Newer {n}", [world.ana, world.ben])
    monkeypatch.setattr(general_log, "PAGE_SIZE", 2)  # a later page is built as usual, at this size
    html = login(world.ada).get(reverse("staff:general_log") + "?page=2").content.decode()
    assert html.count("data-group-note=") == 1
    assert "3 clients" in _row(html, oldest) and 'data-globe="blue"' in _row(html, oldest)
