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


def test_demo_has_a_message_team_and_gia_exchanging_messages_with_attachments_with_the_practice(client):
    from io import BytesIO

    from PIL import Image
    from pypdf import PdfReader

    from haven.core.encryption import read_decrypted
    from haven.messaging import policy, selectors
    from haven.messaging.models import Attachment, Thread
    from haven.portal_access.models import PortalAccount, ProfileAccess
    from haven.portal_access.viewers import PortalViewer
    from haven.practices.viewers import StaffViewer

    call_command("seed_demo")
    practice = Practice.objects.get(slug="riverbend")
    admin = StaffMember.objects.get(user__email="admin@riverbend.example")
    front_desk = StaffMember.objects.get(user__email="frontdesk@riverbend.example")
    therapist = StaffMember.objects.get(user__email="therapist@riverbend.example")
    assert {m.pk for m in policy.team_of(practice)} == {admin.pk, front_desk.pk}

    account = PortalAccount.objects.get(email="gia.moreno@example.com")
    access = ProfileAccess.objects.effective(practice).get(account=account)
    assert access.client.first_name == "Max"
    gia = PortalViewer(account=account, practice=practice, profile=access)
    threads = list(Thread.objects.filter(practice=practice).order_by("pk"))
    assert [(t.to_team, t.subject) for t in threads] == [
        (True, "Insurance card for Max"),
        (False, "Sleep diary for the coming week"),
    ]
    for thread in threads:
        assert policy.get_thread(gia, thread.pk) == thread
        assert thread.messages.count() == 3
    # Each attachment is a real file: the PDFs parse and have text, the PNG opens.
    kinds = set()
    for attachment in Attachment.objects.filter(message__thread__practice=practice):
        data = read_decrypted(attachment.storage_name)
        if attachment.content_type == "application/pdf":
            assert PdfReader(BytesIO(data)).pages[0].extract_text().strip()
        else:
            assert Image.open(BytesIO(data)).size == (320, 200)
        kinds.add(attachment.content_type)
    assert kinds == {"application/pdf", "image/png"}
    # Something waits on each side: Gia's therapist answered her; the team has her last word to read.
    assert selectors.portal_unread(gia) == 1
    assert selectors.staff_unread(front_desk).mine == 1
    assert selectors.staff_unread(admin).team == 1
    assert selectors.staff_unread(therapist).total == 0
    assert policy.get_thread(StaffViewer(front_desk), threads[0].pk) == threads[0]
    # Gia signs in to the portal with the demo password.
    answer = client.post("/p/riverbend/", {"username": "gia.moreno@example.com", "password": "calm-harbor-demo"})
    assert answer.status_code == 302
