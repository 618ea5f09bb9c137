"""Every kind of audit event, each with the shape of its details, so mypy checks what an event records.

One code, one class: ``AuditAction`` lists the codes exactly as the trail stores them (the hash
chain covers them, so a code is never renamed), and for each code a class named after it
(``document.shared_all`` → ``DocumentSharedAll``, ``portal.portal_user_added`` →
``PortalPortalUserAdded``) holds its details as typed, keyword-only fields. An event is
recorded by passing one::

    record_event(DocumentShared(audience=share.audience, contact=None, portal_user=None),
                 actor=..., practice=..., client=..., target=...)

A missing, misspelled or wrongly typed detail is a mypy error. A field declared
``= omitted()`` may be left out, and is then absent from the stored details (not null),
as events recorded before kept it. Who, where and what object an event is about are
``record_event``'s own arguments, never details. No health information in details: which
fields changed, never their values.

Adding a code: add its member to ``AuditAction``, its class here, and, when it can be about a
client, its words in ``haven.audit.labels.LABELS``; ``test_audit_events`` fails otherwise.

Converting an old call (a free-text ``action=`` code and a ``details=`` dict): take the class named after
the code and pass the dict's keys as its arguments.
"""

from __future__ import annotations

import dataclasses
import re
from enum import StrEnum
from typing import Any, ClassVar, dataclass_transform

__all__ = ["EVENT_TYPES", "AuditAction", "AuditDetails", "class_name_for", "omitted"]

_OMITTED_WHEN_NONE = "haven.audit.omitted_when_none"


def omitted() -> Any:
    """A detail that may be left out: when None, the stored details do not carry its key at all."""
    return dataclasses.field(default=None, metadata={_OMITTED_WHEN_NONE: True})


def class_name_for(code: str) -> str:
    """The class of an event code: ``portal.pin_failed`` → ``PortalPinFailed``."""
    return "".join(part.capitalize() for part in re.split(r"[._]", code))


