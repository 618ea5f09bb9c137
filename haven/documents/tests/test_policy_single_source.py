"""The documents policy is the one answer: change a rule there and every page, action, lookup and notification follows.

Each test changes one rule inside ``haven.documents.policy`` and checks that staff pages, portal
pages, actions, selectors other apps use, and the lookups behind every URL all answer differently.
A second copy of the rule anywhere would keep answering the old way, and the test would fail.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.db.models import Q
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.core.errors import ApplicationError
from haven.documents import policy
from haven.documents.actions import set_recipients, share_all_with_client
from haven.documents.group_notes import create_group_note, group_note_type
from haven.documents.models import Document, DocumentType, GroupNote
from haven.documents.policy import DocumentReason
from haven.documents.tests.helpers import add
from haven.portal.tests.helpers import select
from haven.practices.viewers import StaffViewer
from haven.signing.selectors import portal_documents
from tests.personas import ONE_BLANK_PAGE_PDF, PASSWORD, World

pytestmark = pytest.mark.django_db


def staff_urls(document: Document) -> dict[str, str]:
    ids = {"client_id": document.client_id, "document_id": document.pk}
    return {name: reverse(f"staff:{name}", kwargs=ids) for name in ("document_detail", "document_file")}


def denials() -> int:
    return AuditEvent.objects.filter(action="access.denied").count()


def test_hiding_a_document_from_staff_in_the_policy_hides_it_from_every_staff_page_lookup_and_selector(
    world, login, monkeypatch
):
    secret, plain = add(world, "Secret letter"), add(world, "Plain letter")
    http = login(world.ada)
    log = http.get(reverse("staff:activity_log", kwargs={"client_id": world.max.pk})).content.decode()
    assert "Secret letter" in log
    assert http.get(staff_urls(secret)["document_detail"]).status_code == 200

    # One rule changes, in one place: staff may not open anything titled "Secret ...".
    monkeypatch.setattr(policy, "_staff_reads", lambda viewer: ~Q(title__startswith="Secret"))

    log = http.get(reverse("staff:activity_log", kwargs={"client_id": world.max.pk})).content.decode()
    assert "Secret letter" not in log and "Plain letter" in log
    for url in staff_urls(secret).values():
        before = denials()
        assert http.get(url).status_code == 404
        assert denials() == before + 1  # the refusal is audited, as for anything outside the scope
    share = reverse("staff:document_share", kwargs={"client_id": world.max.pk, "document_id": secret.pk})
    assert http.post(share, {"client": "1"}).status_code == 404
    assert not secret.shares.exists()
    assert http.get(staff_urls(plain)["document_detail"]).status_code == 200
    # What other apps ask (the chart summary, seal checks) is the same rule.
    ada = StaffViewer(world.ada)
    assert secret not in policy.visible_among(ada, Document.objects.all())
    assert not policy.may_see(ada, secret) and policy.may_see(ada, plain)


def test_hiding_a_document_from_portal_people_in_the_policy_hides_it_from_every_portal_page_and_email(
    world, client, monkeypatch, django_capture_on_commit_callbacks
):
    secret, plain = add(world, "Secret letter"), add(world, "Plain letter")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        set_recipients(by=world.ada, document=plain, all_authorized=True, client=False, contacts=[])
    assert [message for message in mail.outbox if "gia@example.com" in message.to]
    assert client.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD}).status_code == 302
    select(client, world.gia_access_max)

    # One rule changes, in one place: no portal profile sees anything titled "Secret ...".
    original = policy.visible_to_profile

    def narrowed(*args, **kwargs):
        return original(*args, **kwargs).exclude(title__startswith="Secret")

    monkeypatch.setattr(policy, "visible_to_profile", narrowed)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        set_recipients(by=world.ada, document=secret, all_authorized=True, client=False, contacts=[])

    body = client.get("/p/riverside/documents/").content.decode()
    assert "Plain letter" in body and "Secret letter" not in body
    for url in (f"/p/riverside/documents/{secret.pk}/", f"/p/riverside/documents/{secret.pk}/download/"):
        before = denials()
        assert client.get(url).status_code == 404
        assert denials() == before + 1
    assert client.get(f"/p/riverside/documents/{plain.pk}/").status_code == 200
    # My Documents' selector (signing's tags on it), and the "new document" email, ask the same rule.
    assert list(portal_documents(world.gia_access_max)) == [plain]
    assert mail.outbox == []  # nobody can see it, so nobody is told


def test_what_the_portal_may_show_is_one_rule_share_all_and_the_portal_follow(world, monkeypatch):
    """``policy.portal_may_show`` alone decides which documents Share all shares and the portal shows."""
    secret, plain = add(world, "Secret letter"), add(world, "Plain letter")
    original = policy.portal_may_show
    monkeypatch.setattr(
        policy, "portal_may_show", lambda documents: original(documents).exclude(title__startswith="Secret")
    )
    share_all_with_client(by=world.ada, client=world.max)
    assert plain.shares.exists() and not secret.shares.exists()
    for document in (secret, plain):  # shared with everyone: the portal still shows only what the rule lets it
        set_recipients(by=world.ada, document=document, all_authorized=True, client=False, contacts=[])
    assert secret not in portal_documents(world.gia_access_max) and plain in portal_documents(world.gia_access_max)


def test_a_share_rule_changed_in_the_policy_changes_the_share_action_and_the_share_to_sign_offer(
    world, login, monkeypatch
):
    consent = add(world, "Consent form", type_name="Consent")
    http = login(world.ada)
    log_url = reverse("staff:activity_log", kwargs={"client_id": world.max.pk})
    assert "#share-to-sign" in http.get(log_url).content.decode()

    monkeypatch.setattr(policy, "_why_not_share_to_sign", lambda viewer, document: DocumentReason.NOT_ELIGIBLE)
    monkeypatch.setattr(policy, "_why_not_share", lambda viewer, document: DocumentReason.EXCEPTION)

    assert "#share-to-sign" not in http.get(log_url).content.decode()
    detail = http.get(staff_urls(consent)["document_detail"])
    assert detail.context["sign_state"] == DocumentReason.NOT_ELIGIBLE
    with pytest.raises(ApplicationError, match="Consent documents are on the portal exception list"):
        set_recipients(by=world.ada, document=consent, all_authorized=True, client=False, contacts=[])
    assert policy.why_not(StaffViewer(world.ada), policy.DocumentVerb.SHARE, consent) == DocumentReason.EXCEPTION


def make_group_note(world: World, title: str) -> GroupNote:
    return create_group_note(
        by=world.ada,
        clients=[world.ana, world.max],
        doc_type=group_note_type(world.riverside),
        title=title,
        document_date=timezone.localdate(),
        data=ONE_BLANK_PAGE_PDF,
    )


def test_hiding_a_group_note_in_the_policy_hides_it_from_the_general_log_its_page_and_its_actions(
    world, login, monkeypatch
):
    secret, plain = make_group_note(world, "Secret group"), make_group_note(world, "Plain group")
    http: HttpClient = login(world.ada)
    assert "Secret group" in http.get(reverse("staff:general_log")).content.decode()

    monkeypatch.setattr(policy, "_staff_reads", lambda viewer: ~Q(title__startswith="Secret"))

    listed = http.get(reverse("staff:general_log")).content.decode()
    assert "Secret group" not in listed and "Plain group" in listed
    for name, method in (
        ("group_note_detail", http.get),
        ("group_note_share", http.post),
        ("group_note_unshare", http.post),
    ):
        before = denials()
        assert method(reverse(f"staff:{name}", kwargs={"group_note_id": secret.pk})).status_code == 404
        assert denials() == before + 1
    assert http.get(reverse("staff:group_note_detail", kwargs={"group_note_id": plain.pk})).status_code == 200
    assert list(policy.group_notes_visible_among(StaffViewer(world.ada), GroupNote.objects.all())) == [plain]


def test_a_new_practice_has_its_document_types_and_pages_write_none(world, login):
    from haven.practices.bootstrap import create_practice_with_administrator

    member = create_practice_with_administrator(
        name="Lakeside", slug="lakeside", time_zone="UTC", admin_email="lee@lakeside.example", admin_name="Lee"
    )
    names = set(DocumentType.objects.filter(practice=member.practice).values_list("name", flat=True))
    assert {"Progress Note", "Consent", "General Document"} <= names

    http = login(world.ada)
    before = DocumentType.objects.count()
    assert http.get(reverse("staff:document_upload", kwargs={"client_id": world.max.pk})).status_code == 200
    assert http.get(reverse("staff:admin_document_types")).status_code == 200
    assert http.get(reverse("staff:note_create", kwargs={"client_id": world.max.pk})).status_code == 200
    assert DocumentType.objects.count() == before
