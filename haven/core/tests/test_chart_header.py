"""``{% chart_header %}`` draws the chart's header as the template it replaced did, every value escaped."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from haven.clients.models import Client, ClientStatus

pytestmark = pytest.mark.django_db

# The header as a template drew it, node by node, before the tag.
_AS_TEMPLATE = """{% load i18n haven_chart %}{% chart_urls client as chart_url %}
<div class="d-flex flex-wrap justify-content-between align-items-start gap-2 mb-3">
  <div>
    <p class="mb-1"><a href="{% url 'staff:client_list' %}">{% translate "Clients" %}</a></p>
    <h1 class="h3 mb-0">{{ client.display_name }}</h1>
    <p class="text-body-secondary mb-0">{% blocktranslate with dob=client.date_of_birth|date:"Y-m-d" %}Born {{ dob }}{% endblocktranslate %}{% if client.pronouns %} · {{ client.pronouns }}{% endif %} · {{ client.get_status_display }}</p>
  </div>
  <a class="btn btn-outline-secondary" href="{{ chart_url.edit }}">{% translate "Edit client" %}</a>
</div>
<ul class="nav nav-tabs chart-tabs mb-3">
  <li class="nav-item"><a class="nav-link{% if tab == 'face' %} active{% endif %}"{% if tab == 'face' %} aria-current="page"{% endif %} href="{{ chart_url.chart }}">{% translate "Chart Face" %}</a></li>
  <li class="nav-item"><a class="nav-link{% if tab == 'documents' %} active{% endif %}"{% if tab == 'documents' %} aria-current="page"{% endif %} href="{{ chart_url.documents }}">{% translate "Documents" %}</a></li>
  <li class="nav-item"><a class="nav-link{% if tab == 'intake' %} active{% endif %}"{% if tab == 'intake' %} aria-current="page"{% endif %} href="{{ chart_url.intake }}">{% translate "Intake Forms" %}</a></li>
  <li class="nav-item"><a class="nav-link{% if tab == 'contacts' %} active{% endif %}"{% if tab == 'contacts' %} aria-current="page"{% endif %} href="{{ chart_url.contacts }}">{% translate "Contacts" %}</a></li>
  <li class="nav-item"><a class="nav-link{% if tab == 'portal' %} active{% endif %}"{% if tab == 'portal' %} aria-current="page"{% endif %} href="{{ chart_url.portal }}">{% translate "Portal" %}</a></li>
  {% if can_see_history %}<li class="nav-item"><a class="nav-link{% if tab == 'history' %} active{% endif %}"{% if tab == 'history' %} aria-current="page"{% endif %} href="{{ chart_url.history }}">{% translate "Access history" %}</a></li>{% endif %}
</ul>
"""  # noqa: E501


def _client(**fields: object) -> Client:
    values: dict[str, object] = {
        "pk": 42,
        "practice_id": 1,
        "first_name": "Max",
        "last_name": "Moreno",
        "date_of_birth": datetime.date(1990, 3, 4),
        "status": ClientStatus.ACTIVE,
    }
    values.update(fields)
    return Client(**values)


@pytest.mark.parametrize("tab", ["face", "documents", "intake", "contacts", "portal", "history", None])
@pytest.mark.parametrize("can_see_history", [True, False])
def test_the_chart_header_reads_as_the_template_did(tab: str | None, can_see_history: bool) -> None:
    client = _client(preferred_name="<b>M&x</b>", pronouns='he/"him"', first_name="{x}")
    context = {"client": client, "tab": tab, "can_see_history": can_see_history}
    expected = Template(_AS_TEMPLATE).render(Context(context))
    drawn = Template('{% include "staff/clients/_header.html" %}').render(Context(context))
    assert drawn == expected
    assert "&lt;b&gt;M&amp;x&lt;/b&gt;" in drawn and "he/&quot;him&quot;" in drawn


def test_the_chart_header_without_pronouns_or_status_it_knows_and_in_another_language() -> None:
    client = _client(pronouns="", status="unknown-status")
    context = {"client": client, "tab": "face"}
    for language in ("en", "es"):
        with translation.override(language):
            expected = Template(_AS_TEMPLATE).render(Context(context))
            assert Template('{% include "staff/clients/_header.html" %}').render(Context(context)) == expected
