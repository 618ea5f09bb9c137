"""Every write of intake forms (FORM-1..FORM-5): building and publishing forms, sending them, drafts and
submissions from the portal, acknowledging into General Documents, sending back, reminders and alerts.

Each action runs in one transaction, asks ``haven.intake.policy`` and writes its audit event. Emails say
only that something is waiting, with a link: never a name, a form's title or an answer.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.audit.events import (
    DocumentCreated,
    FormArchived,
    FormCopied,
    FormCreated,
    FormPublished,
    FormRestored,
    IntakeAcknowledged,
    IntakeAlertRaised,
    IntakeAlertReviewed,
    IntakeCancelled,
    IntakeDraftSaved,
    IntakeRefused,
    IntakeReminded,
    IntakeReturned,
    IntakeSent,
    IntakeSubmitted,
    IntakeViewed,
)
from haven.audit.models import Actor
from haven.clients.models import Client, RelatedContact
from haven.core.email import send_email_on_commit
from haven.core.errors import ApplicationError
from haven.core.policy import Viewer
from haven.core.timezones import practice_zone
from haven.documents.files import detect_content_type
from haven.documents.models import Category, Document, DocumentType, DocumentVersion, VersionSource
from haven.documents.versions import write_version
from haven.intake.defaults import DEFAULT_FORMS
from haven.intake.fields import Answers, Checked, FieldType, Prefill, Schema, SchemaError
from haven.intake.models import (
    AssignmentStatus,
    FormAssignment,
    FormKind,
    FormVersion,
    IntakeForm,
    Packet,
    SafetyAlert,
)
from haven.intake.policy import IntakeReason, IntakeVerb, may_be_addressed, may_build, why_not, why_not_form
from haven.intake.scoring import FREQUENCY, MEASURES, MeasureCode, Score, score
from haven.intake.tasks import file_acknowledged_form
from haven.messaging.actions import post_message
from haven.messaging.models import MessageKind
from haven.portal_access.models import AccessKind, AccessStatus, ProfileAccess
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import Permission, Practice, Role, StaffMember
from haven.practices.viewers import StaffViewer
from haven.signing.eligibility import possible_signers_for
from haven.signing.models import Capacity

# The answers of every scored item, by value, in order.
SCALE = [value for value, _label in FREQUENCY]
# A reminder that forms wait goes out at most this often.
REMINDER_INTERVAL = datetime.timedelta(hours=20)


def refuse(reason: IntakeReason | None, subject: Any = None) -> None:
    if reason is not None:
        raise ApplicationError(reason.words(subject))


# --- Default forms (FORM-2) ---------------------------------------------------------------------------


def ensure_default_forms(practice: Practice) -> None:
    """Give the practice its own copy of each default form it does not have yet, published as version 1."""
    have = set(
        IntakeForm.objects.filter(practice=practice).exclude(template_key="").values_list("template_key", flat=True)
    )
    now = timezone.now()
    for default in DEFAULT_FORMS:
        if default.key in have:
            continue
        fields = default.schema.to_json()
        form = IntakeForm.objects.create(
            practice=practice,
            kind=FormKind.INTAKE,
            title=default.title,
            description=default.description,
            measure=default.measure or "",
            template_key=default.key,
            draft_fields=fields,
            created_at=now,
            updated_at=now,
        )
        version = FormVersion.objects.create(
            form=form, number=1, title=form.title, fields=fields, measure=form.measure, published_at=now
        )
        IntakeForm.objects.filter(pk=form.pk).update(current_version=version)


def give_new_practice_default_forms(
    sender: object, instance: Practice, created: bool, raw: bool, **kwargs: object
) -> None:
    """A new practice starts with the default forms (``post_save`` of ``Practice``; fixtures load their own)."""
    if created and not raw:
        ensure_default_forms(instance)


# --- Building forms (FORM-1) ------------------------------------------------------------------------------


def _check_schema(fields: list[dict[str, Any]]) -> Schema:
    try:
        return Schema.from_json(fields)
    except SchemaError as error:
        raise ApplicationError(str(error)) from None


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise ApplicationError(_("Give the form a title."))
    if len(title) > 200:
        raise ApplicationError(_("Keep the title under 200 characters."))
    return title


@transaction.atomic
def create_form(
    *,
    by: StaffMember,
    kind: str,
    title: str,
    description: str = "",
    fields: list[dict[str, Any]] | None = None,
    measure: str = "",
) -> IntakeForm:
    """A new form, as a draft: nothing can be sent until it is published."""
    viewer = StaffViewer(by)
    refuse(may_build(viewer, kind))
    schema = _check_schema(fields or [])
    form = IntakeForm.objects.create(
        practice=by.practice,
        kind=FormKind(kind),
        title=_clean_title(title),
        description=description.strip()[:400],
        measure=measure,
        draft_fields=schema.to_json(),
        created_by=by,
    )
    record_event(FormCreated(kind=form.kind), actor=viewer.actor, practice=by.practice, target=form)
    return form


def _locked_form(form: IntakeForm) -> IntakeForm:
    return IntakeForm.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=form.pk)


@transaction.atomic
def save_form(
    *, by: StaffMember, form: IntakeForm, title: str, description: str, fields: list[dict[str, Any]]
) -> IntakeForm:
    """Keep the builder's changes as the form's draft; what was sent keeps its own version."""
    viewer = StaffViewer(by)
    locked = _locked_form(form)
    refuse(why_not_form(viewer, IntakeVerb.BUILD, locked))
    if locked.is_archived:
        raise ApplicationError(IntakeReason.ARCHIVED.words())
    locked.title = _clean_title(title)
    locked.description = description.strip()[:400]
    locked.draft_fields = _check_schema(fields).to_json()
    locked.updated_at = timezone.now()
    locked.save(update_fields=["title", "description", "draft_fields", "updated_at"])
    return locked


def _check_scored(measure: str, schema: Schema) -> None:
    """A scored form keeps every scored question, each answered 0 to 3: otherwise its totals would mislead."""
    if not measure:
        return
    scored = MEASURES[MeasureCode(measure)]
    for key in scored.items:
        item = schema.field(key)
        if item is None or item.type != FieldType.SINGLE_CHOICE or [o.value for o in item.options] != SCALE:
            raise ApplicationError(
                _(
                    "This form is scored as %(name)s: keep its %(count)d scored questions, each answered from "
                    "0 to 3, so that its totals stay true. Their wording and help text can change."
                )
                % {"name": scored.name, "count": len(scored.items)}
            )


def _changed_keys(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    old = {item["key"]: item for item in before}
    new = {item["key"]: item for item in after}
    return sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))


@transaction.atomic
def publish_form(*, by: StaffMember, form: IntakeForm) -> FormVersion:
    """Publish the draft as the next version: forms sent from now on use it; forms already sent keep theirs."""
    viewer = StaffViewer(by)
    locked = _locked_form(form)
    refuse(why_not_form(viewer, IntakeVerb.BUILD, locked))
    if locked.is_archived:
        raise ApplicationError(IntakeReason.ARCHIVED.words())
    schema = _check_schema(locked.draft_fields)
    if not schema.answerable:
        raise ApplicationError(_("Add at least one question before publishing."))
    _check_scored(locked.measure, schema)
    current = locked.current_version
    if current is not None and not locked.has_unpublished_changes:
        raise ApplicationError(_("There are no changes to publish."))
    number = (locked.versions.aggregate(Max("number"))["number__max"] or 0) + 1
    version = FormVersion.objects.create(
        form=locked,
        number=number,
        title=locked.title,
        fields=schema.to_json(),
        measure=locked.measure,
        published_by=by,
    )
    locked.current_version = version
    locked.save(update_fields=["current_version"])
    record_event(
        FormPublished(version=number, changed=_changed_keys(current.fields if current else [], version.fields)),
        actor=viewer.actor,
        practice=locked.practice,
        target=locked,
    )
    return version


@transaction.atomic
def archive_form(*, by: StaffMember, form: IntakeForm, restore: bool = False) -> IntakeForm:
    """Archive instead of delete: an archived form can't be sent; everything sent with it stays."""
    viewer = StaffViewer(by)
    locked = _locked_form(form)
    refuse(why_not_form(viewer, IntakeVerb.BUILD, locked))
    locked.archived_at = None if restore else timezone.now()
    locked.save(update_fields=["archived_at"])
    event = FormRestored(title=locked.title) if restore else FormArchived(title=locked.title)
    record_event(event, actor=viewer.actor, practice=locked.practice, target=locked)
    return locked


