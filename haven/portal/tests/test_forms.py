"""Forms in the portal (FORM-3, FORM-5): the selected profile's forms listed with their progress, filled in with
drafts kept, submitted with every problem shown beside its question, read back once submitted, and returned on
paper; anything not addressed to the selected profile answers 404 and is audited."""

from __future__ import annotations

import base64
import html
import re
from typing import TYPE_CHECKING, Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, reset_queries
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.intake.actions import acknowledge, create_form, publish_form, send_back, send_forms
from haven.intake.models import AssignmentStatus, FormAssignment, IntakeForm
from haven.portal.tests.helpers import select
from haven.portal_access.models import AccessKind, AccessStatus, PortalAccount, ProfileAccess
from haven.signing.tests.helpers import signature_png
from tests.personas import ONE_BLANK_PAGE_PDF, PASSWORD, World, give_ana_a_portal_login

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

FORMS = "/p/riverside/forms/"
DRAWING = "data:image/png;base64," + base64.b64encode(signature_png()).decode()
MESSAGE = "Please complete these before the first visit."


def form(world: World, key: str) -> IntakeForm:
    return IntakeForm.objects.select_related("current_version").get(practice=world.riverside, template_key=key)


def send(world: World, *keys: str, as_packet: bool = True) -> list[FormAssignment]:
    """Forms for Max, addressed to Gia as his legal guardian."""
    return send_forms(
        by=world.ada,
        client=world.max,
        forms=[form(world, key) for key in keys],
        recipient_key=f"contact-{world.gia.pk}",
        message=MESSAGE if as_packet else "",
        as_packet=as_packet,
    )


def fill_url(assignment: FormAssignment) -> str:
    return f"{FORMS}{assignment.pk}/"


def answers(**values: Any) -> dict[str, Any]:
    """Answers as the page posts them: each under its field's key with the page's prefix."""
    return {f"f_{key}": value for key, value in values.items()}


def gad7(points: int = 1) -> dict[str, Any]:
    return answers(**{f"gad7_{n}": str(points) for n in range(1, 8)})


def consent(**changes: Any) -> dict[str, Any]:
    values = {"consent_agree": "yes", "signer_name": "Gia Moreno", "relationship": "guardian", "signature": DRAWING}
    values.update(changes)
    return answers(**values)


def submit(http: HttpClient, assignment: FormAssignment, data: dict[str, Any]) -> TestResponse:
    return http.post(fill_url(assignment), {**data, "action": "submit"})


def page(response: TestResponse) -> str:
    return response.content.decode()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def last_event_id() -> int:
    last = AuditEvent.objects.order_by("-id").first()
    return last.pk if last else 0


@pytest.fixture
def for_max(world: World, gia: HttpClient) -> HttpClient:
    """Gia signed in, acting for Max."""
    select(gia, world.gia_access_max)
    return gia


# --- The list, its progress, the home page's card and the navigation -----------------------------------------


def test_the_list_shows_each_packet_with_its_message_progress_next_form_and_statuses(world, for_max) -> None:
    demographics, gad, phq = send(world, "demographics", "gad7", "phq9")
    (single,) = send(world, "telehealth_consent", as_packet=False)

    body = page(for_max.get(FORMS))

    assert MESSAGE in body
    assert "0 of 3 complete" in body
    assert re.search(r'id="packet-\d+-next">\s*Next:\s*Client Information</a>', body)
    for assignment in (demographics, gad, phq, single):
        assert f'href="{fill_url(assignment)}"' in body
    assert body.count(">Not started</span>") == 4
    assert "Other forms" in body and "Telehealth Consent" in body
    # In the packet's order.
    assert body.index("Client Information") < body.index("GAD-7") < body.index("PHQ-9")


def test_progress_counts_submitted_forms_and_the_packet_offers_the_next_one(world, for_max) -> None:
    demographics, _gad, _phq = send(world, "demographics", "gad7", "phq9")

    filled = answers(
        name="Max Moreno",
        date_of_birth=world.max.date_of_birth.isoformat(),
        emergency_name="Ana Alvarez",
        emergency_phone="555-0100",
    )
    response = submit(for_max, demographics, filled)
    assert response.status_code == 302 and response["Location"] == FORMS
    body = page(for_max.get(FORMS))

    assert "Thank you. Your answers were sent to Riverside Counseling." in body
    assert "1 of 3 complete" in body
    assert re.search(r"Next:\s*GAD-7</a>", body)
    assert ">Submitted</span>" in body