# ruff: noqa: S105 (codes such as "auth.password_reset" name events; they are no passwords)
class AuditAction(StrEnum):
    """Every code the audit trail records, exactly as stored (the hash chain covers it: never rename one)."""

    ACCESS_DENIED = "access.denied"
    ACCESS_FORBIDDEN = "access.forbidden"
    ACTIVITY_ASSIGNED = "activity.assigned"
    ACTIVITY_DONE = "activity.done"
    ACTIVITY_FILE_DOWNLOADED = "activity.file_downloaded"
    ACTIVITY_REOPENED = "activity.reopened"
    ACTIVITY_WITHDRAWN = "activity.withdrawn"
    APPOINTMENT_BOOKED = "appointment.booked"
    APPOINTMENT_CANCELLED = "appointment.cancelled"
    APPOINTMENT_CHANGED = "appointment.changed"
    APPOINTMENT_CREATED = "appointment.created"
    APPOINTMENT_REMINDER_SENT = "appointment.reminder_sent"
    APPOINTMENT_REQUEST_APPROVED = "appointment.request_approved"
    APPOINTMENT_REQUEST_DECLINED = "appointment.request_declined"
    APPOINTMENT_REQUEST_WITHDRAWN = "appointment.request_withdrawn"
    APPOINTMENT_REQUESTED = "appointment.requested"
    APPOINTMENT_RESCHEDULED = "appointment.rescheduled"
    AUTH_LOCKED_OUT = "auth.locked_out"
    AUTH_LOGIN = "auth.login"
    AUTH_LOGIN_FAILED = "auth.login_failed"
    AUTH_LOGIN_THROTTLED = "auth.login_throttled"
    AUTH_LOGOUT = "auth.logout"
    AUTH_PASSWORD_RESET = "auth.password_reset"
    AUTH_PASSWORD_RESET_REQUESTED = "auth.password_reset_requested"
    AUTH_TWO_FACTOR_ENROLLED = "auth.two_factor_enrolled"
    AUTH_TWO_FACTOR_FAILED = "auth.two_factor_failed"
    AUTH_TWO_FACTOR_THROTTLED = "auth.two_factor_throttled"
    AUTH_TWO_FACTOR_VERIFIED = "auth.two_factor_verified"
    CALENDAR_FEED_ISSUED = "calendar.feed_issued"
    CALENDAR_FEED_REVOKED = "calendar.feed_revoked"
    CHART_VIEWED = "chart.viewed"
    CLIENT_CHANGED = "client.changed"
    CLIENT_CREATED = "client.created"
    CONTACT_ADDED = "contact.added"
    CONTACT_CHANGED = "contact.changed"
    CONTACT_REMOVED = "contact.removed"
    DOCUMENT_CREATED = "document.created"
    DOCUMENT_DOWNLOADED = "document.downloaded"
    DOCUMENT_NOTE_WRITTEN = "document.note_written"
    DOCUMENT_RENDERED = "document.rendered"
    DOCUMENT_SHARED = "document.shared"
    DOCUMENT_SHARED_ALL = "document.shared_all"
    DOCUMENT_UNSHARED = "document.unshared"
    DOCUMENT_VERSION_ADDED = "document.version_added"
    DOCUMENT_VIEWED = "document.viewed"
    DOCUMENT_TYPE_EXCEPTIONS_CHANGED = "document_type.exceptions_changed"
    FACILITY_CHANGED = "facility.changed"
    FACILITY_CREATED = "facility.created"
    FORM_ARCHIVED = "form.archived"
    FORM_COPIED = "form.copied"
    FORM_CREATED = "form.created"
    FORM_EXPORTED = "form.exported"
    FORM_IMPORTED = "form.imported"
    FORM_PRINTED = "form.printed"
    FORM_PUBLISHED = "form.published"
    FORM_RESTORED = "form.restored"
    GROUP_NOTE_CREATED = "group_note.created"
    GROUP_NOTE_SHARED = "group_note.shared"
    GROUP_NOTE_UNSHARED = "group_note.unshared"
    INTAKE_ACKNOWLEDGED = "intake.acknowledged"
    INTAKE_ALERT_RAISED = "intake.alert_raised"
    INTAKE_ALERT_REVIEWED = "intake.alert_reviewed"
    INTAKE_CANCELLED = "intake.cancelled"
    INTAKE_DRAFT_SAVED = "intake.draft_saved"
    INTAKE_EXPORTED = "intake.exported"
    INTAKE_REFUSED = "intake.refused"
    INTAKE_REMINDED = "intake.reminded"
    INTAKE_RETURNED = "intake.returned"
    INTAKE_SENT = "intake.sent"
    INTAKE_SUBMITTED = "intake.submitted"
    INTAKE_VIEWED = "intake.viewed"
    MESSAGE_ARCHIVED = "message.archived"
    MESSAGE_ASSIGNED = "message.assigned"
    MESSAGE_ATTACHMENT_DOWNLOADED = "message.attachment_downloaded"
    MESSAGE_ATTACHMENT_FILED = "message.attachment_filed"
    MESSAGE_READ = "message.read"
    MESSAGE_RESTORED = "message.restored"
    MESSAGE_SENT = "message.sent"
    PORTAL_ACCESS_REVOKED = "portal.access_revoked"
    PORTAL_EMAIL_VERIFIED = "portal.email_verified"
    PORTAL_GUARDIAN_ACCESS_ENDED = "portal.guardian_access_ended"
    PORTAL_GUARDIAN_RENEWED = "portal.guardian_renewed"
    PORTAL_INSTRUCTIONS_PRINTED = "portal.instructions_printed"
    PORTAL_INVITATION_ACCEPTED = "portal.invitation_accepted"
    PORTAL_INVITATION_RESENT = "portal.invitation_resent"
    PORTAL_INVITED = "portal.invited"
    PORTAL_LINKED = "portal.linked"
    PORTAL_LOGIN = "portal.login"
    PORTAL_LOGIN_FAILED = "portal.login_failed"
    PORTAL_LOGIN_THROTTLED = "portal.login_throttled"
    PORTAL_LOGOUT = "portal.logout"
    PORTAL_PASSWORD_RESET = "portal.password_reset"
    PORTAL_PASSWORD_RESET_REQUESTED = "portal.password_reset_requested"
    PORTAL_PASSWORD_SET = "portal.password_set"
    PORTAL_PIN_CONFIRMED = "portal.pin_confirmed"
    PORTAL_PIN_FAILED = "portal.pin_failed"
    PORTAL_PIN_ISSUED = "portal.pin_issued"
    PORTAL_PORTAL_USER_ADDED = "portal.portal_user_added"
    PORTAL_PROFILE_SELECTED = "portal.profile_selected"
    PORTAL_REGISTRATION_REQUESTED = "portal.registration_requested"
    PORTAL_SESSION_ENDED = "portal.session_ended"
    PORTAL_TWO_FACTOR_DISABLED = "portal.two_factor_disabled"
    PORTAL_TWO_FACTOR_ENABLED = "portal.two_factor_enabled"
    PORTAL_TWO_FACTOR_FAILED = "portal.two_factor_failed"
    PORTAL_TWO_FACTOR_RESET = "portal.two_factor_reset"
    PORTAL_TWO_FACTOR_SETUP_STARTED = "portal.two_factor_setup_started"
    PORTAL_TWO_FACTOR_VERIFIED = "portal.two_factor_verified"
    PRACTICE_CREATED = "practice.created"
    PRACTICE_LOGO_CHANGED = "practice.logo_changed"
    PRACTICE_SETTINGS_CHANGED = "practice.settings_changed"
    SIGNATURE_CANCELLED = "signature.cancelled"
    SIGNATURE_CONSENTED = "signature.consented"
    SIGNATURE_DECLINED = "signature.declined"
    SIGNATURE_EXPIRED = "signature.expired"
    SIGNATURE_REFUSED = "signature.refused"
    SIGNATURE_REMINDED = "signature.reminded"
    SIGNATURE_REQUESTED = "signature.requested"
    SIGNATURE_SEALED = "signature.sealed"
    SIGNATURE_SIGNED = "signature.signed"
    SIGNATURE_VERIFIED = "signature.verified"
    SIGNATURE_VIEWED = "signature.viewed"
    SIGNING_CERTIFICATE_CREATED = "signing.certificate_created"
    STAFF_DISABLED = "staff.disabled"
    STAFF_ENABLED = "staff.enabled"
    STAFF_INVITATION_ACCEPTED = "staff.invitation_accepted"
    STAFF_INVITATION_RESENT = "staff.invitation_resent"
    STAFF_INVITED = "staff.invited"
    STAFF_PERMISSION_GRANTED = "staff.permission_granted"
    STAFF_PERMISSION_REVOKED = "staff.permission_revoked"
    STAFF_RECOVERY_CODE_USED = "staff.recovery_code_used"
    STAFF_RECOVERY_CODES_REFUSED = "staff.recovery_codes_refused"
    STAFF_RECOVERY_CODES_REGENERATED = "staff.recovery_codes_regenerated"
    STAFF_ROLE_CHANGED = "staff.role_changed"
    STAFF_TWO_FACTOR_RESET = "staff.two_factor_reset"


