"""``{% signing_page %}`` draws the signing page below its title as the template's nodes did, every value escaped."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test import Client as HttpClient

from haven.documents.models import Document
from haven.portal.tests.helpers import select
from haven.portal.tests.test_signing import ask_gia, decline_url, pending, post_signature, sign_url
from haven.portal.views import signing
from haven.signing.requests import request_signature
from haven.signing.tests.flow import treatment_plan
from tests.personas import PASSWORD, World, give_ana_a_portal_login

pytestmark = pytest.mark.django_db
__all__ = ["pending"]  # the fixture, from the signing tests

# The page as the template drew it, node by node, before the tag.
_AS_TEMPLATE = """
{% extends "portal/base.html" %}{% load haven_fixed haven_time i18n portal_urls %}
{% block title %}{% translate "Review and sign" %}{% endblock %}
{% block content %}
<p class="mb-2"><a href="{% portal_url 'portal:my_documents' practice.slug %}">&larr; {% translate "Back to My Documents" %}</a></p>
<h1 class="h3 mb-3">{% translate "Review and sign" %}</h1>

<section class="card shadow-sm mb-3" aria-labelledby="document-heading">
  <div class="card-body p-4">
    <div class="d-flex justify-content-between align-items-start gap-2">
      <h2 class="h5 mb-1 text-break" id="document-heading">{{ document.title }}</h2>
      <span class="badge text-bg-warning flex-shrink-0">{% translate "Pending Review" %}</span>
    </div>
    <p class="small text-body-secondary mb-3">
      {{ document.type.name }} ·
      {% blocktranslate with name=asked_by practice=practice.name %}{{ name }} of {{ practice }} asks for your signature.{% endblocktranslate %}
      {% blocktranslate with date=sign_request.expires_at|when %}Please sign by {{ date }}.{% endblocktranslate %}
    </p>
    <p class="signing-as mb-3" id="signing-as">
      <strong>{% translate "Signing as:" %}</strong>
      {% if for_self %}{% blocktranslate with name=signer_name %}{{ name }} — for yourself{% endblocktranslate %}{% else %}{% blocktranslate with name=signer_name client=client.full_name %}{{ name }} — for {{ client }} as legal guardian{% endblocktranslate %}{% endif %}
    </p>
    <a class="btn btn-primary btn-lg w-100 mb-2" href="{% portal_url 'portal:document_view' practice.slug document.pk %}" target="_blank" rel="noopener" id="open-document">{% translate "Open the document" %}<span class="visually-hidden"> {% translate "(opens in a new tab)" %}</span></a>
    <p class="small text-body-secondary mb-0" id="document-size">
      PDF{% if page_count %}, {% blocktranslate count counter=page_count %}{{ counter }} page{% plural %}{{ counter }} pages{% endblocktranslate %}{% endif %}, {{ version.size|filesizeformat }}.
      {% if preview_pages %}{% translate "Read it all before you sign: its pages are below, or open it in a new tab (this page stays here)." %}{% else %}{% translate "Read it all before you sign: it opens in a new tab, and this page stays here." %}{% endif %}
    </p>
    {% if preview_pages %}
    <div class="document-pages mt-3" tabindex="0" role="group" aria-label="{% translate 'The document, page by page' %}">
      {% for src, alt in preview_pages %}
      <img class="document-page" src="{{ src }}" width="900" loading="lazy" alt="{{ alt }}">
      {% endfor %}
    </div>
    {% endif %}
  </div>
</section>

<form method="post" action="{% portal_url 'portal:sign' practice.slug sign_request.pk %}" class="card shadow-sm mb-3" data-signing-form novalidate>
  <div class="card-body p-4">
    {% csrf_token %}
    {{ signature_fields }}
    <input type="email" autocomplete="username" value="{{ portal.account.email }}" class="d-none" aria-hidden="true" tabindex="-1" readonly>
    {{ fields.password }}
    <button type="submit" class="btn btn-primary btn-lg w-100">{% translate "Sign Document" %}</button>
  </div>
