"""A client's intake forms in the staff chart (FORM-3, FORM-4): sending, the list, reminders, withdrawing, the
answers page, acknowledging, sending back, exporting, scores over time, the safety alert, scope and query counts."""

from __future__ import annotations

import datetime
import json
import re
from html import unescape
from typing import TYPE_CHECKING, Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from haven.audit.models import AuditEvent
from haven.core.encryption import read_decrypted
from haven.core.timezones import practice_zone
from haven.documents.models import Category, Document
from haven.intake import actions
from haven.intake.models import AssignmentStatus, FormAssignment, IntakeForm, Packet, SafetyAlert
from haven.intake.policy import visible_to
from haven.intake.tests.test_actions import drawn_signature
from haven.messaging.models import Message, MessageKind
from haven.portal_access.viewers import PortalViewer
from tests.personas import ONE_BLANK_PAGE_PDF, World

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

REVIEW_WORDS = "A PHQ-9 answer needs a clinician's review"


def page(response: TestResponse) -> str:
    return unescape(response.content.decode())


def form(world: World, key: str) -> IntakeForm:
    return IntakeForm.objects.select_related("current_version").get(practice=world.riverside, template_key=key)


def gia(world: World) -> PortalViewer:
    return PortalViewer(account=world.gia_account, practice=world.riverside, profile=world.gia_access_max)


def phq9(points: list[int]) -> dict[str, str]:
    return {f"phq9_{n}": str(p) for n, p in enumerate(points, start=1)} | {"phq9_difficulty": "somewhat"}


def send(world: World, *keys: str, as_packet: bool = True) -> list[FormAssignment]:
    return actions.send_forms(
        by=world.ada,
        client=world.max,
        forms=[form(world, key) for key in keys],
        recipient_key=f"contact-{world.gia.pk}",
        message="Please complete these before the first visit.",
        as_packet=as_packet,
    )


def submitted_phq9(world: World, points: list[int], *, days_ago: int = 0) -> FormAssignment:
    (assignment,) = send(world, "phq9", as_packet=False)
    actions.submit(viewer=gia(world), assignment=assignment, raw=phq9(points))
    if days_ago:
        moment = timezone.now() - datetime.timedelta(days=days_ago)
        FormAssignment.objects.filter(pk=assignment.pk).update(submitted_at=moment, sent_at=moment)
    assignment.refresh_from_db()
    return assignment


def intake_url(world: World, client_id: int | None = None) -> str:
    return reverse("staff:intake_forms", args=[client_id or world.max.pk])


def form_url(name: str, assignment: FormAssignment, client_id: int | None = None) -> str:
    return reverse(f"staff:{name}", args=[client_id or assignment.client_id, assignment.pk])


def denied_events(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=before, action="access.denied"))


def last_event_id() -> int:
    last = AuditEvent.objects.order_by("-pk").first()
    return last.pk if last else 0


# --- The page and sending ------------------------------------------------------------------------------------------


def test_the_intake_forms_tab_offers_the_published_forms_and_the_guardian_who_can_fill_them(
    world: World, login
) -> None:
    actions.archive_form(by=world.ada, form=form(world, "telehealth_consent"))
    html = page(login(world.ada).get(intake_url(world)))
    assert 'aria-current="page" href="' + intake_url(world) + '">Intake Forms</a>' in html
    for key in ("demographics", "phq9", "gad7", "consent_for_treatment"):
        assert f'id="send-form-{form(world, key).pk}"' in html
    assert f'id="send-form-{form(world, "telehealth_consent").pk}"' not in html
    assert "Gia Moreno, legal guardian, signs in as gia@example.com" in html
    assert "Intake Forms Message" in html and "Send a single form" in html
    assert "No forms have been sent to this client yet." in html