# Every event type by its code, filled as the classes below are defined.
EVENT_TYPES: dict[AuditAction, type[AuditDetails]] = {}


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(dataclasses.field,))
class AuditDetails:
    """One kind of event and its details; subclasses become frozen, keyword-only dataclasses."""

    action: ClassVar[AuditAction]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(frozen=True, kw_only=True)(cls)
        if cls.action in EVENT_TYPES:
            raise TypeError(f"{cls.action} already has its class, {EVENT_TYPES[cls.action].__name__}.")
        EVENT_TYPES[cls.action] = cls

    def details(self) -> dict[str, Any]:
        """The details as stored: every field, but those declared ``omitted()`` only when set."""
        stored = {}
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, field.name)
            if value is None and field.metadata.get(_OMITTED_WHEN_NONE):
                continue
            stored[field.name] = value
        return stored


class AccessDenied(AuditDetails):
    """Was refused something outside their reach (a lookup answered 404)."""

    action: ClassVar[AuditAction] = AuditAction.ACCESS_DENIED
    object_type: str
    object_id: str
    path: str


class AccessForbidden(AuditDetails):
    """A staff page their role does not open (403)."""

    action: ClassVar[AuditAction] = AuditAction.ACCESS_FORBIDDEN
    path: str
    permission: str


class ActivityAssigned(AuditDetails):
    """A Home Activity was assigned to a client (the target is the activity)."""

    action: ClassVar[AuditAction] = AuditAction.ACTIVITY_ASSIGNED
    has_file: bool
    form: int | None = omitted()
    due_on: str | None = omitted()
    repeat: str | None = omitted()


class ActivityDone(AuditDetails):
    """A portal user marked a Home Activity done (with a completed worksheet or not)."""

    action: ClassVar[AuditAction] = AuditAction.ACTIVITY_DONE
    uploaded: bool
    sha256: str | None = omitted()


class ActivityFileDownloaded(AuditDetails):
    """A Home Activity's worksheet, or the completed one a portal user uploaded, was opened."""

    action: ClassVar[AuditAction] = AuditAction.ACTIVITY_FILE_DOWNLOADED
    completed: bool


class ActivityReopened(AuditDetails):
    """A portal user or staff took back a Home Activity's Done."""

    action: ClassVar[AuditAction] = AuditAction.ACTIVITY_REOPENED


class ActivityWithdrawn(AuditDetails):
    """Staff withdrew a Home Activity from the portal."""

    action: ClassVar[AuditAction] = AuditAction.ACTIVITY_WITHDRAWN


class AppointmentBooked(AuditDetails):
    """A portal user booked an open time themselves (the target is the appointment)."""

    action: ClassVar[AuditAction] = AuditAction.APPOINTMENT_BOOKED
    clinician: int
    starts_at: str


class AppointmentCancelled(AuditDetails):
    """An appointment was cancelled; ``late`` when inside the practice's cancellation window."""

    action: ClassVar[AuditAction] = AuditAction.APPOINTMENT_CANCELLED
    late: bool
    by_portal: bool
    occurrences: int | None = omitted()


class AppointmentChanged(AuditDetails):
    """Staff changed an appointment (which fields; never their values), or its status."""

    action: ClassVar[AuditAction] = AuditAction.APPOINTMENT_CHANGED
    fields: list[str]
    status: str | None = omitted()


class AppointmentCreated(AuditDetails):
    """Staff made an appointment (or a series of them: ``occurrences``)."""

    action: ClassVar[AuditAction] = AuditAction.APPOINTMENT_CREATED
    clinician: int
    starts_at: str
    occurrences: int | None = omitted()


class AppointmentReminderSent(AuditDetails):
    """A reminder of an appointment went out (the target is the appointment)."""

    action: ClassVar[AuditAction] = AuditAction.APPOINTMENT_REMINDER_SENT
    reminder: int
    channel: str
    offset_hours: int
    account: int


