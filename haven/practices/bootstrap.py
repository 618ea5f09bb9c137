"""Creating a practice and its first administrator: the one write that has no staff actor yet."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from haven.audit.actions import record_event
from haven.audit.events import PracticeCreated
from haven.audit.models import Actor
from haven.practices.models import ROLE_TEMPLATES, Practice, Role, StaffMember


@transaction.atomic
def create_practice_with_administrator(
    *,
    name: str,
    slug: str,
    time_zone: str,
    admin_email: str,
    admin_name: str,
    admin_password: str | None = None,
    require_staff_two_factor: bool = True,
) -> StaffMember:
    practice = Practice(name=name, slug=slug, time_zone=time_zone, require_staff_two_factor=require_staff_two_factor)
    practice.full_clean()
    practice.save()
    user = get_user_model().objects.create_user(email=admin_email, full_name=admin_name, password=admin_password)
    member = StaffMember.objects.create(
        user=user, practice=practice, role=Role.ADMINISTRATOR, permissions=sorted(ROLE_TEMPLATES[Role.ADMINISTRATOR])
    )
    record_event(
        PracticeCreated(administrator=user.email), actor=Actor.system("manage.py"), practice=practice, target=practice
    )
    return member
