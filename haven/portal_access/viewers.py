"""A portal login acting for one profile as a viewer: the portal's questions of access start from one of these."""

from __future__ import annotations

from dataclasses import dataclass

from haven.core.actors import Actor
from haven.core.policy import Viewer, ViewerKind
from haven.portal_access.models import PortalAccount, ProfileAccess
from haven.practices.models import Practice


@dataclass(frozen=True, eq=False)
class PortalViewer(Viewer):
    """A signed-in portal account in one practice's portal, acting for its selected profile (if any).

    ``profile`` comes from the session and has been re-checked against
    ``ProfileAccess.objects.effective`` on this request; ``None`` before a profile is chosen,
    when the viewer may see nothing of any client.
    """

    account: PortalAccount
    practice: Practice
    profile: ProfileAccess | None
    kind = ViewerKind.PORTAL

    @property
    def practice_id(self) -> int:
        return self.practice.pk

    @property
    def actor(self) -> Actor:
        return Actor.portal(self.account)

    @property
    def acting_for(self) -> str:
        return self.profile.client.full_name if self.profile is not None else ""

    @property
    def client_id(self) -> int | None:
        return self.profile.client_id if self.profile is not None else None