class AppointmentRequestApproved(AuditDetails):
    """Staff approved a portal user's appointment request and booked it (the target is the request)."""

    action: ClassVar[AuditAction] = AuditAction.APPOINTMENT_REQUEST_APPROVED
    appointment: int


class AppointmentRequestDeclined(AuditDetails):
    """Staff declined a portal user's appointment request."""

    action: ClassVar[AuditAction] = AuditAction.APPOINTMENT_REQUEST_DECLINED


class AppointmentRequestWithdrawn(AuditDetails):
    """The portal user took back their appointment request."""

    action: ClassVar[AuditAction] = AuditAction.APPOINTMENT_REQUEST_WITHDRAWN


class AppointmentRequested(AuditDetails):
    """A portal user asked for an appointment (the target is the request)."""

    action: ClassVar[AuditAction] = AuditAction.APPOINTMENT_REQUESTED
    account: int


class AppointmentRescheduled(AuditDetails):
    """An appointment moved to another time (or clinician)."""

    action: ClassVar[AuditAction] = AuditAction.APPOINTMENT_RESCHEDULED
    starts_at: str
    by_portal: bool
    sequence: int


class CalendarFeedIssued(AuditDetails):
    """A portal login made its private calendar subscription (a new address ends the old one)."""

    action: ClassVar[AuditAction] = AuditAction.CALENDAR_FEED_ISSUED
    feed: int
    replaced: int | None = omitted()


class CalendarFeedRevoked(AuditDetails):
    """A portal login's calendar subscription address was turned off."""

    action: ClassVar[AuditAction] = AuditAction.CALENDAR_FEED_REVOKED
    feed: int


class AuthLockedOut(AuditDetails):
    """django-axes locked a staff sign-in at one address."""

    action: ClassVar[AuditAction] = AuditAction.AUTH_LOCKED_OUT
    email: str


class AuthLogin(AuditDetails):
    """A staff member signed in."""

    action: ClassVar[AuditAction] = AuditAction.AUTH_LOGIN


class AuthLoginFailed(AuditDetails):
    """A wrong staff password."""

    action: ClassVar[AuditAction] = AuditAction.AUTH_LOGIN_FAILED
    email: str


class AuthLoginThrottled(AuditDetails):
    """A staff sign-in refused by the per-account throttle."""

    action: ClassVar[AuditAction] = AuditAction.AUTH_LOGIN_THROTTLED
    email: str
    wait_seconds: int


class AuthLogout(AuditDetails):
    """A staff member signed out."""

    action: ClassVar[AuditAction] = AuditAction.AUTH_LOGOUT


class AuthPasswordReset(AuditDetails):
    """A staff member set a new password through a reset link."""

    action: ClassVar[AuditAction] = AuditAction.AUTH_PASSWORD_RESET


class AuthPasswordResetRequested(AuditDetails):
    """Someone asked for a staff password reset link."""

    action: ClassVar[AuditAction] = AuditAction.AUTH_PASSWORD_RESET_REQUESTED
    email: str


class AuthTwoFactorEnrolled(AuditDetails):
    """A staff member turned on two-step sign-in."""

    action: ClassVar[AuditAction] = AuditAction.AUTH_TWO_FACTOR_ENROLLED
    recovery_codes: int


class AuthTwoFactorFailed(AuditDetails):
    """A wrong staff second factor (``method="recovery_code"`` for a recovery code)."""

    action: ClassVar[AuditAction] = AuditAction.AUTH_TWO_FACTOR_FAILED
    method: str | None = omitted()


class AuthTwoFactorThrottled(AuditDetails):
    """A staff second factor refused for too many attempts."""

    action: ClassVar[AuditAction] = AuditAction.AUTH_TWO_FACTOR_THROTTLED
    method: str | None = omitted()


class AuthTwoFactorVerified(AuditDetails):
    """A staff member passed the second factor."""

    action: ClassVar[AuditAction] = AuditAction.AUTH_TWO_FACTOR_VERIFIED


class ChartViewed(AuditDetails):
    """A staff member opened a client's chart."""

    action: ClassVar[AuditAction] = AuditAction.CHART_VIEWED


class ClientChanged(AuditDetails):
    """A chart changed: which fields, never their values."""

    action: ClassVar[AuditAction] = AuditAction.CLIENT_CHANGED
    fields: list[str]


class ClientCreated(AuditDetails):
    """A chart was created."""

    action: ClassVar[AuditAction] = AuditAction.CLIENT_CREATED


class ContactAdded(AuditDetails):
    """A related contact was added."""

    action: ClassVar[AuditAction] = AuditAction.CONTACT_ADDED
    relationship: str
    web_portal: bool
    legal_guardian: bool
    linked_client: int | None


class ContactChanged(AuditDetails):
    """A related contact changed (the portal flags' new values when they changed)."""

    action: ClassVar[AuditAction] = AuditAction.CONTACT_CHANGED
    fields: list[str]
    web_portal: bool | None = omitted()
    legal_guardian: bool | None = omitted()


