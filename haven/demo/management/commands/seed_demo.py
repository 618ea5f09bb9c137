"""A demo practice with staff, clients and a family, safe to run again."""

from __future__ import annotations

import contextlib
import datetime
import random
from io import BytesIO
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from haven.clients.actions import add_contact, create_client, update_client
from haven.clients.models import Client, RelatedContact, Relationship
from haven.core.errors import ApplicationError
from haven.core.pdf import write_pdf
from haven.core.timezones import practice_zone
from haven.documents.actions import ensure_default_types
from haven.documents.files import Upload as ActivityUpload
from haven.documents.models import Category, DocumentType
from haven.documents.notes import write_clinical_note
from haven.messaging.actions import Upload, mark_read, reply, save_settings, write_to_client, write_to_practice
from haven.portal_access.models import AccessKind, AccessStatus, PortalAccount, ProfileAccess
from haven.portal_access.viewers import PortalViewer
from haven.practices.actions import save_facility, set_staff_permission
from haven.practices.bootstrap import create_practice_with_administrator
from haven.practices.models import ROLE_TEMPLATES, Permission, Practice, Role, StaffMember
from haven.practices.viewers import StaffViewer
from haven.scheduling.actions import AppointmentDetails, create_appointment
from haven.scheduling.activities import assign_activity
from haven.scheduling.models import Recurrence, SchedulingSettings, ServiceType, WeeklyHours

DEMO_SLUG = "riverbend"
DEMO_PASSWORD = "calm-harbor-demo"  # noqa: S105 - printed for the demo, never used outside it
DEMO_GUARDIAN_EMAIL = "gia.moreno@example.com"  # Gia's portal login, for Max (the demo's secure messages)
DEMO_STAFF = [
    ("admin@riverbend.example", "Dana Whitfield", Role.ADMINISTRATOR, "Clinical director"),
    ("therapist@riverbend.example", "Sam Ortega", Role.THERAPIST, "LCSW"),
    ("frontdesk@riverbend.example", "Priya Nair", Role.FRONT_DESK, "Intake coordinator"),
    ("billing@riverbend.example", "Lee Carter", Role.BILLING, "Billing specialist"),
]
FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chloe",
    "Diego",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Imani",
    "Jonah",
    "Keira",
    "Luis",
    "Maya",
    "Noah",
    "Olivia",
    "Pavel",
    "Quinn",
]
LAST_NAMES = [
    "Alvarez",
    "Brooks",
    "Chen",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ibrahim",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Murphy",
    "Nguyen",
    "Okafor",
    "Patel",
    "Quinlan",
]


DEMO_NOTES = [
    (
        Category.TREATMENT_PLAN,
        "Treatment plan",
        [
            ("Problems", "Worry at bedtime and before school; trouble settling to sleep."),
            ("Goals", "Fall asleep within 30 minutes on school nights; go to school without distress."),
            ("Interventions", "Weekly sessions; relaxation practice; a bedtime routine agreed with the family."),
        ],
    ),
    (
        Category.PROGRESS_NOTE,
        "Progress note",
        [
            ("Presenting concerns", "Reports fewer worries this week."),
            ("Interventions", "Practised breathing exercises; reviewed the bedtime routine."),
            ("Plan", "Continue weekly; practise breathing each evening."),
        ],
    ),
]


