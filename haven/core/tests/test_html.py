"""``haven.core.html.format_html`` gives what Django's gives, for every kind of argument a page passes it."""

from __future__ import annotations

import pytest
from django.utils import html as django_html
from django.utils.functional import lazy
from django.utils.safestring import SafeData, SafeString
from hypothesis import given
from hypothesis import strategies as st

from haven.core.html import _escaped, fill_slot, format_html


class Markup:
    """Something else that speaks the ``__html__`` convention (as markupsafe's Markup does)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __html__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return f"not this: {self.text}"


def lazy_text(text: str) -> object:
    return lazy(lambda: text, str)()


def lazy_markup(text: str) -> object:
    return lazy(lambda: SafeString(text), str)()


TEXT = st.text(alphabet=st.sampled_from(["a", "<", ">", "&", '"', "'", "{", "}", "\u202e", "é", " ", "\x00"]))
VALUES = st.one_of(
    TEXT,
    TEXT.map(SafeString),
    TEXT.map(lazy_text),
    TEXT.map(lazy_markup),
    TEXT.map(Markup),
    st.integers(),
    st.none(),
    st.booleans(),
    st.dates(),
)


@given(st.lists(VALUES, min_size=1, max_size=5))
def test_each_argument_is_escaped_as_django_escapes_it(values):
    for value in values:
        assert _escaped(value) == django_html.conditional_escape(value)


@given(st.lists(VALUES, min_size=1, max_size=5), VALUES)
def test_the_same_markup_as_djangos_format_html(values, named):
    template = "<p title='{named}'>" + "".join("<i>{}</i>" for _ in values) + "</p>"
    ours = format_html(template, *values, named=named)
    django = django_html.format_html(template, *values, named=named)
    assert ours == django
    assert isinstance(ours, SafeData)


def test_markup_is_taken_as_it_is_and_text_is_escaped():
    inner = format_html("<b>{}</b>", "R&D <script>")
    assert format_html("<td>{}{}</td>", inner, "<i>") == "<td><b>R&amp;D &lt;script&gt;</b>&lt;i&gt;</td>"


def test_format_specifications_apply_to_the_escaped_text():
    assert format_html("[{:>6}]", "<") == django_html.format_html("[{:>6}]", "<") == "[  &lt;]"


def test_nothing_to_format_is_refused_as_django_refuses_it():
    with pytest.raises(TypeError):
        format_html("<br>")


def test_a_slot_in_kept_markup_is_filled_with_markup_and_nothing_else():
    slot = format_html("<{}>", "slot")
    kept = format_html("<form>{}<b>{}</b></form>", slot, "<slot> typed by someone")
    filled = fill_slot(kept, slot, format_html('<input value="{}">', "a&b"))
    assert filled == '<form><input value="a&amp;b"><b>&lt;slot&gt; typed by someone</b></form>'
    assert isinstance(filled, SafeData)
    with pytest.raises(TypeError):
        fill_slot(kept, slot, "<script>")  # text, not markup
    with pytest.raises(TypeError):
        fill_slot("<form>", slot, format_html("{}", ""))
    with pytest.raises(TypeError):
        fill_slot(kept, "slot", format_html("{}", ""))  # a slot an escaped value could hold