class ContactRemoved(AuditDetails):
    """A related contact was removed."""

    action: ClassVar[AuditAction] = AuditAction.CONTACT_REMOVED
    relationship: str
    name: str


class DocumentCreated(AuditDetails):
    """A document was added (uploaded or generated)."""

    action: ClassVar[AuditAction] = AuditAction.DOCUMENT_CREATED
    type: str
    source: str
    sha256: str


class DocumentDownloaded(AuditDetails):
    """A document was downloaded (``profile``: the portal profile it was downloaded for)."""

    action: ClassVar[AuditAction] = AuditAction.DOCUMENT_DOWNLOADED
    version: int
    profile: int | None = omitted()


class DocumentNoteWritten(AuditDetails):
    """A note was written."""

    action: ClassVar[AuditAction] = AuditAction.DOCUMENT_NOTE_WRITTEN
    type: str
    sections: int


class DocumentRendered(AuditDetails):
    """A note's PDF was made."""

    action: ClassVar[AuditAction] = AuditAction.DOCUMENT_RENDERED
    version: int
    sha256: str
    size: int


class DocumentShared(AuditDetails):
    """A document was shared to the portal."""

    action: ClassVar[AuditAction] = AuditAction.DOCUMENT_SHARED
    audience: str
    contact: int | None
    portal_user: int | None


class DocumentSharedAll(AuditDetails):
    """Every available document was shared at once."""

    action: ClassVar[AuditAction] = AuditAction.DOCUMENT_SHARED_ALL
    audience: str
    documents: list[int]
    contact: int | None = omitted()


class DocumentUnshared(AuditDetails):
    """A share was withdrawn."""

    action: ClassVar[AuditAction] = AuditAction.DOCUMENT_UNSHARED
    audience: str
    contact: int | None
    portal_user: int | None


class DocumentVersionAdded(AuditDetails):
    """A new version of a document."""

    action: ClassVar[AuditAction] = AuditAction.DOCUMENT_VERSION_ADDED
    version: int
    sha256: str


class DocumentViewed(AuditDetails):
    """A document was viewed (``profile``: the portal profile it was viewed for)."""

    action: ClassVar[AuditAction] = AuditAction.DOCUMENT_VIEWED
    version: int
    profile: int | None = omitted()


class DocumentTypeExceptionsChanged(AuditDetails):
    """A document type's sharing exceptions changed."""

    action: ClassVar[AuditAction] = AuditAction.DOCUMENT_TYPE_EXCEPTIONS_CHANGED
    before: dict[str, Any]
    after: dict[str, Any]


class FacilityChanged(AuditDetails):
    """A facility was changed."""

    action: ClassVar[AuditAction] = AuditAction.FACILITY_CHANGED
    name: str


class FacilityCreated(AuditDetails):
    """A facility was added."""

    action: ClassVar[AuditAction] = AuditAction.FACILITY_CREATED
    name: str


class GroupNoteCreated(AuditDetails):
    """A group note and its copies were written."""

    action: ClassVar[AuditAction] = AuditAction.GROUP_NOTE_CREATED
    type: str
    content_type: str
    copies: list[int]


class GroupNoteShared(AuditDetails):
    """A group note's copies were shared."""

    action: ClassVar[AuditAction] = AuditAction.GROUP_NOTE_SHARED
    audience: str
    copies: list[int]


class GroupNoteUnshared(AuditDetails):
    """A group note's copies stopped being shared."""

    action: ClassVar[AuditAction] = AuditAction.GROUP_NOTE_UNSHARED
    audience: str
    copies: list[int]


class FormArchived(AuditDetails):
    """A form was archived: it can no longer be sent; what was sent with it stays."""

    action: ClassVar[AuditAction] = AuditAction.FORM_ARCHIVED
    title: str


class FormCopied(AuditDetails):
    """A form was copied (``source``: the form copied; ``kind``: the copy's kind, "intake" for Copy to intake form)."""

    action: ClassVar[AuditAction] = AuditAction.FORM_COPIED
    source: int
    kind: str


class FormCreated(AuditDetails):
    """A form was made (``template``: the default form it began as, if any)."""

    action: ClassVar[AuditAction] = AuditAction.FORM_CREATED
    kind: str
    template: str = ""


class FormExported(AuditDetails):
    """A form's definition was exported as a FHIR Questionnaire."""

    action: ClassVar[AuditAction] = AuditAction.FORM_EXPORTED
    version: int


class FormImported(AuditDetails):
    """A form was made from an imported FHIR Questionnaire."""

    action: ClassVar[AuditAction] = AuditAction.FORM_IMPORTED
    fields: int


class FormPrinted(AuditDetails):
    """A blank form was printed or downloaded as a PDF (``profile``: the portal profile it was for)."""

    action: ClassVar[AuditAction] = AuditAction.FORM_PRINTED
    version: int
    profile: int | None = omitted()


