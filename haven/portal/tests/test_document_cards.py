"""``{% document_cards %}``: My Documents' cards drawn in one call, every value escaped, in the page's words."""

from __future__ import annotations

import datetime

import pytest
from django.template import engines
from django.utils import dateformat, translation

from haven.portal.templatetags.portal_documents import DocumentRow
from haven.portal.views.documents import day_label

PAGE = engines["django"].from_string(
    '{% load i18n portal_documents %}{% translate "Pending Review" as pending_label %}'
    '{% translate "Out of date" as out_of_date_label %}{% translate "Signed" as signed_label %}'
    '{% translate "Image" as image_label %}{% translate "Review and sign" as sign_label %}'
    '{% translate "View" as view_label %}{% translate "(opens in a new tab)" as new_tab_label %}'
    '{% translate "Download" as download_label %}{% translate "Check seal" as check_seal_label %}'
    "{% document_cards documents %}"
)


def row(**changed: object) -> DocumentRow:
    values: dict[str, object] = {
        "pk": 7,
        "title": "Consent",
        "type_name": "Consent Form",
        "date_iso": "2026-01-02",
        "date_label": "Jan 2, 2026",
        "is_pdf": True,
        "file_size": "1.2\xa0KB",
        "pending_review": False,
        "request_out_of_date": False,
        "signed": False,
        "view_url": "/p/riverside/documents/7/",
        "download_url": "/p/riverside/documents/7/download/",
        "verify_url": "/p/riverside/documents/7/verify/",
        "sign_url": "",
    }
    return DocumentRow(**{**values, **changed})  # type: ignore[arg-type]


def draw(*rows: DocumentRow) -> str:
    with translation.override("en"):
        return PAGE.render({"documents": list(rows)})


def test_every_value_on_a_card_is_escaped() -> None:
    body = draw(row(title="<b>Tom & Jerry's</b>", type_name="A<B", view_url='/x/?a=1&b="2"'))
    assert "<b>" not in body and "&lt;b&gt;Tom &amp; Jerry&#x27;s&lt;/b&gt;" in body
    assert "A&lt;B" in body and 'href="/x/?a=1&amp;b=&quot;2&quot;"' in body


def test_a_card_shows_its_tags_and_the_links_they_call_for() -> None:
    body = draw(row(pending_review=True, sign_url="/p/riverside/sign/3/"), row(pk=8, signed=True))
    assert body.count("<li ") == 2
    assert '<span class="badge text-bg-warning">Pending Review</span>' in body
    assert 'href="/p/riverside/sign/3/">Review and sign' in body
    assert '<span class="badge text-bg-success">Signed</span>' in body and ">Check seal<" in body
    assert "data-request-out-of-date" not in body


def test_an_out_of_date_request_says_so_in_the_words_of_every_page() -> None:
    body = draw(row(request_out_of_date=True))
    assert '<span class="badge text-bg-secondary">Out of date</span>' in body
    assert "this request is out of date and can't be signed" in body  # the shared sentence, as its template says it


def test_a_card_without_a_file_says_nothing_of_its_size_and_an_image_says_image() -> None:
    assert "· PDF" not in draw(row(file_size=""))
    assert "· Image, 1.2\xa0KB" in draw(row(is_pdf=False))


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_a_cards_date_reads_as_the_date_filter_writes_it(language: str) -> None:
    with translation.override(language):
        for day in (datetime.date(2026, month, month * 2) for month in range(1, 13)):
            assert day_label(day) == dateformat.format(day, "M j, Y")
        assert day_label(datetime.date(987, 5, 1)) == dateformat.format(datetime.date(987, 5, 1), "M j, Y")
