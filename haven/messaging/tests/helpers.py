"""What the secure-message tests share: the viewers as a request builds them, small real files, the team."""

from __future__ import annotations

from io import BytesIO

from PIL import Image

from haven.messaging.actions import Upload
from haven.messaging.models import MessagingSettings
from haven.portal_access import policy as access_policy
from haven.portal_access.models import PortalAccount, ProfileAccess
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import Practice, StaffMember
from haven.practices.viewers import StaffViewer
from tests.personas import ONE_BLANK_PAGE_PDF, World


def _png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (4, 4), (40, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


PDF = ONE_BLANK_PAGE_PDF
PNG = _png()


def pdf(name: str = "letter.pdf") -> Upload:
    return Upload(name=name, data=PDF)


def png(name: str = "photo.png") -> Upload:
    return Upload(name=name, data=PNG)


def gia(world: World, profile: ProfileAccess | None = None) -> PortalViewer:
    """Gia acting for Max (or the profile given)."""
    return PortalViewer(account=world.gia_account, practice=world.riverside, profile=profile or world.gia_access_max)


def portal_viewer_now(account: PortalAccount, practice: Practice, wanted: ProfileAccess) -> PortalViewer:
    """The viewer a portal request builds now: the profile asked for if its access is still in effect, otherwise
    the first profile that is (as ``load_portal_session`` picks), otherwise none."""
    anyone = PortalViewer(account=account, practice=practice, profile=None)
    profiles = list(access_policy.visible_to(anyone).select_related("client"))
    chosen = next((p for p in profiles if p.pk == wanted.pk), profiles[0] if profiles else None)
    return PortalViewer(account=account, practice=practice, profile=chosen)


def staff(member: StaffMember) -> StaffViewer:
    """A staff member as a request loads them: a fresh row, nothing remembered from earlier in the test."""
    return StaffViewer(StaffMember.objects.select_related("user", "practice").get(pk=member.pk))


def set_team(practice: Practice, *members: StaffMember) -> None:
    settings, _created = MessagingSettings.objects.get_or_create(practice=practice)
    settings.team.set(members)


def give_max_a_clinician(world: World, member: StaffMember) -> None:
    world.max.clinician = member
    world.max.save(update_fields=["clinician"])
