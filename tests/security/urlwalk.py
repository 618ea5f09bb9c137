"""Every URL pattern Haven serves, and how to turn each into a concrete URL for the personas.

The walk reads the live resolver, so a new URL is covered the moment it is added. A URL whose
keyword arguments are not in ``KWARG_FACTORIES`` makes the walk fail loudly: add the new argument
here, pointing at a practice-1 object from ``tests.personas``.
"""

from __future__ import annotations

import datetime
import io
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from haven.core.access import AccessRule, access_rule_of
from haven.documents.group_notes import create_group_note, group_note_type
from haven.documents.models import GroupNote
from haven.intake.actions import send_forms
from haven.intake.models import FormAssignment, IntakeForm
from haven.messaging.actions import Upload, write_to_client
from haven.messaging.models import Attachment, MessageKind, Thread
from haven.scheduling.models import Appointment, AppointmentRequest, HomeActivity, ServiceType
from haven.signing.models import SignatureRequest
from haven.signing.requests import request_signature
from tests.personas import World


def _group_note_id(world: World) -> int:
    """Ana and Max's group note, made on first use: the personas hold none (it would add to their charts)."""
    note = GroupNote.objects.filter(practice=world.riverside).order_by("pk").first()
    if note is None:
        note = create_group_note(
            by=world.ada,
            clients=[world.ana, world.max],
            doc_type=group_note_type(world.riverside),
            title="Group session",
            document_date=timezone.localdate(),
            data=b"%PDF-1.4\n% a small test document\n%%EOF\n",
        )
    return note.pk


def _signature_request(world: World) -> SignatureRequest:
    """Gia's request to sign Max's progress note, made on first use (with its inbox message)."""
    request = SignatureRequest.objects.filter(document=world.progress_note).order_by("pk").first()
    if request is None:
        request = request_signature(by=world.ada, document=world.progress_note, signer_key=f"contact-{world.gia.pk}")
    return request


def _tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#2f6f73").save(buffer, format="PNG")
    return buffer.getvalue()


def _conversation(world: World) -> Thread:
    """Ada's message to Gia about Max, with a PNG attached, written on first use."""
    thread = Thread.objects.filter(client=world.max, account=world.gia_account, kind=MessageKind.CONVERSATION).first()
    if thread is None:
        thread = write_to_client(
            by=world.ada,
            access=world.gia_access_max,
            subject="A worksheet for Max",
            body="Here is this week's worksheet.",
            files=[Upload(name="worksheet.png", data=_tiny_png())],
        )
    return thread


def _attachment_id(world: World) -> int:
    return Attachment.objects.get(message__thread=_conversation(world)).pk


def _assignment_id(world: World) -> int:
    """Gia's GAD-7 for Max, sent by Ada on first use (with its inbox message): every question required."""
    found = FormAssignment.objects.filter(client=world.max, contact=world.gia).order_by("pk").first()
    if found is None:
        gad7 = IntakeForm.objects.get(practice=world.riverside, template_key="gad7")
        (found,) = send_forms(by=world.ada, client=world.max, forms=[gad7], recipient_key=f"contact-{world.gia.pk}")
    return found.pk


def _appointment(world: World) -> Appointment:
    """Max's appointment with Theo next week, made on first use."""
    found = Appointment.objects.filter(client=world.max).order_by("pk").first()
    if found is None:
        service, _ = ServiceType.objects.get_or_create(practice=world.riverside, name="Individual therapy")
        starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=7)
        found = Appointment.objects.create(
            practice=world.riverside,
            client=world.max,
            clinician=world.theo,
            service=service,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(minutes=50),
        )
    return found


def _appointment_request(world: World) -> AppointmentRequest:
    """Gia's request for an appointment for Max, made on first use."""
    found = AppointmentRequest.objects.filter(client=world.max).order_by("pk").first()
    if found is None:
        found = AppointmentRequest(practice=world.riverside, client=world.max, account=world.gia_account)
        found.preferred_times = "Weekday afternoons"
        found.save()
    return found


