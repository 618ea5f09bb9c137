"""A staff member as a viewer: every question of access about staff pages starts from one of these."""

from __future__ import annotations

from dataclasses import dataclass

from haven.core.actors import Actor
from haven.core.policy import Viewer, ViewerKind
from haven.practices.models import StaffMember


@dataclass(frozen=True, eq=False)
class StaffViewer(Viewer):
    member: StaffMember
    kind = ViewerKind.STAFF

    @property
    def practice_id(self) -> int:
        return self.member.practice_id

    @property
    def actor(self) -> Actor:
        return Actor.staff(self.member.user)

    def has_permission(self, permission: str) -> bool:
        return self.member.has_permission(permission)
