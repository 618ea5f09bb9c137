"""A demo practice with staff, clients and a family, safe to run again."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from haven.clients.actions import add_contact, create_client, update_client
from haven.clients.models import Client, Relationship
from haven.documents.actions import ensure_default_types
from haven.documents.models import Category, DocumentType
from haven.documents.notes import write_clinical_note
from haven.practices.actions import save_facility, set_staff_permission
from haven.practices.bootstrap import create_practice_with_administrator
from haven.practices.models import ROLE_TEMPLATES, Permission, Practice, Role, StaffMember

DEMO_SLUG = "riverbend"
DEMO_PASSWORD = "calm-harbor-demo"  # noqa: S105 - printed for the demo, never used outside it
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
        for child in (max_client, mia_client):
            add_contact(
                by=admin,
                client=child,
                linked_client=gia_client,
                data={"relationship": Relationship.PARENT, "web_portal": True, "legal_guardian": True},
            )
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