def test_a_form_sent_back_shows_the_practices_note_and_can_be_continued(world, for_max) -> None:
    (gad,) = send(world, "gad7")
    submit(for_max, gad, gad7(0))
    send_back(by=world.ada, assignment=gad, note="Please answer for the last two weeks only.")

    body = page(for_max.get(FORMS))
    fill = page(for_max.get(fill_url(gad)))

    assert ">Sent back</span>" in body and "Please answer for the last two weeks only." in body
    assert "Riverside Counseling sent this form back" in fill
    assert 'value="0" checked' in fill  # the answers as submitted, to change


def test_the_home_page_says_how_many_forms_wait_and_the_navigation_links_to_forms(world, for_max) -> None:
    assert 'id="home-forms"' not in page(for_max.get("/p/riverside/home/"))
    send(world, "demographics", "gad7", "phq9")

    body = page(for_max.get("/p/riverside/home/"))

    assert "3 forms to complete." in body
    assert f'<a class="nav-link px-0" href="{FORMS}">Forms</a>' in body
    assert 'aria-current="page">Forms</a>' in page(for_max.get(FORMS))


def test_switching_profile_changes_what_is_listed(world, for_max) -> None:
    (gad,) = send(world, "gad7")
    assert f'href="{fill_url(gad)}"' in page(for_max.get(FORMS))

    select(for_max, world.gia_access_mia)
    body = page(for_max.get(FORMS))

    assert f'href="{fill_url(gad)}"' not in body
    assert "No forms to complete." in body
    assert 'id="home-forms"' not in page(for_max.get("/p/riverside/home/"))


# --- Filling in: the page, drafts and autosave ---------------------------------------------------------------


def test_the_fill_page_labels_every_question_and_marks_required_ones_in_words(world, for_max) -> None:
    (demographics,) = send(world, "demographics")

    body = page(for_max.get(fill_url(demographics)))

    assert (
        '<label class="intake-label" for="q-emergency_name">Name <span class="intake-required">(required)</span>'
        in (body)
    )
    # A yes/no question is a group of large choices with a legend.
    assert re.search(r'<fieldset id="q-may_leave_message">\s*<legend class="intake-label">May we leave', body)
    assert 'id="q-may_leave_message-1" value="yes"' in body
    # Pre-filled answers appear filled, and say where they came from.
    assert 'id="q-name" value="Max Moreno"' in body
    assert 'aria-describedby="q-name-help"' in body and "Filled in from the practice's records" in body
    # A question shown only after an answer starts hidden, and says what it depends on.
    assert re.search(r'data-when-name="f_prior_therapy" data-when-equals="yes" hidden>', body)
    assert AuditEvent.objects.filter(action="intake.viewed", object_id=str(demographics.pk)).count() == 1


def test_autosave_keeps_the_answers_and_answers_with_a_quiet_status(world, for_max) -> None:
    (demographics,) = send(world, "demographics")
    url = f"{fill_url(demographics)}draft/"

    response = for_max.post(url, answers(name="Max Moreno", reason="Trouble sleeping", prior_therapy="yes"))

    assert response.status_code == 200
    assert response.json()["saved"] is True
    # As the page says it when loaded: the practice's date, time and zone.
    assert re.fullmatch(r"Draft saved [A-Z][a-z]{2} \d{1,2}, \d{4}, .+ C[SD]T", response.json()["status"])
    demographics.refresh_from_db()
    assert demographics.status == AssignmentStatus.IN_PROGRESS
    assert demographics.answers == {"name": "Max Moreno", "reason": "Trouble sleeping", "prior_therapy": "yes"}
    # Coming back shows the draft, with the question its answer opened.
    body = page(for_max.get(fill_url(demographics)))
    assert "Trouble sleeping</textarea>" in body
    assert 'id="q-prior_therapy-1" value="yes" checked' in body
    assert re.search(r'data-when-name="f_prior_therapy" data-when-equals="yes">', body)
    assert "Draft saved" in body


def test_save_draft_works_without_script_and_keeps_answers_that_are_not_right_yet(world, for_max) -> None:
    (demographics,) = send(world, "demographics")

    response = for_max.post(fill_url(demographics), {**answers(date_of_birth="last spring"), "action": "draft"})

    assert response.status_code == 302 and response["Location"] == fill_url(demographics)
    body = page(for_max.get(fill_url(demographics)))
    assert "Draft saved. You can come back to it at any time." in body
    assert 'id="q-date_of_birth" value="last spring" type="text"' in body


def test_autosave_of_a_submitted_form_is_refused_in_words(world, for_max) -> None:
    (gad,) = send(world, "gad7")
    submit(for_max, gad, gad7())

    response = for_max.post(f"{fill_url(gad)}draft/", gad7(3))

    assert response.status_code == 409
    assert response.json() == {
        "saved": False,
        "status": "This form was already submitted. The practice can send it back to you if something changed.",
    }