@transaction.atomic
def copy_form(*, by: StaffMember, form: IntakeForm, kind: str) -> IntakeForm:
    """A new draft with the form's fields: "Copy to intake form" makes an intake copy of a dynamic form."""
    viewer = StaffViewer(by)
    refuse(may_build(viewer, kind))
    if form.practice_id != by.practice_id:
        raise ApplicationError(IntakeReason.NO_BUILD_PERMISSION.words())
    title = form.title if kind != form.kind else _("Copy of %(title)s") % {"title": form.title}
    copy = IntakeForm.objects.create(
        practice=by.practice,
        kind=FormKind(kind),
        title=title[:200],
        description=form.description,
        measure=form.measure,
        copied_from=form,
        draft_fields=form.draft_fields,
        created_by=by,
    )
    record_event(FormCopied(source=form.pk, kind=copy.kind), actor=viewer.actor, practice=by.practice, target=copy)
    return copy


# --- Sending (FORM-3, FORM-4) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """Who a form is addressed to: the client, or a legal guardian with Web Portal permission."""

    capacity: str
    contact: RelatedContact | None
    name: str
    access: ProfileAccess | None  # their portal login, once they have one

    @property
    def key(self) -> str:
        return "client" if self.contact is None else f"contact-{self.contact.pk}"


