"""``{{ text|message_text }}``: a person's plain text (a secure message) as a page shows it, links clickable."""

from __future__ import annotations

from django import template

from haven.core.html import plain_text_html

register = template.Library()
register.filter("message_text", plain_text_html)