# --- Submitting ----------------------------------------------------------------------------------------------


def test_a_refused_submission_shows_each_problem_beside_its_question_and_keeps_what_was_typed(world, for_max) -> None:
    (consent_form,) = send(world, "consent_for_treatment")

    response = submit(for_max, consent_form, answers(signer_name="Gia Moreno"))

    assert response.status_code == 400
    body = page(response)
    # The summary at the top links to each question; haven.js moves focus to it.
    assert "data-error-summary" in body
    summary = re.findall(r'<a href="#([^"]+)" class="alert-link">([^<]+)</a>', body)
    assert summary == [
        ("q-consent_agree-1", "I have read and agree to the above. — Choose an answer."),
        ("q-relationship-1", "I am signing as — Choose an answer."),
        ("q-signature", "Signature — Sign in the box: this form needs your signature."),
    ]
    assert re.search(r'id="q-relationship-error">Choose an answer.</div>', body)
    assert 'id="q-signature-error">Sign in the box: this form needs your signature.</div>' in body
    assert 'aria-describedby="q-consent_agree-error"' in body
    assert 'id="q-signer_name" value="Gia Moreno"' in body
    consent_form.refresh_from_db()
    assert consent_form.status == AssignmentStatus.IN_PROGRESS
    assert consent_form.answers == {"signer_name": "Gia Moreno"}


def test_a_form_without_its_signature_is_refused_and_the_drawing_is_kept_after_another_problem(world, for_max) -> None:
    (consent_form,) = send(world, "consent_for_treatment")

    unsigned = submit(for_max, consent_form, consent(signature=""))
    signed_but_unnamed = submit(for_max, consent_form, consent(signer_name=""))

    assert unsigned.status_code == 400
    assert "Sign in the box: this form needs your signature." in page(unsigned)
    assert signed_but_unnamed.status_code == 400
    assert f'name="f_signature" value="{DRAWING}"' in page(signed_but_unnamed)
    assert "Signed. Select Clear to sign again." in page(signed_but_unnamed)


def test_a_complete_form_is_submitted_with_its_signature(world, for_max) -> None:
    (consent_form,) = send(world, "consent_for_treatment")

    response = submit(for_max, consent_form, consent())

    assert response.status_code == 302
    consent_form.refresh_from_db()
    assert consent_form.status == AssignmentStatus.SUBMITTED
    signature = consent_form.answers["signature"]
    assert isinstance(signature, dict) and signature["image"] == DRAWING and signature["signed_at"]


def test_a_typed_name_signs_for_someone_who_cannot_draw_and_is_shown_again_as_typed(world, for_max) -> None:
    (consent_form,) = send(world, "consent_for_treatment")
    typed = {"f_signature__typed": "Gia Moreno"}

    draft = for_max.post(fill_url(consent_form), {**consent(signature="", signer_name=""), **typed, "action": "draft"})
    assert 'name="f_signature__typed" value="Gia Moreno"' in page(for_max.get(fill_url(consent_form)))
    response = submit(for_max, consent_form, {**consent(signature=""), **typed})

    assert draft.status_code in (200, 302)
    assert response.status_code == 302
    consent_form.refresh_from_db()
    signature = consent_form.answers["signature"]
    assert isinstance(signature, dict) and signature["typed_name"] == "Gia Moreno"
    assert signature["image"].startswith("data:image/png;base64,")


def test_a_question_hidden_by_an_answer_is_not_required(world, for_max) -> None:
    follow_up = make_form(
        world,
        [
            {"key": "seen_before", "type": "yes_no", "label": "Seen a therapist before?", "required": True},
            {
                "key": "with_whom",
                "type": "short_text",
                "label": "With whom?",
                "required": True,
                "show_when": {"field": "seen_before", "equals": "yes"},
            },
        ],
    )
    (yes, no) = (send_to_gia(world, follow_up), send_to_gia(world, follow_up))

    asked = submit(for_max, yes, answers(seen_before="yes"))
    not_asked = submit(for_max, no, answers(seen_before="no", with_whom="typed before changing the answer"))

    assert asked.status_code == 400 and 'id="q-with_whom-error">This question needs an answer.' in page(asked)
    assert not_asked.status_code == 302
    no.refresh_from_db()
    assert no.answers == {"seen_before": "no"}


# --- A submitted form: read only -----------------------------------------------------------------------------


