"""The Activity Log's rows and table: type and author names, read once per page, escaped as every other value; the
table and its pages drawn as the template drew them."""

from __future__ import annotations

import datetime
import itertools
from pathlib import Path

import pytest
from django.template import Context, Template

from haven.clients.models import Client
from haven.documents.listed import ListedDocument, ListedVersion
from haven.documents.models import DocumentType
from haven.staff.paging import Page

TAG = Template("{% load haven_globe %}{% activity_log_rows entries %}")
TABLE = Template("{% load haven_globe %}{% activity_log_table page entries type_id %}")
# The table and its pages as the page's template drew them, node by node.
BEFORE = Template(
    "{% load i18n haven_globe %}"
    + (Path(__file__).parent / "activity_log_table_before.html").read_text(encoding="utf-8")
)

ACTIONS = Template("{% load haven_globe %}{% activity_log_actions chart_url %}")
ACTIONS_BEFORE = Template(
    "{% load i18n haven_fixed haven_globe %}"
    + (Path(__file__).parent / "activity_log_actions_before.html").read_text(encoding="utf-8")
    + "{% partial log_globe %}"
)


def entry(pk: int, title: str, doc_type: DocumentType, author: str) -> ListedDocument:
    document = ListedDocument(
        pk,
        1,
        Client(pk=1),
        doc_type,
        title,
        datetime.date(2026, 3, 4),
        ListedVersion("application/pdf", "upload"),
        9,
        author,
    )
    document.staff_url = f"/staff/clients/1/documents/{pk}/"
    return document


def test_each_rows_type_and_author_are_escaped_however_often_they_repeat() -> None:
    odd = DocumentType(pk=3, name='<b>Plan</b> "{x}" & {{y}}', never_share=True)
    plain = DocumentType(pk=4, name="Letter", never_share=True)
    author = "Ann <script>{0}</script> & {name}"
    entries = [
        entry(1, "One {title}", odd, author),
        entry(2, "<i>Two</i>", plain, "Bo"),
        entry(3, "Three", odd, author),
    ]

    html = TAG.render(Context({"entries": entries, "can_share": False}))

    cells = '<td data-label="Type">&lt;b&gt;Plan&lt;/b&gt; &quot;{x}&quot; &amp; {{y}}</td>'
    assert html.count(cells) == 2
    assert html.count('<td data-label="Author">Ann &lt;script&gt;{0}&lt;/script&gt; &amp; {name}</td>') == 2
    assert '<td data-label="Type">Letter</td>\n    <td data-label="Author">Bo</td>' in html
    assert '<a href="/staff/clients/1/documents/2/">&lt;i&gt;Two&lt;/i&gt;</a>' in html
    assert '<a href="/staff/clients/1/documents/1/">One {title}</a>' in html
    assert html.count('<td data-label="Date" class="text-nowrap">2026-03-04</td>') == 3
    assert "<b>" not in html and "<script>" not in html


@pytest.mark.parametrize(
    ("number", "listed", "lower_bound", "has_next", "type_id"),
    [
        *itertools.product([1, 2, 40], [1, 25], [False, True], [False, True], [None, 7]),
        (1, 0, False, False, None),
        (1, 0, False, False, 7),
    ],
)
def test_the_table_and_its_pages_are_drawn_as_the_template_drew_them(
    number: int, listed: int, lower_bound: bool, has_next: bool, type_id: int | None
) -> None:
    plan = DocumentType(pk=3, name="Plan & <Review>", never_share=True)
    entries = [entry(pk, f"Plan {pk} <{{x}}>", plan, "Ann & Bo") for pk in range(1, listed + 1)]
    page = Page(entries, number, 25, 1000, lower_bound, has_next)
    context = {"page": page, "entries": entries, "type_id": type_id, "can_share": True}

    drawn = TABLE.render(Context(context))

    assert drawn == BEFORE.render(Context(context))


@pytest.mark.parametrize(
    ("all_shared", "can_share", "can_upload", "can_write_notes", "csrf_token"),
    list(itertools.product([False, True], [False, True], [False, True], [False, True], ["tok<&>en", ""])),
)
def test_the_heading_globe_and_buttons_are_drawn_as_the_template_drew_them(
    all_shared: bool, can_share: bool, can_upload: bool, can_write_notes: bool, csrf_token: str
) -> None:
    chart_url = {"share_all": "/s/?a=1&b=<2>", "upload": '/u/"x"', "write_note": "/n/'y'"}
    context = {
        "chart_url": chart_url,
        "all_shared": all_shared,
        "can_share": can_share,
        "can_upload": can_upload,
        "can_write_notes": can_write_notes,
        "share_all_confirm": 'Who will see it: <b>Ann</b> & "{name}" only.',
        "csrf_token": csrf_token,
    }

    drawn = ACTIONS.render(Context(context))

    before = ACTIONS_BEFORE.render(Context(context))
    assert drawn == before[: before.rindex("</div>") + len("</div>")]
