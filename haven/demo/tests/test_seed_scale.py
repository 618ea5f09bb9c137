"""seed_scale: a practice at scale, in bulk, whose staff and portal logins a bench can sign in as for real."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from benchmarks.http_session import totp
from haven.audit.models import AuditEvent
from haven.audit.selectors import verify_chain
from haven.clients.models import Client, RelatedContact
from haven.core.encryption import read_decrypted
from haven.demo.management.commands import seed_scale
from haven.documents.actions import upload_document
from haven.documents.models import Document, DocumentType, DocumentVersion, GroupNote, Share
from haven.messaging.models import Message
from haven.portal_access.models import AccessStatus, PortalAccount, ProfileAccess
from haven.practices.models import Practice, StaffMember
from haven.scheduling.availability import open_slots
from haven.scheduling.models import HOLDS_TIME, Appointment, AppointmentStatus, ServiceType
from haven.signing.models import RequestStatus, SignatureRequest

pytestmark = pytest.mark.django_db


def _seed(clients: int = 40, documents: int = 120, messages: int = 95, appointments: int = 100) -> Practice:
    call_command(
        "seed_scale",
        clients=clients,
        documents=documents,
        messages=messages,
        appointments=appointments,
        stdout=None,
    )
    return Practice.objects.get(slug=seed_scale.PRACTICE_SLUG)


def test_seed_scale_makes_the_clients_and_documents_asked_for_with_their_files():
    practice = _seed(clients=40, documents=120)
    assert Client.objects.filter(practice=practice).count() == 40
    assert Document.objects.filter(practice=practice).count() == 120
    assert RelatedContact.objects.filter(practice=practice).exists()
    assert GroupNote.objects.filter(practice=practice).exists()
    assert Share.objects.filter(document__practice=practice).count() > 8
    # Every document has a current version whose file is there and decrypts to a PDF.
    assert not Document.objects.filter(practice=practice, current_version__isnull=True).exists()
    assert DocumentVersion.objects.filter(document__practice=practice).count() >= 120
    for version in DocumentVersion.objects.filter(document__practice=practice).order_by("?")[:5]:
        assert read_decrypted(version.storage_name).startswith(b"%PDF")
    # Most documents are the busy client's (its Activity Log is benched); clients have names, emails, birth dates.
    busy = Client.objects.get(practice=practice, email="theodore.blackwood@scale.example")
    others = Document.objects.filter(practice=practice).exclude(client=busy).count()
    assert Document.objects.filter(client=busy).count() > others
    assert not Client.objects.filter(practice=practice, email="").exists()
    assert Client.objects.filter(practice=practice).values("date_of_birth").distinct().count() > 30


def test_seeded_audit_chain_verifies_and_records_what_was_made():
    practice = _seed()
    assert verify_chain().intact
    events = AuditEvent.objects.filter(practice=practice)
    assert events.filter(action="client.created").count() == Client.objects.filter(practice=practice).count()
    assert events.filter(action="document.created").count() == Document.objects.filter(practice=practice).count()


def test_seeded_staff_login_signs_in_with_password_and_a_code_from_its_device(client):
    _seed()
    answer = client.post("/staff/login/", {"username": seed_scale.STAFF_EMAIL, "password": seed_scale.PASSWORD})
    assert answer.status_code == 302
    answer = client.post("/staff/two-factor/verify/", {"code": totp(seed_scale.STAFF_TOTP_KEY)})
    assert answer.status_code == 302 and "two-factor" not in answer["Location"]
    assert client.get("/staff/clients/").status_code == 200
    member = StaffMember.objects.get(user__email=seed_scale.STAFF_EMAIL)
    assert member.practice.require_staff_two_factor


def test_seeded_portal_login_acts_for_a_client_with_shared_documents_and_an_open_signature_request(client):
    practice = _seed()
    account = PortalAccount.objects.get(email=seed_scale.PORTAL_EMAIL)
    access = ProfileAccess.objects.effective(practice).get(account=account)
    assert access.status == AccessStatus.ACTIVE
    assert Share.objects.filter(document__client=access.client, revoked_at__isnull=True).count() >= 8
    request = SignatureRequest.objects.signable(timezone.now()).get(document__client=access.client)
    assert Message.objects.filter(thread__account=account, signature_request=request).exists()
    answer = client.post(f"/p/{practice.slug}/", {"username": seed_scale.PORTAL_EMAIL, "password": seed_scale.PASSWORD})
    assert answer.status_code == 302
    assert client.get(f"/p/{practice.slug}/sign/{request.pk}/").status_code == 200
    assert request.status == RequestStatus.PENDING


def test_documents_added_after_seeding_get_fresh_ids():
    practice = _seed()
    admin = StaffMember.objects.get(user__email=seed_scale.STAFF_EMAIL)
    doc_type = DocumentType.objects.filter(practice=practice, never_share=False).first()
    assert doc_type is not None
    version = DocumentVersion.objects.filter(document__practice=practice).latest("pk")
    latest = Document.objects.filter(practice=practice).latest("pk")
    document = upload_document(
        by=admin,
        client=latest.client,
        doc_type=doc_type,
        title="After seeding",
        document_date=timezone.localdate(),
        data=read_decrypted(version.storage_name),
    )
    assert document.pk > latest.pk
    assert document.current_version is not None and document.current_version.pk > version.pk


def test_seed_scale_refuses_to_seed_the_same_database_twice():
    _seed()
    with pytest.raises(CommandError, match="already seeded"):
        _seed()


def test_seed_scale_makes_the_messages_asked_for_in_threads_the_inboxes_show():
    from haven.messaging import selectors
    from haven.messaging.actions import reply
    from haven.messaging.models import MessageKind, Participant, Thread
    from haven.portal_access.viewers import PortalViewer
    from haven.practices.viewers import StaffViewer

    practice = _seed(messages=95)
    conversations = Message.objects.filter(thread__practice=practice, thread__kind=MessageKind.CONVERSATION)
    assert conversations.count() == 95
    assert Thread.objects.filter(practice=practice, kind=MessageKind.CONVERSATION).count() == 10
    # Every message is in a thread with its portal login's row and a staff row; a record request names its request.
    assert not Thread.objects.filter(practice=practice).exclude(participants__account__isnull=False).exists()
    assert not Thread.objects.filter(practice=practice).exclude(participants__staff__isnull=False).exists()
    assert not Message.objects.filter(thread__kind=MessageKind.RECORD_REQUEST, signature_request__isnull=True).exists()
    assert conversations.earliest("pk").body.startswith("A message")
    account = PortalAccount.objects.get(email=seed_scale.PORTAL_EMAIL)
    access = ProfileAccess.objects.effective(practice).get(account=account)
    rosa = PortalViewer(account=account, practice=practice, profile=access)
    assert selectors.portal_box(rosa).filter(thread__kind=MessageKind.CONVERSATION).exists()
    unread = Participant.objects.filter(account=account, unread__gt=0, archived_at__isnull=True).count()
    assert selectors.portal_unread(rosa) == unread > 0
    admin = StaffMember.objects.get(user__email=seed_scale.STAFF_EMAIL)
    assert selectors.staff_box(admin, selectors.Box.TEAM).exists()
    assert selectors.staff_box(admin, selectors.Box.MINE).exists()
    # What is sent after seeding gets fresh ids, and every count stays right.
    thread = selectors.staff_box(admin, selectors.Box.TEAM)[0].thread
    latest = Message.objects.latest("pk")
    answer = reply(StaffViewer(admin), thread, body="Thank you.")
    assert answer.pk > latest.pk


def test_seed_scale_makes_appointments_among_many_clinicians_that_never_overlap():
    practice = _seed(appointments=2000)
    made = Appointment.objects.filter(practice=practice)
    assert made.count() == 2000
    assert made.values("clinician").distinct().count() == seed_scale.CLINICIANS
    rows = sorted(made.filter(status__in=HOLDS_TIME).values_list("clinician_id", "starts_at", "ends_at"))
    assert all(a[2] <= b[1] for a, b in itertools.pairwise(rows) if a[0] == b[0])
    now = timezone.now()
    assert made.filter(starts_at__lt=now, status=AppointmentStatus.COMPLETED).exists()
    assert made.filter(starts_at__gt=now, status=AppointmentStatus.SCHEDULED).exists()
    therapist = StaffMember.objects.select_related("practice").get(user__email="therapist@scale.example")
    service = ServiceType.objects.filter(practice=practice).first()
    assert service is not None
    assert open_slots(therapist, service, start=timezone.localdate(now), days=60, now=now, for_portal=False)
