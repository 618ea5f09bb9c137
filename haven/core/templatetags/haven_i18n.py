"""Django's ``i18n`` template library, with ``{% translate "constant words" %}`` remembered per language.

Templates load it as ``{% load i18n %}`` (``TEMPLATES["OPTIONS"]["libraries"]`` in settings), so every tag and
filter is Django's own and ``makemessages`` finds the words as before. One thing differs: a ``{% translate %}`` of
a constant text, without filters or a message context, is worked out once per language, escaping and process,
not again on every page. Django's node makes a lazy string, resolves it, translates it and escapes it each time:
about 15 microseconds, and a document page has fifty of them. What it gives depends only on the words, the
active language's catalogue and whether the template escapes, so that is the key; a change of the settings that
choose catalogues (a test's ``override_settings``) starts afresh (``haven.core.remembered_words``).
"""

from __future__ import annotations

from django import template
from django.template.base import Parser, Token, Variable
from django.templatetags import i18n as django_i18n
from django.utils.translation import get_language

from haven.core.remembered_words import per_language

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)

# (words, language, escaping) -> the words as Django's node draws them
_TRANSLATED: dict[tuple[str, str | None, bool], str] = per_language()


class ConstantTranslateNode(template.Node):
    """``{% translate "words" [as name] %}``, drawn by Django's node the first time for each language."""

    child_nodelists = ()

    def __init__(self, words: str, node: django_i18n.TranslateNode) -> None:
        self.words = words
        self.asvar = node.asvar
        self.node = django_i18n.TranslateNode(node.filter_expression, node.noop)  # the same, without "as"

    def render(self, context: template.Context) -> str:
        key = (self.words, get_language(), bool(context.autoescape))
        value = _TRANSLATED.get(key)
        if value is None:
            value = _TRANSLATED[key] = self.node.render(context)
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


def _constant_words(node: django_i18n.TranslateNode) -> str | None:
    """The words of a translate node that always gives the same for a language, or None."""
    expression = node.filter_expression
    variable = expression.var
    if node.noop or node.message_context is not None or expression.filters or not isinstance(variable, Variable):
        return None
    return variable.literal if isinstance(variable.literal, str) else None


@register.tag("translate")
@register.tag("trans")
def do_translate(parser: Parser, token: Token) -> template.Node:
    node = django_i18n.do_translate(parser, token)
    words = _constant_words(node) if isinstance(node, django_i18n.TranslateNode) else None
    return node if words is None else ConstantTranslateNode(words, node)