def possible_recipients(client: Client) -> list[Recipient]:
    """The client and each legal guardian with Web Portal permission and an active portal login."""
    return [Recipient(s.capacity, s.contact, s.name, s.access) for s in possible_signers_for(client)]


def _invited(client: Client, access: ProfileAccess) -> Recipient | None:
    """The person a new portal access is for, when forms may be addressed to them (the client, or a guardian)."""
    if access.client_id != client.pk or access.practice_id != client.practice_id:
        return None
    if access.status not in (AccessStatus.PENDING, AccessStatus.ACTIVE):
        return None
    if not may_be_addressed(access):  # the client, or a legal guardian with Web Portal
        return None
    if access.kind == AccessKind.SELF:
        return Recipient(Capacity.SELF, None, client.full_name, access)
    assert access.contact is not None  # may_be_addressed said so
    return Recipient(Capacity.GUARDIAN, access.contact, access.contact.full_name, access)


def _prefill_values(client: Client, recipient: Recipient) -> dict[Prefill, str]:
    guardian = recipient.contact.full_name if recipient.contact is not None else ""
    if not guardian:
        contact = (
            RelatedContact.objects.filter(client=client, legal_guardian=True).order_by("pk").only("first_name").first()
        )
        guardian = contact.full_name if contact is not None else ""
    return {
        Prefill.NAME: client.full_name,
        Prefill.DATE_OF_BIRTH: client.date_of_birth.isoformat(),
        Prefill.ADDRESS: client.address,
        Prefill.PHONE: client.phone,
        Prefill.EMAIL: client.email,
        Prefill.GUARDIAN_NAME: guardian,
    }


def prefill(schema: Schema, values: dict[Prefill, str]) -> tuple[Answers, list[str]]:
    """The answers a form starts with from the chart, and the keys of those it took."""
    answers: Answers = {}
    for item in schema.fields:
        if item.prefill is not None and values.get(item.prefill, "").strip():
            answers[item.key] = values[item.prefill].strip()
    kept = schema.check(answers, submitting=False).answers
    return kept, sorted(kept)