def test_a_submitted_form_opens_read_only_and_a_post_to_it_changes_nothing(world, for_max) -> None:
    (gad,) = send(world, "gad7")
    submit(for_max, gad, gad7(1))
    gad.refresh_from_db()
    revision = gad.revision

    shown = for_max.get(fill_url(gad))
    refused = submit(for_max, gad, gad7(3))

    assert shown.status_code == 200
    assert "data-intake-form" not in page(shown)
    assert page(shown).count("Several days") == 7
    assert "It can't be changed now." in page(shown)
    assert refused.status_code == 409
    assert "This form was already submitted." in page(refused)
    gad.refresh_from_db()
    assert (gad.revision, gad.answers["gad7_1"]) == (revision, "1")


def test_an_acknowledged_form_stays_readable(world, for_max) -> None:
    (gad,) = send(world, "gad7")
    submit(for_max, gad, gad7(2))
    acknowledge(by=world.ada, assignment=gad)

    body = page(for_max.get(fill_url(gad)))

    assert "More than half the days" in body and ">Submitted</span>" in page(for_max.get(FORMS))


# --- Paper (FORM-5) ------------------------------------------------------------------------------------------


def test_the_blank_form_downloads_as_a_pdf_and_is_audited_with_the_profile(world, for_max) -> None:
    (gad,) = send(world, "gad7")

    response = for_max.get(f"{fill_url(gad)}blank.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="GAD-7.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")
    event = AuditEvent.objects.get(action="form.printed")
    assert event.details == {"version": gad.version.number, "profile": world.gia_access_max.pk}
    assert (event.actor_kind, event.actor_id, event.client_id) == ("portal", world.gia_account.pk, world.max.pk)


def test_a_filled_paper_form_is_uploaded_and_submitted(world, for_max) -> None:
    (gad,) = send(world, "gad7")

    response = for_max.post(f"{fill_url(gad)}paper/", {"file": upload("scan.pdf", ONE_BLANK_PAGE_PDF)})

    assert response.status_code == 302 and response["Location"] == FORMS
    assert "Thank you. Your filled-in form was sent to Riverside Counseling." in page(for_max.get(FORMS))
    gad.refresh_from_db()
    assert (gad.status, gad.on_paper, gad.document is not None) == (AssignmentStatus.SUBMITTED, True, True)
    assert "You returned this form on paper" in page(for_max.get(fill_url(gad)))


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("notes.txt", b"just some words", "Haven accepts PDF, PNG and JPEG files."),
        ("empty.pdf", b"", "That file is empty. Please choose the file again."),
    ],
    ids=["wrong type", "empty"],
)
def test_a_paper_upload_that_cannot_be_used_is_refused_politely(world, for_max, name, data, words) -> None:
    (gad,) = send(world, "gad7")

    response = for_max.post(f"{fill_url(gad)}paper/", {"file": upload(name, data)})

    assert response.status_code == 400
    assert words in html.unescape(page(response))
    gad.refresh_from_db()
    assert gad.status == AssignmentStatus.SENT


def test_a_paper_upload_too_large_is_refused_in_words(world, for_max, settings) -> None:
    settings.HAVEN_MAX_UPLOAD_BYTES = 1_000_000
    (gad,) = send(world, "gad7")

    response = for_max.post(f"{fill_url(gad)}paper/", {"file": upload("big.pdf", b"%PDF-1.4\n" + b"0" * 1_000_000)})

    assert response.status_code == 400
    assert "That file is too large. Please upload a file under 1 MB." in page(response)


# --- Who may reach a form ------------------------------------------------------------------------------------


def assert_refused(http: HttpClient, url: str, account: PortalAccount, object_id: int) -> None:
    """404 for every way in, nothing of the form shown, and one access.denied each."""
    for method, path in (
        ("GET", url),
        ("POST", url),
        ("POST", f"{url}draft/"),
        ("GET", f"{url}blank.pdf"),
        ("POST", f"{url}paper/"),
    ):
        before = last_event_id()
        response = http.get(path) if method == "GET" else http.post(path, gad7(3))
        assert response.status_code == 404, f"{method} {path} answered {response.status_code}"
        assert b"GAD-7" not in response.content and b"Max Moreno" not in response.content
        events = list(AuditEvent.objects.filter(id__gt=before))
        assert [event.action for event in events] == ["access.denied"], f"{method} {path}: {events}"
        assert events[0].actor_id == account.pk and events[0].details["object_id"] == str(object_id)


