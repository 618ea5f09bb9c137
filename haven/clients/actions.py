"""Every change to client charts and related contacts goes through these functions."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.audit.events import ChartViewed, ClientChanged, ClientCreated, ContactAdded, ContactChanged, ContactRemoved
from haven.audit.models import Actor
from haven.clients import policy
from haven.clients.models import Client, ClientStatus, RelatedContact, Relationship
from haven.clients.signals import contact_removing
from haven.core.errors import ApplicationError, ConflictError
from haven.practices.models import Facility, Permission, StaffMember
from haven.practices.viewers import StaffViewer

# The fields staff edit, in the order the forms show them: the forms' fields are these lists (staff/forms/).
CLIENT_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "pronouns",
    "date_of_birth",
    "email",
    "phone",
    "address",
    "facility",
    "clinician",
    "status",
)
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "relationship", "web_portal", "legal_guardian")
PORTAL_FLAGS = ("web_portal", "legal_guardian")

STALE_MESSAGE = _(
    "Someone else changed this record while you were editing it. Your changes are still in the form: "
    "review the current record below, then save again."
)


def _check_client_fields(by: StaffMember, data: dict[str, Any]) -> None:
    unknown = set(data) - set(CLIENT_FIELDS)
    if unknown:
        raise ApplicationError(_("Those fields cannot be set here."))
    facility = data.get("facility")
    if facility is not None and (not isinstance(facility, Facility) or facility.practice_id != by.practice_id):
        raise ApplicationError(_("Choose one of your practice's facilities."))
    clinician = data.get("clinician")
    if clinician is not None and (
        not isinstance(clinician, StaffMember)
        or clinician.practice_id != by.practice_id
        or not clinician.has_permission(Permission.CLINICAL_DOCUMENTS)
    ):
        raise ApplicationError(_("Choose a clinician of your practice."))
    birth = data.get("date_of_birth")
    if isinstance(birth, datetime.date) and birth > timezone.localdate():
        raise ApplicationError(_("The date of birth cannot be in the future."))
    if data.get("status", ClientStatus.ACTIVE) not in ClientStatus.values:
        raise ApplicationError(_("Choose a status from the list."))


@transaction.atomic
def create_client(*, by: StaffMember, data: dict[str, Any]) -> Client:
    _check_client_fields(by, data)
    client = Client(practice=by.practice, **data)
    client.full_clean()
    client.save()
    record_event(ClientCreated(), actor=Actor.staff(by.user), practice=by.practice, client=client, target=client)
    return client


@transaction.atomic
def update_client(*, by: StaffMember, client: Client, data: dict[str, Any], expected_version: int) -> Client:
    """Save changes made to the version the editor loaded; refuse if someone saved in between."""
    _check_client_fields(by, data)
    current = policy.visible_to(StaffViewer(by)).select_for_update(no_key=True).get(pk=client.pk)
    if current.version != expected_version:
        raise ConflictError(STALE_MESSAGE)
    changed = [field for field, value in data.items() if getattr(current, field) != value]
    if not changed:
        return current
    for field in changed:
        setattr(current, field, data[field])
    current.full_clean()
    current.updated_at = timezone.now()
    current.version = F("version") + 1
    current.save(update_fields=[*changed, "updated_at", "version"])
    current.refresh_from_db(fields=["version"])
    record_event(
        ClientChanged(fields=sorted(changed)),
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=current,
        target=current,
    )
    return current


def _check_contact_fields(by: StaffMember, data: dict[str, Any], *, before: RelatedContact | None) -> None:
    unknown = set(data) - set(CONTACT_FIELDS)
    if unknown:
        raise ApplicationError(_("Those fields cannot be set here."))
    if data.get("relationship") not in Relationship.values:
        raise ApplicationError(_("Choose a relationship from the list."))
    for flag in PORTAL_FLAGS:
        was = getattr(before, flag) if before is not None else False
        if bool(data.get(flag, was)) != was and not by.has_permission(Permission.WEB_PORTAL):
            raise ApplicationError(
                _("Only staff with the Web Portal permission can change portal access for a contact.")
            )


@transaction.atomic
def add_contact(
    *, by: StaffMember, client: Client, data: dict[str, Any], linked_client: Client | None = None
) -> RelatedContact:
    """Relate a new person, or another client of the practice, to a client."""
    visible = policy.visible_to(StaffViewer(by))
    if not visible.filter(pk=client.pk).exists():
        raise ApplicationError(_("That client is not part of your practice."))
    _check_contact_fields(by, data, before=None)
    if linked_client is not None:
        if not visible.filter(pk=linked_client.pk).exists():
            raise ApplicationError(_("Choose a client of your practice."))
        if linked_client.pk == client.pk:
            raise ApplicationError(_("A client cannot be their own contact."))
        # Name, email and phone come from the linked chart, so they never drift apart.
        data = {**data, "first_name": "", "last_name": "", "email": "", "phone": ""}
    elif not (data.get("first_name") or data.get("last_name")):
        raise ApplicationError(_("Enter the contact's name."))
    contact = RelatedContact(practice=by.practice, client=client, linked_client=linked_client, **data)
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError:
        raise ApplicationError(_("That client is already one of this client's contacts.")) from None
    record_event(
        ContactAdded(
            relationship=contact.relationship,
            web_portal=contact.web_portal,
            legal_guardian=contact.legal_guardian,
            linked_client=linked_client.pk if linked_client else None,
        ),
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=client,
        target=contact,
    )
    return contact


@transaction.atomic
def update_contact(
    *, by: StaffMember, contact: RelatedContact, data: dict[str, Any], expected_version: int
) -> RelatedContact:
    current = policy.contacts_visible_to(StaffViewer(by)).select_for_update().get(pk=contact.pk)
    if current.version != expected_version:
        raise ConflictError(STALE_MESSAGE)
    _check_contact_fields(by, data, before=current)
    if current.linked_client_id is not None:
        data = {key: value for key, value in data.items() if key not in {"first_name", "last_name", "email", "phone"}}
    elif not (data.get("first_name") or data.get("last_name")):
        raise ApplicationError(_("Enter the contact's name."))
    changed = [field for field, value in data.items() if getattr(current, field) != value]
    if not changed:
        return current
    for field in changed:
        setattr(current, field, data[field])
    current.updated_at = timezone.now()
    current.version = F("version") + 1
    current.save(update_fields=[*changed, "updated_at", "version"])
    current.refresh_from_db(fields=["version"])
    # The portal flags' new values are recorded only when they changed.
    record_event(
        ContactChanged(
            fields=sorted(changed),
            web_portal=current.web_portal if "web_portal" in changed else None,
            legal_guardian=current.legal_guardian if "legal_guardian" in changed else None,
        ),
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=current.client,
        target=current,
    )
    return current


@transaction.atomic
def remove_contact(*, by: StaffMember, contact: RelatedContact) -> None:
    current = (
        policy.contacts_visible_to(StaffViewer(by))
        .select_for_update(of=("self",))
        .select_related("client")
        .get(pk=contact.pk)
    )
    # Portal access through this contact ends first, each change audited (portal_access listens).
    contact_removing.send(sender=RelatedContact, contact=current, by=by)
    record_event(
        ContactRemoved(relationship=current.relationship, name=current.full_name),
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=current.client,
        target=current,
    )
    current.delete()


def view_chart(*, by: StaffMember, client: Client) -> None:
    """A staff member opened the Chart Face: every opening of a chart is in its Access history.

    Its one write is the audit event, in ``record_event``'s own transaction.
    """
    record_event(ChartViewed(), actor=Actor.staff(by.user), practice=by.practice, client=client)