def test_sending_a_packet_through_the_page_keeps_the_order_numbered_and_the_message(
    world: World, login, django_capture_on_commit_callbacks: Any
) -> None:
    http = login(world.ada)
    demographics, phq = form(world, "demographics"), form(world, "phq9")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            reverse("staff:intake_send", args=[world.max.pk]),
            {
                "intake_forms": [demographics.pk, phq.pk],
                f"position_{demographics.pk}": "2",
                f"position_{phq.pk}": "1",
                "recipient": f"contact-{world.gia.pk}",
                "message": "Welcome, Gia. Two short forms before Max's first visit.",
                "send_as": "packet",
            },
        )
    assert response.status_code == 302 and response["Location"].endswith("#sent-forms")
    packet = Packet.objects.get(client=world.max)
    assert [(a.form_id, a.position) for a in FormAssignment.objects.filter(packet=packet).order_by("position")] == [
        (phq.pk, 0),
        (demographics.pk, 1),
    ]
    message = Message.objects.get(thread__account=world.gia_account, thread__kind=MessageKind.INTAKE)
    assert message.body == "Welcome, Gia. Two short forms before Max's first visit."
    assert len(mail.outbox) == 1 and "Max" not in mail.outbox[0].body
    html = page(http.get(intake_url(world)))
    assert "An intake packet of 2 forms was sent to Gia Moreno." in html
    assert "0 of 2 complete" in html and "Not started" in html
    assert "to Gia Moreno (legal guardian)" in html


def test_a_single_form_goes_on_its_own_and_two_at_once_are_refused_in_words_keeping_what_was_typed(
    world: World, login
) -> None:
    http = login(world.ada)
    gad, phq = form(world, "gad7"), form(world, "phq9")
    data = {
        "intake_forms": [gad.pk, phq.pk],
        "recipient": f"contact-{world.gia.pk}",
        "message": "Typed with care",
        "send_as": "single",
    }
    refused = http.post(reverse("staff:intake_send", args=[world.max.pk]), data)
    assert refused.status_code == 400
    html = page(refused)
    assert "Send one form at a time, or send them together as a packet." in html
    assert "data-error-summary" in html and "Typed with care</textarea>" in html
    assert re.search(rf'value="{gad.pk}" id="send-form-{gad.pk}" checked', html)
    assert not FormAssignment.objects.exists()
    sent = http.post(reverse("staff:intake_send", args=[world.max.pk]), data | {"intake_forms": [gad.pk]}, follow=True)
    assert "“GAD-7” was sent to Gia Moreno." in page(sent) and "Forms sent on their own" in page(sent)
    (single,) = FormAssignment.objects.all()
    assert single.packet_id is None and not Packet.objects.exists()


def test_nothing_chosen_is_refused_in_words(world: World, login) -> None:
    response = login(world.ada).post(
        reverse("staff:intake_send", args=[world.max.pk]),
        {"recipient": f"contact-{world.gia.pk}", "message": "Hello", "send_as": "packet"},
    )
    assert response.status_code == 400
    assert "Choose at least one form to send." in page(response)
    assert not FormAssignment.objects.exists()


def test_with_nobody_who_can_receive_forms_the_page_says_to_invite_them_to_the_portal_first(
    world: World, login
) -> None:
    http = login(world.ada)
    html = page(http.get(intake_url(world, world.ana.pk)))
    assert (
        "Nobody can receive forms yet: neither Ana Alvarez nor a legal guardian with Web Portal permission has an "
        "active portal login." in html
    )
    assert f'href="{reverse("staff:portal_overview", args=[world.ana.pk])}"' in html
    refused = http.post(
        reverse("staff:intake_send", args=[world.ana.pk]),
        {"intake_forms": [form(world, "gad7").pk], "recipient": "client", "send_as": "packet"},
    )
    assert refused.status_code == 400
    assert "Choose the client or a legal guardian with Web Portal permission who has an active portal login." in page(
        refused
    )
    assert not FormAssignment.objects.exists()


