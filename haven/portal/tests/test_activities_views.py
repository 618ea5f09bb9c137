"""The portal's Home Activities (APPT-4): the selected profile's activities (to do first, with due dates and Overdue,
done ones after), an activity's instructions and worksheet (View, Download, Print), Mark as done with or without the
completed worksheet (a wrong file refused in words, nothing lost), Undo; who may only read; who is refused; a list
whose queries don't grow."""

from __future__ import annotations

import datetime
import re
from html import unescape
from typing import TYPE_CHECKING

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.clients.models import Client
from haven.core.encryption import read_decrypted
from haven.intake.models import IntakeForm
from haven.portal.tests.helpers import select
from haven.portal_access.actions.guardianship import revoke_access
from haven.portal_access.models import AccessKind, AccessStatus, PortalAccount, ProfileAccess
from haven.portal_access.viewers import PortalViewer
from haven.scheduling import activities
from haven.scheduling.models import ActivityRepeat, ActivityStatus, HomeActivity
from haven.scheduling.tests.factories import assign_worksheet, tiny_png
from tests.personas import ONE_BLANK_PAGE_PDF, PASSWORD, World

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

LIST = "/p/riverside/activities/"
CANARY = "Zebracanary42 worry time"


def page(response: TestResponse) -> str:
    return unescape(response.content.decode())


def today(world: World) -> datetime.date:
    return activities.practice_today(world.riverside)


def assign(world: World, client: Client | None = None, **overrides: object) -> HomeActivity:
    defaults = {
        "title": CANARY,
        "instructions": "Ten minutes after dinner.",
        "file_name": "worry.pdf",
        "client": client or world.max,
    }
    return assign_worksheet(world, **(defaults | overrides))


def gia_for_max(world: World) -> PortalViewer:
    return PortalViewer(account=world.gia_account, practice=world.riverside, profile=world.gia_access_max)


def url(activity: HomeActivity, action: str = "") -> str:
    return f"/p/riverside/activities/{activity.pk}/{action + '/' if action else ''}"


def listed_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-activity="(\d+)"', html)]


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def denied() -> list[str]:
    return [event.details["object_id"] for event in events("access.denied")]


# --- The list -------------------------------------------------------------------------------------------------------


def test_the_list_shows_what_is_to_do_first_with_due_dates_and_overdue_then_what_is_done(world: World, gia) -> None:
    soon = assign(world, title="Soon")
    late = assign(world, title="Late")
    HomeActivity.objects.filter(pk=late.pk).update(due_on=today(world) - datetime.timedelta(days=2))
    done = assign(world, title="Finished")
    activities.mark_done(viewer=gia_for_max(world), activity=done)
    assign(world, client=world.mia, title="Mia's")
    select(gia, world.gia_access_max)

    html = page(gia.get(LIST))

    assert listed_ids(html) == [late.pk, soon.pk, done.pk]
    item = {pk: html.split(f'data-activity="{pk}"', 1)[1].split("</li>", 1)[0] for pk in listed_ids(html)}
    assert "Overdue" in item[late.pk]
    assert "Due " in item[soon.pk] and "Assigned" in item[soon.pk]
    assert "Done " in item[done.pk]
    assert "Mia&#x27;s" not in html and "Mia's" not in html


def test_the_home_page_leads_to_home_activities(world: World, gia) -> None:
    select(gia, world.gia_access_max)
    assert 'href="/p/riverside/activities/"' in page(gia.get("/p/riverside/home/"))


def test_the_list_reads_in_the_same_queries_however_many_activities(world: World, gia) -> None:
    select(gia, world.gia_access_max)

    def queries() -> int:
        gia.get(LIST)
        with CaptureQueriesContext(connection) as captured:
            response = gia.get(LIST)
        assert response.status_code == 200
        return len(captured)

    for number in range(3):
        assign(world, title=f"Activity {number}")
    done = assign(world, title="Done")
    activities.mark_done(viewer=gia_for_max(world), activity=done)
    few = queries()
    for number in range(40):
        assign(world, title=f"More {number}", file=None)
    assert queries() == few
    assert len(listed_ids(page(gia.get(LIST)))) == 25