@transaction.atomic
def send_forms(
    *,
    by: StaffMember,
    client: Client,
    forms: Sequence[IntakeForm],
    recipient_key: str,
    message: str = "",
    as_packet: bool = True,
    invitation: ProfileAccess | None = None,
) -> list[FormAssignment]:
    """Send forms to the portal, in order: as an intake packet with its Intake Forms Message, or one on its own.

    The person gets an inbox message and an email that says only that forms are waiting. With ``invitation``
    (a portal access just given to the client or a guardian, still waiting to be accepted), the forms go with
    the invitation: they wait in the portal for the person's first sign-in, and the invitation's own email
    is the only one sent.
    """
    viewer = StaffViewer(by)
    if client.practice_id != by.practice_id:
        raise ApplicationError(_("That client is not part of your practice."))
    if not by.has_permission(Permission.INVITE_PORTAL):
        raise ApplicationError(IntakeReason.NO_SEND_PERMISSION.words())
    if not forms:
        raise ApplicationError(_("Choose at least one form to send."))
    if not as_packet and len(forms) != 1:
        raise ApplicationError(_("Send one form at a time, or send them together as a packet."))
    chosen = list(dict.fromkeys(forms))
    for form in chosen:
        reason = why_not_form(viewer, IntakeVerb.SEND, form)
        if reason is not None:
            raise ApplicationError(f"{form.title}: {reason.words(form)}")
    recipient = (
        _invited(client, invitation)
        if invitation is not None
        else next((r for r in possible_recipients(client) if r.key == recipient_key), None)
    )
    if recipient is None:
        raise ApplicationError(
            _(
                "Choose the client or a legal guardian with Web Portal permission who has an active portal login. "
                "Invite them to the portal first."
            )
        )
    message = message.strip()
    if len(message) > 2_000:
        raise ApplicationError(_("Keep the Intake Forms Message under 2,000 characters."))
    now = timezone.now()
    packet = (
        Packet.objects.create(
            practice=by.practice,
            client=client,
            message=message,
            sent_by=by,
            sent_at=now,
            with_invitation=invitation is not None,
        )
        if as_packet
        else None
    )
    values = _prefill_values(client, recipient)
    assignments = []
    all_prefilled: set[str] = set()
    for position, form in enumerate(chosen):
        version = form.current_version
        assert version is not None  # why_not_form said "not published" otherwise
        answers, prefilled = prefill(version.schema, values)
        all_prefilled.update(prefilled)
        assignment = FormAssignment(
            practice=by.practice,
            client=client,
            packet=packet,
            position=position,
            form=form,
            version=version,
            capacity=recipient.capacity,
            contact=recipient.contact,
            recipient_name=recipient.name,
            prefilled=prefilled,
            sent_by=by,
            sent_at=now,
        )
        assignment.keep_answers(answers)
        assignments.append(assignment)
    FormAssignment.objects.bulk_create(assignments)
    assert recipient.access is not None
    record_event(
        IntakeSent(
            packet=packet.pk if packet else None,
            forms=[a.form_id for a in assignments],
            capacity=recipient.capacity,
            account=recipient.access.account_id,
            contact=recipient.contact.pk if recipient.contact else None,
            prefilled=sorted(all_prefilled),
        ),
        actor=viewer.actor,
        practice=by.practice,
        client=client,
        target=packet or assignments[0],
    )
    count = len(assignments)
    post_message(
        email=invitation is None or invitation.status != AccessStatus.PENDING,
        by=by,
        account=recipient.access.account,
        client=client,
        kind=MessageKind.INTAKE,
        subject=_("Intake forms to complete") if count > 1 else _("A form to complete"),
        body=message
        or (
            _("%(practice)s asks you to complete %(count)d forms. Open Forms in the portal to begin.")
            % {"practice": by.practice.name, "count": count}
            if count > 1
            else _("%(practice)s asks you to complete a form. Open Forms in the portal to begin.")
            % {"practice": by.practice.name}
        ),
    )
    return assignments


def _locked(assignment: FormAssignment) -> FormAssignment:
    return (
        FormAssignment.objects.select_for_update(of=("self",))
        .select_related("version", "form", "client", "practice", "contact")
        .get(pk=assignment.pk)
    )


def recipient_access(assignment: FormAssignment) -> ProfileAccess | None:
    """The portal login the form is addressed to, while it may still fill it."""
    for recipient in possible_recipients(assignment.client):
        if recipient.capacity == assignment.capacity and (
            (recipient.contact.pk if recipient.contact else None) == assignment.contact_id
        ):
            return recipient.access
    return None


