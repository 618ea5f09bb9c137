"""Practice-scoped lookups of portal access for staff views."""

from __future__ import annotations

from haven.clients.models import Client
from haven.portal_access.models import ProfileAccess
from haven.practices.access import deny
from haven.practices.models import StaffMember


def get_access_for_staff(member: StaffMember, client: Client, access_id: int, *, path: str = "") -> ProfileAccess:
    access = (
        ProfileAccess.objects.select_related("account", "client", "contact", "contact__linked_client", "practice")
        .filter(practice=member.practice, client=client, pk=access_id)
        .first()
    )
    if access is None:
        raise deny(member, object_type="portal_access.profileaccess", object_id=access_id, path=path)
    return access
