"""Intake forms from sending to filing: drafts, server-side checks, scoring, alerts, acknowledgement, sending back."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from django.core import mail
from PIL import Image, ImageDraw
from pypdf import PdfReader

from haven.audit.models import AuditEvent
from haven.clients.models import RelatedContact, Relationship
from haven.core.encryption import read_decrypted
from haven.core.errors import ApplicationError
from haven.documents.models import Category, Document
from haven.intake import actions
from haven.intake.models import AssignmentStatus, FormAssignment, FormVersion, IntakeForm, SafetyAlert
from haven.intake.policy import visible_to
from haven.intake.scoring import Band
from haven.messaging.models import Message, MessageKind
from haven.portal_access.actions.invitations import invite_to_portal
from haven.portal_access.status import PersonRecord
from haven.portal_access.viewers import PortalViewer
from haven.practices.viewers import StaffViewer
from haven.signing.seal import verify_pdf
from tests.personas import ONE_BLANK_PAGE_PDF, World


def drawn_signature() -> str:
    image = Image.new("RGBA", (300, 100), (255, 255, 255, 0))
    ImageDraw.Draw(image).line((20, 70, 150, 20, 280, 60), fill=(0, 0, 0, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def form(world: World, key: str) -> IntakeForm:
    return IntakeForm.objects.select_related("current_version").get(practice=world.riverside, template_key=key)


def gia(world: World) -> PortalViewer:
    return PortalViewer(account=world.gia_account, practice=world.riverside, profile=world.gia_access_max)


def phq9(points: list[int], difficulty: str = "somewhat") -> dict[str, str]:
    return {f"phq9_{n}": str(p) for n, p in enumerate(points, start=1)} | {"phq9_difficulty": difficulty}


def send(world: World, *keys: str) -> list[FormAssignment]:
    return actions.send_forms(
        by=world.ada,
        client=world.max,
        forms=[form(world, key) for key in keys],
        recipient_key=f"contact-{world.gia.pk}",
        message="Please complete these before Max's first visit.",
    )


def test_every_practice_starts_with_the_eight_default_forms_published(world: World) -> None:
    keys = set(IntakeForm.objects.filter(practice=world.hilltop).values_list("template_key", flat=True))
    assert keys == {
        "demographics",
        "consent_for_treatment",
        "privacy_notice",
        "release_of_information",
        "telehealth_consent",
        "financial_policy",
        "phq9",
        "gad7",
    }
    assert not IntakeForm.objects.filter(practice=world.hilltop, current_version__isnull=True).exists()


def test_a_packet_reaches_the_guardian_inbox_and_the_email_says_only_that_forms_wait(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assignments = send(world, "demographics", "phq9")
    assert [a.position for a in assignments] == [0, 1]
    assert {a.status for a in assignments} == {AssignmentStatus.SENT}
    message = Message.objects.get(thread__account=world.gia_account, thread__kind=MessageKind.INTAKE)
    assert message.body == "Please complete these before Max's first visit."
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    text = " ".join([str(email.subject), str(email.body), *(str(v) for v in email.extra_headers.values())])
    for secret in ("Max", "Moreno", "PHQ", "Client Information", "first visit"):
        assert secret not in text


def test_demographics_start_with_the_chart_and_the_response_records_what_was_prefilled(world: World) -> None:
    (assignment,) = send(world, "demographics")
    assert assignment.answers["name"] == "Max Moreno"
    assert assignment.answers["date_of_birth"] == world.max.date_of_birth.isoformat()
    assert assignment.answers["guardian_name"] == "Gia Moreno"
    assert set(assignment.prefilled) == {"name", "date_of_birth", "guardian_name"}


def test_a_draft_keeps_everything_typed_even_answers_that_cannot_be_accepted_yet(world: World) -> None:
    (assignment,) = send(world, "demographics")
    checked = actions.save_draft(
        viewer=gia(world),
        assignment=assignment,
        raw={"name": "Max Moreno", "date_of_birth": "last spring", "reason": "Trouble sleeping"},
    )
    assert checked.problems == {"date_of_birth": "Enter a date, such as 2026-03-14."}
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.IN_PROGRESS
    assert assignment.answers == {"name": "Max Moreno", "date_of_birth": "last spring", "reason": "Trouble sleeping"}


def test_a_blank_form_cannot_be_submitted_and_each_problem_is_named(world: World) -> None:
    (assignment,) = send(world, "consent_for_treatment")
    with pytest.raises(actions.FormIncomplete) as refused:
        actions.submit(viewer=gia(world), assignment=assignment, raw={})
    assert set(refused.value.problems) == {"consent_agree", "signer_name", "relationship", "signature"}
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.SENT
    assert AuditEvent.objects.filter(action="intake.refused").count() == 1


def test_a_form_missing_only_its_signature_is_refused_and_the_answers_are_kept(world: World) -> None:
    (assignment,) = send(world, "consent_for_treatment")
    raw = {"consent_agree": "yes", "signer_name": "Gia Moreno", "relationship": "guardian"}
    with pytest.raises(actions.FormIncomplete) as refused:
        actions.submit(viewer=gia(world), assignment=assignment, raw=raw)
    assert refused.value.problems == {"signature": "Sign in the box: this form needs your signature."}
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.IN_PROGRESS
    assert assignment.answers == raw


def test_an_empty_drawing_is_not_a_signature(world: World) -> None:
    (assignment,) = send(world, "consent_for_treatment")
    blank = io.BytesIO()
    Image.new("RGBA", (300, 100), (0, 0, 0, 0)).save(blank, format="PNG")
    empty = "data:image/png;base64," + base64.b64encode(blank.getvalue()).decode()
    raw = {"consent_agree": "yes", "signer_name": "Gia Moreno", "relationship": "guardian", "signature": empty}
    with pytest.raises(actions.FormIncomplete) as refused:
        actions.submit(viewer=gia(world), assignment=assignment, raw=raw)
    assert refused.value.problems == {"signature": "Draw your signature in the box."}


def test_a_submitted_phq9_is_scored_and_item_9_alerts_the_practice_at_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    (assignment,) = send(world, "phq9")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submitted = actions.submit(viewer=gia(world), assignment=assignment, raw=phq9([1, 1, 0, 0, 0, 0, 0, 0, 1]))
    assert (submitted.status, submitted.total, submitted.band) == (AssignmentStatus.SUBMITTED, 3, Band.MINIMAL)
    assert submitted.submitter_name == "Gia Moreno"
    alert = SafetyAlert.objects.get(assignment=submitted)
    assert alert.reviewed_at is None
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@riverside.example"]
    for email in mail.outbox:
        for secret in ("Max", "Moreno", "PHQ", "dead"):
            assert secret not in f"{email.subject} {email.body}"


def test_a_submitted_form_cannot_be_changed_by_the_portal_user(world: World) -> None:
    (assignment,) = send(world, "gad7")
    answers = {f"gad7_{n}": "1" for n in range(1, 8)}
    actions.submit(viewer=gia(world), assignment=assignment, raw=answers)
    with pytest.raises(ApplicationError, match="already submitted"):
        actions.save_draft(viewer=gia(world), assignment=assignment, raw={"gad7_1": "3"})
    with pytest.raises(ApplicationError, match="already submitted"):
        actions.submit(viewer=gia(world), assignment=assignment, raw=answers)


def test_another_profile_of_the_same_login_cannot_fill_the_form(world: World) -> None:
    (assignment,) = send(world, "gad7")
    for_mia = PortalViewer(account=world.gia_account, practice=world.riverside, profile=world.gia_access_mia)
    with pytest.raises(ApplicationError, match="not for the profile"):
        actions.save_draft(viewer=for_mia, assignment=assignment, raw={"gad7_1": "3"})


def test_acknowledging_files_a_sealed_pdf_in_general_documents_with_the_versions_questions(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    (assignment,) = send(world, "phq9")
    actions.submit(viewer=gia(world), assignment=assignment, raw=phq9([2, 2, 2, 1, 1, 1, 1, 1, 0]))
    phq = form(world, "phq9")
    fields = phq.draft_fields
    fields[1] = fields[1] | {"label": "A question worded after the form was sent"}
    actions.save_form(by=world.ada, form=phq, title=phq.title, description="", fields=fields)
    actions.publish_form(by=world.ada, form=phq)
    assignment.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        document = actions.acknowledge(by=world.ada, assignment=assignment)
    document.refresh_from_db()
    assert (document.type.name, document.type.category, document.type.clinical) == (
        "Assessment Results",
        Category.EVALUATION,
        True,
    )
    version = document.current_version
    assert version is not None
    pdf = read_decrypted(version.storage_name)
    assert verify_pdf(pdf, practice=world.riverside).ok
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Little interest or pleasure" in text
    assert "worded after the form was sent" not in text
    assert "11" in text
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ACKNOWLEDGED
    assert not FormAssignment.objects.pending_acknowledgement().exists()


def test_a_response_stays_pinned_to_the_version_it_was_sent_with(world: World) -> None:
    (assignment,) = send(world, "gad7")
    gad = form(world, "gad7")
    actions.save_form(by=world.ada, form=gad, title="GAD-7 (revised)", description="", fields=gad.draft_fields)
    new = actions.publish_form(by=world.ada, form=gad)
    assert new.number == 2
    assignment.refresh_from_db()
    assert assignment.version.number == 1
    assert FormVersion.objects.filter(form=gad).count() == 2
    with pytest.raises(ValueError, match="never changes"):
        assignment.version.save()


def test_sending_back_reopens_the_form_with_a_note(world: World) -> None:
    (assignment,) = send(world, "gad7")
    actions.submit(viewer=gia(world), assignment=assignment, raw={f"gad7_{n}": "0" for n in range(1, 8)})
    actions.send_back(by=world.ada, assignment=assignment, note="Please answer for the last two weeks only.")
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.RETURNED
    actions.save_draft(viewer=gia(world), assignment=assignment, raw={"gad7_1": "2"})


def test_staff_without_the_intake_permission_cannot_send_or_acknowledge(world: World) -> None:
    with pytest.raises(ApplicationError, match="manage intake forms"):
        actions.send_forms(
            by=world.theo,
            client=world.max,
            forms=[form(world, "consent_for_treatment")],
            recipient_key=f"contact-{world.gia.pk}",
        )
    (assignment,) = send(world, "telehealth_consent")
    raw = {"telehealth_agree": "yes", "signer_name": "Gia Moreno", "relationship": "guardian"}
    actions.submit(viewer=gia(world), assignment=assignment, raw=raw | {"signature": drawn_signature()})
    for outsider in (world.bill, world.hana):
        with pytest.raises(ApplicationError):
            actions.acknowledge(by=outsider, assignment=assignment)
    actions.acknowledge(by=world.fran, assignment=assignment)  # the front desk's intake work


def test_a_scored_measure_is_for_clinicians_only(world: World) -> None:
    """Minimum necessary: PHQ-9 and GAD-7 answers are clinical; the front desk sends them but never reads them."""
    (assignment,) = send(world, "gad7")
    actions.submit(viewer=gia(world), assignment=assignment, raw={f"gad7_{n}": "0" for n in range(1, 8)})
    fran = StaffViewer(world.fran)
    assert not visible_to(fran).filter(pk=assignment.pk).exists()
    assert visible_to(StaffViewer(world.theo)).filter(pk=assignment.pk).exists()
    with pytest.raises(ApplicationError, match="clinical documents"):
        actions.acknowledge(by=world.fran, assignment=assignment)
    actions.acknowledge(by=world.theo, assignment=assignment)  # the clinician, without the intake permission


def test_a_form_of_another_practice_cannot_be_sent(world: World) -> None:
    other = IntakeForm.objects.get(practice=world.hilltop, template_key="gad7")
    with pytest.raises(ApplicationError):
        actions.send_forms(by=world.ada, client=world.max, forms=[other], recipient_key=f"contact-{world.gia.pk}")


def test_an_archived_form_cannot_be_sent(world: World) -> None:
    gad = form(world, "gad7")
    actions.archive_form(by=world.ada, form=gad)
    with pytest.raises(ApplicationError, match="archived"):
        send(world, "gad7")


def test_dynamic_forms_are_built_by_staff_with_that_permission_only(world: World) -> None:
    fields = [{"key": "mood", "type": "short_text", "label": "How is your mood?"}]
    made = actions.create_form(by=world.theo, kind="dynamic", title="Check-in", fields=fields)
    with pytest.raises(ApplicationError, match="dynamic forms"):
        actions.create_form(by=world.fran, kind="dynamic", title="Check-in", fields=fields)
    with pytest.raises(ApplicationError, match="intake forms"):
        actions.copy_form(by=world.theo, form=made, kind="intake")
    copy = actions.copy_form(by=world.ada, form=made, kind="intake")
    assert (copy.kind, copy.title, copy.draft_fields) == ("intake", "Check-in", fields)


def test_a_form_definition_that_cannot_work_is_refused_in_words(world: World) -> None:
    fields = [{"key": "when", "type": "short_text", "label": "When?", "show_when": {"field": "later", "equals": "x"}}]
    with pytest.raises(ApplicationError, match="earlier question"):
        actions.create_form(by=world.ada, kind="intake", title="Broken", fields=fields)


def test_reminders_go_once_a_day_and_say_nothing_of_the_forms(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    assignments = send(world, "demographics", "gad7")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.remind(by=world.ada, client=world.max, assignments=assignments) == 2
    with pytest.raises(ApplicationError, match="already sent today"):
        actions.remind(by=world.ada, client=world.max, assignments=assignments)
    (email,) = mail.outbox
    for secret in ("Max", "Moreno", "GAD", "Client Information"):
        assert secret not in f"{email.subject} {email.body}"


def test_reviewing_an_alert_takes_a_clinician(world: World) -> None:
    (assignment,) = send(world, "phq9")
    actions.submit(viewer=gia(world), assignment=assignment, raw=phq9([0, 0, 0, 0, 0, 0, 0, 0, 2]))
    alert = SafetyAlert.objects.get(assignment=assignment)
    with pytest.raises(ApplicationError, match="clinical documents"):
        actions.review_alert(by=world.fran, alert=alert)
    actions.review_alert(by=world.theo, alert=alert)
    alert.refresh_from_db()
    assert alert.reviewed_by == world.theo


def test_forms_sent_with_an_invitation_wait_for_the_first_sign_in_and_only_the_invitation_is_emailed(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        access = invite_to_portal(by=world.ada, record=PersonRecord(client=world.ana))
        assignments = actions.send_forms(
            by=world.ada,
            client=world.ana,
            forms=[form(world, "demographics"), form(world, "consent_for_treatment")],
            recipient_key="",
            message="Welcome to the practice.",
            invitation=access,
        )
    assert len(mail.outbox) == 1  # the invitation
    assert (
        Message.objects.get(thread__account=access.account, thread__kind=MessageKind.INTAKE).body
        == "Welcome to the practice."
    )
    assert {(a.capacity, a.contact_id) for a in assignments} == {("self", None)}
    ana = PortalViewer(account=access.account, practice=world.riverside, profile=access)
    assert list(visible_to(ana).order_by("position").values_list("form__template_key", flat=True)) == [
        "demographics",
        "consent_for_treatment",
    ]


def test_forms_cannot_ride_on_an_invitation_to_someone_who_may_not_fill_them(world: World) -> None:
    """A contact with Web Portal who is not a legal guardian may be invited, but no form is addressed to them."""
    friend = RelatedContact.objects.create(
        practice=world.riverside,
        client=world.ana,
        first_name="Rosa",
        last_name="Alvarez",
        email="rosa@example.com",
        relationship=Relationship.EMERGENCY,
        web_portal=True,
        legal_guardian=False,
    )
    access = invite_to_portal(by=world.ada, record=PersonRecord(client=world.ana, contact=friend))
    with pytest.raises(ApplicationError, match="legal guardian"):
        actions.send_forms(
            by=world.ada, client=world.ana, forms=[form(world, "gad7")], recipient_key="", invitation=access
        )
    assert not FormAssignment.objects.filter(client=world.ana).exists()


def test_no_email_about_forms_carries_a_name_a_title_or_an_answer(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    canary = "Zephyrine-7731"
    fields = [
        {"key": "worry", "type": "paragraph", "label": f"What worries you, {canary}?", "required": True},
        *form(world, "phq9").draft_fields,
    ]
    custom = actions.create_form(by=world.ada, kind="intake", title=f"Intake {canary}", fields=fields, measure="phq9")
    actions.publish_form(by=world.ada, form=custom)
    custom.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        (sent,) = actions.send_forms(
            by=world.ada,
            client=world.max,
            forms=[custom],
            recipient_key=f"contact-{world.gia.pk}",
            message=f"Hello {canary}",
        )
        actions.remind(by=world.ada, client=world.max, assignments=[sent])
        answers = phq9([3, 3, 3, 3, 3, 3, 3, 3, 3]) | {"worry": f"My answer {canary}"}
        actions.submit(viewer=gia(world), assignment=sent, raw=answers)
        actions.send_back(by=world.ada, assignment=sent, note=f"Please look again {canary}")
    assert len(mail.outbox) >= 4  # sent, reminder, alert, sent back
    for email in mail.outbox:
        parts = [str(email.subject), str(email.body), *(str(v) for v in email.extra_headers.values())]
        parts += [str(content) for content, _type in getattr(email, "alternatives", [])]
        text = " ".join(parts)
        for secret in (canary, "Max", "Moreno", "PHQ", "Intake "):
            assert secret not in text, (secret, email.subject)


def test_hidden_direction_characters_are_taken_out_of_an_answer_and_named(world: World) -> None:
    (assignment,) = send(world, "demographics")
    checked = actions.save_draft(
        viewer=gia(world), assignment=assignment, raw={"reason": "Sleep \u202eevila\u202c trouble"}
    )
    assert checked.answers["reason"] == "Sleep evila trouble"
    assert "hidden characters" in checked.problems["reason"]


def test_a_form_whose_words_hide_direction_characters_is_refused(world: World) -> None:
    fields = [{"key": "q", "type": "short_text", "label": "Your \u202ename"}]
    with pytest.raises(ApplicationError, match="hidden characters"):
        actions.create_form(by=world.ada, kind="intake", title="Check", fields=fields)


def test_a_scored_form_cannot_be_published_without_its_scored_questions(world: World) -> None:
    phq = form(world, "phq9")
    without_item_9 = [field for field in phq.draft_fields if field["key"] != "phq9_9"]
    actions.save_form(by=world.ada, form=phq, title=phq.title, description="", fields=without_item_9)
    with pytest.raises(ApplicationError, match="keep its 9 scored questions"):
        actions.publish_form(by=world.ada, form=phq)
    reworded = [
        field | {"label": "Felt down, depressed or hopeless"} if field["key"] == "phq9_2" else field
        for field in form(world, "phq9").draft_fields
    ]
    reworded = [f for f in reworded if f["key"] != "phq9_9"] + [
        next(f for f in phq.versions.get(number=1).fields if f["key"] == "phq9_9")
    ]
    actions.save_form(by=world.ada, form=phq, title=phq.title, description="", fields=reworded)
    assert actions.publish_form(by=world.ada, form=phq).number == 2


def test_someone_who_cannot_draw_signs_by_typing_their_name(world: World) -> None:
    (assignment,) = send(world, "consent_for_treatment")
    raw = {"consent_agree": "yes", "signer_name": "Gia Moreno", "relationship": "guardian"}
    submitted = actions.submit(
        viewer=gia(world), assignment=assignment, raw=raw | {"signature": {"typed_name": "  Gia   Moreno "}}
    )
    signature = submitted.answers["signature"]
    assert isinstance(signature, dict)
    assert signature["typed_name"] == "Gia Moreno"
    assert signature["image"].startswith("data:image/png;base64,")


def test_a_typed_signature_without_letters_is_refused_in_words(world: World) -> None:
    (assignment,) = send(world, "consent_for_treatment")
    raw = {"consent_agree": "yes", "signer_name": "Gia Moreno", "relationship": "guardian"}
    with pytest.raises(actions.FormIncomplete) as refused:
        actions.submit(viewer=gia(world), assignment=assignment, raw=raw | {"signature": {"typed_name": "1234"}})
    assert refused.value.problems == {"signature": "Type your name with letters, as you would sign it."}


def test_the_alert_goes_to_the_clients_clinician_and_the_administrators(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    world.max.clinician = world.theo
    world.max.save(update_fields=["clinician"])
    (assignment,) = actions.send_forms(
        by=world.fran, client=world.max, forms=[form(world, "phq9")], recipient_key=f"contact-{world.gia.pk}"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.submit(viewer=gia(world), assignment=assignment, raw=phq9([0, 0, 0, 0, 0, 0, 0, 0, 3]))
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@riverside.example", "theo@riverside.example"]


def test_a_form_returned_on_paper_is_acknowledged_as_it_was_filed(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    (assignment,) = send(world, "consent_for_treatment")
    returned = actions.upload_paper(viewer=gia(world), assignment=assignment, data=ONE_BLANK_PAGE_PDF)
    assert returned.document is not None
    documents = set(Document.objects.filter(client=world.max).values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        filed = actions.acknowledge(by=world.ada, assignment=returned)
    assert filed.pk == returned.document.pk
    assert set(Document.objects.filter(client=world.max).values_list("pk", flat=True)) == documents
    assert callbacks == []  # nothing to render: the scan is the record
    assert filed.current_version is not None
    assert read_decrypted(filed.current_version.storage_name) == ONE_BLANK_PAGE_PDF
