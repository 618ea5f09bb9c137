"""Portal times are the practice's: inbox, signing page, seal checks and emails read in its zone, with the zone.

Riverside is in America/Chicago (UTC-6 in December), so 03:05 UTC on December 2 is 9:05 p.m. on December 1.
"""

from __future__ import annotations

import datetime
import html
import re
import zoneinfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMultiAlternatives
from django.test import Client as HttpClient
from django.utils import timezone

from haven.core.encryption import read_decrypted
from haven.messaging.models import Message, Participant, Thread
from haven.portal.tests.helpers import select
from haven.signing.models import SignatureRequest
from haven.signing.requests import remind, request_signature
from haven.signing.tests.flow import sign, treatment_plan
from tests.personas import World

pytestmark = pytest.mark.django_db

LATE_EVENING_IN_CHICAGO = datetime.datetime(2026, 12, 2, 3, 5, tzinfo=datetime.UTC)
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def evening_due_date() -> tuple[datetime.datetime, str]:
    """A due time at 03:05 UTC a few days ahead, and how Chicago reads it: the evening of the day before."""
    due = (timezone.now() + datetime.timedelta(days=3)).replace(hour=3, minute=5, second=0, microsecond=0)
    local = due.astimezone(CHICAGO)
    assert local.day != due.day
    return due, f"{local:%b} {local.day}, {local.year}, {local.hour - 12}:05 p.m. {local:%Z}"


def ask_gia_to_sign(world: World) -> SignatureRequest:
    plan = treatment_plan(world.ada, world.max, pages=1)
    return request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")


def text(http: HttpClient, url: str) -> str:
    response = http.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_inbox_shows_when_a_message_came_in_the_practices_zone_with_the_zone(world, gia):
    request = ask_gia_to_sign(world)
    message = Message.objects.get(signature_request=request)
    Message.objects.filter(pk=message.pk).update(created_at=LATE_EVENING_IN_CHICAGO)
    Thread.objects.filter(pk=message.thread_id).update(last_message_at=LATE_EVENING_IN_CHICAGO)
    Participant.objects.filter(thread=message.thread_id).update(last_message_at=LATE_EVENING_IN_CHICAGO)
    select(gia, world.gia_access_max)
    listing = text(gia, "/p/riverside/inbox/")
    row = listing.split(f'data-thread="{message.thread_id}"', 1)[1].split("</li>", 1)[0]
    assert re.search(r'<time [^>]*datetime="2026-12-01T21:05:00-06:00">Dec 1\b', row)
    assert "Dec 2" not in row
    opened = text(gia, f"/p/riverside/inbox/{message.thread_id}/")
    assert "Dec 1, 2026, 9:05 p.m. CST</time>" in opened
    assert "Dec 2, 2026" not in opened


def test_the_signing_page_gives_the_due_time_in_the_practices_zone(world, gia):
    request = ask_gia_to_sign(world)
    due, in_chicago = evening_due_date()
    SignatureRequest.objects.filter(pk=request.pk).update(expires_at=due)
    select(gia, world.gia_access_max)
    page = text(gia, f"/p/riverside/sign/{request.pk}/")
    assert f"Please sign by {in_chicago}." in page


def test_a_seal_check_gives_the_sealing_time_in_the_practices_zone(world, gia, django_capture_on_commit_callbacks):
    request = ask_gia_to_sign(world)
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(request, world.gia_account, world.gia_access_max)
    signature.refresh_from_db()
    assert signature.signed_version is not None
    select(gia, world.gia_access_max)
    response = gia.post(
        "/p/riverside/verify/",
        {"file": SimpleUploadedFile("plan.pdf", read_decrypted(signature.signed_version.storage_name))},
    )
    page = html.unescape(response.content.decode())
    sealed = re.search(r"sealed by Riverside Counseling on (.+?)</h2>", page)
    assert sealed is not None
    assert re.fullmatch(
        r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}(:\d{2})? (a\.m\.|p\.m\.|noon|midnight) C[SD]T", sealed[1]
    )
    local_day = timezone.localtime(signature.signed_at, CHICAGO)
    assert sealed[1].startswith(f"{local_day:%b} {local_day.day}, {local_day.year}")


def test_the_reminder_email_gives_the_due_time_in_the_practices_zone(world, django_capture_on_commit_callbacks):
    request = ask_gia_to_sign(world)
    due, in_chicago = evening_due_date()
    SignatureRequest.objects.filter(pk=request.pk).update(expires_at=due)
    request.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        remind(by=world.ada, request=request)
    [email] = mail.outbox
    assert isinstance(email, EmailMultiAlternatives)
    assert f"Please sign by {in_chicago}." in email.body
    assert f"Please sign by {in_chicago}." in html.unescape(str(email.alternatives[0][0]))


def test_a_portal_page_leaves_no_time_zone_behind_for_the_next_request(world, gia):
    select(gia, world.gia_access_max)
    text(gia, "/p/riverside/inbox/")
    assert timezone.get_current_timezone_name() == "UTC"