@transaction.atomic
def remind(*, by: StaffMember, client: Client, assignments: Sequence[FormAssignment]) -> int:
    """Resend: email the person that forms still wait (no names, titles or answers); at most once in 20 hours.

    Every open form named that is addressed to the same person is reminded together; returns how many.
    """
    viewer = StaffViewer(by)
    now = timezone.now()
    locked = [_locked(a) for a in assignments]
    if not locked:
        raise ApplicationError(_("Choose the forms to resend."))
    for assignment in locked:
        if assignment.client_id != client.pk:
            raise ApplicationError(IntakeReason.NO_SEND_PERMISSION.words())
        refuse(why_not(viewer, IntakeVerb.SEND, assignment))
        if assignment.reminded_at is not None and now - assignment.reminded_at < REMINDER_INTERVAL:
            raise ApplicationError(_("A reminder was already sent today. You can send another tomorrow."))
    people = {(a.capacity, a.contact_id) for a in locked}
    if len(people) != 1:
        raise ApplicationError(_("Resend forms to one person at a time."))
    access = recipient_access(locked[0])
    if access is None:
        raise ApplicationError(
            _("%(name)s no longer has portal access, so no reminder can reach them.")
            % {"name": locked[0].recipient_name}
        )
    for assignment in locked:
        assignment.reminded_at = now
        assignment.reminder_count += 1
        assignment.save(update_fields=["reminded_at", "reminder_count"])
    record_event(
        IntakeReminded(forms=[a.form_id for a in locked], account=access.account_id),
        actor=viewer.actor,
        practice=by.practice,
        client=client,
        target=locked[0],
    )
    practice = by.practice
    send_email_on_commit(
        to=access.account.email,
        template="portal_forms_reminder",
        context={"sender": practice.name, "portal": practice.portal_url},
        practice=practice,
    )
    return len(locked)


@transaction.atomic
def cancel(*, by: StaffMember, assignment: FormAssignment) -> FormAssignment:
    """Withdraw a form that is not yet submitted: it leaves the portal and every pending list."""
    viewer = StaffViewer(by)
    locked = _locked(assignment)
    refuse(why_not(viewer, IntakeVerb.SEND, locked))
    locked.status = AssignmentStatus.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.save(update_fields=["status", "cancelled_at"])
    record_event(
        IntakeCancelled(form=locked.form_id),
        actor=viewer.actor,
        practice=by.practice,
        client=locked.client,
        target=locked,
    )
    return locked


# --- The portal: open, draft, submit (FORM-3) ---------------------------------------------------------------


def record_viewed(*, viewer: Viewer, assignment: FormAssignment) -> None:
    """A form and its answers were opened: by the person filling it, or by staff."""
    record_event(
        IntakeViewed(form=assignment.form_id, version=assignment.version.number),
        actor=viewer.actor,
        acting_for=viewer.acting_for,
        practice_id=assignment.practice_id,
        client=assignment.client,
        target=assignment,
    )


class FormIncomplete(ApplicationError):
    """A submission that can't be accepted: ``problems`` names each field's problem; the answers were kept."""

    def __init__(self, problems: dict[str, str]) -> None:
        count = len(problems)
        super().__init__(
            _("One answer needs your attention before you submit.")
            if count == 1
            else _("%(count)d answers need your attention before you submit.") % {"count": count}
        )
        self.problems = problems


@transaction.atomic
def save_draft(*, viewer: PortalViewer, assignment: FormAssignment, raw: dict[str, Any]) -> Checked:
    """Keep what was typed so far (answers that can't be accepted yet are kept as typed, and named)."""
    locked = _locked(assignment)
    refuse(why_not(viewer, IntakeVerb.FILL, locked), locked)
    checked = locked.version.schema.check(raw, submitting=False)
    # A draft is saved whole: what the page sends is every answer it holds.
    locked.keep_answers(checked.answers)
    locked.revision += 1
    locked.draft_saved_at = timezone.now()
    if locked.status == AssignmentStatus.SENT:
        locked.status = AssignmentStatus.IN_PROGRESS
    locked.save(update_fields=["answers_encrypted", "revision", "draft_saved_at", "status"])
    record_event(
        IntakeDraftSaved(revision=locked.revision, answered=len(checked.answers)),
        actor=viewer.actor,
        acting_for=viewer.acting_for,
        practice_id=locked.practice_id,
        client=locked.client,
        target=locked,
    )
    return checked


