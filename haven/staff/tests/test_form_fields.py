"""A form and the action it feeds share one list of fields: a field on one is never silently dropped by the other.

Each edit page is posted with a new value in every one of its fields, and each value must reach the saved
record. The values below must cover every field the form shows, so a field added to the action's list (and so
to the form) fails here until it is shown to round-trip.
"""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Callable
from typing import Any

import pytest

from haven.clients.actions import CLIENT_FIELDS, CONTACT_FIELDS
from haven.clients.models import Client, ClientStatus, RelatedContact, Relationship
from haven.core.forms import HavenForm
from haven.practices.actions import PRACTICE_SETTINGS, invite_staff, save_facility, set_staff_role
from haven.practices.models import Practice
from haven.staff.forms.admin import FacilityForm, PracticeSettingsForm, StaffInviteForm, StaffRoleForm
from haven.staff.forms.clients import ClientForm
from haven.staff.forms.contacts import ContactForm

pytestmark = pytest.mark.django_db


def _posted(values: dict[str, Any]) -> dict[str, Any]:
    """What a browser sends for these values: booleans as a ticked box (or nothing), objects by their key."""
    data: dict[str, Any] = {}
    for name, value in values.items():
        if value is True:
            data[name] = "on"
        elif value is False:
            continue
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        elif hasattr(value, "pk"):
            data[name] = value.pk
        else:
            data[name] = value
    return data


def _assert_saved(record: Any, values: dict[str, Any]) -> None:
    record.refresh_from_db()
    lost = {name: getattr(record, name) for name, value in values.items() if getattr(record, name) != value}
    assert not lost, f"fields the form sent but the record did not keep: {lost}"


def test_the_client_form_shows_exactly_the_fields_the_action_accepts(world) -> None:
    form = ClientForm(member=world.ada)
    assert set(form.fields) - {"version"} == set(CLIENT_FIELDS)
    assert list(form.fields)[: len(CLIENT_FIELDS)] == list(CLIENT_FIELDS)


def test_every_field_of_the_client_form_reaches_the_saved_chart(world, login) -> None:
    values: dict[str, Any] = {
        "first_name": "Anita",
        "last_name": "Alvarado",
        "preferred_name": "Nita",
        "pronouns": "she/her",
        "date_of_birth": datetime.date(1991, 3, 4),
        "email": "anita@example.com",
        "phone": "555-0101",
        "address": "1 River Road",
        "facility": world.riverside_facility,
        "clinician": world.theo,
        "status": ClientStatus.DISCHARGED,
    }
    assert set(values) == set(CLIENT_FIELDS), "give every editable field a new value here"
    assert all(getattr(world.ana, name) != value for name, value in values.items())
    http = login(world.fran)
    version = http.get(f"/staff/clients/{world.ana.pk}/edit/").context["form"]["version"].value()
    response = http.post(f"/staff/clients/{world.ana.pk}/edit/", {**_posted(values), "version": version})
    assert response.status_code == 302, response.content.decode()
    _assert_saved(world.ana, values)

    response = http.post("/staff/clients/new/", _posted({**values, "first_name": "Cora"}))
    assert response.status_code == 302
    _assert_saved(Client.objects.get(first_name="Cora"), {**values, "first_name": "Cora"})


def test_the_contact_form_shows_exactly_the_fields_the_action_accepts(world) -> None:
    form = ContactForm(member=world.ada)
    assert set(form.fields) - {"version", "linked_client"} == set(CONTACT_FIELDS)


def test_every_field_of_the_contact_form_reaches_the_saved_contact(world, login) -> None:
    values: dict[str, Any] = {
        "first_name": "Paz",
        "last_name": "Alvarez",
        "email": "paz@example.com",
        "phone": "555-0102",
        "relationship": Relationship.EMERGENCY,
        "web_portal": True,
        "legal_guardian": True,
    }
    assert set(values) == set(CONTACT_FIELDS), "give every editable field a value here"
    http = login(world.ada)  # an administrator with the Web Portal permission may set every field
    response = http.post(f"/staff/clients/{world.ana.pk}/contacts/new/", _posted(values))
    assert response.status_code == 302, response.content.decode()
    contact = RelatedContact.objects.get(client=world.ana)
    _assert_saved(contact, values)

    changed: dict[str, Any] = {
        "first_name": "Pilar",
        "last_name": "Alva",
        "email": "pilar@example.com",
        "phone": "555-0103",
        "relationship": Relationship.SIBLING,
        "web_portal": False,
        "legal_guardian": False,
    }
    assert set(changed) == set(CONTACT_FIELDS)
    edit = f"/staff/clients/{world.ana.pk}/contacts/{contact.pk}/edit/"
    response = http.post(edit, {**_posted(changed), "version": contact.version})
    assert response.status_code == 302, response.content.decode()
    _assert_saved(contact, changed)


def test_the_settings_form_shows_exactly_the_settings_the_action_accepts() -> None:
    assert list(PracticeSettingsForm().fields) == list(PRACTICE_SETTINGS)


def test_every_practice_setting_on_the_form_is_saved(world, login) -> None:
    values: dict[str, Any] = {
        "name": "Riverside Family Counseling",
        "time_zone": "America/Denver",
        "phone": "555-0104",
        "email": "office@riverside.example",
        "address": "2 River Road",
        "require_staff_two_factor": True,
        "client_contact_network_enabled": False,
        "age_of_majority": 19,
        "notify_portal_shares": not world.riverside.notify_portal_shares,
        "portal_handout_text": "Bring your handout to your next visit.",
    }
    assert set(values) == set(PRACTICE_SETTINGS), "give every setting a new value here"
    assert all(getattr(world.riverside, name) != value for name, value in values.items()), {
        name for name, value in values.items() if getattr(world.riverside, name) == value
    }
    http = login(world.ada)
    response = http.post("/staff/admin/", _posted(values))
    assert response.status_code == 302, response.content.decode()
    _assert_saved(Practice.objects.get(pk=world.riverside.pk), values)


@pytest.mark.parametrize(
    ("form_class", "action", "given_by_the_view"),
    [
        (StaffInviteForm, invite_staff, {"by"}),
        (StaffRoleForm, set_staff_role, {"by", "member"}),
        (FacilityForm, save_facility, {"by", "facility"}),
    ],
)
def test_forms_passed_whole_to_an_action_have_exactly_its_arguments(
    form_class: type[HavenForm], action: Callable[..., Any], given_by_the_view: set[str]
) -> None:
    arguments = set(inspect.signature(action).parameters) - given_by_the_view
    assert set(form_class.base_fields) == arguments
