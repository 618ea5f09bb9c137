"""The Activity Log's type filter draws its options with one tag (``type_options``): the same HTML as the loop it
replaced, the chosen type selected, every name escaped."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from haven.documents.models import DocumentType

BEFORE = Template(
    "{% for doc_type in types %}"
    '<option value="{{ doc_type.pk }}"{% if doc_type.pk == type_id %} selected{% endif %}>{{ doc_type.name }}</option>'
    "{% endfor %}"
)
TAG = Template("{% load haven_rows %}{% type_options types type_id %}")
TYPES = [
    DocumentType(pk=3, name="Consent"),
    DocumentType(pk=11, name='<script>alert("x")</script> & {y}'),
    DocumentType(pk=12, name="Intake"),
]


@pytest.mark.parametrize("type_id", [None, 3, 11, 99])
@pytest.mark.parametrize("types", [TYPES, []])
def test_the_type_options_are_the_loops_every_name_escaped(types: list[DocumentType], type_id: int | None) -> None:
    context = {"types": types, "type_id": type_id}

    drawn = TAG.render(Context(context))

    assert drawn == BEFORE.render(Context(context))
    assert "<script>" not in drawn