class FormPublished(AuditDetails):
    """A form's changes were published as a new version (``changed``: keys of the fields added, changed or removed)."""

    action: ClassVar[AuditAction] = AuditAction.FORM_PUBLISHED
    version: int
    changed: list[str]


class FormRestored(AuditDetails):
    """An archived form was brought back."""

    action: ClassVar[AuditAction] = AuditAction.FORM_RESTORED
    title: str


class IntakeAcknowledged(AuditDetails):
    """Staff acknowledged a submitted form: its PDF goes into General Documents."""

    action: ClassVar[AuditAction] = AuditAction.INTAKE_ACKNOWLEDGED
    form: int
    version: int


class IntakeAlertRaised(AuditDetails):
    """A PHQ-9 item 9 answer above 0 raised a safety alert (``notified``: how many staff were emailed)."""

    action: ClassVar[AuditAction] = AuditAction.INTAKE_ALERT_RAISED
    assignment: int
    notified: int


class IntakeAlertReviewed(AuditDetails):
    """A clinician marked a safety alert reviewed."""

    action: ClassVar[AuditAction] = AuditAction.INTAKE_ALERT_REVIEWED
    assignment: int


class IntakeCancelled(AuditDetails):
    """Staff withdrew a form that was not yet submitted."""

    action: ClassVar[AuditAction] = AuditAction.INTAKE_CANCELLED
    form: int


class IntakeDraftSaved(AuditDetails):
    """A portal user's answers were saved as a draft (``answered``: how many questions have an answer)."""

    action: ClassVar[AuditAction] = AuditAction.INTAKE_DRAFT_SAVED
    revision: int
    answered: int


class IntakeExported(AuditDetails):
    """A form's answers were exported as a FHIR QuestionnaireResponse."""

    action: ClassVar[AuditAction] = AuditAction.INTAKE_EXPORTED
    version: int


class IntakeRefused(AuditDetails):
    """A submission was refused (``problems``: the keys of the fields with a problem, never their answers)."""

    action: ClassVar[AuditAction] = AuditAction.INTAKE_REFUSED
    problems: list[str]


class IntakeReminded(AuditDetails):
    """A reminder that forms are waiting was emailed (``forms``: the forms still open)."""

    action: ClassVar[AuditAction] = AuditAction.INTAKE_REMINDED
    forms: list[int]
    account: int


class IntakeReturned(AuditDetails):
    """Staff sent a submitted form back to the portal user with a note."""

    action: ClassVar[AuditAction] = AuditAction.INTAKE_RETURNED
    form: int


class IntakeSent(AuditDetails):
    """Forms were sent to a client's portal (``packet``: None for a single form sent on its own)."""

    action: ClassVar[AuditAction] = AuditAction.INTAKE_SENT
    packet: int | None
    forms: list[int]
    capacity: str
    account: int
    contact: int | None = omitted()
    prefilled: list[str]


class IntakeSubmitted(AuditDetails):
    """A portal user submitted a form (``scored``: the measure's total, None when incomplete or not scored)."""

    action: ClassVar[AuditAction] = AuditAction.INTAKE_SUBMITTED
    form: int
    version: int
    answered: int
    scored: int | None = omitted()


class IntakeViewed(AuditDetails):
    """A form and its answers were opened (by the portal user filling it, or by staff)."""

    action: ClassVar[AuditAction] = AuditAction.INTAKE_VIEWED
    form: int
    version: int


class MessageArchived(AuditDetails):
    """A participant archived a thread (for themselves: nothing is deleted)."""

    action: ClassVar[AuditAction] = AuditAction.MESSAGE_ARCHIVED


class MessageAssigned(AuditDetails):
    """A thread written to the practice team was assigned to a staff member."""

    action: ClassVar[AuditAction] = AuditAction.MESSAGE_ASSIGNED
    staff: int


class MessageAttachmentDownloaded(AuditDetails):
    """A message's attachment was opened or downloaded."""

    action: ClassVar[AuditAction] = AuditAction.MESSAGE_ATTACHMENT_DOWNLOADED
    attachment: int
    sha256: str


class MessageAttachmentFiled(AuditDetails):
    """A message's attachment was filed into the client's documents."""

    action: ClassVar[AuditAction] = AuditAction.MESSAGE_ATTACHMENT_FILED
    attachment: int
    document: int


class MessageRead(AuditDetails):
    """A thread's new messages were read (the target is the thread, or a message of the old inbox)."""

    action: ClassVar[AuditAction] = AuditAction.MESSAGE_READ
    through: int | None = omitted()


class MessageRestored(AuditDetails):
    """A participant took an archived thread back into their inbox."""

    action: ClassVar[AuditAction] = AuditAction.MESSAGE_RESTORED


class MessageSent(AuditDetails):
    """A secure message was sent (the target is the message; ``thread`` is its thread)."""

    action: ClassVar[AuditAction] = AuditAction.MESSAGE_SENT
    kind: str
    account: int
    thread: int | None = omitted()
    attachments: int | None = omitted()
    reply: bool | None = omitted()