def _activity(world: World) -> HomeActivity:
    """A worksheet Ada assigned to Max, made on first use."""
    found = HomeActivity.objects.filter(client=world.max).order_by("pk").first()
    if found is None:
        found = HomeActivity(practice=world.riverside, client=world.max, assigned_by=world.ada)
        found.title = "Feelings thermometer"
        found.instructions = "Fill it in each evening."
        found.save()
    return found


# URL keyword argument -> the practice-1 object (from the personas) it names.
KWARG_FACTORIES: dict[str, Callable[[World], object]] = {
    "client_id": lambda world: world.ana.pk,
    "contact_id": lambda world: world.gia.pk,
    "member_id": lambda world: world.theo.pk,
    "facility_id": lambda world: world.riverside_facility.pk,
    "access_id": lambda world: world.gia_access_max.pk,
    "document_id": lambda world: world.progress_note.pk,
    "type_id": lambda world: world.progress_note.type_id,
    "group_note_id": _group_note_id,
    "request_id": lambda world: _signature_request(world).pk,
    "thread_id": lambda world: _conversation(world).pk,
    "attachment_id": _attachment_id,
    "assignment_id": _assignment_id,
    "appointment_id": lambda world: _appointment(world).pk,
    "appointment_request_id": lambda world: _appointment_request(world).pk,
    "activity_id": lambda world: _activity(world).pk,
    "service_type_id": lambda world: (
        ServiceType.objects.get_or_create(practice=world.riverside, name="Individual therapy")[0].pk
    ),
    "form_id": lambda world: IntakeForm.objects.get(practice=world.riverside, template_key="phq9").pk,
    "version_id": lambda world: world.progress_note.current_version_id,
    "page": lambda world: 1,
    "slug": lambda world: "riverside",
    "token": lambda world: secrets.token_urlsafe(32),
}

# Arguments naming a practice-scoped object: another practice's staff must get 404 for these.
OBJECT_KWARGS = frozenset(
    {
        "client_id",
        "contact_id",
        "member_id",
        "facility_id",
        "access_id",
        "document_id",
        "type_id",
        "group_note_id",
        "request_id",
        "version_id",
        "thread_id",
        "attachment_id",
        "assignment_id",
        "form_id",
        "appointment_id",
        "appointment_request_id",
        "activity_id",
        "service_type_id",
    }
)

# Reachable without logging in. Adding to this list is a security decision: review it.
PUBLIC_URL_NAMES = frozenset(
    {
        "root",
        "staff:login",
        "staff:logout",  # POST only
        "staff:accept_invitation",
        "staff:password_reset",  # Forgot Password: same answer for known and unknown emails
        "staff:password_reset_confirm",
        "practice_logo",
        # The portal's own public pages: sign in, register, links from emails, the handout.
        "portal:login",
        "portal:logout",  # POST only
        "portal:register",
        "portal:verify_email",
        "portal:accept_invitation",
        "portal:password_reset",
        "portal:password_reset_confirm",
        "portal:handout",
        # The second step of signing in: it answers only a session whose password was checked in the
        # last five minutes (its own key, not a portal session); anyone else is sent to sign in.
        "portal:sign_in_code",
        # A portal login's private calendar subscription: calendar apps fetch it without signing in. The 256-bit
        # token (stored hashed, revocable) is the key; the feed says only "Appointment" and the practice's name.
        "portal:calendar_feed",
    }
)


class UnknownUrlKwarg(AssertionError):
    """A URL pattern takes an argument the walk cannot fill: teach KWARG_FACTORIES about it."""


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, e.g. "staff:client_chart"; "" when the pattern has no name
    pattern: str  # the full route, e.g. "staff/clients/<int:client_id>/"
    callback: Callable[..., Any]
    kwargs: tuple[str, ...]

    @property
    def rule(self) -> AccessRule | None:
        return access_rule_of(self.callback)

    @property
    def is_portal(self) -> bool:
        return self.rule is not None and self.rule.audience == "portal"

    @property
    def is_object_url(self) -> bool:
        return bool(OBJECT_KWARGS & set(self.kwargs))

    def __str__(self) -> str:
        return self.name or self.pattern