</form>

<details class="card shadow-sm mb-3 decline-box"{% if decline_open %} open{% endif %}>
  <summary class="card-body px-4 py-3">{% translate "Decline to sign" %}</summary>
  <form method="post" action="{% portal_url 'portal:decline' practice.slug sign_request.pk %}" class="card-body px-4 pt-0 pb-4" novalidate>
    {% csrf_token %}
    <p class="small text-body-secondary">{% translate "If you don't want to sign, or would rather sign on paper, tell the practice why. Nothing is signed." %}</p>
    {{ fields.decline }}
    <button type="submit" class="btn btn-outline-danger">{% translate "Decline to sign" %}</button>
  </form>
</details>

<script src="{% fixed_static 'vendor/signature_pad/signature_pad.umd.min.js' %}" defer></script>
<script src="{% fixed_static 'haven/signing.js' %}" defer></script>
{% endblock %}
"""  # noqa: E501
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"')


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Each signing page the view draws, and the same page drawn by the template's nodes from the same context
    (their CSRF tokens aside: each drawing masks the token anew)."""
    pages: list[tuple[str, str]] = []
    render = signing.render

    def both(request: HttpRequest, name: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
        response = render(request, name, context, status=status)
        if name == "portal/signing/sign.html":
            expected = engines["django"].from_string(_AS_TEMPLATE[1:]).render(context, request)
            pages.append((_TOKEN.sub("", expected), _TOKEN.sub("", response.content.decode())))
        return response

    monkeypatch.setattr(signing, "render", both)
    return pages


def _same(pages: list[tuple[str, str]]) -> str:
    [(expected, page)] = pages
    assert page == expected
    return page


def test_the_signing_page_for_a_legal_guardian_reads_as_the_template_did(world: World, gia: HttpClient, pending, drawn):
    Document.objects.filter(pk=pending.document_id).update(title='<b>Plan</b> & "{0}"')
    assert gia.get(sign_url(pending)).status_code == 200
    page = _same(drawn)
    assert "&lt;b&gt;Plan&lt;/b&gt; &amp; &quot;{0}&quot;" in page and "<b>Plan" not in page
    assert "2 pages" in page and 'class="document-page"' in page and "as legal guardian" in page


def test_the_signing_page_for_yourself_of_one_page_reads_as_the_template_did(world: World, client: HttpClient, drawn):
    give_ana_a_portal_login(world)
    plan = treatment_plan(world.ada, world.ana, pages=1)
    request = request_signature(by=world.ada, document=plan, signer_key="client")
    client.post("/p/riverside/", {"username": "ana@example.com", "password": PASSWORD})
    assert client.get(sign_url(request)).status_code == 200
    page = _same(drawn)
    assert "1 page," in page and "for yourself" in page


def test_a_refused_signature_reads_as_the_template_did(world: World, gia: HttpClient, pending, drawn):
    assert post_signature(gia, pending, password="not my password").status_code == 400
    assert "That password is not right." in _same(drawn)


def test_a_refused_decline_reads_as_the_template_did(world: World, gia: HttpClient, pending, drawn):
    assert gia.post(decline_url(pending), {"reason": "<i>no</i> " + "x" * 1000}).status_code == 400
    page = _same(drawn)
    assert '<details class="card shadow-sm mb-3 decline-box" open>' in page and "&lt;i&gt;no&lt;/i&gt;" in page


def test_a_document_of_too_many_pages_to_show_reads_as_the_template_did(world: World, gia: HttpClient, drawn):
    request = ask_gia(world, pages=signing.MAX_PREVIEW_PAGES + 1)
    select(gia, world.gia_access_max)
    assert gia.get(sign_url(request)).status_code == 200
    page = _same(drawn)
    assert f"{signing.MAX_PREVIEW_PAGES + 1} pages" in page and 'class="document-page"' not in page