class PortalAccessRevoked(AuditDetails):
    """A portal login's access to a profile was removed."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_ACCESS_REVOKED
    email: str
    reason: str | None = omitted()


class PortalEmailVerified(AuditDetails):
    """A portal login confirmed its email address."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_EMAIL_VERIFIED


class PortalGuardianAccessEnded(AuditDetails):
    """A guardian's access ended at the age of majority."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_GUARDIAN_ACCESS_ENDED
    age_of_majority: int
    guardian: str


class PortalGuardianRenewed(AuditDetails):
    """A guardian's access was renewed (``until``: an ISO date)."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_GUARDIAN_RENEWED
    until: str
    previous_status: str


class PortalInstructionsPrinted(AuditDetails):
    """The portal instruction sheet was printed."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_INSTRUCTIONS_PRINTED
    with_pin: bool


class PortalInvitationAccepted(AuditDetails):
    """A portal invitation was accepted."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_INVITATION_ACCEPTED


class PortalInvitationResent(AuditDetails):
    """A portal invitation was sent again."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_INVITATION_RESENT


class PortalInvited(AuditDetails):
    """Someone was invited to the portal."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_INVITED
    email: str
    capacity: str
    contact: int | None


class PortalLinked(AuditDetails):
    """An existing portal login was linked to a profile."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_LINKED
    email: str
    capacity: str


class PortalLogin(AuditDetails):
    """A portal login signed in."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_LOGIN


class PortalLoginFailed(AuditDetails):
    """A wrong portal password."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_LOGIN_FAILED
    email: str


class PortalLoginThrottled(AuditDetails):
    """A portal sign-in refused by the per-account throttle."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_LOGIN_THROTTLED
    email: str
    wait_seconds: int


class PortalLogout(AuditDetails):
    """A portal login signed out."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_LOGOUT
    reason: str


class PortalPasswordReset(AuditDetails):
    """A portal password was reset through a link."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_PASSWORD_RESET


class PortalPasswordResetRequested(AuditDetails):
    """Someone asked for a portal password reset link."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_PASSWORD_RESET_REQUESTED
    email: str


class PortalPasswordSet(AuditDetails):
    """A portal password was set through an invitation."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_PASSWORD_SET


class PortalPinConfirmed(AuditDetails):
    """The portal PIN was entered."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_PIN_CONFIRMED


class PortalPinFailed(AuditDetails):
    """A wrong portal PIN."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_PIN_FAILED
    attempts_left: int


class PortalPinIssued(AuditDetails):
    """A portal PIN was issued."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_PIN_ISSUED


class PortalPortalUserAdded(AuditDetails):
    """A portal user was added to a profile."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_PORTAL_USER_ADDED
    email: str
    new_account: bool


class PortalProfileSelected(AuditDetails):
    """A portal login opened one of its profiles."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_PROFILE_SELECTED


class PortalRegistrationRequested(AuditDetails):
    """Someone asked to register for the portal."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_REGISTRATION_REQUESTED
    email: str


class PortalSessionEnded(AuditDetails):
    """A portal session ended on its own (idle, expired)."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_SESSION_ENDED
    reason: str


class PortalTwoFactorDisabled(AuditDetails):
    """A portal login turned off two-step sign-in."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_TWO_FACTOR_DISABLED


class PortalTwoFactorEnabled(AuditDetails):
    """A portal login turned on two-step sign-in."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_TWO_FACTOR_ENABLED


class PortalTwoFactorFailed(AuditDetails):
    """A wrong portal second factor."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_TWO_FACTOR_FAILED
    reason: str
    step: str


class PortalTwoFactorReset(AuditDetails):
    """Staff turned off a portal login's two-step sign-in."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_TWO_FACTOR_RESET
    account: int


class PortalTwoFactorSetupStarted(AuditDetails):
    """A portal login began setting up two-step sign-in."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_TWO_FACTOR_SETUP_STARTED


class PortalTwoFactorVerified(AuditDetails):
    """A portal login passed the second factor."""

    action: ClassVar[AuditAction] = AuditAction.PORTAL_TWO_FACTOR_VERIFIED


class PracticeCreated(AuditDetails):
    """A practice was created with its first administrator."""

    action: ClassVar[AuditAction] = AuditAction.PRACTICE_CREATED
    administrator: str


class PracticeLogoChanged(AuditDetails):
    """The practice's logo changed."""

    action: ClassVar[AuditAction] = AuditAction.PRACTICE_LOGO_CHANGED
    bytes: int
    type: str


class PracticeSettingsChanged(AuditDetails):
    """The practice's settings changed (``{field: {"from": ..., "to": ...}}``)."""

    action: ClassVar[AuditAction] = AuditAction.PRACTICE_SETTINGS_CHANGED
    changed: dict[str, dict[str, str]]


class SignatureCancelled(AuditDetails):
    """A signature request was cancelled."""

    action: ClassVar[AuditAction] = AuditAction.SIGNATURE_CANCELLED
    document: int


