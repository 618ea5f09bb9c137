"""Client Contact Network (ACC-11): a guardian's access ends at the age of majority unless staff renew it."""

from __future__ import annotations

import datetime
import html
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.core.errors import ApplicationError
from haven.portal_access.actions.guardianship import end_guardian_access_at_majority, renew_guardian_access
from haven.portal_access.models import AccessStatus, ProfileAccess
from tests.personas import PASSWORD

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
    from haven.portal_access.actions.invitations import invite_to_portal
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


# --- Telling the guardian and staff ---------------------------------------------------------------------

ENDED_NOTICE = "Your access to one profile ended because the client reached the age of majority."


def _portal_home(client) -> str:
    response = client.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD})
    assert response.status_code == 302
    return " ".join(html.unescape(client.get("/p/riverside/home/").content.decode()).split("<main", 1)[1].split())


def _portal_tab_row(http, world, access: ProfileAccess) -> str:
    body = html.unescape(
        http.get(reverse("staff:portal_overview", kwargs={"client_id": access.client_id})).content.decode()
    )
    link = reverse("staff:portal_access_detail", kwargs={"client_id": access.client_id, "access_id": access.pk})
    [row] = [row for row in body.split("<tr>") if link in row]
    return " ".join(re.sub(r"<[^>]+>", " ", row.split("</tr>", 1)[0]).split())


def test_the_guardian_is_told_on_the_home_page_and_by_email_without_names(
    world, client, django_capture_on_commit_callbacks
):
    """Mia turns 18: Gia still sees Max, and a word about the profile that went, with no name in it."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        end_guardian_access_at_majority(today=_birthday(world.mia, 18))
    [email] = [message for message in mail.outbox if message.to == ["gia@example.com"]]
    assert ENDED_NOTICE in " ".join(str(email.body).split())
    assert "Mia" not in str(email.body) and "Mia" not in email.subject

    main = _portal_home(client)
    assert ENDED_NOTICE in main
    assert "Mia" not in main and "Max Moreno" in main


def test_the_home_page_says_so_even_before_the_daily_task_closed_the_access(world, client, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: _birthday(world.mia, 18))
    main = _portal_home(client)
    assert ENDED_NOTICE in main and "Mia" not in main


def test_a_guardian_still_in_time_sees_no_notice(world, client):
    assert "age of majority" not in _portal_home(client)


def test_the_staff_portal_tab_shows_the_ended_state_and_its_date(world, login, monkeypatch):
    birthday = _birthday(world.mia, 18)
    http = login(world.ada)
    assert "Active" in _portal_tab_row(http, world, world.gia_access_mia)
    # Past the birthday but before the daily task ran: no longer Active.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: birthday)
    row = _portal_tab_row(http, world, world.gia_access_mia)
    assert "Active" not in row and f"Ended at age of majority on {birthday:%Y-%m-%d}" in row
    # Closed by the daily task: the same, with the day it was closed.
    end_guardian_access_at_majority(today=birthday)
    world.gia_access_mia.refresh_from_db()
    row = _portal_tab_row(http, world, world.gia_access_mia)
    ended = timezone.localtime(world.gia_access_mia.ended_at, ZoneInfo(world.riverside.time_zone)).date()
    assert f"Ended at age of majority on {ended:%Y-%m-%d}" in row and "Active" not in row
