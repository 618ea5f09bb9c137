"""What pages remember per language is forgotten whenever the settings it was worked out from change."""

from __future__ import annotations

from typing import Any

from django.test import override_settings
from django.utils import translation

from haven.core.remembered_words import per_language
from haven.core.templatetags import haven_chart, haven_globe, haven_i18n


def test_a_change_of_settings_empties_every_memory():
    memory = per_language()
    memory["en"] = "words"
    with override_settings(LANGUAGE_CODE="de"):
        assert memory == {}
        memory["de"] = "Wörter"
    assert memory == {}


def test_the_pages_word_memories_are_among_them():
    memories: list[dict[Any, Any]] = [
        haven_globe._STATUS_WORDS,
        haven_chart._FACES,
        haven_chart._HEADERS,
        haven_i18n._TRANSLATED,
    ]
    for memory in memories:
        memory["stale"] = "stale"
    with translation.override("en"), override_settings(LOCALE_PATHS=[]):
        pass
    assert [memory for memory in memories if "stale" in memory] == []
