"""The General Log (DOC-7): group notes linked to several clients, each seeing only their own copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.clients.models import Client
from haven.core.encryption import read_decrypted
from haven.core.errors import ApplicationError
from haven.documents import actions, group_notes
from haven.documents.actions import set_recipients, set_type_exceptions
from haven.documents.group_notes import create_group_note, group_note_type, share_group_note_all_authorized
from haven.documents.models import Audience, Category, Document, DocumentType, DocumentVersion, GroupNote, Share
from haven.documents.policy import visible_to_profile
from haven.documents.selectors import activity_log
from tests.personas import PASSWORD, World, give_ana_a_portal_login

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a group session handout\n%%EOF\n"
TITLE = "Tuesday coping skills group"
PORTAL_LIST = "/p/riverside/documents/"


def make_note(world: World, clients: list[Client] | None = None, *, by=None) -> GroupNote:
    return create_group_note(
        by=by or world.ada,
        clients=clients if clients is not None else [world.ana, world.ben, world.max],
        doc_type=group_note_type(world.riverside),
        title=TITLE,
        document_date=timezone.localdate(),
        data=PDF,
    )


def version_of(document: Document) -> DocumentVersion:
    assert document.current_version is not None
    return document.current_version


def stored_files(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


def counts() -> tuple[int, int, int, int]:
    return (GroupNote.objects.count(), Document.objects.count(), DocumentVersion.objects.count(), Share.objects.count())


def member_names(world: World) -> list[str]:
    return [name for client in (world.ana, world.ben, world.max) for name in (client.full_name, client.last_name)] + [
        world.gia.full_name
    ]


def portal_login(email: str) -> HttpClient:
    http = HttpClient()
    assert http.post("/p/riverside/", {"username": email, "password": PASSWORD}).status_code == 302
    return http


def detail_url(note: GroupNote) -> str:
    return reverse("staff:group_note_detail", kwargs={"group_note_id": note.pk})


def share_url(note: GroupNote) -> str:
    return reverse("staff:group_note_share", kwargs={"group_note_id": note.pk})


def unshare_url(note: GroupNote) -> str:
    return reverse("staff:group_note_unshare", kwargs={"group_note_id": note.pk})


def create_post(world: World, client_ids: list[int], data: bytes = PDF) -> dict[str, object]:
    return {
        "title": TITLE,
        "document_date": timezone.localdate().isoformat(),
        "file": SimpleUploadedFile("ana-ben-max.pdf", data, content_type="application/pdf"),
        "clients": [str(client_id) for client_id in client_ids],
    }


# --- Creating -------------------------------------------------------------------------------------


def test_a_group_note_for_ana_ben_and_max_puts_its_own_copy_in_each_activity_log(world):
    note = make_note(world)
    copies = list(note.copies.select_related("current_version").order_by("client__last_name"))
    assert [copy.client for copy in copies] == [world.ana, world.ben, world.max]
    for copy in copies:
        logged = list(activity_log(copy.client).filter(group_note=note))
        assert logged == [copy]
        assert copy.title == TITLE and copy.type == note.type and copy.author == world.ada
        assert copy.type.category == Category.GROUP_NOTE
        assert read_decrypted(version_of(copy).storage_name) == PDF
    # Each copy is its own encrypted file, not a shared pointer.
    assert len({version_of(copy).storage_name for copy in copies}) == 3
    assert len({version_of(copy).sha256 for copy in copies}) == 1
    created = AuditEvent.objects.filter(action="group_note.created")
    assert created.count() == 1 and created.get().object_id == str(note.pk)
    assert set(
        AuditEvent.objects.filter(action="document.created", object_id__in=[str(copy.pk) for copy in copies])
        .values_list("client_id", flat=True)
        .distinct()
    ) == {world.ana.pk, world.ben.pk, world.max.pk}


def test_the_group_note_type_is_made_once_and_is_of_the_group_note_category(world):
    first = group_note_type(world.riverside)
    assert (first.name, first.category) == ("Group Note", Category.GROUP_NOTE)
    assert group_note_type(world.riverside) == first
    assert DocumentType.objects.filter(practice=world.riverside, category=Category.GROUP_NOTE).count() == 1


def test_a_foreign_client_rejects_the_whole_request_and_creates_nothing(world, tmp_path):
    before_rows, before_files = counts(), stored_files(tmp_path)
    with pytest.raises(ApplicationError):
        make_note(world, [world.ana, world.ben, world.hal])
    assert counts() == before_rows
    assert stored_files(tmp_path) == before_files
    assert not AuditEvent.objects.filter(action__in=["group_note.created", "document.created"], client=world.ana)


def test_a_foreign_client_id_posted_to_the_form_answers_404_audited_and_creates_nothing(world, login, tmp_path):
    http = login(world.ada)
    before_rows, before_files = counts(), stored_files(tmp_path)
    response = http.post(reverse("staff:group_note_create"), create_post(world, [world.ana.pk, world.hal.pk]))
    assert response.status_code == 404
    assert counts() == before_rows and stored_files(tmp_path) == before_files
    denied = AuditEvent.objects.filter(action="access.denied").latest("id")
    assert denied.details["object_id"] == str(world.hal.pk)


def test_a_failure_on_the_last_copy_leaves_no_rows_and_no_files(world, tmp_path, monkeypatch):
    real_upload = actions.upload_document
    calls = []

    def failing_upload(**kwargs):
        calls.append(kwargs["client"])
        if len(calls) == 3:
            raise RuntimeError("storage went away")
        return real_upload(**kwargs)

    monkeypatch.setattr(group_notes.actions, "upload_document", failing_upload)
    group_note_type(world.riverside)
    before_rows, before_files = counts(), stored_files(tmp_path)
    with pytest.raises(RuntimeError):
        make_note(world)
    assert counts() == before_rows
    assert stored_files(tmp_path) == before_files


@pytest.mark.parametrize(
    ("clients", "data", "message"),
    [
        (lambda world: [world.ana], PDF, "at least two"),
        (lambda world: [world.ana, world.ana], PDF, "at least two"),
        (lambda world: [world.ana, world.ben], b"MZ\x90\x00 not a document", "PDF, PNG and JPEG"),
        (lambda world: [world.ana, world.ben], b"", "empty"),
    ],
)
def test_too_few_clients_or_a_bad_file_is_refused_before_anything_is_stored(world, tmp_path, clients, data, message):
    doc_type = group_note_type(world.riverside)
    before_rows, before_files = counts(), stored_files(tmp_path)
    with pytest.raises(ApplicationError, match=message):
        create_group_note(
            by=world.ada,
            clients=clients(world),
            doc_type=doc_type,
            title=TITLE,
            document_date=timezone.localdate(),
            data=data,
        )
    assert counts() == before_rows and stored_files(tmp_path) == before_files


def test_only_a_group_note_type_of_the_practice_will_do(world):
    progress = DocumentType.objects.get(practice=world.riverside, name="Progress Note")
    with pytest.raises(ApplicationError, match="not a group note type"):
        create_group_note(
            by=world.ada,
            clients=[world.ana, world.ben],
            doc_type=progress,
            title=TITLE,
            document_date=timezone.localdate(),
            data=PDF,
        )
    with pytest.raises(ApplicationError, match="not part of your practice"):
        create_group_note(
            by=world.ada,
            clients=[world.ana, world.ben],
            doc_type=group_note_type(world.hilltop),
            title=TITLE,
            document_date=timezone.localdate(),
            data=PDF,
        )
    assert not GroupNote.objects.exists()


def test_creating_needs_the_upload_permission(world):
    with pytest.raises(ApplicationError):
        make_note(world, by=world.bill)
    assert not GroupNote.objects.exists()


# --- Sharing to All Authorized ---------------------------------------------------------------------


def test_all_authorized_shows_each_copy_only_to_its_own_clients_portal_people(world):
    note = make_note(world)
    copies = {copy.client_id: copy for copy in note.copies.all()}
    ana_access = give_ana_a_portal_login(world)
    assert list(visible_to_profile(world.gia_access_max)) == []
    assert share_group_note_all_authorized(by=world.ada, group_note=note) == 3
    assert list(visible_to_profile(world.gia_access_max)) == [copies[world.max.pk]]
    assert list(visible_to_profile(ana_access)) == [copies[world.ana.pk]]
    assert list(visible_to_profile(world.gia_access_mia)) == []
    for copy in copies.values():
        assert copy.shares.open().filter(audience=Audience.ALL_AUTHORIZED).count() == 1
    assert AuditEvent.objects.filter(action="document.shared").count() == 3


def test_all_authorized_keeps_each_copys_individual_recipients(world):
    note = make_note(world)
    max_copy = note.copies.get(client=world.max)
    set_recipients(by=world.ada, document=max_copy, all_authorized=False, client=True, contacts=[world.gia])
    share_group_note_all_authorized(by=world.ada, group_note=note)
    assert set(max_copy.shares.open().values_list("audience", "contact_id")) == {
        (Audience.ALL_AUTHORIZED, None),
        (Audience.CLIENT, None),
        (Audience.CONTACT, world.gia.pk),
    }
    # Sharing again changes nothing.
    share_group_note_all_authorized(by=world.ada, group_note=note)
    assert max_copy.shares.open().count() == 3


def test_stop_sharing_removes_all_authorized_from_every_copy_and_keeps_individual_choices(world):
    note = make_note(world)
    max_copy = note.copies.get(client=world.max)
    set_recipients(by=world.ada, document=max_copy, all_authorized=False, client=True, contacts=[])
    share_group_note_all_authorized(by=world.ada, group_note=note)
    assert group_notes.unshare_group_note(by=world.ada, group_note=note) == 3
    assert not Share.objects.open().filter(document__group_note=note, audience=Audience.ALL_AUTHORIZED).exists()
    assert list(max_copy.shares.open().values_list("audience", flat=True)) == [Audience.CLIENT]
    assert list(visible_to_profile(world.gia_access_max)) == []


def test_sharing_needs_web_portal_and_a_shareable_type(world):
    note = make_note(world)
    with pytest.raises(ApplicationError, match="Web Portal"):
        share_group_note_all_authorized(by=world.theo, group_note=note)
    set_type_exceptions(by=world.ada, doc_type=note.type, never_share=True, hidden_from_portal=False)
    note.type.refresh_from_db()
    with pytest.raises(ApplicationError, match="exception list"):
        share_group_note_all_authorized(by=world.ada, group_note=note)
    assert not Share.objects.filter(document__group_note=note).exists()


def test_no_copy_and_no_portal_page_names_the_other_members(world):
    note = make_note(world)
    share_group_note_all_authorized(by=world.ada, group_note=note)
    max_copy = note.copies.get(client=world.max)
    others = [world.ana.full_name, world.ana.last_name, world.ben.full_name, world.ben.last_name]
    for copy in note.copies.select_related("current_version"):
        own = {copy.client.full_name, copy.client.last_name}
        text = f"{copy.title} {version_of(copy).filename}" + read_decrypted(version_of(copy).storage_name).decode()
        for client in (world.ana, world.ben, world.max):
            if client.pk != copy.client_id:
                assert client.last_name not in text and client.last_name not in own
    gia = portal_login("gia@example.com")
    assert gia.post("/p/riverside/switch/", {"profile": world.gia_access_max.pk}).status_code == 302
    pages = [
        gia.get(PORTAL_LIST),
        gia.get("/p/riverside/home/"),
        gia.get(f"/p/riverside/documents/{max_copy.pk}/"),
    ]
    assert [response.status_code for response in pages] == [200, 200, 200]
    assert TITLE in pages[0].content.decode()
    assert pages[2].status_code == 200 and pages[2].content == PDF
    for response in pages:
        body = response.content.decode(errors="replace")
        for name in others:
            assert name not in body
    # Another member's copy is simply not there for Gia.
    ana_copy = note.copies.get(client=world.ana)
    assert gia.get(f"/p/riverside/documents/{ana_copy.pk}/").status_code == 404


# --- Staff pages ----------------------------------------------------------------------------------


def test_ada_adds_a_group_note_through_the_form_and_finds_it_in_the_general_log(world, login):
    http = login(world.ada)
    form = http.get(reverse("staff:group_note_create"))
    assert form.status_code == 200
    assert "must not name any member" in form.content.decode()
    assert world.hal.last_name not in form.content.decode()  # only the practice's own clients are offered
    response = http.post(
        reverse("staff:group_note_create"), create_post(world, [world.ana.pk, world.ben.pk, world.max.pk])
    )
    note = GroupNote.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(note)
    assert note.copies.count() == 3
    # The uploaded name is never kept: each copy's download name comes from the group's title.
    assert set(DocumentVersion.objects.filter(document__group_note=note).values_list("filename", flat=True)) == {
        "Tuesday-coping-skills-group.pdf"
    }
    log = http.get(reverse("staff:general_log")).content.decode()
    assert TITLE in log and "3 clients" in log
    for client in (world.ana, world.ben, world.max):
        assert client.last_name not in log  # the list gives a count, not names
    detail = http.get(detail_url(note)).content.decode()
    for client in (world.ana, world.ben, world.max):
        assert client.full_name in detail  # staff see who is linked
    assert f'action="{share_url(note)}"' in detail


def test_the_form_refuses_a_single_client_and_keeps_nothing(world, login, tmp_path):
    http = login(world.ada)
    before_files = stored_files(tmp_path)
    response = http.post(reverse("staff:group_note_create"), create_post(world, [world.ana.pk]))
    assert response.status_code == 400
    assert "Choose at least two clients" in response.content.decode()
    assert not GroupNote.objects.exists() and stored_files(tmp_path) == before_files


def test_the_share_button_posts_all_authorized_and_stop_sharing_undoes_it(world, login):
    note = make_note(world)
    http = login(world.ada)
    response = http.post(share_url(note))
    assert response.status_code == 302 and response["Location"] == detail_url(note)
    assert Share.objects.open().filter(document__group_note=note, audience=Audience.ALL_AUTHORIZED).count() == 3
    detail = http.get(detail_url(note)).content.decode()
    assert detail.count('data-globe="blue"') >= 3 and f'action="{unshare_url(note)}"' in detail
    assert http.post(unshare_url(note)).status_code == 302
    assert not Share.objects.open().filter(document__group_note=note).exists()


def test_staff_without_web_portal_see_no_share_button_and_get_403(world, login):
    note = make_note(world)
    http = login(world.theo)
    detail = http.get(detail_url(note))
    assert detail.status_code == 200
    assert share_url(note) not in detail.content.decode() and unshare_url(note) not in detail.content.decode()
    assert "needs the Web Portal permission" in detail.content.decode()
    assert http.post(share_url(note)).status_code == 403
    assert http.post(unshare_url(note)).status_code == 403
    assert not Share.objects.filter(document__group_note=note).exists()
    assert AuditEvent.objects.filter(action="access.forbidden", actor_id=world.theo.user.pk).count() == 2


def test_staff_without_upload_permission_get_403_on_the_form(world, login):
    http = login(world.bill)
    assert http.get(reverse("staff:group_note_create")).status_code == 403
    assert (
        http.post(reverse("staff:group_note_create"), create_post(world, [world.ana.pk, world.ben.pk])).status_code
        == 403
    )
    assert not GroupNote.objects.exists()


def test_another_practices_group_note_answers_404(world, login):
    note = make_note(world)
    http = login(world.hana)
    assert http.get(detail_url(note)).status_code == 404
    assert http.post(share_url(note)).status_code == 404
    assert not Share.objects.filter(document__group_note=note).exists()
    assert TITLE not in http.get(reverse("staff:general_log")).content.decode()


def test_the_general_log_lists_newest_first_in_a_fixed_number_of_queries(world, login, django_assert_max_num_queries):
    http = login(world.ada)
    make_note(world)
    http.get(reverse("staff:general_log"))
    with django_assert_max_num_queries(12) as few:
        http.get(reverse("staff:general_log"))
    for _ in range(4):
        make_note(world, [world.ana, world.max])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = http.get(reverse("staff:general_log"))
    assert response.content.decode().count("data-group-note=") == 5


def test_a_group_notes_page_runs_the_same_queries_for_two_linked_clients_and_twelve(
    world, login, django_assert_max_num_queries
):
    """Each copy's globe reads the shares fetched for the page, whatever the number of copies."""
    http = login(world.ada)
    few = make_note(world, [world.ana, world.max])
    share_group_note_all_authorized(by=world.ada, group_note=few)
    http.get(detail_url(few))
    with django_assert_max_num_queries(14) as counted:
        http.get(detail_url(few))
    others = Client.objects.bulk_create(
        Client(practice=world.riverside, first_name=f"M{n}", last_name="Group", date_of_birth=world.ana.date_of_birth)
        for n in range(10)
    )
    many = make_note(world, [world.ana, world.max, *others])
    share_group_note_all_authorized(by=world.ada, group_note=many)
    with django_assert_max_num_queries(len(counted.captured_queries)):
        html = http.get(detail_url(many)).content.decode()
    assert html.count("Shared to All Authorized") >= 12
