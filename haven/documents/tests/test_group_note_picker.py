"""The group note's client picker (DOC-7): search as you type among the practice's active clients, a few
results at a time, the chosen ones as removable chips; without JavaScript the same form searches, adds and
removes by posting back. Works the same for a practice with thousands of clients."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.clients.models import Client, ClientStatus
from haven.documents.models import Document, GroupNote
from tests.personas import World, years_ago

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a group session handout\n%%EOF\n"
TITLE = "Tuesday coping skills group"
CREATE = "/staff/general-log/new/"
SEARCH = "/staff/general-log/new/clients/"


def results_of(html: str) -> list[str]:
    """The clients offered with an Add button, as their buttons read."""
    return re.findall(r"data-picker-add[^>]*>\s*<span[^>]*>([^<]+)</span>", html)


def chips_of(html: str) -> list[int]:
    """The chosen clients, as the hidden inputs the form posts."""
    return [int(pk) for pk in re.findall(r'<input type="hidden" name="clients" value="(\d+)"', html)]


def many_morenos(world: World, count: int) -> None:
    Client.objects.bulk_create(
        Client(practice=world.riverside, first_name=f"Client{n:04d}", last_name="Moreno", date_of_birth=years_ago(30))
        for n in range(count)
    )


def form_data(**extra: object) -> dict[str, object]:
    return {"title": TITLE, "document_date": timezone.localdate().isoformat(), **extra}


def test_the_form_lists_no_clients_until_staff_search(world, login):
    """A ten-row list of every client does not work for thousands: the form offers a search box instead."""
    body = login(world.ada).get(CREATE).content.decode()
    assert 'type="search"' in body and "Find clients" in body
    for client in (world.ana, world.ben, world.max, world.mia):
        assert client.last_name not in body
    assert "<select" not in body.split('id="client-picker"', 1)[1]


def test_typing_finds_the_practices_active_clients_by_name(world, login):
    Client.objects.filter(pk=world.mia.pk).update(status=ClientStatus.DISCHARGED)
    http = login(world.ada)
    found = results_of(http.post(SEARCH, {"client_q": "more"}).content.decode())
    assert [name.split(" · ")[0] for name in found] == ["Max Moreno"]  # Mia is discharged
    assert results_of(http.post(SEARCH, {"client_q": "hill"}).content.decode()) == []  # Hal is Hilltop's
    assert "No active client matches" in http.post(SEARCH, {"client_q": "hill"}).content.decode()


def test_the_search_shows_at_most_eight_and_says_there_are_more(world, login):
    many_morenos(world, 30)
    body = login(world.ada).post(SEARCH, {"client_q": "moreno"}).content.decode()
    assert len(results_of(body)) == 8
    assert "More clients match. Type more of the name." in body


def test_the_search_leaves_out_the_clients_already_chosen(world, login):
    body = login(world.ada).post(SEARCH, {"client_q": "moreno", "clients": [world.max.pk]}).content.decode()
    assert [name.split(" · ")[0] for name in results_of(body)] == ["Mia Moreno"]


def test_an_empty_search_asks_for_a_name(world, login):
    body = login(world.ada).post(SEARCH, {"client_q": " "}).content.decode()
    assert results_of(body) == [] and "Type a name" in body


def test_a_foreign_client_id_in_the_search_answers_404_audited(world, login):
    response = login(world.ada).post(SEARCH, {"client_q": "a", "clients": [world.ana.pk, world.hal.pk]})
    assert response.status_code == 404
    assert world.hal.last_name not in response.content.decode()
    denied = AuditEvent.objects.filter(action="access.denied").latest("sequence")
    assert denied.details["object_id"] == str(world.hal.pk)


def test_the_search_needs_the_upload_permission(world, login):
    assert login(world.bill).post(SEARCH, {"client_q": "a"}).status_code == 403


ADDRESS_ATTRIBUTES = re.compile(r'\b(?:href|action|src|hx-get|hx-post|hx-push-url|hx-replace-url)="([^"]*)"')


def addresses_in(response) -> list[str]:
    """Every address the response gives the browser: headers and the page's links, forms and HTMX targets."""
    found = [response.get(header, "") for header in ("Location", "HX-Push-Url", "HX-Replace-Url", "HX-Location")]
    found += ADDRESS_ATTRIBUTES.findall(response.content.decode())
    return [address for address in found if address]


def test_the_typed_name_travels_by_post_and_appears_in_no_address(world, login):
    """Names typed in the picker are health information: never in an address, so never in an access log."""
    http = login(world.ada)
    form = http.get(CREATE).content.decode()
    box = re.search(r'<input id="client-search"[^>]*>', form)
    assert box is not None
    assert f'hx-post="{SEARCH}"' in box.group(0) and "hx-get" not in box.group(0)
    assert 'hx-params="client_q,clients"' in box.group(0)  # the text and the chosen clients, nothing else

    typed = "Moreno"
    answers = [
        http.post(SEARCH, {"client_q": typed, "clients": [world.ana.pk]}, headers={"HX-Request": "true"}),
        http.post(CREATE, form_data(picker="search", client_q=typed, clients=[world.ana.pk])),  # without JavaScript
    ]
    for response in answers:
        assert response.status_code == 200
        assert [name.split(" · ")[0] for name in results_of(response.content.decode())] == ["Max Moreno", "Mia Moreno"]
        for address in addresses_in(response):
            assert typed.lower() not in address.lower(), f"{typed!r} is in the address {address!r}"

    # An address carrying the text is not an answer: nothing found, nothing shown.
    old_style = http.get(SEARCH, {"client_q": typed})
    assert old_style.status_code == 405
    assert "Max Moreno" not in old_style.content.decode()


