"""The rows' own format_html escapes exactly as Django's does."""

from __future__ import annotations

import datetime

import pytest
from django.utils import html as django_html
from django.utils.functional import lazy
from django.utils.safestring import SafeString, mark_safe

from haven.core.templatetags.haven_globe import format_html


class _Markup:
    def __html__(self) -> str:
        return "<i>kept</i>"


_lazy_text = lazy(lambda: "<lazy> & 'quoted'", str)

VALUES: list[object] = [
    "plain",
    "<script>alert('x')</script> & \"quotes\"",
    mark_safe("<b>safe</b>"),
    _lazy_text(),
    _Markup(),
    42,
    None,
    datetime.date(2026, 1, 2),
    "",
]


@pytest.mark.parametrize("value", VALUES)
def test_each_value_is_escaped_as_django_format_html_escapes_it(value: object) -> None:
    template = '<a title="{}">{}</a>'
    ours = format_html(template, value, value)
    assert ours == django_html.format_html(template, value, value)
    assert isinstance(ours, SafeString)


def test_named_values_are_escaped_as_django_format_html_escapes_them() -> None:
    template = "{who} wrote {what}"
    values = {"who": "<Ada>", "what": mark_safe("<em>x</em>")}
    assert format_html(template, **values) == django_html.format_html(template, **values)