def test_gia_acting_for_mia_cannot_reach_a_form_for_max(world, for_max) -> None:
    (gad,) = send(world, "gad7")
    select(for_max, world.gia_access_mia)

    assert_refused(for_max, fill_url(gad), world.gia_account, gad.pk)
    gad.refresh_from_db()
    assert (gad.status, gad.answers) == (AssignmentStatus.SENT, {})


def test_a_form_addressed_to_someone_else_or_a_guessed_id_answers_404(world, for_max) -> None:
    give_ana_a_portal_login(world)
    (anas,) = send_forms(by=world.ada, client=world.ana, forms=[form(world, "gad7")], recipient_key="client")
    missing = anas.pk + 1000

    assert_refused(for_max, fill_url(anas), world.gia_account, anas.pk)
    assert_refused(for_max, f"{FORMS}{missing}/", world.gia_account, missing)


def test_a_form_of_another_practice_answers_404(world, for_max) -> None:
    hal = PortalAccount(email="hal@example.com", full_name="Hal Hill", email_verified_at=timezone.now())
    hal.set_password(PASSWORD)
    hal.save()
    ProfileAccess.objects.create(
        account=hal,
        practice=world.hilltop,
        client=world.hal,
        kind=AccessKind.SELF,
        status=AccessStatus.ACTIVE,
        confirmed_at=timezone.now(),
    )
    hilltop_gad7 = IntakeForm.objects.get(practice=world.hilltop, template_key="gad7")
    (hals,) = send_forms(by=world.hana, client=world.hal, forms=[hilltop_gad7], recipient_key="client")

    assert_refused(for_max, fill_url(hals), world.gia_account, hals.pk)


def test_pages_with_answers_are_never_stored(world, for_max) -> None:
    (gad,) = send(world, "gad7")
    for url in (FORMS, fill_url(gad)):
        assert "no-store" in for_max.get(url)["Cache-Control"]


# --- Queries -------------------------------------------------------------------------------------------------


def make_form(world: World, fields: list[dict[str, Any]], title: str = "Check-in") -> IntakeForm:
    made = create_form(by=world.ada, kind="intake", title=title, fields=fields)
    publish_form(by=world.ada, form=made)
    made.refresh_from_db()
    return made


def send_to_gia(world: World, intake_form: IntakeForm) -> FormAssignment:
    (assignment,) = send_forms(
        by=world.ada, client=world.max, forms=[intake_form], recipient_key=f"contact-{world.gia.pk}"
    )
    return assignment


def text_fields(count: int) -> list[dict[str, Any]]:
    return [{"key": f"q{n}", "type": "short_text", "label": f"Question {n}", "required": True} for n in range(count)]


def queries_of(http: HttpClient, assignment: FormAssignment, count: int) -> tuple[int, int]:
    """Queries of the fill page and of an autosave, each after one of its kind (the first of a chain is longer)."""
    url = fill_url(assignment)
    data = answers(**{f"q{n}": f"Answer {n}" for n in range(count)})
    http.get(url)
    http.post(f"{url}draft/", data)
    reset_queries()
    with CaptureQueriesContext(connection) as shown:
        assert http.get(url).status_code == 200
    reset_queries()
    with CaptureQueriesContext(connection) as saved:
        assert http.post(f"{url}draft/", data).status_code == 200
    return len(shown), len(saved)


def test_the_fill_page_and_its_autosave_run_as_many_queries_for_100_questions_as_for_5(
    world, for_max, django_assert_max_num_queries
) -> None:
    small = send_to_gia(world, make_form(world, text_fields(5), title="Short"))
    large = send_to_gia(world, make_form(world, text_fields(100), title="Long"))
    for_max.get("/p/riverside/home/")  # the "Now showing" message is shown and gone: later requests are alike

    assert queries_of(for_max, small, 5) == queries_of(for_max, large, 100)
    # The session, the practice, the account with its profiles, the form, its view's audit event (three
    # statements) and the Inbox's unread count.
    with django_assert_max_num_queries(8):
        for_max.get(fill_url(large))
    # The same four to reach the form; then the form locked, the policy asked, the draft written and audited.
    with django_assert_max_num_queries(12):
        for_max.post(f"{fill_url(large)}draft/", answers(q1="Changed"))


def test_the_list_runs_as_many_queries_for_many_forms_as_for_one(world, for_max) -> None:
    send(world, "gad7")
    for_max.get("/p/riverside/home/")
    for_max.get(FORMS)
    reset_queries()
    with CaptureQueriesContext(connection) as few:
        for_max.get(FORMS)
    for _ in range(5):
        send(world, "demographics", "gad7", "phq9")
    reset_queries()
    with CaptureQueriesContext(connection) as many:
        for_max.get(FORMS)
    assert len(many) == len(few)
