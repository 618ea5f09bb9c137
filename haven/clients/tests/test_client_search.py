"""The staff client search keeps what was typed (names, dates of birth) out of every address.

The text goes by POST and stays in the session; addresses (redirects, links, pagination, the address HTMX shows)
name the search by a key. The result page can still be reloaded and paged through, and works without JavaScript.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient

from haven.clients.models import Client

pytestmark = pytest.mark.django_db

ADDRESS_ATTRIBUTES = re.compile(r'\b(?:href|action|src|hx-get|hx-post|hx-push-url|hx-replace-url)="([^"]*)"')


def addresses_in(response) -> list[str]:
    """Every address the response gives the browser: headers and the page's links, forms and HTMX targets."""
    found = [response.get(header, "") for header in ("Location", "HX-Push-Url", "HX-Replace-Url", "HX-Location")]
    found += ADDRESS_ATTRIBUTES.findall(response.content.decode())
    return [address for address in found if address]


def assert_not_in_any_address(response, *texts: str) -> None:
    for address in addresses_in(response):
        for text in texts:
            assert text.lower() not in address.lower(), f"{text!r} is in the address {address!r}"


def listed_names(response) -> list[str]:
    return re.findall(r'<a href="/staff/clients/\d+/">([^<]+)</a>', response.content.decode())


def test_a_search_without_javascript_answers_with_a_clean_address_that_shows_the_results(world, login):
    http = login(world.theo)
    birth = world.ana.date_of_birth.isoformat()
    response = http.post("/staff/clients/", {"q": birth, "status": "active", "sort": "-dob"})
    assert response.status_code == 303
    assert_not_in_any_address(response, birth)
    assert re.fullmatch(r"/staff/clients/\?search=[\w-]+&status=active&sort=-dob", response["Location"])

    page = http.get(response["Location"])
    assert page.status_code == 200
    assert listed_names(page) == ["Alvarez, Ana"]
    assert f'value="{birth}"' in page.content.decode()  # the box still shows what was typed
    assert_not_in_any_address(page, birth)

    assert listed_names(http.get(response["Location"])) == ["Alvarez, Ana"], "reloading keeps the search"


def test_a_search_as_staff_type_answers_with_results_and_an_address_free_of_the_text(world, login):
    http = login(world.theo)
    response = http.post("/staff/clients/", {"q": "Brooks"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert listed_names(response) == ["Brooks, Ben"]
    assert re.fullmatch(r"/staff/clients/\?search=[\w-]+", response["HX-Push-Url"])
    assert_not_in_any_address(response, "Brooks")
    assert listed_names(http.get(response["HX-Push-Url"])) == ["Brooks, Ben"], "the address HTMX shows works"


def test_the_same_search_keeps_one_address_and_clearing_it_returns_to_the_plain_list(world, login):
    http = login(world.theo)
    first = http.post("/staff/clients/", {"q": "Brooks"})["Location"]
    assert http.post("/staff/clients/", {"q": "Alvarez"})["Location"] != first
    assert http.post("/staff/clients/", {"q": "Brooks"})["Location"] == first
    assert http.post("/staff/clients/", {"q": "  "})["Location"] == "/staff/clients/"


def test_pages_of_results_keep_the_search_and_never_put_it_in_their_links(world, login):
    Client.objects.bulk_create(
        Client(
            practice=world.riverside,
            first_name=f"Pat{n}",
            last_name=f"Quill{n:02d}",
            date_of_birth=world.ana.date_of_birth,
        )
        for n in range(30)
    )
    http = login(world.theo)
    first = http.get(http.post("/staff/clients/", {"q": "quill"})["Location"])
    assert len(listed_names(first)) == 25
    assert_not_in_any_address(first, "quill")
    next_page = re.search(r'<a class="page-link" href="([^"]+)">Next</a>', first.content.decode())
    assert next_page is not None
    address = next_page.group(1).replace("&amp;", "&")
    assert re.fullmatch(r"/staff/clients/\?search=[\w-]+&page=2", address)

    second = http.get(address)
    names = listed_names(second)
    assert len(names) == 5 and all(name.startswith("Quill") for name in names), names
    assert "Alvarez, Ana" not in names
    assert_not_in_any_address(second, "quill")
    previous = re.search(r'<a class="page-link" href="([^"]+)">Previous</a>', second.content.decode())
    assert previous is not None
    assert listed_names(http.get(previous.group(1).replace("&amp;", "&"))) == listed_names(first)


def test_an_old_address_with_the_text_in_it_moves_to_a_clean_one(world, login):
    http = login(world.theo)
    response = http.get("/staff/clients/", {"q": "Brooks", "sort": "-name"})
    assert response.status_code == 303
    assert_not_in_any_address(response, "Brooks")
    assert listed_names(http.get(response["Location"])) == ["Brooks, Ben"]


def test_a_search_key_works_only_in_the_session_that_made_it(world, login, client):
    address = login(world.theo).post("/staff/clients/", {"q": "Brooks"})["Location"]
    other = login(world.fran, HttpClient())
    page = other.get(address)
    assert page.status_code == 200
    assert "Brooks" not in page.content.decode().split('id="client-results"')[0]  # the box is empty
    assert "That search is no longer kept. Type it again to search." in page.content.decode()
    assert len(listed_names(page)) == 4  # the whole list, not someone else's search


def test_the_search_form_is_protected_against_forged_requests(world, login):
    http = login(world.theo)
    page = http.get("/staff/clients/").content.decode()
    form = re.search(r'<form[^>]*role="search"[^>]*>.*?</form>', page, re.DOTALL)
    assert form is not None
    assert 'method="post"' in form.group(0)
    assert 'name="csrfmiddlewaretoken"' in form.group(0)

    forged = HttpClient(enforce_csrf_checks=True)
    forged.cookies = http.cookies
    assert forged.post("/staff/clients/", {"q": "Brooks"}).status_code == 403


def test_going_back_to_a_search_without_a_cached_page_gets_the_whole_page(world, login):
    """The results are never kept in the browser's history cache (hx-history="false"), so Back asks the server."""
    http = login(world.theo)
    address = http.post("/staff/clients/", {"q": "Brooks"})["Location"]
    page = http.get(address, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    body = page.content.decode()
    assert "<html" in body
    assert 'hx-history="false"' in body
    assert listed_names(page) == ["Brooks, Ben"]
