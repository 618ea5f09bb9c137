"""Client Contact Network (ACC-11): a guardian's access ends at the age of majority unless staff renew it."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.core.errors import ApplicationError
from haven.portal_access.actions import end_guardian_access_at_majority, renew_guardian_access
from haven.portal_access.models import AccessStatus, ProfileAccess

pytestmark = pytest.mark.django_db


def _birthday(client, age: int) -> datetime.date:
    born = client.date_of_birth
    return born.replace(year=born.year + age)


def test_guardian_access_works_while_the_client_is_a_minor(world):
    day_before = _birthday(world.mia, 18) - datetime.timedelta(days=1)
    effective = ProfileAccess.objects.effective(world.riverside, day_before)
    assert world.gia_access_mia in effective
    assert end_guardian_access_at_majority(today=day_before) == []


def test_guardian_access_ends_on_the_18th_birthday_and_is_audited(world, django_capture_on_commit_callbacks):
    birthday = _birthday(world.mia, 18)
    assert world.gia_access_mia not in ProfileAccess.objects.effective(world.riverside, birthday)
    with django_capture_on_commit_callbacks(execute=True):
        ended = end_guardian_access_at_majority(today=birthday)
    assert ended == [world.gia_access_mia]
    world.gia_access_mia.refresh_from_db()
    assert world.gia_access_mia.status == AccessStatus.EXPIRED
    event = AuditEvent.objects.get(action="portal.guardian_access_ended")
    assert event.client == world.mia and event.actor_kind == "system"
    recipients = {address for message in mail.outbox for address in message.to}
    assert "gia@example.com" in recipients  # the guardian
    assert "ada@riverside.example" in recipients  # the practice
    assert all("Mia" not in str(message.body) for message in mail.outbox)


def test_the_daily_command_runs_the_check(world, monkeypatch, capsys):
    birthday = _birthday(world.mia, 18)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: birthday)
    call_command("run_daily_tasks", now=True)
    assert "age of majority: 1." in capsys.readouterr().out
    world.gia_access_mia.refresh_from_db()
    assert world.gia_access_mia.status == AccessStatus.EXPIRED


def test_the_practices_own_age_of_majority_applies(world):
    world.riverside.age_of_majority = 21
    world.riverside.save()
    assert world.gia_access_mia in ProfileAccess.objects.effective(world.riverside, _birthday(world.mia, 19))
    assert end_guardian_access_at_majority(today=_birthday(world.mia, 19)) == []
    assert end_guardian_access_at_majority(today=_birthday(world.mia, 21)) == [world.gia_access_mia]


def test_renewed_access_continues_past_majority_until_the_chosen_day(world, monkeypatch):
    birthday = _birthday(world.mia, 18)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: birthday - datetime.timedelta(days=10))
    renew_guardian_access(by=world.ada, access=world.gia_access_mia, until=birthday + datetime.timedelta(days=365))
    assert end_guardian_access_at_majority(today=birthday) == []
    assert world.gia_access_mia in ProfileAccess.objects.effective(world.riverside, birthday)
    assert AuditEvent.objects.filter(action="portal.guardian_renewed").exists()
    later = birthday + datetime.timedelta(days=365)
    assert end_guardian_access_at_majority(today=later) == [world.gia_access_mia]


def test_expired_access_can_be_renewed(world):
    birthday = _birthday(world.mia, 18)
    end_guardian_access_at_majority(today=birthday)
    renewed = renew_guardian_access(
        by=world.ada, access=world.gia_access_mia, until=timezone.localdate() + datetime.timedelta(days=30)
    )
    assert renewed.status == AccessStatus.ACTIVE


def test_only_guardians_can_be_renewed(world, django_capture_on_commit_callbacks):
    from haven.portal_access.actions import invite_to_portal
    from haven.portal_access.status import PersonRecord

    with django_capture_on_commit_callbacks(execute=True):
        own = invite_to_portal(by=world.ada, record=PersonRecord(client=world.ana))
    with pytest.raises(ApplicationError, match="guardian"):
        renew_guardian_access(by=world.ada, access=own, until=timezone.localdate() + datetime.timedelta(days=30))


def test_contacts_who_are_not_guardians_keep_access_after_majority(world):
    world.gia_for_mia.legal_guardian = False
    world.gia_for_mia.save()
    later = _birthday(world.mia, 19)  # Max is still a minor then
    assert world.gia_access_mia in ProfileAccess.objects.effective(world.riverside, later)
    assert end_guardian_access_at_majority(today=later) == []