def submit(*, viewer: PortalViewer, assignment: FormAssignment, raw: dict[str, Any]) -> FormAssignment:
    """Submit a form: checked on the server; a form with a problem stays open, its answers kept as a draft.

    A scored measure is scored as it is submitted; a PHQ-9 answer above 0 on item 9 raises an alert at once.
    """
    with transaction.atomic():
        locked = _locked(assignment)
        refuse(why_not(viewer, IntakeVerb.FILL, locked), locked)
        schema = locked.version.schema
        checked = schema.check(raw, submitting=True)
        if not checked.ok:
            kept = schema.check(raw, submitting=False)
            locked.keep_answers(kept.answers)
            locked.draft_saved_at = timezone.now()
            locked.revision += 1
            if locked.status == AssignmentStatus.SENT and kept.answers:
                locked.status = AssignmentStatus.IN_PROGRESS
            locked.save(update_fields=["answers_encrypted", "revision", "draft_saved_at", "status"])
    if not checked.ok:
        # Recorded after the draft's commit: a refusal is on the record whatever happens next.
        record_event(
            IntakeRefused(problems=sorted(checked.problems)),
            actor=viewer.actor,
            acting_for=viewer.acting_for,
            practice_id=locked.practice_id,
            client=locked.client,
            target=locked,
        )
        raise FormIncomplete(checked.problems)
    return _accept(viewer, locked.pk, checked.answers)


@transaction.atomic
def _accept(viewer: PortalViewer, assignment_id: int, answers: Answers) -> FormAssignment:
    locked = _locked(FormAssignment(pk=assignment_id))
    refuse(why_not(viewer, IntakeVerb.FILL, locked), locked)
    now = timezone.now()
    assert viewer.profile is not None
    result: Score | None = score(locked.version.measure, answers) if locked.version.measure else None
    locked.keep_answers(answers)
    locked.status = AssignmentStatus.SUBMITTED
    locked.submitted_at = now
    locked.submitted_by = viewer.account
    locked.submitter_name = _name_in_chart(locked, viewer.profile)
    locked.revision += 1
    locked.measure = locked.version.measure
    locked.total = result.total if result else None
    locked.band = str(result.band) if result and result.band else ""
    locked.save(
        update_fields=[
            "answers_encrypted",
            "status",
            "submitted_at",
            "submitted_by",
            "submitter_name",
            "revision",
            "measure",
            "total",
            "band",
        ]
    )
    record_event(
        IntakeSubmitted(
            form=locked.form_id,
            version=locked.version.number,
            answered=len(answers),
            scored=result.total if result else None,
        ),
        actor=viewer.actor,
        acting_for=viewer.acting_for,
        practice_id=locked.practice_id,
        client=locked.client,
        target=locked,
    )
    if result is not None and result.alert:
        raise_alert(locked)
    return locked


def _file_paper(locked: FormAssignment, data: bytes, content_type: str, *, viewer: Viewer) -> Document:
    """Keep a form returned on paper in General Documents, as it was scanned: its record from then on."""
    now = timezone.now()
    document = Document.objects.create(
        practice=locked.practice,
        client=locked.client,
        type=intake_document_type(locked.practice, scored=bool(locked.version.measure)),
        title=_("%(title)s (returned on paper)") % {"title": locked.version.title},
        author=viewer.member if isinstance(viewer, StaffViewer) else locked.sent_by,
        document_date=timezone.localtime(now, practice_zone(locked.practice)).date(),
    )

    def record(version: DocumentVersion) -> None:
        record_event(
            DocumentCreated(type=document.type.name, source=VersionSource.UPLOAD, sha256=version.sha256),
            actor=viewer.actor,
            acting_for=viewer.acting_for,
            practice=locked.practice,
            client=locked.client,
            target=document,
        )

    write_version(
        document=document,
        data=data,
        content_type=content_type,
        source=VersionSource.UPLOAD,
        created_by=viewer.member if isinstance(viewer, StaffViewer) else None,
        record=record,
    )
    locked.on_paper = True
    locked.document = document
    locked.submitted_at = now
    return document