# --- One activity -----------------------------------------------------------------------------------------------------


def test_an_activity_shows_its_instructions_and_its_worksheet_to_view_download_and_print(world: World, gia) -> None:
    activity = assign(world, repeat=ActivityRepeat.WEEKLY)
    select(gia, world.gia_access_max)

    html = page(gia.get(url(activity)))

    assert CANARY in html and "Ten minutes after dinner." in html and "Every week" in html
    assert f'href="{url(activity, "file")}" target="_blank"' in html
    assert f'href="{url(activity, "file")}?download=1"' in html
    assert ">Print<" in html and "Mark as done" in html

    viewed = gia.get(url(activity, "file"))
    assert viewed.content == ONE_BLANK_PAGE_PDF and viewed["Content-Disposition"].startswith("inline;")
    assert viewed["X-Content-Type-Options"] == "nosniff" and "no-store" in viewed["Cache-Control"]
    downloaded = gia.get(url(activity, "file") + "?download=1")
    assert downloaded["Content-Disposition"] == 'attachment; filename="Zebracanary42-worry-time.pdf"'
    opened = events("activity.file_downloaded")
    assert [(e.details, e.actor_kind, e.acting_for) for e in opened] == [
        ({"completed": False}, "portal", world.max.full_name)
    ] * 2


def test_marking_done_with_the_completed_worksheet(world: World, gia) -> None:
    activity = assign(world)
    png = tiny_png()
    select(gia, world.gia_access_max)

    response = gia.post(url(activity, "done"), {"completed": SimpleUploadedFile("mine.png", png, "image/png")})

    assert response.status_code == 302 and response["Location"] == url(activity)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DONE and read_decrypted(activity.completed_storage_name) == png
    html = page(gia.get(url(activity)))
    assert "Your completed worksheet was sent" in html and "View what you sent" in html and "Undo" in html
    assert gia.get(url(activity, "completed")).content == png
    assert [e.details["uploaded"] for e in events("activity.done")] == [True]


def test_a_wrong_completed_file_is_refused_in_words_and_nothing_is_lost(world: World, gia) -> None:
    activity = assign(world)
    select(gia, world.gia_access_max)

    response = gia.post(
        url(activity, "done"), {"completed": SimpleUploadedFile("mine.heic", b"\x00\x00\x00\x18ftypheic", "image/heic")}
    )

    assert response.status_code == 400
    html = page(response)
    assert "“mine.heic”: Haven accepts PDF, PNG and JPEG files." in html
    assert "Nothing was sent." in html and CANARY in html and "Mark as done" in html
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.ASSIGNED and not events("activity.done")


def test_mark_as_done_without_a_file_and_undo(world: World, gia) -> None:
    activity = assign(world)
    select(gia, world.gia_access_max)

    assert gia.post(url(activity, "done")).status_code == 302
    assert "Marked as done." in page(gia.get(url(activity)))
    assert gia.post(url(activity, "undo")).status_code == 302
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.ASSIGNED
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="activity.").order_by("pk")] == [
        "activity.assigned",
        "activity.done",
        "activity.reopened",
    ]


