"""The demo practice: created once, with the family the demo walks through."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from haven.audit.selectors import verify_chain
from haven.clients.models import Client, RelatedContact
from haven.practices.models import Permission, Practice, StaffMember

pytestmark = pytest.mark.django_db


def test_seed_creates_the_demo_practice_once(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "admin@riverbend.example" in out
    assert Practice.objects.filter(slug="riverbend").count() == 1
    practice = Practice.objects.get(slug="riverbend")
    assert practice.facilities.count() == 2
    assert Client.objects.filter(practice=practice).count() == 20
    assert verify_chain().intact


def test_demo_staff_have_the_documented_permissions():
    call_command("seed_demo")
    admin = StaffMember.objects.get(user__email="admin@riverbend.example")
    therapist = StaffMember.objects.get(user__email="therapist@riverbend.example")
    assert admin.has_permission(Permission.WEB_PORTAL)
    assert not therapist.has_permission(Permission.WEB_PORTAL)
    assert StaffMember.objects.filter(practice=admin.practice).count() == 4


def test_demo_family_has_a_guardian_of_two_minors():
    call_command("seed_demo")
    guardianships = RelatedContact.objects.filter(linked_client__first_name="Gia", legal_guardian=True, web_portal=True)
    children = {contact.client.first_name for contact in guardianships}
    assert children == {"Max", "Mia"}
    assert RelatedContact.objects.filter(client__first_name="Max", linked_client__first_name="Mia").exists()


def test_demo_children_have_documents_to_share():
    from haven.documents.models import Document

    call_command("seed_demo")
    for name in ("Max", "Mia"):
        titles = set(Document.objects.filter(client__first_name=name).values_list("title", flat=True))
        assert titles == {"Treatment plan", "Progress note"}