def upload_paper(*, viewer: PortalViewer, assignment: FormAssignment, data: bytes) -> FormAssignment:
    """The person returns the form filled on paper (PDF, PNG or JPEG, judged from its content): it is filed in
    General Documents and waits for the practice's acknowledgement like a form filled online."""
    content_type = detect_content_type(data)  # refuses a wrong type, an empty or a too large file in words
    with transaction.atomic():
        locked = _locked(assignment)
        refuse(why_not(viewer, IntakeVerb.FILL, locked), locked)
        assert viewer.profile is not None
        _file_paper(locked, data, content_type, viewer=viewer)
        locked.status = AssignmentStatus.SUBMITTED
        locked.submitted_by = viewer.account
        locked.submitter_name = _name_in_chart(locked, viewer.profile)
        locked.save(update_fields=["status", "on_paper", "document", "submitted_at", "submitted_by", "submitter_name"])
        record_event(
            IntakeSubmitted(form=locked.form_id, version=locked.version.number, answered=0),
            actor=viewer.actor,
            acting_for=viewer.acting_for,
            practice_id=locked.practice_id,
            client=locked.client,
            target=locked,
        )
    return locked


def receive_paper(*, by: StaffMember, assignment: FormAssignment, data: bytes) -> FormAssignment:
    """Staff upload a form that came back on paper (at the front desk, by post): it is filed in General Documents
    and, read as it is handed in, acknowledged at once, so it leaves every pending list."""
    content_type = detect_content_type(data)
    viewer = StaffViewer(by)
    with transaction.atomic():
        locked = _locked(assignment)
        refuse(why_not(viewer, IntakeVerb.SEND, locked))
        _file_paper(locked, data, content_type, viewer=viewer)
        locked.status = AssignmentStatus.ACKNOWLEDGED
        locked.submitter_name = locked.recipient_name
        locked.acknowledged_at = locked.submitted_at
        locked.acknowledged_by = by
        locked.save(
            update_fields=[
                "status",
                "on_paper",
                "document",
                "submitted_at",
                "submitter_name",
                "acknowledged_at",
                "acknowledged_by",
            ]
        )
        record_event(
            IntakeAcknowledged(form=locked.form_id, version=locked.version.number),
            actor=viewer.actor,
            practice=by.practice,
            client=locked.client,
            target=locked,
        )
    return locked


def _name_in_chart(assignment: FormAssignment, profile: ProfileAccess) -> str:
    """The person as the practice knows them: the client, or the guardian's contact record."""
    if assignment.capacity == Capacity.GUARDIAN and assignment.contact is not None:
        return assignment.contact.full_name
    if profile.kind == AccessKind.SELF:
        return assignment.client.full_name
    return assignment.recipient_name


# --- Alerts -----------------------------------------------------------------------------------------------


def alert_recipients(assignment: FormAssignment) -> list[StaffMember]:
    """Who is told at once: the client's clinician (or, when the chart names none, whoever sent the form) and
    the practice's administrators, each once and only while their sign-in is active."""
    clinician_id = assignment.client.clinician_id or assignment.sent_by_id
    staff = StaffMember.objects.filter(practice_id=assignment.practice_id, user__is_active=True).select_related("user")
    return [member for member in staff if member.role == Role.ADMINISTRATOR or member.pk == clinician_id]


def raise_alert(assignment: FormAssignment) -> SafetyAlert:
    """Flag the chart and email each recipient that a form answer needs review (no health information)."""
    alert, created = SafetyAlert.objects.get_or_create(
        assignment=assignment, defaults={"practice_id": assignment.practice_id, "client_id": assignment.client_id}
    )
    if not created:
        return alert
    recipients = alert_recipients(assignment)
    link = f"{settings.HAVEN_BASE_URL}{reverse('staff:home')}"
    for member in recipients:
        send_email_on_commit(
            to=member.user.email,
            template="staff_intake_alert",
            context={"practice": assignment.practice.name, "name": member.user.full_name, "link": link},
            practice=assignment.practice,
        )
    record_event(
        IntakeAlertRaised(assignment=assignment.pk, notified=len(recipients)),
        actor=Actor.system(),
        practice_id=assignment.practice_id,
        client=assignment.client,
        target=alert,
    )
    return alert


@transaction.atomic
def review_alert(*, by: StaffMember, alert: SafetyAlert) -> SafetyAlert:
    """A clinician marks the alert reviewed: the chart's flag goes away; the record stays."""
    viewer = StaffViewer(by)
    locked = SafetyAlert.objects.select_for_update(of=("self",)).select_related("assignment", "client").get(pk=alert.pk)
    if locked.practice_id != by.practice_id:
        raise ApplicationError(IntakeReason.NOT_CLINICIAN.words())
    refuse(why_not(viewer, IntakeVerb.REVIEW_ALERT, locked.assignment))
    if locked.reviewed_at is not None:
        return locked
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = by
    locked.save(update_fields=["reviewed_at", "reviewed_by"])
    record_event(
        IntakeAlertReviewed(assignment=locked.assignment_id),
        actor=viewer.actor,
        practice=by.practice,
        client=locked.client,
        target=locked,
    )
    return locked


