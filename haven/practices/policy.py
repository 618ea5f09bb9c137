"""Who may see which staff members and facilities: the one answer Organization Administration's pages ask
(see ``haven.core.policy``). Staff see their own practice's; portal logins see none."""

from __future__ import annotations

from django.db.models import QuerySet

from haven.audit.denials import not_found
from haven.core.policy import Viewer, ViewerKind
from haven.practices.models import Facility, StaffMember


def staff_visible_to(viewer: Viewer) -> QuerySet[StaffMember]:
    """The staff members this viewer may see: the practice's, for staff."""
    if viewer.kind != ViewerKind.STAFF:
        return StaffMember.objects.none()
    return StaffMember.objects.filter(practice_id=viewer.practice_id)


def facilities_visible_to(viewer: Viewer) -> QuerySet[Facility]:
    """The facilities this viewer may see: the practice's, for staff."""
    if viewer.kind != ViewerKind.STAFF:
        return Facility.objects.none()
    return Facility.objects.filter(practice_id=viewer.practice_id)


def get_staff_member(viewer: Viewer, member_id: int, *, path: str = "") -> StaffMember:
    """A staff member of the viewer's practice, or a 404 (audited) that looks exactly like a missing one."""
    member = staff_visible_to(viewer).select_related("user").filter(pk=member_id).first()
    if member is None:
        raise not_found(viewer, object_type="practices.staffmember", object_id=member_id, path=path)
    return member


def get_facility(viewer: Viewer, facility_id: int, *, path: str = "") -> Facility:
    """A facility of the viewer's practice, or a 404 (audited)."""
    facility = facilities_visible_to(viewer).filter(pk=facility_id).first()
    if facility is None:
        raise not_found(viewer, object_type="practices.facility", object_id=facility_id, path=path)
    return facility
