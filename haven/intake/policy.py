"""Who may see and do what with intake forms: the one answer staff pages, portal pages and the intake actions
ask (see ``haven.core.policy``).

- Forms (definitions): staff of the practice see them. Dynamic forms are built by staff with "Can Add,
  Edit, and Archive Dynamic Forms"; intake forms by staff who "Can invite clients to the client portal and
  manage intake forms" (TheraNest's two permissions; the first does not include intake forms).
- Sent forms (``FormAssignment``): staff who read clinical documents see their practice's; staff who manage
  intake forms see those that are not scored measures (PHQ-9 and GAD-7 answers are clinical); a portal login
  sees the forms addressed to
  its selected profile: the client themself, or the legal guardian the form names (with Web Portal),
  for as long as the network makes them one.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from haven.audit.denials import not_found
from haven.core.policy import Reason, Viewer
from haven.intake.models import AssignmentStatus, FormAssignment, FormAssignmentQuerySet, FormKind, IntakeForm
from haven.portal_access.models import AccessKind, ProfileAccess
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import Permission
from haven.practices.viewers import StaffViewer
from haven.signing.models import Capacity

FORM_OBJECT = "intake.intakeform"
ASSIGNMENT_OBJECT = "intake.formassignment"


class IntakeVerb(StrEnum):
    BUILD = "build"  # create, edit, publish, archive, copy, import (a form)
    SEND = "send"  # send a form or a packet to a client's portal, resend a reminder, withdraw
    FILL = "fill"  # the portal user: save a draft, submit
    ACKNOWLEDGE = "acknowledge"  # staff: acknowledge, or send back
    REVIEW_ALERT = "review_alert"  # a clinician marks a safety alert reviewed


class IntakeReason(Reason):
    NO_BUILD_PERMISSION = "no_build_permission"
    NO_INTAKE_PERMISSION = "no_intake_permission"
    NO_SEND_PERMISSION = "no_send_permission"
    NOT_CLINICIAN = "not_clinician"
    ARCHIVED = "archived"
    NOT_PUBLISHED = "not_published"
    WRONG_PERSON = "wrong_person"
    ALREADY_SUBMITTED = "already_submitted"
    ACKNOWLEDGED = "acknowledged"
    CANCELLED = "cancelled"
    NOT_SUBMITTED = "not_submitted"
    NOT_OPEN = "not_open"

    def words(self, subject: Any = None) -> str:
        match self:
            case IntakeReason.NO_BUILD_PERMISSION:
                return _("Only staff who can add, edit and archive dynamic forms can change dynamic forms.")
            case IntakeReason.NO_INTAKE_PERMISSION:
                return _("Only staff who can manage intake forms can change intake forms.")
            case IntakeReason.NO_SEND_PERMISSION:
                return _("Only staff who can invite clients to the portal and manage intake forms can do this.")
            case IntakeReason.NOT_CLINICIAN:
                return _("Only staff who read clinical documents can see or act on a scored measure's answers.")
            case IntakeReason.ARCHIVED:
                return _("This form is archived. Restore it first.")
            case IntakeReason.NOT_PUBLISHED:
                return _("Publish this form before sending it.")
            case IntakeReason.WRONG_PERSON:
                return _("This form is not for the profile you have selected.")
            case IntakeReason.ALREADY_SUBMITTED:
                return _("This form was already submitted. The practice can send it back to you if something changed.")
            case IntakeReason.ACKNOWLEDGED:
                return _("This form was already acknowledged.")
            case IntakeReason.CANCELLED:
                return _("The practice withdrew this form. There is nothing to fill in.")
            case IntakeReason.NOT_SUBMITTED:
                return _("This form has not been submitted yet.")
            case IntakeReason.NOT_OPEN:
                return _("This form is no longer waiting for answers.")
        return ""


# --- Forms ------------------------------------------------------------------------------------------


def forms_visible_to(viewer: Viewer) -> QuerySet[IntakeForm]:
    if isinstance(viewer, StaffViewer):
        return IntakeForm.objects.filter(practice_id=viewer.practice_id)
    return IntakeForm.objects.none()


def forms_to_send(viewer: Viewer) -> QuerySet[IntakeForm]:
    """The forms this viewer may send now: published and not archived, intake forms first, then by title."""
    if not isinstance(viewer, StaffViewer) or not viewer.has_permission(Permission.INVITE_PORTAL):
        return IntakeForm.objects.none()
    return (
        forms_visible_to(viewer)
        .filter(archived_at__isnull=True, current_version__isnull=False)
        .select_related("current_version")
        .order_by("-kind", "title", "pk")  # "intake" sorts after "dynamic"
    )


def get_form(viewer: Viewer, form_id: int, *, path: str = "") -> IntakeForm:
    found = forms_visible_to(viewer).select_related("current_version").filter(pk=form_id).first()
    if found is None:
        raise not_found(viewer, object_type=FORM_OBJECT, object_id=form_id, path=path)
    return found


def build_permission(kind: str) -> str:
    """The permission that changes forms of this kind."""
    return Permission.DYNAMIC_FORMS if kind == FormKind.DYNAMIC else Permission.INVITE_PORTAL


def may_build(viewer: Viewer, kind: str) -> IntakeReason | None:
    """Whether this viewer may make, change or archive a form of this kind."""
    if not isinstance(viewer, StaffViewer):
        return IntakeReason.NO_BUILD_PERMISSION
    if not viewer.has_permission(build_permission(kind)):
        return IntakeReason.NO_BUILD_PERMISSION if kind == FormKind.DYNAMIC else IntakeReason.NO_INTAKE_PERMISSION
    return None


def why_not_form(viewer: Viewer, verb: IntakeVerb, form: IntakeForm) -> IntakeReason | None:
    """Why this viewer may not build or send this form; None when they may."""
    if not isinstance(viewer, StaffViewer) or form.practice_id != viewer.practice_id:
        return IntakeReason.NO_BUILD_PERMISSION
    if verb == IntakeVerb.BUILD:
        return may_build(viewer, form.kind)
    if verb == IntakeVerb.SEND:
        if not viewer.has_permission(Permission.INVITE_PORTAL):
            return IntakeReason.NO_SEND_PERMISSION
        if form.is_archived:
            return IntakeReason.ARCHIVED
        if form.current_version_id is None:
            return IntakeReason.NOT_PUBLISHED
        return None
    return IntakeReason.NO_BUILD_PERMISSION


# --- Sent forms -------------------------------------------------------------------------------------------


_NOBODY = Q(pk__in=[])


def addressed_to(profile: ProfileAccess) -> Q:
    """The one rule of whose a sent form is: the client themself, or the legal guardian it names (with Web Portal)."""
    if profile.kind == AccessKind.SELF:
        return Q(capacity=Capacity.SELF)
    contact = profile.contact if profile.kind == AccessKind.CONTACT else None
    if contact is not None and profile.is_guardian and contact.web_portal:
        return Q(capacity=Capacity.GUARDIAN, contact_id=contact.pk, contact__web_portal=True)
    return _NOBODY


def may_be_addressed(profile: ProfileAccess) -> bool:
    """Whether any form can ever be addressed to this profile (no query)."""
    return addressed_to(profile) != _NOBODY


def visible_to(viewer: Viewer) -> FormAssignmentQuerySet:
    """The sent forms this viewer may see: every list, count, lookup and check starts here."""
    assignments = FormAssignment.objects.select_related("version", "form")
    if isinstance(viewer, StaffViewer):
        # Minimum necessary: scored measures are clinical; the rest is the intake work of the front desk too.
        mine = assignments.filter(practice_id=viewer.practice_id)
        if viewer.has_permission(Permission.CLINICAL_DOCUMENTS):
            return mine
        if viewer.has_permission(Permission.INVITE_PORTAL):
            return mine.filter(version__measure="")
        return assignments.none()
    if isinstance(viewer, PortalViewer) and viewer.profile is not None:
        profile = viewer.profile
        if profile.account_id != viewer.account.pk or profile.practice_id != viewer.practice_id:
            return assignments.none()
        return assignments.filter(
            addressed_to(profile), practice_id=profile.practice_id, client_id=profile.client_id
        ).exclude(status=AssignmentStatus.CANCELLED)
    return assignments.none()


def get_assignment(viewer: Viewer, assignment_id: int, *, path: str = "") -> FormAssignment:
    """A sent form this viewer may see, or a 404 audited as access.denied."""
    found = (
        visible_to(viewer)
        .select_related("client", "practice")
        .defer("practice__logo")  # the practice's name and rules, not its logo's bytes
        .filter(pk=assignment_id)
        .first()
    )
    if found is None:
        raise not_found(viewer, object_type=ASSIGNMENT_OBJECT, object_id=assignment_id, path=path)
    return found


def why_not(viewer: Viewer, verb: IntakeVerb, assignment: FormAssignment) -> IntakeReason | None:
    """Why this viewer may not do this to a sent form now; None when they may."""
    if verb == IntakeVerb.FILL:
        if not isinstance(viewer, PortalViewer) or not visible_to(viewer).filter(pk=assignment.pk).exists():
            return IntakeReason.WRONG_PERSON
        return _closed(assignment)
    if not isinstance(viewer, StaffViewer) or assignment.practice_id != viewer.practice_id:
        return IntakeReason.NO_SEND_PERMISSION
    clinician = viewer.has_permission(Permission.CLINICAL_DOCUMENTS)
    if verb == IntakeVerb.REVIEW_ALERT:  # an alert is always a scored measure's
        return None if clinician else IntakeReason.NOT_CLINICIAN
    if assignment.version.measure and not clinician:
        return IntakeReason.NOT_CLINICIAN  # a scored measure's answers are clinical (see visible_to)
    match verb:
        case IntakeVerb.SEND:
            if not viewer.has_permission(Permission.INVITE_PORTAL):
                return IntakeReason.NO_SEND_PERMISSION
            return None if assignment.is_open else IntakeReason.NOT_OPEN
        case IntakeVerb.ACKNOWLEDGE:
            if not (clinician or viewer.has_permission(Permission.INVITE_PORTAL)):
                return IntakeReason.NO_SEND_PERMISSION
            if assignment.status == AssignmentStatus.ACKNOWLEDGED:
                return IntakeReason.ACKNOWLEDGED
            return None if assignment.status == AssignmentStatus.SUBMITTED else IntakeReason.NOT_SUBMITTED
    return IntakeReason.NO_SEND_PERMISSION


def _closed(assignment: FormAssignment) -> IntakeReason | None:
    match assignment.status:
        case AssignmentStatus.SUBMITTED:
            return IntakeReason.ALREADY_SUBMITTED
        case AssignmentStatus.ACKNOWLEDGED:
            return IntakeReason.ALREADY_SUBMITTED
        case AssignmentStatus.CANCELLED:
            return IntakeReason.CANCELLED
    return None