class SignatureConsented(AuditDetails):
    """The signer agreed to sign electronically."""

    action: ClassVar[AuditAction] = AuditAction.SIGNATURE_CONSENTED
    disclosure_version: str


class SignatureDeclined(AuditDetails):
    """The signer declined to sign."""

    action: ClassVar[AuditAction] = AuditAction.SIGNATURE_DECLINED
    document: int


class SignatureExpired(AuditDetails):
    """A signature request lapsed (``expired_at``: ISO moment)."""

    action: ClassVar[AuditAction] = AuditAction.SIGNATURE_EXPIRED
    document: int
    expired_at: str


class SignatureRefused(AuditDetails):
    """A signature was not accepted (``reason``: a refusal code)."""

    action: ClassVar[AuditAction] = AuditAction.SIGNATURE_REFUSED
    request: int
    reason: str


class SignatureReminded(AuditDetails):
    """A signature reminder was sent."""

    action: ClassVar[AuditAction] = AuditAction.SIGNATURE_REMINDED
    document: int
    reminder: int


class SignatureRequested(AuditDetails):
    """A signature was asked for."""

    action: ClassVar[AuditAction] = AuditAction.SIGNATURE_REQUESTED
    document: int
    version: int
    sha256: str
    capacity: str
    contact: int | None
    account: int


class SignatureSealed(AuditDetails):
    """A signed version was sealed and stored."""

    action: ClassVar[AuditAction] = AuditAction.SIGNATURE_SEALED
    document: int
    version: int
    sha256: str
    sha256_signed: str
    current: bool


class SignatureSigned(AuditDetails):
    """A document was signed."""

    action: ClassVar[AuditAction] = AuditAction.SIGNATURE_SIGNED
    request: int
    document: int
    capacity: str
    method: str
    sha256_before: str
    device: str


class SignatureVerified(AuditDetails):
    """A file's seal was checked (``version``: the version's id when found)."""

    action: ClassVar[AuditAction] = AuditAction.SIGNATURE_VERIFIED
    sha256: str
    intact: bool
    valid: bool
    version: int | None


class SignatureViewed(AuditDetails):
    """The signer opened a document to sign."""

    action: ClassVar[AuditAction] = AuditAction.SIGNATURE_VIEWED
    document: int
    version: int


class SigningCertificateCreated(AuditDetails):
    """A practice's seal certificate was made."""

    action: ClassVar[AuditAction] = AuditAction.SIGNING_CERTIFICATE_CREATED
    serial: str
    fingerprint: str
    self_managed: bool
    not_after: str
    replaces: int | None


class StaffDisabled(AuditDetails):
    """A staff login was disabled."""

    action: ClassVar[AuditAction] = AuditAction.STAFF_DISABLED


class StaffEnabled(AuditDetails):
    """A staff login was enabled again."""

    action: ClassVar[AuditAction] = AuditAction.STAFF_ENABLED


class StaffInvitationAccepted(AuditDetails):
    """A staff invitation was accepted."""

    action: ClassVar[AuditAction] = AuditAction.STAFF_INVITATION_ACCEPTED


class StaffInvitationResent(AuditDetails):
    """A staff invitation was sent again."""

    action: ClassVar[AuditAction] = AuditAction.STAFF_INVITATION_RESENT


class StaffInvited(AuditDetails):
    """A staff member was invited."""

    action: ClassVar[AuditAction] = AuditAction.STAFF_INVITED
    email: str
    role: str
    permissions: list[str]


class StaffPermissionGranted(AuditDetails):
    """A staff member was given a permission."""

    action: ClassVar[AuditAction] = AuditAction.STAFF_PERMISSION_GRANTED
    permission: str
    staff: str


class StaffPermissionRevoked(AuditDetails):
    """A staff member lost a permission."""

    action: ClassVar[AuditAction] = AuditAction.STAFF_PERMISSION_REVOKED
    permission: str
    staff: str


class StaffRecoveryCodeUsed(AuditDetails):
    """A staff recovery code was used."""

    action: ClassVar[AuditAction] = AuditAction.STAFF_RECOVERY_CODE_USED
    remaining: int


class StaffRecoveryCodesRefused(AuditDetails):
    """New recovery codes were refused."""

    action: ClassVar[AuditAction] = AuditAction.STAFF_RECOVERY_CODES_REFUSED
    reason: str


class StaffRecoveryCodesRegenerated(AuditDetails):
    """New recovery codes replaced the old ones."""

    action: ClassVar[AuditAction] = AuditAction.STAFF_RECOVERY_CODES_REGENERATED
    count: int
    voided: int


class StaffRoleChanged(AuditDetails):
    """A staff member's role changed."""

    action: ClassVar[AuditAction] = AuditAction.STAFF_ROLE_CHANGED
    before: dict[str, Any]
    after: dict[str, Any]


class StaffTwoFactorReset(AuditDetails):
    """An administrator reset a staff member's two-step sign-in."""

    action: ClassVar[AuditAction] = AuditAction.STAFF_TWO_FACTOR_RESET
    staff: str
    reset_by: str
    devices_removed: int
