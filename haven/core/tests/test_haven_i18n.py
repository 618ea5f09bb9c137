"""``{% load i18n %}`` is Django's library, with constant ``{% translate %}`` remembered per language: the same
output as Django's own tag in every form, in the language active at each rendering."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, Template, engines
from django.utils import translation

from haven.core.templatetags.haven_i18n import ConstantTranslateNode

FORMS = [
    '{% translate "January" %}',
    '{% trans "January" %}',
    "{% translate 'Fish & <Chips>' %}",
    '{% translate "50%% off" %}',
    '{% translate "January" as month %}[{{ month }}]',
    '{% translate "January" noop %}',
    '{% translate "May" context "month name" %}',
    '{% translate "january"|capfirst %}',
    "{% translate word %}",
    '{% autoescape off %}{% translate "Fish & <Chips>" %}{% endautoescape %}',
]
DJANGO = Engine(libraries={"i18n": "django.templatetags.i18n"})


def _both(source: str, language: str, **context: object) -> tuple[str, str]:
    with translation.override(language):
        ours = Template("{% load i18n %}" + source).render(Context(context))
        django = DJANGO.from_string("{% load i18n %}" + source).render(Context(context))
    return ours, django


@pytest.mark.parametrize("source", FORMS)
@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_every_form_of_translate_gives_what_djangos_gives(source, language):
    ours, django = _both(source, language, word="January")
    assert ours == django


def test_a_constant_is_translated_into_the_language_active_at_each_rendering():
    template = Template('{% load i18n %}{% translate "January" %}')
    assert isinstance(template.nodelist[-1], ConstantTranslateNode)
    rendered = []
    for language in ["en", "de", "en", "fr", "de"]:
        with translation.override(language):
            rendered.append(template.render(Context()))
    assert rendered == ["January", "Januar", "January", "janvier", "Januar"]


def test_a_variables_words_are_not_remembered_and_are_escaped_each_time():
    template = Template("{% load i18n %}{% translate word %}")
    assert not isinstance(template.nodelist[-1], ConstantTranslateNode)
    assert template.render(Context({"word": "<b>Rosa</b>"})) == "&lt;b&gt;Rosa&lt;/b&gt;"
    assert template.render(Context({"word": "Max & Mia"})) == "Max &amp; Mia"


def test_i18n_is_the_only_library_name_two_modules_share(settings):
    """Django's templates.W003 is silenced for the one override Haven makes; any other shared name still fails."""
    settings.SILENCED_SYSTEM_CHECKS = []
    warnings = engines["django"].check()
    assert [warning.id for warning in warnings] == ["templates.W003"]
    assert "'i18n' is used for multiple template tag modules" in warnings[0].msg
    assert "'django.templatetags.i18n', 'haven.core.templatetags.haven_i18n'" in warnings[0].msg
