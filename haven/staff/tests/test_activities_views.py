"""Home Activities for staff (APPT-4): the Chart Face card, a client's activities with their status, assigning with a
worksheet (a wrong file refused in words, what was typed kept), withdrawing, the completed worksheet downloaded and
audited, the practice's overdue list; who is refused; pages whose queries don't grow with the activities."""

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
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.clients.models import Client
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import StaffMember
from haven.scheduling import activities
from haven.scheduling.activities import Upload
from haven.scheduling.models import ActivityStatus, HomeActivity
from haven.scheduling.tests.factories import assign_worksheet, tiny_png
from tests.personas import ONE_BLANK_PAGE_PDF, World

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

CANARY = "Zebracanary42 thought record"


def page(response: TestResponse) -> str:
    return unescape(response.content.decode())


def as_staff(login, member: StaffMember) -> HttpClient:
    return login(member, HttpClient())


def today(world: World) -> datetime.date:
    return activities.practice_today(world.riverside)


def assign(world: World, client: Client | None = None, **overrides: object) -> HomeActivity:
    defaults = {
        "title": CANARY,
        "instructions": "One page a day.",
        "file_name": "record.pdf",
        "client": client or world.max,
    }
    return assign_worksheet(world, **(defaults | overrides))


def gia(world: World) -> PortalViewer:
    return PortalViewer(account=world.gia_account, practice=world.riverside, profile=world.gia_access_max)


def many(world: World, count: int, *, due: datetime.date, clients: list[Client]) -> None:
    """``count`` activities by Theo, spread over ``clients``, all due on ``due``."""
    rows = []
    for number in range(count):
        activity = HomeActivity(
            practice=world.riverside,
            client=clients[number % len(clients)],
            assigned_by=world.theo,
            due_on=due,
        )
        activity.title = f"Activity {number}"
        activity.instructions = "Do it."
        rows.append(activity)
    HomeActivity.objects.bulk_create(rows)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def list_url(client: Client) -> str:
    return reverse("staff:client_activities", kwargs={"client_id": client.pk})


def assign_url(client: Client) -> str:
    return reverse("staff:activity_assign", kwargs={"client_id": client.pk})


def listed_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-activity="(\d+)"', html)]


# --- The Chart Face -----------------------------------------------------------------------------------------------


def test_the_chart_face_leads_to_home_activities_for_staff_who_assign_them(world: World, login) -> None:
    chart = reverse("staff:client_chart", kwargs={"client_id": world.max.pk})
    html = page(as_staff(login, world.theo).get(chart))
    assert 'id="face-activities"' in html and f'href="{list_url(world.max)}"' in html
    assert f'href="{assign_url(world.max)}"' in html
    assert 'id="face-activities"' not in page(as_staff(login, world.fran).get(chart))


# --- A client's activities ------------------------------------------------------------------------------------------


def test_the_list_shows_each_activitys_status(world: World, login) -> None:
    to_do = assign(world)
    late = assign(world, title="Late one")
    HomeActivity.objects.filter(pk=late.pk).update(due_on=today(world) - datetime.timedelta(days=1))
    done = assign(world, title="Done one")
    activities.mark_done(viewer=gia(world), activity=done, file=Upload("done.png", tiny_png()))

    html = page(as_staff(login, world.theo).get(list_url(world.max)))

    assert listed_ids(html) == [late.pk, to_do.pk, done.pk]
    items = {pk: html.split(f'data-activity="{pk}"', 1)[1].split("</li>", 1)[0] for pk in listed_ids(html)}
    assert "Overdue" in items[late.pk] and "Withdraw" in items[late.pk]
    assert "Assigned" in items[to_do.pk] and CANARY in items[to_do.pk] and "One page a day." in items[to_do.pk]
    assert "Done " in items[done.pk] and "Download completed worksheet" in items[done.pk]
    assert "Withdraw" not in items[done.pk]