class Command(BaseCommand):
    help = "Create the demo practice (once) and print its logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if not Practice.objects.filter(slug=DEMO_SLUG).exists():
            self._create()
            self.stdout.write(self.style.SUCCESS("Demo practice created."))
        else:
            self.stdout.write("Demo practice already exists.")
        self.stdout.write("")
        self.stdout.write(f"Demo staff logins (password for all: {DEMO_PASSWORD}):")
        for email, name, role, _title in DEMO_STAFF:
            self.stdout.write(f"  {email:32} {name} ({role.label})")
        self.stdout.write(f"Demo portal login (/p/{DEMO_SLUG}/, same password):")
        self.stdout.write(f"  {DEMO_GUARDIAN_EMAIL:32} Gia Moreno (guardian of Max Moreno)")

    @transaction.atomic
    def _create(self) -> None:
        admin = create_practice_with_administrator(
            name="Riverbend Family Counseling",
            slug=DEMO_SLUG,
            time_zone="America/Chicago",
            admin_email=DEMO_STAFF[0][0],
            admin_name=DEMO_STAFF[0][1],
            admin_password=DEMO_PASSWORD,
            require_staff_two_factor=False,
        )
        practice = admin.practice
        practice.client_contact_network_enabled = True
        practice.phone = "(555) 010-4400"
        practice.email = "hello@riverbend.example"
        practice.address = "120 Main Street\nRiverbend, IL 60000"
        practice.save()
        admin.title = DEMO_STAFF[0][3]
        admin.save(update_fields=["title"])
        # The administrator grants Web Portal to themself, as a real administrator must.
        admin = set_staff_permission(by=admin, member=admin, permission=Permission.WEB_PORTAL, granted=True)

        from django.contrib.auth import get_user_model

        for email, name, role, title in DEMO_STAFF[1:]:
            user = get_user_model().objects.create_user(email=email, full_name=name, password=DEMO_PASSWORD)
            StaffMember.objects.create(
                user=user, practice=practice, role=role, title=title, permissions=sorted(ROLE_TEMPLATES[role])
            )

        main = save_facility(
            by=admin, facility=None, name="Main Street Clinic", address=practice.address, phone="(555) 010-4401"
        )
        lakeside = save_facility(
            by=admin, facility=None, name="Lakeside Office", address="8 Shore Drive", phone="(555) 010-4402"
        )

        today = timezone.localdate()
        rng = random.Random(20261123)  # noqa: S311 - demo data, not security
        for index, (first, last) in enumerate(zip(FIRST_NAMES, LAST_NAMES, strict=True)):
            birth = today.replace(year=today.year - rng.randint(19, 70)) - datetime.timedelta(days=rng.randint(0, 300))
            create_client(
                by=admin,
                data={
                    "first_name": first,
                    "last_name": last,
                    "date_of_birth": birth,
                    "email": f"{first.lower()}.{last.lower()}@example.com",
                    "phone": f"(555) 01{index:02d}-{rng.randint(1000, 9999)}",
                    "facility": main if index % 3 else lakeside,
                },
            )

        # The Moreno family: a parent who is the legal guardian of two minors.
        def years_ago(years: int, days: int) -> datetime.date:
            return today.replace(year=today.year - years) - datetime.timedelta(days=days)

        max_client = create_client(
            by=admin,
            data={"first_name": "Max", "last_name": "Moreno", "date_of_birth": years_ago(9, 40), "facility": main},
        )
        mia_client = create_client(
            by=admin,
            data={"first_name": "Mia", "last_name": "Moreno", "date_of_birth": years_ago(14, 120), "facility": main},
        )
        gia_client = create_client(
            by=admin,
            data={
                "first_name": "Gia",
                "last_name": "Moreno",
                "date_of_birth": years_ago(41, 15),
                "email": "gia.moreno@example.com",
                "phone": "(555) 013-7788",
                "facility": main,
            },
        )
        guardian_of = {
            child.pk: add_contact(
                by=admin,
                client=child,
                linked_client=gia_client,
                data={"relationship": Relationship.PARENT, "web_portal": True, "legal_guardian": True},
            )
            for child in (max_client, mia_client)
        }
        # Mia is also her brother's contact.
        add_contact(
            by=admin,
            client=max_client,
            linked_client=mia_client,
            data={"relationship": Relationship.SIBLING, "web_portal": False, "legal_guardian": False},
        )
        # Documents in the children's Activity Logs, written by their therapist; their PDFs are
        # rendered by the task worker once `make demo` starts it.
        ensure_default_types(practice)
        therapist = StaffMember.objects.get(user__email=DEMO_STAFF[1][0])
        # Their therapist is the children's clinician: told at once if a PHQ-9 answer needs review.
        for child in (max_client, mia_client):
            update_client(by=admin, client=child, data={"clinician": therapist}, expected_version=child.version)
        types = {doc_type.category: doc_type for doc_type in DocumentType.objects.filter(practice=practice)}
        for child in (max_client, mia_client):
            for category, title, sections in DEMO_NOTES:
                write_clinical_note(
                    by=therapist,
                    client=child,
                    doc_type=types[category],
                    title=title,
                    document_date=today - datetime.timedelta(days=7 if category == Category.TREATMENT_PLAN else 1),
                    sections=sections,
                )
        self._messages(admin, therapist, max_client, guardian_of[max_client.pk])
        self._scheduling(admin, therapist, max_client)
        # A contact who is not a client.
        add_contact(
            by=admin,
            client=Client.objects.get(practice=practice, first_name="Ana", last_name="Alvarez"),
            data={
                "first_name": "Rosa",
                "last_name": "Alvarez",
                "email": "rosa.alvarez@example.com",
                "relationship": Relationship.EMERGENCY,
                "web_portal": False,
                "legal_guardian": False,
            },
        )

    def _scheduling(self, admin: StaffMember, therapist: StaffMember, child: Client) -> None:
        """Services, the clinicians' hours, online booking on, and a week of appointments, Max's among them: his
        next one a little over two hours away, so its 2-hour reminder reaches the demo outbox soon after start."""
        practice = admin.practice
        SchedulingSettings.objects.update_or_create(practice=practice, defaults={"self_booking_enabled": True})
        therapy = ServiceType.objects.create(
            practice=practice, name="Individual therapy", duration_minutes=50, billing_code="90834"
        )
        ServiceType.objects.create(practice=practice, name="Family therapy", duration_minutes=50, billing_code="90847")
        ServiceType.objects.create(
            practice=practice,
            name="Intake assessment",
            duration_minutes=60,
            billing_code="90791",
            bookable_online=False,
        )
        for weekday in range(5):
            WeeklyHours.objects.create(staff=therapist, weekday=weekday, start=datetime.time(9), end=datetime.time(17))
        for weekday in (1, 3):
            WeeklyHours.objects.create(staff=admin, weekday=weekday, start=datetime.time(13), end=datetime.time(18))
        zone = practice_zone(practice)
        now = timezone.localtime(timezone.now(), zone)
        monday = now.date() - datetime.timedelta(days=now.weekday())
        clients = list(Client.objects.filter(practice=practice).exclude(pk=child.pk).order_by("last_name")[:10])
        rng = random.Random(20261203)  # noqa: S311 - demo data, not security
        for index, client in enumerate(clients):
            day = monday + datetime.timedelta(days=index % 5)
            start = datetime.datetime.combine(day, datetime.time(9 + rng.randint(0, 6)), tzinfo=zone)
            with contextlib.suppress(ApplicationError):
                create_appointment(
                    by=admin,
                    details=AppointmentDetails(client=client, clinician=therapist, service=therapy, starts_at=start),
                )
        # A Home Activity for Max: a worksheet to print, fill in and send back.
        assign_activity(
            by=therapist,
            client=child,
            title="Worry thermometer",
            instructions="Each evening this week, colour in how big the worry felt, then send us a photo or scan.",
            due_on=now.date() + datetime.timedelta(days=6),
            file=ActivityUpload(
                name="worry-thermometer.pdf",
                data=demo_pdf("Worry thermometer", "Colour in how big the worry felt today: 0 (none) to 10 (huge)."),
            ),
        )
        soon = (now + datetime.timedelta(hours=2, minutes=30)).replace(minute=0, second=0, microsecond=0)
        with contextlib.suppress(ApplicationError):
            create_appointment(
                by=admin,
                details=AppointmentDetails(
                    client=child,
                    clinician=therapist,
                    service=therapy,
                    starts_at=soon,
                    telehealth_url="https://telehealth.riverbend.example/room/sam-ortega",
                ),
            )
        with contextlib.suppress(ApplicationError):
            create_appointment(
                by=admin,
                details=AppointmentDetails(
                    client=child,
                    clinician=therapist,
                    service=therapy,
                    starts_at=datetime.datetime.combine(
                        monday + datetime.timedelta(days=8), datetime.time(15, 30), tzinfo=zone
                    ),
                    recurrence=Recurrence.WEEKLY,
                    occurrences=6,
                ),
            )

    def _messages(self, admin: StaffMember, therapist: StaffMember, child: Client, guardian: RelatedContact) -> None:
        """Secure messages: the administrator and the front desk are the message team; Gia, Max's guardian, has a
        portal login for Max and has written to the team with a photo and to Max's therapist; both answered, one
        with a PDF. Each side has something unread."""
        front_desk = StaffMember.objects.get(user__email=DEMO_STAFF[2][0])
        save_settings(by=admin, client_messages_enabled=True, crisis_notice="", team=[admin, front_desk])
        account = PortalAccount(email=DEMO_GUARDIAN_EMAIL, full_name="Gia Moreno", email_verified_at=timezone.now())
        account.set_password(DEMO_PASSWORD)
        account.save()
        access = ProfileAccess.objects.create(
            account=account,
            practice=admin.practice,
            client=child,
            kind=AccessKind.CONTACT,
            contact=guardian,
            status=AccessStatus.ACTIVE,
            confirmed_at=timezone.now(),
        )
        gia = PortalViewer(account=account, practice=admin.practice, profile=access)
        to_team = write_to_practice(
            gia,
            recipient="team",
            subject="Insurance card for Max",
            body="Hello, our insurance changed this month. A photo of the new card is attached.\nThank you, Gia",
            files=[Upload("insurance-card.png", demo_png())],
        )
        reply(
            StaffViewer(front_desk),
            to_team,
            body=(
                "Thank you, Gia. We have updated Max's insurance. Attached are the directions to our Main Street "
                "Clinic for Tuesday's appointment."
            ),
            files=[
                Upload(
                    "directions-main-street.pdf",
                    demo_pdf(
                        "Directions to Main Street Clinic",
                        "Parking is behind the building; the entrance is on the left, up one flight of stairs.",
                    ),
                )
            ],
        )
        reply(gia, to_team, body="Got it, see you Tuesday.")  # the team has this to read
        from_therapist = write_to_client(
            by=therapist,
            access=access,
            subject="Sleep diary for the coming week",
            body=(
                "Hi Gia, as we discussed, please fill in the attached sleep diary with Max each evening this week "
                "and bring it on Tuesday. More on relaxation exercises: https://www.nimh.nih.gov/health"
            ),
            files=[
                Upload(
                    "sleep-diary.pdf",
                    demo_pdf(
                        "Sleep diary",
                        "Fill in one row each morning.",
                        ("Day", "Bedtime", "Time asleep", "Wake-ups", "Up at"),
                    ),
                )
            ],
        )
        mark_read(gia, from_therapist)
        reply(gia, from_therapist, body="Thank you, we will start tonight.")
        reply(StaffViewer(therapist), from_therapist, body="Great. See you both on Tuesday.")  # Gia has this to read


def demo_pdf(title: str, text: str, columns: tuple[str, ...] = ()) -> bytes:
    """A one-page handout, rendered by WeasyPrint as every PDF of Haven's is."""
    return write_pdf("demo/handout.html", {"title": title, "text": text, "columns": columns, "rows": range(7)})


def demo_png() -> bytes:
    """A small picture of an insurance card (no real details)."""
    image = Image.new("RGB", (320, 200), (245, 247, 250))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, 311, 191), radius=14, outline=(40, 90, 160), width=4)
    draw.rectangle((8, 40, 311, 64), fill=(40, 90, 160))
    draw.text((24, 84), "Member: M. Moreno", fill=(30, 30, 30))
    draw.text((24, 108), "Plan: Example Health PPO", fill=(30, 30, 30))
    draw.text((24, 132), "ID: DEMO-0000", fill=(30, 30, 30))
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
