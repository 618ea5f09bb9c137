"""The Activity Log's rows: type and author names, read once per page, are escaped as every other value."""

from __future__ import annotations

import datetime

from django.template import Context, Template

from haven.clients.models import Client
from haven.documents.listed import ListedDocument, ListedVersion
from haven.documents.models import DocumentType

TAG = Template("{% load haven_globe %}{% activity_log_rows entries %}")


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
