"""Rows drawn in Python put translated sentences together as {% blocktranslate %} does."""

from __future__ import annotations

from django.utils.html import format_html

from haven.core.templatetags.haven_globe import translated_format


def test_a_translation_may_put_the_named_values_in_another_order() -> None:
    sentence = translated_format("%(fields)s changed by %(who)s", "who", "fields")
    assert format_html(sentence, who="Ada", fields="email") == "email changed by Ada"


def test_values_are_escaped_and_the_translated_words_kept_as_they_are() -> None:
    sentence = translated_format("for %(who)s {not a field} 100%%", "who")
    assert format_html(sentence, who="<b>Gia</b>") == "for &lt;b&gt;Gia&lt;/b&gt; {not a field} 100%"
