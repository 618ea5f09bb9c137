"""``{% chart_face_details %}`` draws the Chart Face's Details and Related contacts cards as the template did."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from haven.clients.models import Client, RelatedContact, Relationship
from haven.clients.selectors import chart_contacts, clients_client_is_contact_for, contacts_of
from tests.personas import World

pytestmark = pytest.mark.django_db

# The two cards as the template drew them, node by node, before the tag.
_AS_TEMPLATE = """{% load i18n haven_chart %}{% chart_urls client as chart_url %}  <section class="col-12 col-lg-6" aria-labelledby="face-details">
    <div class="card h-100"><div class="card-body">
      <h2 class="h5" id="face-details">{% translate "Details" %}</h2>
      <dl class="row mb-0">
        <dt class="col-sm-4">{% translate "Email" %}</dt><dd class="col-sm-8">{{ client.email|default:"—" }}</dd>
        <dt class="col-sm-4">{% translate "Phone" %}</dt><dd class="col-sm-8">{{ client.phone|default:"—" }}</dd>
        <dt class="col-sm-4">{% translate "Address" %}</dt><dd class="col-sm-8">{{ client.address|default:"—"|linebreaksbr }}</dd>
        <dt class="col-sm-4">{% translate "Facility" %}</dt><dd class="col-sm-8">{{ client.facility.name|default:_("The practice") }}</dd>
        <dt class="col-sm-4">{% translate "Age" %}</dt><dd class="col-sm-8">{{ age }}</dd>
        <dt class="col-sm-4">{% translate "Client since" %}</dt><dd class="col-sm-8">{{ client.created_at|date:"Y-m-d" }}</dd>
      </dl>
    </div></div>
  </section>
  <section class="col-12 col-lg-6" aria-labelledby="face-contacts">
    <div class="card h-100"><div class="card-body">
      <div class="d-flex justify-content-between align-items-center">
        <h2 class="h5 mb-0" id="face-contacts">{% translate "Related contacts" %}</h2>
        <a class="small" href="{{ chart_url.contacts }}">{% translate "Manage contacts" %}</a>
      </div>
      {% if contacts %}
      <ul class="list-unstyled mt-2 mb-0">
        {% for contact in contacts %}
        <li class="py-1">{{ contact.full_name }} <span class="text-body-secondary">· {{ contact.get_relationship_display }}</span>
          {% if contact.web_portal %}<span class="badge badge-portal">{% translate "Web Portal" %}</span>{% endif %}
          {% if contact.legal_guardian %}<span class="badge badge-guardian">{% translate "Legal guardian" %}</span>{% endif %}</li>
        {% endfor %}
      </ul>
      {% else %}
      <p class="text-body-secondary mt-2 mb-0">{% translate "No related contacts yet." %}</p>
      {% endif %}
      {% if contact_of %}
      <h3 class="h6 mt-3">{% translate "Is a contact for" %}</h3>
      <ul class="list-unstyled mb-0">
        {% for link in contact_of %}<li><a href="{{ link.client.get_absolute_url }}">{{ link.client.full_name }}</a> <span class="text-body-secondary">· {{ link.get_relationship_display }}</span></li>{% endfor %}
      </ul>
      {% endif %}
    </div></div>
  </section>"""  # noqa: E501


def _both(client: Client, age: object = 36) -> tuple[str, str]:
    """The cards drawn by the template from the contacts' querysets, and by the tag from ``chart_contacts``."""
    contacts, contact_of = chart_contacts(client)
    context = {"client": client, "age": age, "contacts": contacts, "contact_of": contact_of}
    as_models = dict(
        context, contacts=list(contacts_of(client)), contact_of=list(clients_client_is_contact_for(client))
    )
    return (
        Template(_AS_TEMPLATE).render(Context(as_models)),
        Template("{% load haven_chart %}{% chart_face_details %}").render(Context(context)),
    )


def test_the_chart_face_cards_read_as_the_template_did(world: World) -> None:
    others = list(Client.objects.filter(practice=world.riverside).exclude(pk=world.max.pk)[:2])
    for other in others:  # the client is their contact: each shows on the client's chart and on Max's
        RelatedContact.objects.create(
            practice=world.riverside,
            client=other,
            linked_client=world.max,
            first_name=world.max.first_name,
            last_name=world.max.last_name,
            relationship=Relationship.PARENT,
        )
    assert len(chart_contacts(world.max)[1]) == len(others) > 0
    for client in Client.objects.filter(practice=world.riverside):
        expected, drawn = _both(client)
        assert drawn == expected


def test_the_chart_face_cards_escape_every_value_and_break_the_address_into_lines(world: World) -> None:
    client = Client.objects.select_related("facility").get(pk=world.max.pk)
    client.address = '<b>1 "Main" St</b>\r\nApt {2}\rBox & 3\n'
    client.email = ""
    client.phone = "<555>"
    client.facility = None
    client.facility_id = None
    RelatedContact.objects.filter(client=client).update(first_name="<i>Gia</i>", legal_guardian=True, web_portal=True)
    expected, drawn = _both(client, age="<40>")
    assert drawn == expected
    assert "&lt;b&gt;1 &quot;Main&quot; St&lt;/b&gt;<br>Apt {2}<br>Box &amp; 3<br>" in drawn
    assert "&lt;i&gt;Gia&lt;/i&gt;" in drawn and "<i>" not in drawn
