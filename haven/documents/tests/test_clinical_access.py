"""Minimum necessary: reading clinical documents is a permission of its own, not held by Billing or Front desk."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.core.errors import ApplicationError
from haven.documents.actions import ensure_default_types, share_all_with_client, upload_document
from haven.documents.group_notes import create_group_note, group_note_type
from haven.documents.models import Audience, Document, DocumentType, Share
from haven.practices.models import ROLE_TEMPLATES, Permission, Practice, Role, StaffMember
from tests.personas import ONE_BLANK_PAGE_PDF, World

pytestmark = pytest.mark.django_db


def doc_type(world: World, name: str) -> DocumentType:
    return DocumentType.objects.get(practice=world.riverside, name=name)


def general_document(world: World, title: str = "School letter") -> Document:
    return upload_document(
        by=world.ada,
        client=world.max,
        doc_type=doc_type(world, "General Document"),
        title=title,
        document_date=timezone.localdate(),
        data=ONE_BLANK_PAGE_PDF,
    )


def with_web_portal(member: StaffMember) -> StaffMember:
    member.permissions = sorted({*member.permissions, Permission.WEB_PORTAL})
    member.save(update_fields=["permissions"])
    return member


def test_clinician_and_administrator_templates_hold_read_clinical_documents_and_billing_and_front_desk_do_not():
    assert Permission.CLINICAL_DOCUMENTS in ROLE_TEMPLATES[Role.ADMINISTRATOR]
    assert Permission.CLINICAL_DOCUMENTS in ROLE_TEMPLATES[Role.THERAPIST]
    assert Permission.CLINICAL_DOCUMENTS not in ROLE_TEMPLATES[Role.FRONT_DESK]
    assert Permission.CLINICAL_DOCUMENTS not in ROLE_TEMPLATES[Role.BILLING]


def test_notes_evaluations_treatment_plans_and_group_notes_are_clinical_types_by_default(world):
    clinical = set(DocumentType.objects.filter(practice=world.riverside, clinical=True).values_list("name", flat=True))
    assert clinical == {"Progress Note", "Complete Evaluation", "Treatment Plan"}
    assert group_note_type(world.riverside).clinical
    assert not doc_type(world, "Consent").clinical and not doc_type(world, "Superbill").clinical


def test_the_data_migration_grants_read_clinical_documents_to_existing_administrators_and_therapists_only(world):
    for member in (world.ada, world.theo, world.fran, world.bill):
        member.permissions = [p for p in member.permissions if p != Permission.CLINICAL_DOCUMENTS]
        member.save(update_fields=["permissions"])
    migration = importlib.import_module("haven.practices.migrations.0004_grant_read_clinical_documents")
    migration.grant_to_clinical_roles(django_apps, None)
    holders = {
        member.user.email
        for member in StaffMember.objects.filter(practice=world.riverside).select_related("user")
        if Permission.CLINICAL_DOCUMENTS in member.permissions
    }
    assert holders == {world.ada.user.email, world.theo.user.email}


def test_the_type_migration_marks_existing_clinical_types(world):
    DocumentType.objects.update(clinical=False)
    migration = importlib.import_module("haven.documents.migrations.0004_documenttype_clinical")
    migration.clinical_by_default(django_apps, None)
    assert doc_type(world, "Treatment Plan").clinical and not doc_type(world, "General Document").clinical


@pytest.mark.parametrize("role", ["bill", "fran"])
def test_billing_and_front_desk_see_no_clinical_document_in_the_activity_log_only_how_many_are_left_out(
    role, world, login
):
    general = general_document(world)
    http = login(getattr(world, role))
    response = http.get(reverse("staff:activity_log", kwargs={"client_id": world.max.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert general.title in html
    note_url = reverse(
        "staff:document_detail", kwargs={"client_id": world.max.pk, "document_id": world.progress_note.pk}
    )
    assert note_url not in html and "Progress note" not in html
    assert "1 clinical document is not listed" in html


def test_a_therapist_sees_clinical_documents_in_the_activity_log_and_on_the_chart_face(world, login):
    http = login(world.theo)
    log = http.get(reverse("staff:activity_log", kwargs={"client_id": world.max.pk})).content.decode()
    face = http.get(reverse("staff:client_chart", kwargs={"client_id": world.max.pk})).content.decode()
    assert "Progress note" in log and "Progress note" in face
    assert "clinical document is not listed" not in log


@pytest.mark.parametrize("role", ["bill", "fran"])
def test_the_chart_face_documents_card_lists_no_clinical_document_for_billing_or_front_desk(role, world, login):
    general = general_document(world)
    html = login(getattr(world, role)).get(reverse("staff:client_chart", kwargs={"client_id": world.max.pk}))
    body = html.content.decode()
    assert general.title in body
    file_url = reverse("staff:document_file", kwargs={"client_id": world.max.pk, "document_id": world.progress_note.pk})
    assert file_url not in body and "Progress note" not in body


def test_front_desk_opening_a_clinical_file_gets_404_audited_as_denied(world, login):
    http = login(world.fran)
    url = reverse("staff:document_file", kwargs={"client_id": world.max.pk, "document_id": world.progress_note.pk})
    response = http.get(url)
    assert response.status_code == 404
    denied = AuditEvent.objects.filter(action="access.denied").latest("sequence")
    assert denied.actor_id == world.fran.user.pk and denied.details["object_id"] == str(world.progress_note.pk)
    assert not AuditEvent.objects.filter(action="document.viewed").exists()


def test_the_general_log_lists_no_clinical_group_note_for_billing_and_offers_no_new_one_to_front_desk(world, login):
    note = create_group_note(
        by=world.ada,
        clients=[world.ana, world.max],
        doc_type=group_note_type(world.riverside),
        title="Coping skills group",
        document_date=timezone.localdate(),
        data=ONE_BLANK_PAGE_PDF,
    )
    for member in (world.bill, world.fran):
        body = login(member, HttpClient()).get(reverse("staff:general_log")).content.decode()
        assert note.title not in body
        assert reverse("staff:group_note_detail", kwargs={"group_note_id": note.pk}) not in body
        assert reverse("staff:group_note_create") not in body
        assert "opening them needs the Read clinical documents permission" in body
    assert note.title in login(world.theo, HttpClient()).get(reverse("staff:general_log")).content.decode()


def test_front_desk_cannot_add_a_document_of_a_clinical_type_they_could_not_open(world, login):
    with pytest.raises(ApplicationError, match="Read clinical documents"):
        upload_document(
            by=world.fran,
            client=world.max,
            doc_type=doc_type(world, "Progress Note"),
            title="Intake call",
            document_date=timezone.localdate(),
            data=ONE_BLANK_PAGE_PDF,
        )
    http = login(world.fran)
    url = reverse("staff:document_upload", kwargs={"client_id": world.max.pk})
    form_page = http.get(url).content.decode()
    assert "General Document" in form_page and "Progress Note" not in form_page
    response = http.post(
        url,
        {
            "doc_type": doc_type(world, "Progress Note").pk,
            "title": "Intake call",
            "document_date": "2026-03-14",
            "file": SimpleUploadedFile("call.pdf", ONE_BLANK_PAGE_PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 400
    assert "Intake call" in response.content.decode()  # what was typed is kept
    assert not Document.objects.filter(title="Intake call").exists()


def test_share_all_by_front_desk_with_web_portal_leaves_clinical_documents_unshared(world):
    general = general_document(world)
    shared = share_all_with_client(by=with_web_portal(world.fran), client=world.max)
    assert shared == 1
    assert Share.objects.open().filter(document=general, audience=Audience.CLIENT).exists()
    assert not Share.objects.filter(document=world.progress_note).exists()


def test_the_seal_check_does_not_name_a_clinical_document_to_billing(world, login):
    http = login(world.bill)
    upload = SimpleUploadedFile("note.pdf", ONE_BLANK_PAGE_PDF, content_type="application/pdf")
    body = http.post(reverse("staff:verify"), {"file": upload}).content.decode()
    assert "Which document is it?" in body
    assert "Progress note" not in body
    assert (
        "Progress note"
        in login(world.ada, HttpClient())
        .post(reverse("staff:verify"), {"file": SimpleUploadedFile("note.pdf", ONE_BLANK_PAGE_PDF)})
        .content.decode()
    )


def test_administrators_can_mark_a_type_clinical_and_it_is_audited(world, login):
    consent = doc_type(world, "Consent")
    http = login(world.ada)
    response = http.post(
        reverse("staff:admin_document_type_update", kwargs={"type_id": consent.pk}),
        {"share_to_sign": "1", "clinical": "1"},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.clinical
    event = AuditEvent.objects.filter(action="document_type.exceptions_changed").latest("sequence")
    assert event.details["after"]["clinical"] is True


def test_a_new_practice_gets_clinical_defaults(world):
    practice = Practice.objects.create(name="Lakeside", slug="lakeside")
    ensure_default_types(practice)
    assert DocumentType.objects.get(practice=practice, name="Progress Note").clinical
