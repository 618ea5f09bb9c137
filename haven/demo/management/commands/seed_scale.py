"""A practice at scale for `make bench`: many clients and documents, made in minutes with bulk inserts.

The people a bench signs in as are made through Haven's own actions, so they are exactly what a
practice would have: an administrator with a confirmed two-step device (its key is below, so a
bench can compute codes), and a client with a portal login, documents shared with them and an
open signature request. Everything else (clients, contacts, portal logins, documents, versions,
shares, signature requests, secure-message threads with their participants and messages, clinicians
with their weekly hours and appointments, and the audit events the clients and documents would have
written) is inserted in bulk. Every bulk version names its own file, a hard link to one encrypted PDF.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import random
import shutil
import time
import uuid
from collections.abc import Callable
from functools import partial
from io import BytesIO
from types import SimpleNamespace
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfWriter

from haven.audit.events import ClientCreated, ContactAdded, DocumentCreated, DocumentShared
from haven.audit.hashing import canonical, link_hash, signing_key
from haven.audit.models import AuditChainHead, AuditEvent
from haven.clients.actions import create_client
from haven.clients.models import Client, RelatedContact, Relationship
from haven.core.encryption import encrypt_bytes, raw_stored_bytes, store_encrypted
from haven.core.timezones import practice_zone
from haven.documents.actions import ensure_default_types, set_recipients, upload_document
from haven.documents.group_notes import group_note_type
from haven.documents.models import (
    SIGNABLE_BY_DEFAULT,
    Audience,
    Document,
    DocumentType,
    DocumentVersion,
    GroupNote,
    Share,
    VersionSource,
)
from haven.messaging.models import Message, MessageKind, Participant, Thread
from haven.portal_access.models import AccessKind, AccessStatus, PortalAccount, ProfileAccess
from haven.practices.actions import save_facility, set_staff_permission
from haven.practices.bootstrap import create_practice_with_administrator
from haven.practices.models import ROLE_TEMPLATES, Permission, Practice, Role, StaffMember
from haven.scheduling.models import Appointment, AppointmentStatus, ServiceType, Weekday, WeeklyHours
from haven.signing.models import REQUEST_VALID_FOR, Capacity, RequestStatus, SignatureRequest
from haven.signing.requests import request_signature

# Raised whenever the shape of the seeded practice changes: `make bench` keeps seeded databases by it.
SEED_VERSION = "3"
PRACTICE_SLUG = "scale"
PASSWORD = "scale-bench-password"  # noqa: S105 - the bench's own seeded logins, never a real one
STAFF_EMAIL = "admin@scale.example"
# The administrator's authenticator key (hex, as django-otp keeps it): the bench computes TOTP codes from it.
STAFF_TOTP_KEY = "5363616c652062656e636820746f7470206b6579"
PORTAL_EMAIL = "rosa.quintero@scale.example"
BUSY_CLIENT_DOCUMENTS = 1000  # the Activity Log of the busy client
FEATURED_DOCUMENTS = 12  # the portal client's documents; the first eight are shared with her
CHUNK = 5000
# Appointments: this many clinicians in all (the administrator, the two therapists and bulk ones), each working
# weekdays from 08:00 to 18:00, an appointment on the hour in most of those hours, half of them past.
CLINICIANS = 20
FIRST_HOUR, LAST_HOUR = 8, 18
BOOKED_SHARE = 0.8
SERVICES = [
    ("Psychotherapy, 45 minutes", 45, "90834"),
    ("Psychotherapy, 30 minutes", 30, "90832"),
    ("Intake assessment", 55, "90791"),
]
LINKS_PER_FILE = 50_000


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words(
    "Aaliyah Aaron Abigail Adam Adrian Aiden Alexis Alice Amara Amir Ana Andre Angela Anika Arjun Ava Beatriz Ben "
    "Bianca Caleb Camila Carlos Chloe Chen Daniel Dara Diego Elena Elijah Emma Ethan Farid Fatima Gabriel Grace Hana "
    "Hiro Imani Isaac Isabel Jada Jamal Jonah Julia Kai Keira Kofi Layla Leo Lina Luis Maya Mateo Mia Nadia Noah "
    "Nora Olivia Omar Pavel Priya Quinn Rafael Rosa Sam Sara Soren Tariq Tessa Uma Victor Wen Yara Zoe"
)
LAST_NAMES = _words(
    "Abbott Adeyemi Alvarez Andersen Baker Bauer Brooks Campbell Chen Costa Dubois Duong Evans Fischer Flores Garcia "
    "Gonzalez Gupta Hansen Hughes Ibrahim Ito Jensen Johnson Kaur Kim Kowalski Larsen Lee Lopez Martin Meyer Moreno "
    "Murphy Nakamura Nguyen Novak Okafor Olsen Ortiz Park Patel Perez Quinlan Reyes Rossi Santos Schmidt Silva "
    "Singh Smith Sokolov Suzuki Tanaka Thompson Torres Tran Vargas Walker Wang Weber Williams Wilson Yamamoto Young "
    "Zhang Ziegler"
)


def _pdf(pages: int = 2) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _appointment_status(*, past: bool, draw: float) -> str:
    """Past appointments mostly completed, with a few no-shows and cancellations; a tenth of future ones cancelled."""
    if not past:
        return AppointmentStatus.SCHEDULED if draw < 0.9 else AppointmentStatus.CANCELLED
    for status, below in (
        (AppointmentStatus.COMPLETED, 0.85),
        (AppointmentStatus.NO_SHOW, 0.9),
        (AppointmentStatus.CANCELLED, 0.95),
    ):
        if draw < below:
            return status
    return AppointmentStatus.LATE_CANCELLATION


class Table:
    """Rows of one model inserted with executemany, ids given here (a document names its version before
    either exists; foreign keys are checked at commit). Fields left out take their model default, so a
    column added later needs no change here unless it has none."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields]
        self.names = [f.attname for f in self.fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.adapters: dict[str, Callable[[Any], Any]] = {}
        for f in self.fields:
            if isinstance(f, models.DateTimeField):
                self.adapters[f.attname] = connection.ops.adapt_datetimefield_value
            elif isinstance(f, models.DateField):
                self.adapters[f.attname] = connection.ops.adapt_datefield_value
            elif isinstance(f, models.JSONField):
                self.adapters[f.attname] = partial(f.get_db_prep_save, connection=connection)
        columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        table = connection.ops.quote_name(model._meta.db_table)
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - names from the models
        self.next_id = int(model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def add(self, **values: Any) -> int:
        """Queue one row; its id is returned at once."""
        row_id = values.setdefault("id", self.next_id)
        self.next_id = max(self.next_id, row_id + 1)
        row = []
        for name in self.names:
            value = values[name] if name in values else self.defaults[name]
            adapt = self.adapters.get(name)
            row.append(adapt(value) if adapt is not None and value is not None else value)
        self.rows.append(tuple(row))
        if len(self.rows) >= CHUNK:
            self.flush()
        return row_id

    def flush(self) -> None:
        if self.rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
            self.written += len(self.rows)
            self.rows = []


class AuditChain:
    """Audit events appended in bulk to one practice's chain, hashed exactly as record_event hashes them."""

    def __init__(self, *, practice_id: int, actor_id: int, actor_label: str) -> None:
        self.practice_id, self.actor_id, self.actor_label = practice_id, actor_id, actor_label
        head = AuditChainHead.objects.get(practice_id=practice_id)
        self.sequence, self.last_hash = head.last_sequence, head.last_hash
        self.key = signing_key()
        self.table = Table(AuditEvent)

    def add(
        self, details: dict[str, Any], action: str, *, client_id: int | None, object_type: str, object_id: int
    ) -> None:
        self.sequence += 1
        event = SimpleNamespace(
            sequence=self.sequence,
            occurred_at=timezone.now(),
            practice_id=self.practice_id,
            actor_kind="staff",
            actor_id=self.actor_id,
            actor_label=self.actor_label,
            acting_for="",
            client_id=client_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            ip=None,
            user_agent="",
            details=details,
            previous_hash=self.last_hash,
            key_id=self.key.id,
        )
        event.hash = self.last_hash = link_hash(self.key, self.last_hash, canonical(event))
        self.table.add(**vars(event))

    def flush(self) -> None:
        self.table.flush()
        AuditChainHead.objects.filter(practice_id=self.practice_id).update(
            last_sequence=self.sequence, last_hash=self.last_hash
        )


class Command(BaseCommand):
    help = "Seed a practice at scale (bulk inserts) for `make bench`: its logins are in haven/demo/.../seed_scale.py."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=100_000)
        parser.add_argument("--documents", type=int, default=250_000)
        parser.add_argument(
            "--messages", type=int, default=100_000, help="Secure messages, in conversations of up to 10."
        )
        parser.add_argument(
            "--appointments",
            type=int,
            default=100_000,
            help=f"Appointments, among {CLINICIANS} clinicians, on the hour in their weekday hours, half of them past.",
        )
        parser.add_argument(
            "--seed", type=int, default=11, help="Random seed: the same numbers make the same practice."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        clients, documents = options["clients"], options["documents"]
        if clients < 10 or documents < BUSY_CLIENT_DOCUMENTS // 100:
            raise CommandError("Seed at least 10 clients and 10 documents.")
        if Practice.objects.filter(slug=PRACTICE_SLUG).exists():
            raise CommandError(f"The practice {PRACTICE_SLUG!r} is already seeded in this database.")
        started = time.monotonic()
        self.rng = random.Random(options["seed"])  # noqa: S311 - made-up data, not security
        with transaction.atomic():
            self._people()
            self._bulk_clients(clients - 2)
            self._bulk_documents(documents)
            self._bulk_messages(options["messages"])
            self._bulk_appointments(options["appointments"])
            for table in self.tables:
                table.flush()
            self.chain.flush()
        self._reset_sequences()
        self.stdout.write(
            f"Seeded practice {PRACTICE_SLUG!r}: {Client.objects.filter(practice=self.practice).count()} clients, "
            f"{Document.objects.filter(practice=self.practice).count()} documents, "
            f"{Message.objects.filter(thread__practice=self.practice).count()} messages, "
            f"{Appointment.objects.filter(practice=self.practice).count()} appointments, "
            f"{self.chain.table.written} bulk audit events, in {time.monotonic() - started:.0f} s."
        )

    # --- The people a bench signs in as, made through the actions ------------------------------------

    def _people(self) -> None:
        admin = create_practice_with_administrator(
            name="Harborview Behavioral Health",
            slug=PRACTICE_SLUG,
            time_zone="America/Chicago",
            admin_email=STAFF_EMAIL,
            admin_name="Morgan Hale",
            admin_password=PASSWORD,
            require_staff_two_factor=True,
        )
        self.practice = admin.practice
        self.practice.client_contact_network_enabled = True
        self.practice.save(update_fields=["client_contact_network_enabled"])
        self.admin = set_staff_permission(by=admin, member=admin, permission=Permission.WEB_PORTAL, granted=True)
        TOTPDevice.objects.create(user=admin.user, name="Authenticator app", key=STAFF_TOTP_KEY, confirmed=True)
        self.facilities = [
            save_facility(by=self.admin, facility=None, name=name, address=f"{n + 1} Harbor Way", phone="")
            for n, name in enumerate(["Harborview Main", "Eastside Office", "Telehealth"])
        ]
        self.authors = [self.admin]
        for email, name, role in [
            ("therapist@scale.example", "Jordan Reyes", Role.THERAPIST),
            ("clinician@scale.example", "Casey Lin", Role.THERAPIST),
            ("frontdesk@scale.example", "Robin Shah", Role.FRONT_DESK),
        ]:
            user = get_user_model().objects.create_user(email=email, full_name=name, password=PASSWORD)
            member = StaffMember.objects.create(
                user=user, practice=self.practice, role=role, permissions=sorted(ROLE_TEMPLATES[role])
            )
            if role == Role.THERAPIST:
                self.authors.append(member)
        ensure_default_types(self.practice)
        self.group_type = group_note_type(self.practice)
        self.types = list(DocumentType.objects.filter(practice=self.practice).exclude(pk=self.group_type.pk))
        self.pdf = _pdf()
        self._portal_client()
        self.busy = create_client(
            by=self.admin,
            data={
                "first_name": "Theodore",
                "last_name": "Blackwood",
                "date_of_birth": datetime.date(1979, 4, 2),
                "email": "theodore.blackwood@scale.example",
                "facility": self.facilities[0],
            },
        )

    def _portal_client(self) -> None:
        rosa = create_client(
            by=self.admin,
            data={
                "first_name": "Rosa",
                "last_name": "Quintero",
                "date_of_birth": datetime.date(1986, 9, 14),
                "email": PORTAL_EMAIL,
                "phone": "(555) 010-2200",
                "facility": self.facilities[0],
            },
        )
        account = PortalAccount(email=PORTAL_EMAIL, full_name="Rosa Quintero", email_verified_at=timezone.now())
        account.set_password(PASSWORD)
        account.save()
        ProfileAccess.objects.create(
            account=account,
            practice=self.practice,
            client=rosa,
            kind=AccessKind.SELF,
            status=AccessStatus.ACTIVE,
            confirmed_at=timezone.now(),
        )
        today = timezone.localdate()
        made = []
        for n in range(FEATURED_DOCUMENTS):
            doc_type = self.types[n % len(self.types)]
            made.append(
                upload_document(
                    by=self.admin,
                    client=rosa,
                    doc_type=doc_type,
                    title=f"{doc_type.name} {n + 1}",
                    document_date=today - datetime.timedelta(days=7 * n),
                    data=self.pdf,
                )
            )
        for document in made[:8]:
            set_recipients(by=self.admin, document=document, all_authorized=False, client=True, contacts=[])
        consent = next(d for d in made if d.type.category in SIGNABLE_BY_DEFAULT and not d.type.clinical)
        request_signature(by=self.admin, document=consent, signer_key="client")
        self.rosa = rosa

    # --- Bulk ------------------------------------------------------------------------------------------

    def _bulk_clients(self, count: int) -> None:
        """Clients with names, emails, phones and birth dates; half with a contact; a tenth with a portal login."""
        rng, practice_id = self.rng, self.practice.pk
        self.chain = AuditChain(practice_id=practice_id, actor_id=self.admin.user.pk, actor_label=STAFF_EMAIL)
        self.client_ids: list[int] = [self.rosa.pk, self.busy.pk]
        self.client_names: dict[int, str] = {self.rosa.pk: "Rosa Quintero", self.busy.pk: "Theodore Blackwood"}
        self.portal_clients: dict[int, int] = {}  # client id -> portal account id
        password_hash = make_password(PASSWORD)  # one hash for all the bulk portal logins: hashing is slow
        now = timezone.now()
        clients, contacts = Table(Client), Table(RelatedContact)
        accounts, accesses = Table(PortalAccount), Table(ProfileAccess)
        self.tables = [clients, contacts, accounts, accesses]
        created = ClientCreated().details()
        relationships = [Relationship.PARENT, Relationship.SPOUSE, Relationship.EMERGENCY, Relationship.SIBLING]
        facility_ids = [facility.pk for facility in self.facilities]
        for n in range(count):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = f"{first}.{last}.{n}@example.com".lower()
            moment = now - datetime.timedelta(minutes=count - n)
            client_id = clients.add(
                practice_id=practice_id,
                facility_id=rng.choice(facility_ids),
                first_name=first,
                last_name=last,
                date_of_birth=datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(29_000)),
                email=email,
                phone=f"(555) {rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
                created_at=moment,
                updated_at=moment,
            )
            self.client_ids.append(client_id)
            self.client_names[client_id] = f"{first} {last}"
            self.chain.add(
                created, ClientCreated.action, client_id=client_id, object_type="clients.client", object_id=client_id
            )
            if rng.random() < 0.5:
                relationship, web_portal = rng.choice(relationships), rng.random() < 0.3
                contact_id = contacts.add(
                    practice_id=practice_id,
                    client_id=client_id,
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=last,
                    email=f"contact.{client_id}@example.com",
                    relationship=relationship,
                    web_portal=web_portal,
                    created_at=moment,
                    updated_at=moment,
                )
                details = ContactAdded(
                    relationship=relationship, web_portal=web_portal, legal_guardian=False, linked_client=None
                ).details()
                self.chain.add(
                    details,
                    ContactAdded.action,
                    client_id=client_id,
                    object_type="clients.relatedcontact",
                    object_id=contact_id,
                )
            if rng.random() < 0.1:
                account_id = accounts.add(
                    email=email,
                    full_name=f"{first} {last}",
                    password=password_hash,
                    email_verified_at=now,
                    password_changed_at=now,
                    created_at=moment,
                )
                self.portal_clients[client_id] = account_id
                accesses.add(
                    account_id=account_id,
                    practice_id=practice_id,
                    client_id=client_id,
                    kind=AccessKind.SELF,
                    status=AccessStatus.ACTIVE,
                    created_at=moment,
                    confirmed_at=moment,
                )

    def _bulk_documents(self, total: int) -> None:
        """Documents in random charts (the busy client gets its thousand), a tenth with a second version,
        a fifth of the shareable ones shared, a few sent to sign; group notes' copies among them."""
        rng, practice_id, admin_id = self.rng, self.practice.pk, self.admin.pk
        storage = storages["default"]
        shared_file = store_encrypted(self.pdf)
        source_path = storage.path(shared_file) if isinstance(storage, FileSystemStorage) else None
        ciphertext = None if source_path else raw_stored_bytes(shared_file)
        links = 0
        if source_path:
            os.makedirs(os.path.dirname(storage.path("documents/scale/0.bin")), exist_ok=True)
        sha = hashlib.sha256(self.pdf).hexdigest()
        today, now = timezone.localdate(), timezone.now()
        requested_at = now - datetime.timedelta(days=2)
        total = max(total - FEATURED_DOCUMENTS, 0)
        group_notes = self._group_notes(max(total // 1000, 1))
        copies = [(note, client_id) for note in group_notes for client_id in rng.sample(self.client_ids[2:], 3)]
        busy = min(BUSY_CLIENT_DOCUMENTS, max(total - len(copies), 0))
        documents, versions, shares = Table(Document), Table(DocumentVersion), Table(Share)
        requests = Table(SignatureRequest)
        self.threads, self.participants, self.messages = Table(Thread), Table(Participant), Table(Message)
        self.tables += [documents, versions, shares, requests, self.threads, self.participants, self.messages]
        types = [*self.types, self.group_type]
        created = {t.pk: DocumentCreated(type=t.name, source=VersionSource.UPLOAD, sha256=sha).details() for t in types}
        shared_to = {
            audience: DocumentShared(audience=audience, contact=None, portal_user=None).details()
            for audience in (Audience.CLIENT, Audience.ALL_AUTHORIZED)
        }
        statuses = [RequestStatus.PENDING, RequestStatus.DECLINED, RequestStatus.CANCELLED, RequestStatus.EXPIRED]
        author_ids = [author.pk for author in self.authors]
        for n in range(total):
            if n < len(copies):
                note, client_id = copies[n]
                doc_type, title, group_note_id = self.group_type, note.title, note.pk
            else:
                client_id = self.busy.pk if n < len(copies) + busy else rng.choice(self.client_ids)
                doc_type, group_note_id = rng.choice(self.types), None
                title = f"{doc_type.name} {n}"
            document_id = documents.next_id
            author_id = rng.choice(author_ids)
            version_id = 0
            for number in range(1, 3 if rng.random() < 0.1 else 2):
                version_id = versions.next_id
                storage_name = f"documents/scale/{version_id}.bin"
                if source_path:
                    links += 1
                    if links % LINKS_PER_FILE == 0:  # a file system allows only so many links to one file
                        source_path = storage.path(f"documents/scale/source-{links}.bin")
                        shutil.copyfile(storage.path(shared_file), source_path)
                    os.link(source_path, storage.path(storage_name))
                else:
                    storage.save(storage_name, ContentFile(ciphertext or b""))
                versions.add(
                    document_id=document_id,
                    number=number,
                    storage_name=storage_name,
                    filename=f"document-{document_id}.pdf",
                    content_type="application/pdf",
                    size=len(self.pdf),
                    sha256=sha,
                    source=VersionSource.UPLOAD,
                    created_by_id=author_id,
                    created_at=now,
                )
            documents.add(
                practice_id=practice_id,
                client_id=client_id,
                type_id=doc_type.pk,
                title=title,
                author_id=author_id,
                document_date=today - datetime.timedelta(days=rng.randrange(3650)),
                created_at=now - datetime.timedelta(seconds=total - n),
                current_version_id=version_id,
                group_note_id=group_note_id,
            )
            self.chain.add(
                created[doc_type.pk],
                DocumentCreated.action,
                client_id=client_id,
                object_type="documents.document",
                object_id=document_id,
            )
            if doc_type.shareable and rng.random() < 0.2:
                audience = Audience.CLIENT if rng.random() < 0.6 else Audience.ALL_AUTHORIZED
                shares.add(document_id=document_id, audience=audience, shared_by_id=admin_id, shared_at=now)
                self.chain.add(
                    shared_to[audience],
                    DocumentShared.action,
                    client_id=client_id,
                    object_type="documents.document",
                    object_id=document_id,
                )
            if doc_type.share_to_sign and rng.random() < 0.05:
                status = rng.choice(statuses)
                request_id = requests.add(
                    practice_id=practice_id,
                    document_id=document_id,
                    version_id=version_id,
                    sha256=sha,
                    capacity=Capacity.SELF,
                    signer_name=self.client_names[client_id],
                    status=status,
                    requested_by_id=admin_id,
                    requested_at=requested_at,
                    expires_at=requested_at + REQUEST_VALID_FOR,
                    answered_at=None if status == RequestStatus.PENDING else now,
                )
                account_id = self.portal_clients.get(client_id)
                if status == RequestStatus.PENDING and account_id is not None:
                    self._thread(
                        client_id=client_id,
                        account_id=account_id,
                        kind=MessageKind.RECORD_REQUEST,
                        subject=f"Please review and sign: {title}",
                        staff_id=admin_id,
                        to_team=False,
                        at=requested_at,
                        messages=1,
                        document_id=document_id,
                        signature_request_id=request_id,
                    )

    def _thread(
        self,
        *,
        client_id: int,
        account_id: int,
        kind: str,
        subject: str,
        staff_id: int,
        to_team: bool,
        at: datetime.datetime,
        messages: int,
        unread: int = 1,
        subject_token: str = "",
        body_token: str = "",
        document_id: int | None = None,
        signature_request_id: int | None = None,
    ) -> None:
        """One thread between a portal login and the practice (its team, or one staff member by name), its
        participants and ``messages`` messages, the first from the practice, then each side in turn; the portal
        login has the last ``unread`` of them to read, the staff side has read them all."""
        thread_id = self.threads.add(
            practice_id=self.practice.pk,
            client_id=client_id,
            account_id=account_id,
            kind=kind,
            subject_encrypted=subject_token or encrypt_bytes(subject.encode()),
            to_team=to_team,
            started_by_id=None if to_team else staff_id,
            created_at=at - datetime.timedelta(minutes=messages),
            last_message_at=at,
        )
        last_id = 0
        for k in range(messages):
            from_portal = (k % 2 == 1) if not to_team else (k % 2 == 0)
            last_id = self.messages.add(
                thread_id=thread_id,
                sent_by_id=None if from_portal else staff_id,
                sent_by_account_id=account_id if from_portal else None,
                body_encrypted=body_token,
                document_id=document_id if k == 0 else None,
                signature_request_id=signature_request_id if k == 0 else None,
                created_at=at - datetime.timedelta(minutes=messages - 1 - k),
            )
        self.participants.add(
            thread_id=thread_id,
            account_id=account_id,
            unread=unread,
            read_through=max(last_id - unread, 0) if unread else last_id,
            last_message_at=at,
        )
        self.participants.add(
            thread_id=thread_id,
            staff_id=staff_id,
            via_team=to_team,
            read_through=last_id,
            read_at=at,
            last_message_at=at,
        )

    def _bulk_messages(self, total: int) -> None:
        """Conversations of up to 10 messages between portal logins and the practice: a tenth of them the portal
        client's (Rosa's), half written to the team (the administrator, while no team is chosen), the rest with one
        of the clinicians by name. One encrypted subject and body for all: encrypting each would only be slower."""
        rng, now = self.rng, timezone.now()
        subject = encrypt_bytes(b"About the next appointment")
        body = encrypt_bytes(b"A message of a few words, as most are.")
        portal = [(client_id, account_id) for client_id, account_id in self.portal_clients.items()]
        rosa_account = PortalAccount.objects.get(email=PORTAL_EMAIL).pk
        author_ids = [author.pk for author in self.authors]
        made, n = 0, 0
        while made < total:
            size = min(10, total - made)
            client_id, account_id = (self.rosa.pk, rosa_account) if n % 10 == 0 or not portal else rng.choice(portal)
            to_team = n % 2 == 0
            self._thread(
                client_id=client_id,
                account_id=account_id,
                kind=MessageKind.CONVERSATION,
                subject="",
                subject_token=subject,
                body_token=body,
                staff_id=self.admin.pk if to_team else rng.choice(author_ids),
                to_team=to_team,
                at=now - datetime.timedelta(minutes=10 * (total - made)),
                messages=size,
                unread=1 if n % 3 == 0 else 0,
            )
            made += size
            n += 1

    def _clinicians(self) -> list[StaffMember]:
        """The administrator and the two therapists, and bulk therapists up to ``CLINICIANS`` (who never sign in:
        no usable password), each with weekday hours."""
        practice, now = self.practice, timezone.now()
        made = get_user_model().objects.bulk_create(
            get_user_model()(
                email=f"clinician.{n}@scale.example",
                full_name=f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}",
                password=make_password(None),
                date_joined=now,
            )
            for n in range(max(CLINICIANS - len(self.authors), 0))
        )
        clinicians = self.authors + StaffMember.objects.bulk_create(
            StaffMember(
                user=user, practice=practice, role=Role.THERAPIST, permissions=sorted(ROLE_TEMPLATES[Role.THERAPIST])
            )
            for user in made
        )
        WeeklyHours.objects.bulk_create(
            WeeklyHours(staff=member, weekday=weekday, start=datetime.time(FIRST_HOUR), end=datetime.time(LAST_HOUR))
            for member in clinicians
            for weekday in (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY)
        )
        return clinicians

    def _bulk_appointments(self, total: int) -> None:
        """``total`` appointments shared among the clinicians, filling most hours of their weekdays on the hour
        (every service is shorter than an hour, so none overlap), half before today and half after. Rosa, the
        portal client, has one in fifty."""
        if total <= 0:
            return
        rng, practice_id, now = self.rng, self.practice.pk, timezone.now()
        zone = practice_zone(self.practice)
        services = ServiceType.objects.bulk_create(
            ServiceType(practice=self.practice, name=name, duration_minutes=minutes, billing_code=code)
            for name, minutes, code in SERVICES
        )
        appointments = Table(Appointment)
        self.tables.append(appointments)
        clinicians = self._clinicians()
        facility_ids = [facility.pk for facility in self.facilities]
        uid = partial(Appointment._meta.get_field("uid").get_db_prep_value, connection=connection)
        per_day = (LAST_HOUR - FIRST_HOUR) * BOOKED_SHARE * 5 / 7  # a clinician's appointments per calendar day
        made = 0
        for index, member in enumerate(clinicians):
            quota = total // len(clinicians) + (1 if index < total % len(clinicians) else 0)
            day = timezone.localdate(now, zone) - datetime.timedelta(days=int(quota / per_day / 2))
            while quota:
                if day.weekday() < 5:
                    for hour in range(FIRST_HOUR, LAST_HOUR):
                        if not quota:
                            break
                        if rng.random() >= BOOKED_SHARE:
                            continue
                        service = rng.choice(services)
                        starts_at = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone).astimezone(
                            datetime.UTC
                        )
                        status = _appointment_status(past=starts_at < now, draw=rng.random())
                        cancelled = status in (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLATION)
                        appointments.add(
                            practice_id=practice_id,
                            client_id=self.rosa.pk if made % 50 == 0 else rng.choice(self.client_ids),
                            clinician_id=member.pk,
                            service_id=service.pk,
                            starts_at=starts_at,
                            ends_at=starts_at + datetime.timedelta(minutes=service.duration_minutes),
                            status=status,
                            facility_id=rng.choice(facility_ids),
                            uid=uid(uuid.UUID(int=rng.getrandbits(128), version=4)),
                            created_at=now,
                            updated_at=now,
                            cancelled_at=starts_at - datetime.timedelta(days=1) if cancelled else None,
                        )
                        made += 1
                        quota -= 1
                day += datetime.timedelta(days=1)

    def _group_notes(self, count: int) -> list[GroupNote]:
        today = timezone.localdate()
        return GroupNote.objects.bulk_create(
            GroupNote(
                practice=self.practice,
                type=self.group_type,
                title=f"Group session {n + 1}",
                document_date=today - datetime.timedelta(days=n),
                author=self.rng.choice(self.authors),
            )
            for n in range(count)
        )

    def _reset_sequences(self) -> None:
        """Rows were inserted with their ids: move PostgreSQL's
        sequences past them. SQLite keeps its own."""
        models_made = [table.model for table in self.tables] + [AuditEvent]
        statements = connection.ops.sequence_reset_sql(no_style(), models_made)
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