def test_someone_who_does_not_act_for_the_client_may_read_but_not_mark_done(world: World) -> None:
    activity = assign(world)
    account = PortalAccount(email="uncle@example.com", full_name="Uncle Ulf", email_verified_at=timezone.now())
    account.set_password(PASSWORD)
    account.save()
    ProfileAccess.objects.create(
        account=account,
        practice=world.riverside,
        client=world.max,
        kind=AccessKind.PORTAL_USER,
        status=AccessStatus.ACTIVE,
        confirmed_at=timezone.now(),
    )
    uncle = HttpClient()
    assert uncle.post("/p/riverside/", {"username": "uncle@example.com", "password": PASSWORD}).status_code == 302

    html = page(uncle.get(url(activity)))
    assert CANARY in html and 'id="mark-done"' not in html and 'id="may-not-act"' in html
    assert uncle.get(url(activity, "file")).status_code == 200
    refused = uncle.post(url(activity, "done"))
    assert refused.status_code == 400 and "Only the client or a legal guardian" in page(refused)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.ASSIGNED


def test_a_form_activity_leads_to_its_form(world: World, gia) -> None:
    phq9 = IntakeForm.objects.get(practice=world.riverside, template_key="phq9")
    activity = assign(world, by=world.ada, file=None, form=phq9, recipient_key=f"contact-{world.gia.pk}")
    select(gia, world.gia_access_max)
    html = page(gia.get(url(activity)))
    assert f'href="/p/riverside/forms/{activity.form_assignment_id}/"' in html and "Open the form" in html
    assert 'id="mark-done"' not in html


# --- Who is refused ---------------------------------------------------------------------------------------------------


def test_another_profiles_activity_answers_404_and_is_audited(world: World, gia) -> None:
    mias = assign(world, client=world.mia)
    anas = assign(world, client=world.ana)
    select(gia, world.gia_access_max)
    for activity in (mias, anas):
        assert gia.get(url(activity)).status_code == 404
        assert gia.get(url(activity, "file")).status_code == 404
        assert gia.post(url(activity, "done")).status_code == 404
    assert denied() == [str(mias.pk)] * 3 + [str(anas.pk)] * 3
    assert not HomeActivity.objects.filter(status=ActivityStatus.DONE).exists()
    assert not events("activity.file_downloaded")


def test_another_practices_activity_answers_404_and_is_audited(world: World, gia) -> None:
    hals = activities.assign_activity(by=world.hana, client=world.hal, title=CANARY)
    select(gia, world.gia_access_max)
    response = gia.get(url(hals))
    assert response.status_code == 404 and CANARY not in page(response)
    assert denied() == [str(hals.pk)]


def test_a_guardian_whose_access_ended_sees_nothing_more(world: World, gia) -> None:
    activity = assign(world)
    select(gia, world.gia_access_max)
    assert gia.get(url(activity)).status_code == 200
    revoke_access(by=world.ada, access=world.gia_access_max)

    assert gia.get(url(activity)).status_code == 404
    assert gia.get(url(activity, "file")).status_code == 404
    assert gia.post(url(activity, "done")).status_code == 404
    assert CANARY not in page(gia.get(LIST))
    assert denied() == [str(activity.pk)] * 3
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.ASSIGNED


def test_a_withdrawn_activity_answers_404(world: World, gia) -> None:
    activity = assign(world)
    activities.withdraw_activity(by=world.theo, activity=activity)
    select(gia, world.gia_access_max)
    assert gia.get(url(activity)).status_code == 404
    assert listed_ids(page(gia.get(LIST))) == []


def test_sending_the_completed_worksheet_after_done_needs_a_file(world: World, gia) -> None:
    activity = assign(world)
    select(gia, world.gia_access_max)
    gia.post(url(activity, "done"))
    assert "Send your completed worksheet" in page(gia.get(url(activity)))

    refused = gia.post(url(activity, "done"))
    assert refused.status_code == 400 and "Choose your completed worksheet to send." in page(refused)

    sent = gia.post(url(activity, "done"), {"completed": SimpleUploadedFile("late.pdf", ONE_BLANK_PAGE_PDF)})
    assert sent.status_code == 302
    activity.refresh_from_db()
    assert read_decrypted(activity.completed_storage_name) == ONE_BLANK_PAGE_PDF
    assert [e.details["uploaded"] for e in events("activity.done")] == [False, True]