def test_assigning_with_a_worksheet_goes_back_to_the_list(world: World, login, django_capture_on_commit_callbacks):
    theo = as_staff(login, world.theo)
    due = today(world) + datetime.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        response = theo.post(
            assign_url(world.max),
            {
                "title": CANARY,
                "instructions": "Fill one row each evening.",
                "due_on": due.isoformat(),
                "repeat": "weekly",
                "worksheet": SimpleUploadedFile("record.pdf", ONE_BLANK_PAGE_PDF, content_type="application/pdf"),
            },
        )
    assert response.status_code == 302 and response["Location"] == list_url(world.max)
    activity = HomeActivity.objects.get()
    assert activity.title == CANARY and activity.due_on == due and activity.repeat == "weekly"
    assert activity.file_content_type == "application/pdf" and activity.assigned_by == world.theo
    assert "was assigned to Max Moreno" in page(theo.get(list_url(world.max)))


def test_a_worksheet_of_the_wrong_kind_is_refused_in_words_and_what_was_typed_stays(world: World, login) -> None:
    response = as_staff(login, world.theo).post(
        assign_url(world.max),
        {
            "title": CANARY,
            "instructions": "Keep this text.",
            "worksheet": SimpleUploadedFile("sheet.svg", b"<svg onload='x()'></svg>", content_type="image/svg+xml"),
        },
    )
    assert response.status_code == 400
    html = page(response)
    assert "“sheet.svg”: Haven accepts PDF, PNG and JPEG files." in html
    assert f'value="{CANARY}"' in html and "Keep this text." in html
    assert "Please choose it again" in html
    assert not HomeActivity.objects.exists()


def test_assigning_a_form_offers_the_practices_forms_to_staff_who_send_them(world: World, login) -> None:
    ada_page = page(as_staff(login, world.ada).get(assign_url(world.max)))
    assert 'name="intake_form"' in ada_page and "PHQ-9" in ada_page and 'value="contact-' in ada_page
    theo_page = page(as_staff(login, world.theo).get(assign_url(world.max)))
    assert 'name="intake_form"' not in theo_page and 'id="forms-need-permission"' in theo_page


def test_withdrawing_takes_the_activity_out_of_the_portal(world: World, login) -> None:
    activity = assign(world)
    response = as_staff(login, world.theo).post(reverse("staff:activity_withdraw", kwargs={"activity_id": activity.pk}))
    assert response.status_code == 302 and response["Location"] == list_url(world.max)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.WITHDRAWN
    assert [event.object_id for event in events("activity.withdrawn")] == [str(activity.pk)]


def test_the_worksheet_opens_and_the_completed_one_downloads_each_audited(world: World, login) -> None:
    activity = assign(world)
    png = tiny_png()
    activities.mark_done(viewer=gia(world), activity=activity, file=Upload("done.png", png))
    theo = as_staff(login, world.theo)

    worksheet = theo.get(reverse("staff:activity_file", kwargs={"activity_id": activity.pk}))
    assert worksheet.status_code == 200 and worksheet.content == ONE_BLANK_PAGE_PDF
    assert worksheet["Content-Disposition"].startswith("inline;")
    completed = theo.get(reverse("staff:activity_completed", kwargs={"activity_id": activity.pk}))
    assert completed.status_code == 200 and completed.content == png
    assert completed["Content-Type"] == "image/png"
    assert completed["Content-Disposition"] == 'attachment; filename="Zebracanary42-thought-record-completed.png"'
    assert completed["X-Content-Type-Options"] == "nosniff" and "no-store" in completed["Cache-Control"]
    assert [(e.details, e.client_id, e.object_id) for e in events("activity.file_downloaded")] == [
        ({"completed": False}, world.max.pk, str(activity.pk)),
        ({"completed": True}, world.max.pk, str(activity.pk)),
    ]


def test_an_activity_without_a_completed_worksheet_says_so(world: World, login) -> None:
    activity = assign(world)
    theo = as_staff(login, world.theo)
    response = theo.get(reverse("staff:activity_completed", kwargs={"activity_id": activity.pk}))
    assert response.status_code == 302 and response["Location"] == list_url(world.max)
    assert "No completed worksheet was sent for" in page(theo.get(list_url(world.max)))
    assert not events("activity.file_downloaded")


def test_the_access_history_tells_of_home_activities(world: World, login) -> None:
    activity = assign(world)
    activities.mark_done(viewer=gia(world), activity=activity)
    html = page(
        as_staff(login, world.ada).get(reverse("staff:client_access_history", kwargs={"client_id": world.max.pk}))
    )
    assert "Assigned a Home Activity" in html and "Marked a Home Activity done" in html


# --- Who is refused ------------------------------------------------------------------------------------------------


