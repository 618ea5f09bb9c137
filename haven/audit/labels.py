"""Audit events in words, for the client's Access history: what happened, and the same about a document or message.

The audit trail keeps its codes (``document.downloaded``); people read these words instead.
Every code that can be about a client has its words here (``test_audit_events`` checks it). The
staff side puts them together with who did it and what it was about
(``haven.staff.access_history``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from haven.audit.events import AuditAction
from haven.core.remembered_words import per_language

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

# Each code: what happened, and the same with what it was about ("%(title)s", a document or message),
# or None when the event is never about a single document or message.
LABELS: dict[AuditAction, tuple[_StrPromise, _StrPromise | None]] = {
    AuditAction.ACCESS_DENIED: (_l("Was refused something outside their access"), None),
    AuditAction.ACCESS_FORBIDDEN: (_l("Was refused a page their role does not open"), None),
    AuditAction.CHART_VIEWED: (_l("Viewed the chart"), None),
    AuditAction.APPOINTMENT_CREATED: (_l("Made an appointment"), None),
    AuditAction.APPOINTMENT_CHANGED: (_l("Changed an appointment"), None),
    AuditAction.APPOINTMENT_REQUESTED: (_l("Asked for an appointment"), None),
    AuditAction.APPOINTMENT_REQUEST_APPROVED: (_l("Approved an appointment request"), None),
    AuditAction.APPOINTMENT_REQUEST_DECLINED: (_l("Declined an appointment request"), None),
    AuditAction.APPOINTMENT_REQUEST_WITHDRAWN: (_l("Withdrew an appointment request"), None),
    AuditAction.APPOINTMENT_BOOKED: (_l("Booked an appointment online"), None),
    AuditAction.APPOINTMENT_CANCELLED: (_l("Cancelled an appointment"), None),
    AuditAction.APPOINTMENT_RESCHEDULED: (_l("Moved an appointment"), None),
    AuditAction.APPOINTMENT_REMINDER_SENT: (_l("Sent an appointment reminder"), None),
    AuditAction.ACTIVITY_ASSIGNED: (_l("Assigned a Home Activity"), _l("Assigned the Home Activity “%(title)s”")),
    AuditAction.ACTIVITY_DONE: (_l("Marked a Home Activity done"), _l("Marked “%(title)s” done")),
    AuditAction.ACTIVITY_REOPENED: (_l("Reopened a Home Activity"), _l("Reopened “%(title)s”")),
    AuditAction.ACTIVITY_WITHDRAWN: (_l("Withdrew a Home Activity"), _l("Withdrew the Home Activity “%(title)s”")),
    AuditAction.ACTIVITY_FILE_DOWNLOADED: (
        _l("Opened a Home Activity's file"),
        _l("Opened the file of the Home Activity “%(title)s”"),
    ),
    AuditAction.CLIENT_CREATED: (_l("Created the chart"), None),
    AuditAction.CLIENT_CHANGED: (_l("Changed the chart"), None),
    AuditAction.CONTACT_ADDED: (_l("Added a related contact"), None),
    AuditAction.CONTACT_CHANGED: (_l("Changed a related contact"), None),
    AuditAction.CONTACT_REMOVED: (_l("Removed a related contact"), None),
    AuditAction.DOCUMENT_CREATED: (_l("Added a document"), _l("Added “%(title)s”")),
    AuditAction.DOCUMENT_NOTE_WRITTEN: (_l("Wrote a note"), _l("Wrote “%(title)s”")),
    AuditAction.DOCUMENT_RENDERED: (_l("Made the PDF of a note"), _l("Made the PDF of “%(title)s”")),
    AuditAction.DOCUMENT_VERSION_ADDED: (
        _l("Added a new version of a document"),
        _l("Added a new version of “%(title)s”"),
    ),
    AuditAction.DOCUMENT_VIEWED: (_l("Viewed a document"), _l("Viewed “%(title)s”")),
    AuditAction.DOCUMENT_DOWNLOADED: (_l("Downloaded a document"), _l("Downloaded “%(title)s”")),
    AuditAction.DOCUMENT_SHARED: (_l("Shared a document to the portal"), _l("Shared “%(title)s” to the portal")),
    AuditAction.DOCUMENT_UNSHARED: (_l("Stopped sharing a document"), _l("Stopped sharing “%(title)s”")),
    AuditAction.DOCUMENT_SHARED_ALL: (_l("Shared all available documents with the client"), None),
    AuditAction.FORM_PRINTED: (_l("Printed a blank form"), None),
    AuditAction.INTAKE_ACKNOWLEDGED: (_l("Acknowledged a form"), None),
    AuditAction.INTAKE_ALERT_RAISED: (_l("A PHQ-9 answer raised a safety alert"), None),
    AuditAction.INTAKE_ALERT_REVIEWED: (_l("Marked a safety alert reviewed"), None),
    AuditAction.INTAKE_CANCELLED: (_l("Withdrew a form"), None),
    AuditAction.INTAKE_DRAFT_SAVED: (_l("Saved a form's draft"), None),
    AuditAction.INTAKE_EXPORTED: (_l("Exported a form's answers"), None),
    AuditAction.INTAKE_REFUSED: (_l("Tried to submit a form that was not complete"), None),
    AuditAction.INTAKE_REMINDED: (_l("Sent a reminder that forms are waiting"), None),
    AuditAction.INTAKE_RETURNED: (_l("Sent a form back"), None),
    AuditAction.INTAKE_SENT: (_l("Sent intake forms to the portal"), None),
    AuditAction.INTAKE_SUBMITTED: (_l("Submitted a form"), None),
    AuditAction.INTAKE_VIEWED: (_l("Opened a form"), None),
    AuditAction.GROUP_NOTE_CREATED: (_l("Wrote a group note"), None),
    AuditAction.GROUP_NOTE_SHARED: (_l("Shared a group note to the portal"), None),
    AuditAction.GROUP_NOTE_UNSHARED: (_l("Stopped sharing a group note"), None),
    AuditAction.MESSAGE_SENT: (_l("Sent a portal message"), _l("Sent the portal message “%(title)s”")),
    AuditAction.MESSAGE_READ: (_l("Read a portal message"), _l("Read the portal message “%(title)s”")),
    AuditAction.MESSAGE_ARCHIVED: (_l("Archived a portal message"), _l("Archived the portal message “%(title)s”")),
    AuditAction.MESSAGE_RESTORED: (
        _l("Moved a portal message back to the inbox"),
        _l("Moved the portal message “%(title)s” back to the inbox"),
    ),
    AuditAction.MESSAGE_ASSIGNED: (_l("Assigned a portal message"), _l("Assigned the portal message “%(title)s”")),
    AuditAction.MESSAGE_ATTACHMENT_DOWNLOADED: (
        _l("Opened a message attachment"),
        _l("Opened an attachment of the portal message “%(title)s”"),
    ),
    AuditAction.MESSAGE_ATTACHMENT_FILED: (
        _l("Filed a message attachment into the chart"),
        _l("Filed an attachment of the portal message “%(title)s” into the chart"),
    ),
    AuditAction.PORTAL_INVITED: (_l("Invited someone to the portal"), None),
    AuditAction.PORTAL_INVITATION_RESENT: (_l("Sent the portal invitation again"), None),
    AuditAction.PORTAL_INVITATION_ACCEPTED: (_l("Accepted the portal invitation"), None),
    AuditAction.PORTAL_LINKED: (_l("Linked a portal account"), None),
    AuditAction.PORTAL_PORTAL_USER_ADDED: (_l("Added a portal user"), None),
    AuditAction.PORTAL_PIN_ISSUED: (_l("Issued a portal PIN"), None),
    AuditAction.PORTAL_PIN_CONFIRMED: (_l("Entered the portal PIN"), None),
    AuditAction.PORTAL_PIN_FAILED: (_l("Entered a wrong portal PIN"), None),
    AuditAction.PORTAL_INSTRUCTIONS_PRINTED: (_l("Printed the portal instructions"), None),
    AuditAction.PORTAL_ACCESS_REVOKED: (_l("Removed portal access"), None),
    AuditAction.PORTAL_GUARDIAN_RENEWED: (_l("Renewed a guardian's portal access"), None),
    AuditAction.PORTAL_GUARDIAN_ACCESS_ENDED: (_l("Ended a guardian's portal access at the age of majority"), None),
    AuditAction.PORTAL_TWO_FACTOR_RESET: (_l("Turned off two-step sign-in for a portal login"), None),
    AuditAction.PORTAL_PROFILE_SELECTED: (_l("Opened this client's profile in the portal"), None),
    AuditAction.PORTAL_PASSWORD_SET: (_l("Set a portal password"), None),
    AuditAction.PORTAL_PASSWORD_RESET: (_l("Reset a portal password"), None),
    AuditAction.SIGNATURE_REQUESTED: (_l("Asked for a signature"), _l("Asked for a signature on “%(title)s”")),
    AuditAction.SIGNATURE_REMINDED: (_l("Sent a signature reminder"), _l("Sent a reminder to sign “%(title)s”")),
    AuditAction.SIGNATURE_CANCELLED: (
        _l("Cancelled a signature request"),
        _l("Cancelled the signature request for “%(title)s”"),
    ),
    AuditAction.SIGNATURE_EXPIRED: (
        _l("A signature request expired"),
        _l("The signature request for “%(title)s” expired"),
    ),
    AuditAction.SIGNATURE_VIEWED: (_l("Opened a document to sign"), _l("Opened “%(title)s” to sign")),
    AuditAction.SIGNATURE_CONSENTED: (
        _l("Agreed to sign electronically"),
        _l("Agreed to sign “%(title)s” electronically"),
    ),
    AuditAction.SIGNATURE_SIGNED: (_l("Signed a document"), _l("Signed “%(title)s”")),
    AuditAction.SIGNATURE_DECLINED: (_l("Declined to sign a document"), _l("Declined to sign “%(title)s”")),
    AuditAction.SIGNATURE_REFUSED: (
        _l("A signature was not accepted"),
        _l("A signature on “%(title)s” was not accepted"),
    ),
    AuditAction.SIGNATURE_SEALED: (_l("Sealed a signed document"), _l("Sealed the signed “%(title)s”")),
    AuditAction.SIGNATURE_VERIFIED: (_l("Checked a seal"), _l("Checked the seal of “%(title)s”")),
}


# Each code's words as translated in a language: (the LABELS entry they were read from, plain, about). An entry
# replaced in LABELS (a test's monkeypatch) is read again.
_TRANSLATED: dict[tuple[str | None, str], tuple[object, str, str | None]] = per_language()


def what_happened(action: str, title: str | None = None, *, language: str | None = None) -> str:
    """The event's code in words, naming its document or message when given its ``title``.

    The words are translated once per language and code; ``language``, the current one (``get_language()``), may be
    given by a caller that describes a page of events."""
    label = LABELS.get(action)  # type: ignore[call-overload]
    if label is None:
        return _("Recorded “%(code)s”") % {"code": action}
    key = (language or get_language(), action)
    words = _TRANSLATED.get(key)
    if words is None or words[0] is not label:
        plain, about = label
        words = _TRANSLATED[key] = (label, str(plain), None if about is None else str(about))
    if words[2] is not None and title:
        return words[2] % {"title": title}
    return words[1]
