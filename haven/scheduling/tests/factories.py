"""Small builders for scheduling tests: a service, a clinician's hours, a portal viewer, an appointment."""

from __future__ import annotations

import datetime
import io
import zoneinfo

from PIL import Image

from haven.clients.models import Client
from haven.documents.files import Upload
from haven.portal_access.models import ProfileAccess
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import Practice, StaffMember
from haven.scheduling import activities
from haven.scheduling.models import Appointment, HomeActivity, SchedulingSettings, ServiceType, WeeklyHours
from tests.personas import ONE_BLANK_PAGE_PDF, World

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")  # Riverside's zone (tests/personas.py)


def service(practice: Practice, name: str = "Individual therapy", minutes: int = 50) -> ServiceType:
    found, _ = ServiceType.objects.get_or_create(
        practice=practice, name=name, defaults={"duration_minutes": minutes, "billing_code": "90834"}
    )
    return found


def weekly_hours(member: StaffMember, *, days: range = range(7), start: str = "09:00", end: str = "17:00") -> None:
    for day in days:
        WeeklyHours.objects.create(
            staff=member,
            weekday=day,
            start=datetime.time.fromisoformat(start),
            end=datetime.time.fromisoformat(end),
        )


def settings(practice: Practice, **values: object) -> SchedulingSettings:
    found, _ = SchedulingSettings.objects.update_or_create(practice=practice, defaults=values)
    return found


def local(
    year: int, month: int, day: int, hour: int, minute: int = 0, *, zone: zoneinfo.ZoneInfo = CHICAGO
) -> datetime.datetime:
    """A wall-clock time in a zone (Riverside's, unless told), as an aware datetime."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=zone)


def portal_viewer(access: ProfileAccess) -> PortalViewer:
    return PortalViewer(account=access.account, practice=access.practice, profile=access)


def appointment(
    practice: Practice,
    *,
    client: Client,
    clinician: StaffMember,
    service_type: ServiceType,
    starts_at: datetime.datetime,
    **values: object,
) -> Appointment:
    return Appointment.objects.create(
        practice=practice,
        client=client,
        clinician=clinician,
        service=service_type,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=service_type.duration_minutes),
        **values,
    )


def tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#2f6f73").save(buffer, format="PNG")
    return buffer.getvalue()


def assign_worksheet(world: World, **values: object) -> HomeActivity:
    """Theo assigns Max a one-page worksheet (``file_name``) due in ``days`` of the practice; any other argument of
    ``assign_activity`` given replaces the default."""
    days = values.pop("days", 2)
    file_name = values.pop("file_name", "worksheet.pdf")
    assert isinstance(days, int) and isinstance(file_name, str)
    chosen: dict[str, object] = {
        "by": world.theo,
        "client": world.max,
        "title": "Worksheet",
        "instructions": "",
        "due_on": activities.practice_today(world.riverside) + datetime.timedelta(days=days),
        "file": Upload(file_name, ONE_BLANK_PAGE_PDF),
    }
    chosen.update(values)
    return activities.assign_activity(**chosen)  # type: ignore[arg-type]