def test_the_picker_search_is_protected_against_forged_requests(world, login):
    http = login(world.ada)
    forged = HttpClient(enforce_csrf_checks=True)
    forged.cookies = http.cookies
    assert forged.post(SEARCH, {"client_q": "moreno"}).status_code == 403
    # HTMX sends the page's token in a header (``hx-headers`` on the body of every page).
    token = forged.get(CREATE).context["csrf_token"]
    answer = forged.post(SEARCH, {"client_q": "moreno"}, headers={"X-CSRFToken": str(token), "HX-Request": "true"})
    assert answer.status_code == 200
    assert [name.split(" · ")[0] for name in results_of(answer.content.decode())] == ["Max Moreno", "Mia Moreno"]


def test_without_javascript_search_add_and_remove_post_back_and_keep_what_was_typed(world, login):
    http = login(world.ada)
    searched = http.post(CREATE, form_data(picker="search", client_q="moreno", clients=[world.ana.pk]))
    body = searched.content.decode()
    assert searched.status_code == 200
    assert [name.split(" · ")[0] for name in results_of(body)] == ["Max Moreno", "Mia Moreno"]
    assert chips_of(body) == [world.ana.pk]
    assert f'value="{TITLE}"' in body and "invalid-feedback" not in body

    added = http.post(CREATE, form_data(add=world.max.pk, client_q="moreno", clients=[world.ana.pk])).content.decode()
    assert sorted(chips_of(added)) == sorted([world.ana.pk, world.max.pk])
    assert [name.split(" · ")[0] for name in results_of(added)] == ["Mia Moreno"]  # the search stays open
    assert f'value="{TITLE}"' in added

    removed = http.post(CREATE, form_data(remove=world.ana.pk, clients=[world.ana.pk, world.max.pk])).content.decode()
    assert chips_of(removed) == [world.max.pk]
    assert not GroupNote.objects.exists() and not Document.objects.filter(group_note__isnull=False).exists()


def test_a_search_post_back_asks_for_the_file_again(world, login):
    upload = SimpleUploadedFile("group.pdf", PDF, content_type="application/pdf")
    body = login(world.ada).post(CREATE, form_data(picker="search", client_q="ana", file=upload)).content.decode()
    assert "Choose the file again before you save" in body
    assert not GroupNote.objects.exists()


def test_adding_a_foreign_client_without_javascript_answers_404_and_creates_nothing(world, login):
    response = login(world.ada).post(CREATE, form_data(add=world.hal.pk, clients=[world.ana.pk]))
    assert response.status_code == 404
    assert not GroupNote.objects.exists()
    assert AuditEvent.objects.filter(action="access.denied").latest("sequence").details["object_id"] == str(
        world.hal.pk
    )


def test_a_refused_save_keeps_the_chosen_clients_as_chips(world, login):
    response = login(world.ada).post(
        CREATE,
        form_data(file=SimpleUploadedFile("group.pdf", PDF, content_type="application/pdf"), clients=[world.ana.pk]),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Choose at least two clients for a group note." in body
    assert chips_of(body) == [world.ana.pk]
    assert f'value="{TITLE}"' in body


def test_saving_with_two_chosen_clients_makes_the_group_note(world, login):
    response = login(world.ada).post(
        CREATE,
        form_data(
            file=SimpleUploadedFile("group.pdf", PDF, content_type="application/pdf"),
            clients=[world.ana.pk, world.ben.pk],
        ),
    )
    assert response.status_code == 302
    note = GroupNote.objects.get()
    assert set(note.copies.values_list("client_id", flat=True)) == {world.ana.pk, world.ben.pk}


def test_the_form_and_the_search_cost_the_same_queries_with_thousands_of_clients(
    world, login, django_assert_max_num_queries
):
    http: HttpClient = login(world.ada)
    chosen = [world.ana.pk, world.ben.pk, world.max.pk]

    def visit() -> list[int]:
        sizes = [len(http.get(CREATE).content)]
        sizes.append(len(http.post(SEARCH, {"client_q": "moreno", "clients": chosen}).content))
        sizes.append(len(http.post(CREATE, form_data(picker="search", client_q="moreno", clients=chosen)).content))
        return sizes

    many_morenos(world, 8)
    visit()
    with django_assert_max_num_queries(40) as few:
        small = visit()
    many_morenos(world, 3000)
    with django_assert_max_num_queries(len(few.captured_queries)):
        large = visit()
    assert large[0] == small[0]  # the form itself lists nobody
    assert all(size < 60_000 for size in large)
