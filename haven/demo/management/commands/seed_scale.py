"""A practice at scale for `make bench`: many clients and documents, made in minutes with bulk inserts.

The people a bench signs in as are made through Haven's own actions, so they are exactly what a
practice would have: an administrator with a confirmed two-step device (its key is below, so a
bench can compute codes), and a client with a portal login, documents shared with them and an
open signature request. Everything else (clients, contacts, portal logins, documents, versions,
shares, signature requests, inbox messages and the audit events they would have written) is
inserted in bulk. Every bulk version names its own file, a hard link to one encrypted PDF.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfWriter

from haven.audit.events import ClientCreated, ContactAdded, DocumentCreated, DocumentShared
from haven.audit.hashing import GENESIS_HASH, signing_key
from haven.audit.models import AuditChainHead, AuditEvent
from haven.clients.actions import create_client
from haven.clients.models import Client, RelatedContact, Relationship
from haven.core.encryption import raw_stored_bytes, store_encrypted
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
from haven.messaging.models import Message, MessageKind
from haven.portal_access.models import AccessKind, AccessStatus, PortalAccount, ProfileAccess
from haven.practices.actions import save_facility, set_staff_permission
from haven.practices.bootstrap import create_practice_with_administrator
from haven.practices.models import ROLE_TEMPLATES, Permission, Practice, Role, StaffMember
from haven.signing.models import REQUEST_VALID_FOR, Capacity, RequestStatus, SignatureRequest
from haven.signing.requests import request_signature

# Raised whenever the shape of the seeded practice changes: `make bench` keeps seeded databases by it.
SEED_VERSION = "1"
PRACTICE_SLUG = "scale"
PASSWORD = "scale-bench-password"  # noqa: S105 - the bench's own seeded logins, never a real one
STAFF_EMAIL = "admin@scale.example"
# The administrator's authenticator key (hex, as django-otp keeps it): the bench computes TOTP codes from it.
STAFF_TOTP_KEY = "5363616c652062656e636820746f7470206b6579"
PORTAL_EMAIL = "rosa.quintero@scale.example"
BUSY_CLIENT_DOCUMENTS = 1000  # the Activity Log of the busy client
FEATURED_DOCUMENTS = 12  # the portal client's documents; the first eight are shared with her
CHUNK = 5000


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


@dataclass
class AuditChain:
    """Audit events appended in bulk to one practice's chain, hashed exactly as record_event hashes them."""

    practice_id: int
    actor_id: int
    actor_label: str
    pending: list[AuditEvent] = field(default_factory=list)
    sequence: int = 0
    last_hash: str = GENESIS_HASH
    written: int = 0

    def __post_init__(self) -> None:
        head = AuditChainHead.objects.get(practice_id=self.practice_id)
        self.sequence, self.last_hash = head.last_sequence, head.last_hash
        self.key = signing_key()

    def add(self, details: dict[str, Any], action: str, *, client_id: int | None, target: models.Model) -> None:
        self.add_raw(details, action, client_id=client_id, object_type=target._meta.label_lower, object_id=target.pk)

    def add_raw(
        self, details: dict[str, Any], action: str, *, client_id: int | None, object_type: str, object_id: Any
    ) -> None:
        self.sequence += 1
        event = AuditEvent(
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
        event.hash = event.compute_hash(self.key)
        self.last_hash = event.hash
        self.pending.append(event)
        if len(self.pending) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        AuditEvent.objects.bulk_create(self.pending, batch_size=1000)
        self.written += len(self.pending)
        self.pending = []
        AuditChainHead.objects.filter(practice_id=self.practice_id).update(
            last_sequence=self.sequence, last_hash=self.last_hash
        )


def _next_pk(model: type[models.Model]) -> int:
    return int(model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


def _chunks(total: int) -> Iterator[range]:
    for start in range(0, total, CHUNK):
        yield range(start, min(start + CHUNK, total))


class Command(BaseCommand):
    help = "Seed a practice at scale (bulk inserts) for `make bench`: its logins are in haven/demo/.../seed_scale.py."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=100_000)
        parser.add_argument("--documents", type=int, default=250_000)
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
            self.chain.flush()
        self._reset_sequences()
        self.stdout.write(
            f"Seeded practice {PRACTICE_SLUG!r}: {Client.objects.filter(practice=self.practice).count()} clients, "
            f"{Document.objects.filter(practice=self.practice).count()} documents, "
            f"{self.chain.written} bulk audit events, in {time.monotonic() - started:.0f} s."
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
        rng, practice = self.rng, self.practice
        self.chain = AuditChain(practice_id=practice.pk, actor_id=self.admin.user.pk, actor_label=STAFF_EMAIL)
        self.client_ids: list[int] = [self.rosa.pk, self.busy.pk]
        self.client_names: dict[int, str] = {self.rosa.pk: "Rosa Quintero", self.busy.pk: "Theodore Blackwood"}
        self.portal_clients: dict[int, int] = {}  # client id -> portal account id
        password_hash = make_password(PASSWORD)  # one hash for all the bulk portal logins: hashing is slow
        now = timezone.now()
        created_event = ClientCreated().details()
        for chunk in _chunks(count):
            rows = []
            for n in chunk:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                rows.append(
                    Client(
                        practice=practice,
                        facility=rng.choice(self.facilities),
                        first_name=first,
                        last_name=last,
                        date_of_birth=datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(29_000)),
                        email=f"{first}.{last}.{n}@example.com".lower(),
                        phone=f"(555) {rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
                        created_at=now - datetime.timedelta(minutes=count - n),
                    )
                )
            made = Client.objects.bulk_create(rows, batch_size=1000)
            contacts, accounts = [], []
            for client in made:
                self.client_ids.append(client.pk)
                self.client_names[client.pk] = client.full_name
                self.chain.add(created_event, ClientCreated.action, client_id=client.pk, target=client)
                if rng.random() < 0.5:
                    contacts.append(
                        RelatedContact(
                            practice=practice,
                            client=client,
                            first_name=rng.choice(FIRST_NAMES),
                            last_name=client.last_name,
                            email=f"contact.{client.pk}@example.com",
                            relationship=rng.choice(
                                [Relationship.PARENT, Relationship.SPOUSE, Relationship.EMERGENCY, Relationship.SIBLING]
                            ),
                            web_portal=rng.random() < 0.3,
                        )
                    )
                if rng.random() < 0.1:
                    accounts.append(
                        PortalAccount(
                            email=client.email,
                            full_name=client.full_name,
                            password=password_hash,
                            email_verified_at=now,
                            password_changed_at=now,
                        )
                    )
            for contact in RelatedContact.objects.bulk_create(contacts, batch_size=1000):
                details = ContactAdded(
                    relationship=contact.relationship,
                    web_portal=contact.web_portal,
                    legal_guardian=False,
                    linked_client=None,
                ).details()
                self.chain.add(details, ContactAdded.action, client_id=contact.client_id, target=contact)
            by_email = {client.email: client.pk for client in made}
            accesses = []
            for account in PortalAccount.objects.bulk_create(accounts, batch_size=1000):
                client_id = by_email[account.email]
                self.portal_clients[client_id] = account.pk
                accesses.append(
                    ProfileAccess(
                        account=account,
                        practice=practice,
                        client_id=client_id,
                        kind=AccessKind.SELF,
                        status=AccessStatus.ACTIVE,
                        confirmed_at=now,
                    )
                )
            ProfileAccess.objects.bulk_create(accesses, batch_size=1000)

    def _bulk_documents(self, total: int) -> None:
        """Documents in random charts (the busy client gets its thousand), a tenth with a second version,
        a fifth shared, a few sent to sign; group notes' copies among them."""
        rng, practice = self.rng, self.practice
        storage = storages["default"]
        shared_file = store_encrypted(self.pdf)
        ciphertext_path = storage.path(shared_file) if hasattr(storage, "path") else None
        ciphertext = None if ciphertext_path else raw_stored_bytes(shared_file)
        if ciphertext_path:
            os.makedirs(os.path.dirname(storage.path("documents/scale/0.bin")), exist_ok=True)
        sha = hashlib.sha256(self.pdf).hexdigest()
        size = len(self.pdf)
        today = timezone.localdate()
        now = timezone.now()
        total = max(total - FEATURED_DOCUMENTS, 0)
        group_notes = self._group_notes(max(total // 1000, 1))
        copies = [(note, client_id) for note in group_notes for client_id in rng.sample(self.client_ids[2:], 3)]
        busy = min(BUSY_CLIENT_DOCUMENTS, max(total - len(copies), 0))
        next_document, next_version = _next_pk(Document), _next_pk(DocumentVersion)
        created_details = {
            doc_type.pk: DocumentCreated(type=doc_type.name, source=VersionSource.UPLOAD, sha256=sha).details()
            for doc_type in [*self.types, self.group_type]
        }
        for chunk in _chunks(total):
            documents, versions, shares, requests, messages = [], [], [], [], []
            for n in chunk:
                if n < len(copies):
                    note, client_id = copies[n]
                    doc_type, title, group_note = self.group_type, note.title, note
                else:
                    client_id = self.busy.pk if n < len(copies) + busy else rng.choice(self.client_ids)
                    doc_type, group_note = rng.choice(self.types), None
                    title = f"{doc_type.name} {n}"
                document_pk = next_document
                next_document += 1
                author = rng.choice(self.authors)
                document_date = today - datetime.timedelta(days=rng.randrange(3650))
                count = 2 if rng.random() < 0.1 else 1
                for number in range(1, count + 1):
                    storage_name = f"documents/scale/{next_version}.bin"
                    if ciphertext_path:
                        os.link(ciphertext_path, storage.path(storage_name))
                    else:
                        storage.save(storage_name, ContentFile(ciphertext or b""))
                    versions.append(
                        DocumentVersion(
                            pk=next_version,
                            document_id=document_pk,
                            number=number,
                            storage_name=storage_name,
                            filename=f"document-{document_pk}.pdf",
                            content_type="application/pdf",
                            size=size,
                            sha256=sha,
                            source=VersionSource.UPLOAD,
                            created_by=author,
                            created_at=now,
                        )
                    )
                    next_version += 1
                document = Document(
                    pk=document_pk,
                    practice=practice,
                    client_id=client_id,
                    type=doc_type,
                    title=title,
                    author=author,
                    document_date=document_date,
                    created_at=now - datetime.timedelta(seconds=total - n),
                    current_version_id=next_version - 1,
                    group_note=group_note,
                )
                documents.append(document)
                if doc_type.shareable and rng.random() < 0.2:
                    audience = Audience.CLIENT if rng.random() < 0.6 else Audience.ALL_AUTHORIZED
                    shares.append(
                        Share(document_id=document_pk, audience=audience, shared_by=self.admin, shared_at=now)
                    )
                if doc_type.share_to_sign and rng.random() < 0.05:
                    status = rng.choice(
                        [RequestStatus.PENDING, RequestStatus.DECLINED, RequestStatus.CANCELLED, RequestStatus.EXPIRED]
                    )
                    requests.append(
                        SignatureRequest(
                            practice=practice,
                            document_id=document_pk,
                            version_id=next_version - 1,
                            sha256=sha,
                            capacity=Capacity.SELF,
                            signer_name=self.client_names[client_id],
                            status=status,
                            requested_by=self.admin,
                            requested_at=now - datetime.timedelta(days=2),
                            expires_at=now - datetime.timedelta(days=2) + REQUEST_VALID_FOR,
                            answered_at=None if status == RequestStatus.PENDING else now,
                        )
                    )
            Document.objects.bulk_create(documents, batch_size=1000)
            DocumentVersion.objects.bulk_create(versions, batch_size=1000)
            for document in documents:
                self.chain.add(
                    created_details[document.type_id],
                    DocumentCreated.action,
                    client_id=document.client_id,
                    target=document,
                )
            client_of = {document.pk: document.client_id for document in documents}
            title_of = {document.pk: document.title for document in documents}
            for share in Share.objects.bulk_create(shares, batch_size=1000):
                details = DocumentShared(audience=share.audience, contact=None, portal_user=None).details()
                self.chain.add_raw(
                    details,
                    DocumentShared.action,
                    client_id=client_of[share.document_id],
                    object_type="documents.document",
                    object_id=share.document_id,
                )
            for request in SignatureRequest.objects.bulk_create(requests, batch_size=1000):
                account_id = self.portal_clients.get(client_of[request.document_id])
                if request.status == RequestStatus.PENDING and account_id is not None:
                    messages.append(
                        Message(
                            practice=practice,
                            client_id=client_of[request.document_id],
                            account_id=account_id,
                            kind=MessageKind.RECORD_REQUEST,
                            subject=f"Please sign: {title_of[request.document_id]}",
                            document_id=request.document_id,
                            signature_request=request,
                            sent_by=self.admin,
                        )
                    )
            Message.objects.bulk_create(messages, batch_size=1000)

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
        """Rows were inserted with their ids (a document names its version before both exist): move PostgreSQL's
        sequences past them. SQLite keeps its own."""
        statements = connection.ops.sequence_reset_sql(no_style(), [Document, DocumentVersion])
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