def test_staff_without_the_intake_permission_see_the_forms_but_cannot_send(world: World, login) -> None:
    send(world, "gad7")
    http = login(world.theo)
    html = page(http.get(intake_url(world)))
    assert "GAD-7" in html and "Sending forms needs the permission" in html
    assert "Withdraw" not in html and ">Resend<" not in html
    assert http.post(reverse("staff:intake_send", args=[world.max.pk]), {"send_as": "packet"}).status_code == 403


# --- Resend and withdraw ----------------------------------------------------------------------------------------------


def test_resend_reminds_the_guardian_once_a_day(world: World, login, django_capture_on_commit_callbacks: Any) -> None:
    assignments = send(world, "demographics", "gad7")
    http = login(world.ada)
    html = page(http.get(intake_url(world)))
    assert "Resend all 2 open forms" in html
    mail.outbox.clear()
    resend = reverse("staff:intake_resend", args=[world.max.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = http.post(resend, {"assignment": [a.pk for a in assignments]}, follow=True)
    assert "A reminder was sent to Gia Moreno about 2 forms." in page(first)
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        again = http.post(resend, {"assignment": [assignments[0].pk]}, follow=True)
    assert "A reminder was already sent today. You can send another tomorrow." in page(again)
    assert len(mail.outbox) == 1
    assert "Reminder sent" in page(again)


def test_resend_naming_a_form_of_another_client_is_refused_whole_and_audited(world: World, login) -> None:
    (for_max,) = send(world, "gad7")
    (for_mia,) = actions.send_forms(
        by=world.ada, client=world.mia, forms=[form(world, "gad7")], recipient_key=f"contact-{world.gia_for_mia.pk}"
    )
    before = last_event_id()
    response = login(world.ada).post(
        reverse("staff:intake_resend", args=[world.max.pk]), {"assignment": [for_max.pk, for_mia.pk]}
    )
    assert response.status_code == 404
    assert [e.details["object_id"] for e in denied_events(before)] == [str(for_mia.pk)]
    assert not FormAssignment.objects.filter(reminded_at__isnull=False).exists()


def test_withdrawing_takes_the_form_off_the_portal_and_every_pending_list(world: World, login) -> None:
    demographics, gad = send(world, "demographics", "gad7")
    http = login(world.ada)
    response = http.post(form_url("intake_withdraw", gad), follow=True)
    html = page(response)
    assert "“GAD-7” was withdrawn: it is no longer in the portal." in html
    assert "Withdrawn" in html and "0 of 1 complete" in html
    gad.refresh_from_db()
    assert gad.status == AssignmentStatus.CANCELLED
    assert list(visible_to(gia(world))) == [demographics]
    again = http.post(form_url("intake_withdraw", gad), follow=True)
    assert "This form is no longer waiting for answers." in page(again)


# --- The answers page ---------------------------------------------------------------------------------------------


def test_the_answers_page_shows_the_versions_questions_the_chosen_words_and_the_score_and_is_audited(
    world: World, login
) -> None:
    assignment = submitted_phq9(world, [2, 2, 2, 2, 1, 1, 1, 1, 0])
    phq = form(world, "phq9")
    fields = phq.draft_fields
    fields[1] = fields[1] | {"label": "A question worded after the form was sent"}
    actions.save_form(by=world.ada, form=phq, title=phq.title, description="", fields=fields)
    actions.publish_form(by=world.ada, form=phq)
    before = last_event_id()
    html = page(login(world.ada).get(form_url("intake_answers", assignment)))
    assert "12 of 27</strong> — Moderate" in html
    assert "Little interest or pleasure in doing things" in html
    assert "worded after the form was sent" not in html
    assert "More than half the days" in html and "Several days" in html and "Somewhat difficult" in html
    assert "Pending Acknowledgement" in html and "Acknowledge" in html
    viewed = AuditEvent.objects.filter(pk__gt=before, action="intake.viewed").get()
    assert viewed.actor_id == world.ada.user.pk and viewed.client_id == world.max.pk


def test_prefilled_answers_are_marked_and_a_signature_shows_as_its_image(world: World, login) -> None:
    demographics, consent = send(world, "demographics", "consent_for_treatment")
    raw = dict(demographics.answers) | {
        "reason": "Trouble sleeping",
        "emergency_name": "Gia Moreno",
        "emergency_phone": "555-0100",
    }
    try:
        actions.submit(viewer=gia(world), assignment=demographics, raw=raw)
    except actions.FormIncomplete as refused:
        pytest.fail(f"the demographics form needs {refused.problems}")
    signature = drawn_signature()
    actions.submit(
        viewer=gia(world),
        assignment=consent,
        raw={"consent_agree": "yes", "signer_name": "Gia Moreno", "relationship": "guardian", "signature": signature},
    )
    http = login(world.ada)
    demographics_page = page(http.get(form_url("intake_answers", demographics)))
    assert "Max Moreno" in demographics_page and "from the chart" in demographics_page
    consent_page = page(http.get(form_url("intake_answers", consent)))
    assert 'src="data:image/png;base64,' in consent_page
    assert "The client's parent or legal guardian" in consent_page and "Yes" in consent_page


def test_an_incomplete_response_says_it_has_no_total(world: World, login) -> None:
    (assignment,) = send(world, "phq9")
    answers: dict[str, Any] = phq9([1, 1, 1, 1, 1, 1, 1, 1, 0])
    del answers["phq9_4"]
    assignment.keep_answers(answers)
    assignment.save(update_fields=["answers_encrypted"])
    FormAssignment.objects.filter(pk=assignment.pk).update(
        status=AssignmentStatus.SUBMITTED, submitted_at=timezone.now(), measure="phq9", total=None, band=""
    )
    html = page(login(world.ada).get(form_url("intake_answers", assignment)))
    assert "Incomplete: no total" in html and "8 of 9 scored questions answered" in html
    intake = page(login(world.ada).get(intake_url(world)))
    assert "PHQ-9: incomplete, no total" in intake
    assert "1 incomplete response has no total and no point." in intake


def test_acknowledging_through_the_page_files_a_pdf_in_general_documents(
    world: World, login, django_capture_on_commit_callbacks: Any
) -> None:
    assignment = submitted_phq9(world, [1, 1, 1, 1, 1, 1, 1, 1, 0])
    http = login(world.ada)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(form_url("intake_acknowledge", assignment))
    assert response.status_code == 302 and response["Location"] == form_url("intake_answers", assignment)
    html = page(http.get(response["Location"]))
    assert "“PHQ-9” was acknowledged. Its PDF is being filed in General Documents." in html
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ACKNOWLEDGED and assignment.document_id is not None
    document = Document.objects.select_related("type", "current_version").get(pk=assignment.document_id)
    assert document.client_id == world.max.pk and document.type.category == Category.EVALUATION
    assert document.type.clinical  # a scored measure is filed where only clinicians open it
    assert document.current_version is not None
    assert read_decrypted(document.current_version.storage_name).startswith(b"%PDF")
    document_url = reverse("staff:document_detail", args=[world.max.pk, document.pk])
    assert f'<a href="{document_url}">The filed PDF</a>' in html
    intake = page(http.get(intake_url(world)))
    assert 'id="pending"' not in intake
    assert f'<a href="{document_url}">In General Documents</a>' in intake


def test_until_the_task_has_filed_it_the_page_says_the_pdf_is_being_filed(world: World, login) -> None:
    assignment = submitted_phq9(world, [0, 0, 0, 0, 0, 0, 0, 0, 0])
    http = login(world.ada)
    html = page(http.post(form_url("intake_acknowledge", assignment), follow=True))  # the task runs after commit
    assert "Filing the PDF…" in html
    assert "Filing the PDF…" in page(http.get(intake_url(world)))


def test_sending_back_needs_a_note_and_reopens_the_form_for_the_guardian(world: World, login) -> None:
    assignment = submitted_phq9(world, [0, 0, 0, 0, 0, 0, 0, 0, 0])
    http = login(world.ada)
    refused = http.post(form_url("intake_send_back", assignment), {"note": "  "})
    assert refused.status_code == 400 and "Write a note saying what to change." in page(refused)
    note = "Please answer for the last two weeks only."
    html = page(http.post(form_url("intake_send_back", assignment), {"note": note}, follow=True))
    assert "“PHQ-9” was sent back to Gia Moreno with your note." in html
    assert f"with this note: “{note}”" in html and "Sent back" in html
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.RETURNED
    assert note in Message.objects.filter(thread__account=world.gia_account).order_by("-pk").first().body  # type: ignore[union-attr]
    actions.save_draft(viewer=gia(world), assignment=assignment, raw={"phq9_1": "1"})


def test_export_downloads_a_valid_questionnaire_response_and_is_audited(world: World, login) -> None:
    assignment = submitted_phq9(world, [3, 2, 2, 1, 1, 1, 1, 1, 0])
    http = login(world.ada)
    before = last_event_id()
    response = http.get(form_url("intake_export", assignment))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="questionnaire-response-{assignment.pk}.json"'
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"].startswith("application/fhir+json")
    data = json.loads(response.content)
    QuestionnaireResponse.model_validate(data)
    assert data["resourceType"] == "QuestionnaireResponse" and data["status"] == "completed"
    assert data["subject"]["display"] == "Max Moreno"
    assert {"valueInteger": 12} in [answer for item in data["item"] for answer in item["answer"]]
    exported = AuditEvent.objects.filter(pk__gt=before, action="intake.exported").get()
    assert exported.details == {"version": 1} and exported.client_id == world.max.pk


def test_a_form_not_yet_submitted_has_nothing_to_export(world: World, login) -> None:
    (assignment,) = send(world, "gad7")
    response = login(world.ada).get(form_url("intake_export", assignment), follow=True)
    assert "This form has not been submitted yet." in page(response)
    assert not AuditEvent.objects.filter(action="intake.exported").exists()


# --- Scores over time and the Chart Face ------------------------------------------------------------------------------


def test_the_trend_table_lists_the_totals_in_date_order_and_the_chart_draws_a_point_each(world: World, login) -> None:
    submitted_phq9(world, [3, 3, 3, 3, 3, 0, 0, 0, 0], days_ago=60)  # 15
    submitted_phq9(world, [1, 1, 1, 1, 1, 1, 1, 1, 1], days_ago=30)  # 9
    submitted_phq9(world, [1, 1, 1, 1, 0, 0, 0, 0, 0], days_ago=2)  # 4
    html = page(login(world.ada).get(intake_url(world)))
    table = html.split('data-trend="phq9"')[1].split("</table>")[0]
    totals = re.findall(r"</a></td><td>(\d+)</td><td>([^<]+)</td>", table)
    assert totals == [("15", "Moderately severe"), ("9", "Mild"), ("4", "Minimal")]
    svg = html.split('aria-labelledby="trend-phq9-title trend-phq9-desc"')[1].split("</svg>")[0]
    assert svg.count("<circle") == 3 and "<polyline" in svg
    assert ">Moderately</tspan>" in svg and ">severe</tspan>" in svg
    assert "Latest: <strong>4 of 27 — Minimal</strong>" in html
    assert "GAD-7" not in html.split('id="scores"')[1].split("</section>")[0]


def test_the_chart_face_shows_the_latest_band_and_the_forms_pending_acknowledgement(world: World, login) -> None:
    submitted_phq9(world, [3, 3, 3, 3, 3, 0, 0, 0, 0], days_ago=20)
    latest = submitted_phq9(world, [2, 2, 2, 2, 1, 1, 1, 1, 0])
    assert latest.submitted_at is not None
    day = format_date(latest.submitted_at.astimezone(practice_zone(world.riverside)), "j M")
    html = page(login(world.ada).get(reverse("staff:client_chart", args=[world.max.pk])))
    assert "2 forms Pending Acknowledgement" in html
    assert re.findall(r"<li data-latest-score>(.*?)</li>", html) == [f"<strong>PHQ-9: 12</strong> (Moderate), {day}"]


def test_a_client_without_intake_forms_has_no_intake_card_on_the_chart_face(world: World, login) -> None:
    html = page(login(world.ada).get(reverse("staff:client_chart", args=[world.max.pk])))
    assert 'id="face-intake"' not in html and REVIEW_WORDS not in html


# --- The safety alert -------------------------------------------------------------------------------------------------


def test_the_safety_flag_shows_only_to_clinicians_who_mark_it_reviewed(world: World, login) -> None:
    assignment = submitted_phq9(world, [0, 0, 0, 0, 0, 0, 0, 0, 1])
    chart = reverse("staff:client_chart", args=[world.max.pk])
    review = form_url("intake_review_alert", assignment)
    fran = login(world.fran)  # the front desk: no clinical documents, so neither the answers nor the flag
    for url in (chart, intake_url(world)):
        assert REVIEW_WORDS not in page(fran.get(url)), url
    assert fran.get(form_url("intake_answers", assignment)).status_code == 404
    assert fran.post(review, {"back": "face"}).status_code == 404
    assert SafetyAlert.objects.get(assignment=assignment).reviewed_at is None
    theo = login(world.theo, HttpClient())
    face = page(theo.get(chart))
    assert REVIEW_WORDS in face and "Mark reviewed" in face
    done = theo.post(review, {"back": "face"})
    assert done.status_code == 302 and done["Location"] == chart
    alert = SafetyAlert.objects.get(assignment=assignment)
    assert alert.reviewed_by == world.theo
    assert REVIEW_WORDS not in page(theo.get(chart))
    assert "Safety alert reviewed by Theo Therapist" in page(theo.get(form_url("intake_answers", assignment)))


# --- Scope ------------------------------------------------------------------------------------------------------------


def test_another_practice_and_another_client_get_404_and_it_is_audited(world: World, login) -> None:
    assignment = submitted_phq9(world, [1, 0, 0, 0, 0, 0, 0, 0, 0])
    hana = login(world.hana)
    before = last_event_id()
    assert hana.get(form_url("intake_answers", assignment)).status_code == 404
    assert hana.get(intake_url(world)).status_code == 404
    assert len(denied_events(before)) == 2
    ada = login(world.ada, HttpClient())
    before = last_event_id()
    for name in ("intake_answers", "intake_export"):
        response = ada.get(form_url(name, assignment, client_id=world.ana.pk))
        assert response.status_code == 404 and "Max" not in page(response)
    for name in ("intake_acknowledge", "intake_withdraw", "intake_send_back", "intake_review_alert"):
        assert ada.post(form_url(name, assignment, client_id=world.ana.pk), {"note": "x"}).status_code == 404
    events = denied_events(before)
    assert len(events) == 6
    assert {(e.details["object_type"], e.details["object_id"]) for e in events} == {
        ("intake.formassignment", str(assignment.pk))
    }
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.SUBMITTED
    assert not AuditEvent.objects.filter(pk__gt=before, action="intake.viewed").exists()


# --- Query counts ---------------------------------------------------------------------------------------------------


def _grow(world: World, packets: int) -> None:
    """Packets of three forms each, one PHQ-9 of every packet submitted (a score) and some forms acknowledged."""
    for n in range(packets):
        demographics, gad, phq = send(world, "demographics", "gad7", "phq9")
        actions.submit(viewer=gia(world), assignment=phq, raw=phq9([n % 4, 1, 1, 1, 0, 0, 0, 0, 0]))
        actions.submit(viewer=gia(world), assignment=gad, raw={f"gad7_{i}": str(n % 4) for i in range(1, 8)})
        if n % 2:
            actions.acknowledge(by=world.ada, assignment=gad)
        if n % 3 == 0:
            actions.cancel(by=world.ada, assignment=demographics)


def _queries(http: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("where", ["intake", "answers", "face"])
def test_the_pages_run_as_many_queries_for_60_sent_forms_as_for_3(
    world: World, login, where: str, django_assert_max_num_queries: Any
) -> None:
    _grow(world, 1)
    first = FormAssignment.objects.order_by("pk").first()
    assert first is not None
    url = {
        "intake": intake_url(world),
        "answers": form_url("intake_answers", first),
        "face": reverse("staff:client_chart", args=[world.max.pk]),
    }[where]
    http = login(world.ada)
    http.get(url)
    few = _queries(http, url)
    _grow(world, 19)
    assert FormAssignment.objects.filter(client=world.max).count() == 60
    with django_assert_max_num_queries(few):
        response = http.get(url)
    assert response.status_code == 200
    if where == "intake":
        phq = page(response).split('aria-labelledby="trend-phq9-title trend-phq9-desc"')[1].split("</svg>")[0]
        assert phq.count("<circle") == 20


# --- Returned on paper ------------------------------------------------------------------------------------------------


def test_a_form_returned_on_paper_is_filed_acknowledged_and_leaves_the_pending_lists(world: World, login) -> None:
    (consent,) = send(world, "consent_for_treatment", as_packet=False)
    http = login(world.fran)  # the front desk takes the paper in
    assert "Returned on paper?" in page(http.get(form_url("intake_answers", consent)))
    response = http.post(
        form_url("intake_paper", consent), {"file": SimpleUploadedFile("scan.pdf", ONE_BLANK_PAGE_PDF)}
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert (consent.status, consent.on_paper, consent.acknowledged_by) == (
        AssignmentStatus.ACKNOWLEDGED,
        True,
        world.fran,
    )
    assert consent.document is not None and consent.document.current_version is not None
    assert read_decrypted(consent.document.current_version.storage_name) == ONE_BLANK_PAGE_PDF
    assert not FormAssignment.objects.open().filter(pk=consent.pk).exists()
    assert not FormAssignment.objects.pending_acknowledgement().filter(pk=consent.pk).exists()
    assert AuditEvent.objects.filter(action="intake.acknowledged", object_id=str(consent.pk)).exists()


def test_a_returned_paper_form_of_the_wrong_kind_is_refused_in_words(world: World, login) -> None:
    (consent,) = send(world, "consent_for_treatment", as_packet=False)
    http = login(world.fran)
    response = http.post(
        form_url("intake_paper", consent), {"file": SimpleUploadedFile("notes.txt", b"just words")}, follow=True
    )
    assert "Haven accepts PDF, PNG and JPEG files." in page(response)
    consent.refresh_from_db()
    assert consent.status == AssignmentStatus.SENT and consent.document is None


def test_the_answers_page_asks_until_the_pdf_is_filed_without_recording_a_view(
    world: World, login, django_capture_on_commit_callbacks
) -> None:
    assignment = submitted_phq9(world, [1, 1, 1, 1, 1, 1, 1, 1, 0])
    http = login(world.ada)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        actions.acknowledge(by=world.ada, assignment=assignment)
    filed_url = form_url("intake_filed", assignment)
    waiting = page(http.get(form_url("intake_answers", assignment)))
    assert f'hx-get="{filed_url}" hx-trigger="every 3s"' in waiting and "Filing the PDF…" in waiting
    views = AuditEvent.objects.filter(action="intake.viewed").count()
    assert "Filing the PDF…" in page(http.get(filed_url))
    for callback in queued:
        callback()  # the filing task runs
    assignment.refresh_from_db()
    filed = page(http.get(filed_url))
    document_url = reverse("staff:document_detail", args=[world.max.pk, assignment.document_id])
    assert f'<a href="{document_url}">The filed PDF</a>' in filed and "hx-get" not in filed
    assert AuditEvent.objects.filter(action="intake.viewed").count() == views
