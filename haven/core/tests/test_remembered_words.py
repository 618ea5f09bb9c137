"""What pages remember per language is forgotten whenever the settings it was worked out from change."""

from __future__ import annotations

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
    for memory in (haven_globe._STATUS_WORDS, haven_chart._FACES, haven_chart._HEADERS, haven_i18n._TRANSLATED):
        memory["stale"] = "stale"
    with translation.override("en"), override_settings(LOCALE_PATHS=[]):
        pass
    assert not any("stale" in memory for memory in (haven_globe._STATUS_WORDS, haven_chart._FACES))
    assert "stale" not in haven_chart._HEADERS and "stale" not in haven_i18n._TRANSLATED