def test_staff_without_the_permission_are_refused_every_page(world: World, login) -> None:
    activity = assign(world)
    fran = as_staff(login, world.fran)
    for url in (
        list_url(world.max),
        assign_url(world.max),
        reverse("staff:overdue_activities"),
        reverse("staff:activity_file", kwargs={"activity_id": activity.pk}),
    ):
        response = fran.get(url)
        assert response.status_code == 403 and CANARY not in page(response), url
    assert fran.post(reverse("staff:activity_withdraw", kwargs={"activity_id": activity.pk})).status_code == 403
    assert len(events("access.forbidden")) == 5
    assert HomeActivity.objects.get().status == ActivityStatus.ASSIGNED


def test_another_practices_staff_get_404_and_it_is_audited(world: World, login) -> None:
    activity = assign(world)
    hana = as_staff(login, world.hana)
    for url in (
        reverse("staff:activity_file", kwargs={"activity_id": activity.pk}),
        reverse("staff:activity_completed", kwargs={"activity_id": activity.pk}),
    ):
        assert hana.get(url).status_code == 404
    assert hana.post(reverse("staff:activity_withdraw", kwargs={"activity_id": activity.pk})).status_code == 404
    assert hana.get(list_url(world.max)).status_code == 404
    denied = events("access.denied")
    assert [(e.details["object_type"], e.details["object_id"]) for e in denied] == [
        (activities.OBJECT_TYPE, str(activity.pk)),
        (activities.OBJECT_TYPE, str(activity.pk)),
        (activities.OBJECT_TYPE, str(activity.pk)),
        ("clients.client", str(world.max.pk)),
    ]
    assert all(e.practice_id == world.hilltop.pk for e in denied)
    assert HomeActivity.objects.get().status == ActivityStatus.ASSIGNED


def test_a_guessed_activity_id_answers_404_and_is_audited(world: World, login) -> None:
    assert as_staff(login, world.theo).get("/staff/activities/424242/file/").status_code == 404
    assert [e.details["object_id"] for e in events("access.denied")] == ["424242"]


# --- The overdue list ----------------------------------------------------------------------------------------------


def test_the_overdue_list_shows_every_clients_overdue_activities(world: World, login) -> None:
    late = assign(world, client=world.ana)
    HomeActivity.objects.filter(pk=late.pk).update(due_on=today(world) - datetime.timedelta(days=3))
    assign(world)  # not due yet
    html = page(as_staff(login, world.theo).get(reverse("staff:overdue_activities")))
    assert listed_ids(html) == [late.pk]
    assert "Ana Alvarez" in html and f'href="{list_url(world.ana)}"' in html and "Overdue" in html


def test_the_overdue_list_is_paginated_by_twenty_five(world: World, login) -> None:
    many(world, 27, due=today(world) - datetime.timedelta(days=1), clients=[world.ana, world.max])
    theo = as_staff(login, world.theo)
    assert len(listed_ids(page(theo.get(reverse("staff:overdue_activities"))))) == 25
    assert len(listed_ids(page(theo.get(reverse("staff:overdue_activities") + "?page=2")))) == 2


# --- Queries that don't grow ----------------------------------------------------------------------------------------


def queries_of(http: HttpClient, url: str) -> int:
    http.get(url)  # the session's first request
    with CaptureQueriesContext(connection) as captured:
        response = http.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_overdue_list_reads_in_the_same_queries_however_many(world: World, login) -> None:
    theo = as_staff(login, world.theo)
    url = reverse("staff:overdue_activities")
    late = today(world) - datetime.timedelta(days=1)
    many(world, 3, due=late, clients=[world.ana, world.max])
    few = queries_of(theo, url)
    many(world, 60, due=late, clients=[world.ana, world.max, world.ben, world.mia])
    assert queries_of(theo, url) == few
    assert few <= 10


def test_a_clients_list_reads_in_the_same_queries_however_many(world: World, login) -> None:
    theo = as_staff(login, world.theo)
    url = list_url(world.max)
    many(world, 3, due=today(world), clients=[world.max])
    done = assign(world)
    activities.mark_done(viewer=gia(world), activity=done, file=Upload("done.png", tiny_png()))
    few = queries_of(theo, url)
    many(world, 60, due=today(world), clients=[world.max])
    assert queries_of(theo, url) == few
    assert few <= 12
