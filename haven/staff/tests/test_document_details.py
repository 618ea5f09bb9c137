"""The document page's details (type, date, author, current version) are drawn by one tag (``document_details``):
the same HTML as the template it replaced, every value escaped, with and without a current version, signed or not."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template

from haven.accounts.models import User
from haven.documents.models import Document, DocumentType, DocumentVersion
from haven.practices.models import StaffMember

# The details as the template drew them before the tag.
BEFORE = Template(
    """{% load i18n %}<dt class="col-sm-4">{% translate "Type" %}</dt><dd class="col-sm-8">{{ document.type.name }}</dd>
        <dt class="col-sm-4">{% translate "Date" %}</dt><dd class="col-sm-8">{{ document.document_date|date:"Y-m-d" }}</dd>
        <dt class="col-sm-4">{% translate "Author" %}</dt><dd class="col-sm-8">{{ document.author.user.full_name }}</dd>
        {% if document.current_version %}<dt class="col-sm-4">{% translate "Current version" %}</dt><dd class="col-sm-8">{% blocktranslate with number=document.current_version.number %}Version {{ number }}{% endblocktranslate %}{% if document.current_version.source == "signed" %} <span class="badge text-bg-success">{% translate "Signed" %}</span>{% endif %}</dd>{% endif %}"""  # noqa: E501
)
TAG = Template("{% load haven_rows %}{% document_details document %}")


def _document(source: str | None, day: datetime.date) -> Document:
    document = Document(pk=3, title="Plan", document_date=day)
    document.type = DocumentType(name='Intake <script>"x"</script> & {y}')
    document.author = StaffMember(user=User(full_name="Ada <i>Lovelace</i> & {co}"))
    document.current_version = DocumentVersion(pk=9, number=4, source=source) if source else None
    return document


@pytest.mark.parametrize("source", [None, "upload", "rendered", "signed"])
@pytest.mark.parametrize("day", [datetime.date(2026, 3, 4), datetime.date(999, 12, 31)])
def test_the_details_tag_draws_what_the_template_drew_every_value_escaped(
    source: str | None, day: datetime.date
) -> None:
    document = _document(source, day)

    drawn = TAG.render(Context({"document": document}))

    assert drawn == BEFORE.render(Context({"document": document}))
    assert "<script>" not in drawn and "<i>" not in drawn
    assert ("Version 4" in drawn) == (source is not None)
