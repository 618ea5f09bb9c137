"""``{% chart_face %}`` draws the Chart Face below its title as the template's nodes did, every value escaped."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from haven.clients.models import Client
from haven.clients.policy import get_client
from haven.clients.selectors import chart_contacts
from haven.documents.actions import set_recipients
from haven.documents.models import Document
from haven.documents.selectors import activity_log_first_page
from haven.practices.viewers import StaffViewer
from haven.signing.selectors import staff_signature_status
from haven.staff.views.clients import RECENT_DOCUMENTS
from haven.staff.views.documents._common import with_staff_urls
from tests.personas import World

pytestmark = pytest.mark.django_db

# The page's content as the template drew it, node by node, before the tag.
_AS_TEMPLATE = """{% load i18n haven_chart haven_globe %}
{% include "staff/clients/_header.html" %}{% chart_urls client as chart_url %}
<div class="row g-3">
{% chart_face_details %}
  <section class="col-12" aria-labelledby="face-documents">
    <div class="card"><div class="card-body">
      <div class="d-flex justify-content-between align-items-center">
        <h2 class="h5 mb-0" id="face-documents">{% translate "Documents" %}</h2>
        <a class="small" href="{{ chart_url.documents }}">{% translate "All documents" %}</a>
      </div>
      {% if recent_documents %}
      <div class="table-responsive">
      <table class="table table-sm table-responsive-stack mt-2 mb-0">
        <caption class="visually-hidden">{% translate "The latest documents" %}</caption>
        <thead><tr><th scope="col">{% translate "Date" %}</th><th scope="col">{% translate "Title" %}</th><th scope="col">{% translate "Type" %}</th><th scope="col">{% translate "Share Status" %}</th><th scope="col"><span class="visually-hidden">{% translate "File" %}</span></th></tr></thead>
        <tbody>
        {% translate 'Date' as date_label %}{% translate 'Type' as type_label %}{% translate 'Share Status' as status_label %}{% translate "Download signed PDF" as download_signed %}{% translate "Download" as download %}{% translate "PDF being prepared…" as preparing %}
        {% for document in recent_documents %}
        <tr data-document="{{ document.pk }}">
          <td data-label="{{ date_label }}" class="text-nowrap">{{ document.document_date|date:"Y-m-d" }}</td>
          <td><a href="{{ document.staff_url }}">{{ document.title }}</a></td>
          <td data-label="{{ type_label }}">{{ document.type.name }}</td>
          <td data-label="{{ status_label }}">{% share_status document can_share %}</td>
          <td class="text-nowrap">{% if document.current_version_id %}<a href="{{ document.file_url }}?download=1">{% if document.signed %}{{ download_signed }}{% else %}{{ download }}{% endif %}<span class="visually-hidden">: {{ document.title }}</span></a>{% else %}<span class="small text-body-secondary">{{ preparing }}</span>{% endif %}</td>
        </tr>
        {% endfor %}
        </tbody>
      </table>
      </div>
      {% else %}
      <p class="text-body-secondary mt-2 mb-0">{% translate "No documents yet." %}</p>
      {% endif %}
    </div></div>
  </section>
</div>
"""  # noqa: E501


def _context(world: World, client: Client, *, can_share: bool) -> dict[str, object]:
    viewer = StaffViewer(world.ada)
    chart = get_client(viewer, client.pk)
    recent = activity_log_first_page(chart, viewer, size=RECENT_DOCUMENTS)
    contacts, contact_of = chart_contacts(chart)
    return {
        "client": chart,
        "tab": "face",
        "can_see_history": True,
        "age": 12,
        "contacts": contacts,
        "contact_of": contact_of,
        "recent_documents": with_staff_urls(chart, staff_signature_status(recent.rows)),
        "can_share": can_share,
    }


def _both(context: dict[str, object]) -> tuple[str, str]:
    return (
        Template(_AS_TEMPLATE).render(Context(context)),
        Template("{% load haven_chart %}\n{% chart_face %}\n").render(Context(context)),
    )


@pytest.mark.parametrize("can_share", [True, False])
def test_the_chart_face_reads_as_the_template_did(world: World, can_share: bool) -> None:
    Document.objects.filter(pk=world.progress_note.pk).update(title='<b>Plan</b> & "{0}"')
    set_recipients(by=world.ada, document=world.progress_note, all_authorized=False, client=True, contacts=[])
    expected, drawn = _both(_context(world, world.max, can_share=can_share))
    assert drawn == expected
    assert "&lt;b&gt;Plan&lt;/b&gt; &amp; &quot;{0}&quot;" in drawn and "<b>Plan" not in drawn
    assert f'<tr data-document="{world.progress_note.pk}">' in drawn


def test_the_chart_face_of_a_client_with_no_documents_reads_as_the_template_did(world: World) -> None:
    clients = list(Client.objects.filter(practice=world.riverside).exclude(documents__isnull=False))
    assert clients
    for client in clients:
        expected, drawn = _both(_context(world, client, can_share=True))
        assert drawn == expected
        assert "No documents yet." in drawn


def test_a_document_still_being_prepared_reads_as_the_template_did(world: World) -> None:
    Document.objects.filter(pk=world.progress_note.pk).update(current_version=None)
    expected, drawn = _both(_context(world, world.max, can_share=True))
    assert drawn == expected
    assert "PDF being prepared…" in drawn
