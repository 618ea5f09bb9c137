"""The people every test speaks of: two practices, their staff, clients and a family.

Practice 1 (Riverside): Ada the administrator (with Web Portal), Theo the therapist (no Web Portal),
Fran at the front desk, Bill in billing; clients Ana and Ben; Gia, a parent and legal guardian of
minors Max and Mia (Gia is a contact, not a client), with one portal login that reaches both children.
Practice 2 (Hilltop): its own administrator Hana and client Hal.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from io import BytesIO

from django.contrib.auth import get_user_model
from django.utils import timezone
from pypdf import PdfWriter

from haven.clients.models import Client, RelatedContact, Relationship
from haven.documents.actions import ensure_default_types, upload_document
from haven.documents.models import Document, DocumentType
from haven.portal_access.models import AccessKind, AccessStatus, PortalAccount, ProfileAccess
from haven.practices.models import ROLE_TEMPLATES, Facility, Permission, Practice, Role, StaffMember

PASSWORD = "correct horse battery staple"


def _one_blank_page() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


ONE_BLANK_PAGE_PDF = _one_blank_page()  # a real, tiny PDF: every PDF reader opens it


@dataclass
class World:
    riverside: Practice
    hilltop: Practice
    riverside_facility: Facility
    ada: StaffMember  # administrator, Web Portal granted
    theo: StaffMember  # therapist, no Web Portal
    fran: StaffMember  # front desk
    bill: StaffMember  # billing
    hana: StaffMember  # administrator of the other practice
    ana: Client
    ben: Client
    max: Client  # a minor
    gia: RelatedContact  # Max's mother and legal guardian, with Web Portal
    hal: Client  # a client of the other practice
    hal_contact: RelatedContact
    mia: Client  # Max's sister, also a minor
    gia_for_mia: RelatedContact
    gia_account: PortalAccount  # Gia's portal login
    gia_access_max: ProfileAccess
    gia_access_mia: ProfileAccess
    progress_note: Document  # Max's progress note, uploaded by Ada, not shared yet


def make_staff(practice: Practice, email: str, name: str, role: str, *extra: str) -> StaffMember:
    user = get_user_model().objects.create_user(email=email, full_name=name, password=PASSWORD)
    return StaffMember.objects.create(
        user=user, practice=practice, role=role, permissions=sorted(set(ROLE_TEMPLATES[role]) | set(extra))
    )


def years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


def build_world() -> World:
    riverside = Practice.objects.create(
        name="Riverside Counseling",
        slug="riverside",
        time_zone="America/Chicago",
        require_staff_two_factor=False,
        client_contact_network_enabled=True,
    )
    hilltop = Practice.objects.create(name="Hilltop Therapy", slug="hilltop", require_staff_two_factor=False)
    facility = Facility.objects.create(practice=riverside, name="Riverside North")
    ada = make_staff(riverside, "ada@riverside.example", "Ada Admin", Role.ADMINISTRATOR, Permission.WEB_PORTAL)
    theo = make_staff(riverside, "theo@riverside.example", "Theo Therapist", Role.THERAPIST)
    fran = make_staff(riverside, "fran@riverside.example", "Fran Frontdesk", Role.FRONT_DESK)
    bill = make_staff(riverside, "bill@riverside.example", "Bill Billing", Role.BILLING)
    hana = make_staff(hilltop, "hana@hilltop.example", "Hana Hilltop", Role.ADMINISTRATOR, Permission.WEB_PORTAL)
    ana = Client.objects.create(
        practice=riverside, first_name="Ana", last_name="Alvarez", date_of_birth=years_ago(34), email="ana@example.com"
    )
    ben = Client.objects.create(
        practice=riverside, first_name="Ben", last_name="Brooks", date_of_birth=years_ago(27), email="ben@example.com"
    )
    max_client = Client.objects.create(
        practice=riverside, first_name="Max", last_name="Moreno", date_of_birth=years_ago(9), facility=facility
    )
    gia = RelatedContact.objects.create(
        practice=riverside,
        client=max_client,
        first_name="Gia",
        last_name="Moreno",
        email="gia@example.com",
        relationship=Relationship.PARENT,
        web_portal=True,
        legal_guardian=True,
    )
    hal = Client.objects.create(
        practice=hilltop, first_name="Hal", last_name="Hill", date_of_birth=years_ago(50), email="hal@example.com"
    )
    hal_contact = RelatedContact.objects.create(
        practice=hilltop, client=hal, first_name="Hope", last_name="Hill", relationship=Relationship.SPOUSE
    )
    mia = Client.objects.create(
        practice=riverside, first_name="Mia", last_name="Moreno", date_of_birth=years_ago(14), facility=facility
    )
    gia_for_mia = RelatedContact.objects.create(
        practice=riverside,
        client=mia,
        first_name="Gia",
        last_name="Moreno",
        email="gia@example.com",
        relationship=Relationship.PARENT,
        web_portal=True,
        legal_guardian=True,
    )
    gia_account = PortalAccount(email="gia@example.com", full_name="Gia Moreno", email_verified_at=timezone.now())
    gia_account.set_password(PASSWORD)
    gia_account.save()
    access = {
        child.pk: ProfileAccess.objects.create(
            account=gia_account,
            practice=riverside,
            client=child,
            kind=AccessKind.CONTACT,
            contact=contact,
            status=AccessStatus.ACTIVE,
            confirmed_at=timezone.now(),
        )
        for child, contact in ((max_client, gia), (mia, gia_for_mia))
    }
    ensure_default_types(riverside)
    ensure_default_types(hilltop)
    progress_note = upload_document(
        by=ada,
        client=max_client,
        doc_type=DocumentType.objects.get(practice=riverside, name="Progress Note"),
        title="Progress note",
        document_date=timezone.localdate(),
        data=ONE_BLANK_PAGE_PDF,
    )
    return World(
        riverside,
        hilltop,
        facility,
        ada,
        theo,
        fran,
        bill,
        hana,
        ana,
        ben,
        max_client,
        gia,
        hal,
        hal_contact,
        mia,
        gia_for_mia,
        gia_account,
        access[max_client.pk],
        access[mia.pk],
        progress_note,
    )


def give_ana_a_portal_login(world: World) -> ProfileAccess:
    """Ana, an adult client, with her own active portal login (ana@example.com, PASSWORD)."""
    account = PortalAccount(email="ana@example.com", full_name="Ana Alvarez", email_verified_at=timezone.now())
    account.set_password(PASSWORD)
    account.save()
    return ProfileAccess.objects.create(
        account=account,
        practice=world.riverside,
        client=world.ana,
        kind=AccessKind.SELF,
        status=AccessStatus.ACTIVE,
        confirmed_at=timezone.now(),
    )