# --- Back at the practice: acknowledge or send back (FORM-4) --------------------------------------------------


ASSESSMENT_TYPE = "Assessment Results"


def intake_document_type(practice: Practice, *, scored: bool = False) -> DocumentType:
    """Where an acknowledged form is filed in General Documents: the practice's intake type, or, for a scored
    measure (PHQ-9, GAD-7), a clinical type only staff who read clinical documents open (minimum necessary)."""
    if scored:
        found, _created = DocumentType.objects.get_or_create(
            practice=practice,
            name=ASSESSMENT_TYPE,
            defaults={"category": Category.EVALUATION, "clinical": True},
        )
        return found
    intake = DocumentType.objects.filter(practice=practice, category=Category.INTAKE).order_by("pk").first()
    if intake is None:
        intake = DocumentType.objects.create(
            practice=practice, name="Completed Intake Packet", category=Category.INTAKE
        )
    return intake


@transaction.atomic
def acknowledge(*, by: StaffMember, assignment: FormAssignment) -> Document:
    """Acknowledge: the form leaves the pending lists and its sealed PDF is filed in General Documents.

    The document is made now; its PDF (the questions of the version that was filled, the answers, the
    score and the signatures with their record) is rendered and sealed by a task once this commits.
    """
    viewer = StaffViewer(by)
    locked = _locked(assignment)
    refuse(why_not(viewer, IntakeVerb.ACKNOWLEDGE, locked))
    now = timezone.now()
    # A paper form is filed already, as it was uploaded: acknowledging it keeps it as it is.
    filed = locked.document if locked.on_paper else None
    document = filed or Document.objects.create(
        practice=locked.practice,
        client=locked.client,
        type=intake_document_type(locked.practice, scored=bool(locked.version.measure)),
        title=locked.version.title,
        author=by,
        document_date=timezone.localtime(locked.submitted_at or now, practice_zone(locked.practice)).date(),
    )
    locked.status = AssignmentStatus.ACKNOWLEDGED
    locked.acknowledged_at = now
    locked.acknowledged_by = by
    locked.document = document
    locked.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "document"])
    record_event(
        IntakeAcknowledged(form=locked.form_id, version=locked.version.number),
        actor=viewer.actor,
        practice=by.practice,
        client=locked.client,
        target=locked,
    )
    if filed is None:
        transaction.on_commit(partial(file_acknowledged_form.enqueue, assignment_id=locked.pk))
    return document


@transaction.atomic
def send_back(*, by: StaffMember, assignment: FormAssignment, note: str) -> FormAssignment:
    """Send a submitted form back to the person with a note: they can change it and submit again."""
    viewer = StaffViewer(by)
    locked = _locked(assignment)
    refuse(why_not(viewer, IntakeVerb.ACKNOWLEDGE, locked))
    note = note.strip()
    if not note:
        raise ApplicationError(_("Write a note saying what to change."))
    if len(note) > 2_000:
        raise ApplicationError(_("Keep the note under 2,000 characters."))
    access = recipient_access(locked)
    if access is None:
        raise ApplicationError(
            _("%(name)s no longer has portal access, so the form can't reach them.") % {"name": locked.recipient_name}
        )
    locked.status = AssignmentStatus.RETURNED
    locked.returned_at = timezone.now()
    locked.return_note = note
    locked.save(update_fields=["status", "returned_at", "return_note"])
    record_event(
        IntakeReturned(form=locked.form_id),
        actor=viewer.actor,
        practice=by.practice,
        client=locked.client,
        target=locked,
    )
    post_message(
        by=by,
        account=access.account,
        client=locked.client,
        kind=MessageKind.INTAKE,
        subject=_("A form was sent back to you"),
        body=_("%(practice)s sent back “%(title)s” with a note: %(note)s")
        % {"practice": by.practice.name, "title": locked.version.title, "note": note},
    )
    return locked