def _walk(patterns: list[Any], prefix: str, namespace: str, kwargs: tuple[str, ...]) -> Iterator[Route]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        names = kwargs + tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from _walk(entry.url_patterns, route, inner or "", names)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            yield Route(name=name, pattern=route, callback=entry.callback, kwargs=names)
        else:  # pragma: no cover - Django has only the two kinds
            raise AssertionError(f"Unexpected URL entry {entry!r}")


def all_routes() -> list[Route]:
    """Every URL pattern of the project, nested includes flattened."""
    return list(_walk(get_resolver().url_patterns, "", "", ()))


def url_kwargs(route: Route, world: World, **overrides: object) -> dict[str, object]:
    unknown = [name for name in route.kwargs if name not in KWARG_FACTORIES]
    if unknown:
        raise UnknownUrlKwarg(
            f"URL {route} ({route.pattern}) takes {unknown}: add them to KWARG_FACTORIES in tests/security/urlwalk.py"
        )
    values = {name: KWARG_FACTORIES[name](world) for name in route.kwargs}
    if ({"contact_id", "access_id", "document_id", "assignment_id"} & set(values)) and "client_id" in values:
        values["client_id"] = world.max.pk  # Gia is Max's contact (the form is Max's): the URL must name her own client
    values.update(overrides)
    return values


def url_for(route: Route, world: World, **overrides: object) -> str:
    """A concrete URL for the route, naming practice-1 objects (overrides replace single arguments)."""
    if not route.name:
        raise AssertionError(f"URL pattern {route.pattern} has no name; name it so the URL walk can build it")
    return reverse(route.name, kwargs=url_kwargs(route, world, **overrides) or None)


ROUTES = all_routes()
NON_PUBLIC_ROUTES = [route for route in ROUTES if route.name not in PUBLIC_URL_NAMES]
# Staff URLs naming a practice-scoped object (the portal's are scoped by the signed-in profile instead).
OBJECT_ROUTES = [route for route in ROUTES if route.is_object_url and not route.is_portal]
PERMISSION_ROUTES = [route for route in ROUTES if route.rule is not None and route.rule.permission]
CONTACT_ROUTES = [route for route in ROUTES if "contact_id" in route.kwargs]
# Staff URLs naming a client and one of its sent forms: the walk's form is Max's.
CLIENT_ASSIGNMENT_ROUTES = [
    route for route in ROUTES if {"client_id", "assignment_id"} <= set(route.kwargs) and not route.is_portal
]
# Staff URLs that open a document or a group note: the walk's are clinical (a progress note, a group note).
CLINICAL_DOCUMENT_KWARGS = frozenset({"document_id", "version_id", "request_id", "group_note_id"})
CLINICAL_DOCUMENT_ROUTES = [
    route for route in ROUTES if CLINICAL_DOCUMENT_KWARGS & set(route.kwargs) and not route.is_portal
]
ACCESS_ROUTES = [route for route in ROUTES if "access_id" in route.kwargs]
STAFF_ROUTES = [route for route in NON_PUBLIC_ROUTES if not route.is_portal]
PORTAL_ROUTES = [route for route in NON_PUBLIC_ROUTES if route.is_portal]
# Portal URLs naming an object (a document, a message, a signature request): the walk's are Gia's, for Max.
PORTAL_OBJECT_ROUTES = [route for route in PORTAL_ROUTES if route.is_object_url]
PORTAL_PAGE_ROUTES = [route for route in PORTAL_ROUTES if not route.is_object_url]


def route_id(route: Route) -> str:
    return str(route)
