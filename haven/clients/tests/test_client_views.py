"""Client list, chart and edit pages, as staff use them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_client_list_shows_only_the_practices_clients(world, login):
    http = login(world.theo)
    response = http.get("/staff/clients/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alvarez, Ana" in body
    assert "Hill, Hal" not in body


def test_chart_face_lists_related_contacts(world, login):
    http = login(world.theo)
    response = http.get(f"/staff/clients/{world.max.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Gia Moreno" in body
    assert "Legal guardian" in body


def test_invalid_client_form_explains_and_keeps_what_was_typed(world, login):
    http = login(world.fran)
    response = http.post(
        "/staff/clients/new/",
        {"first_name": "Cora", "last_name": "", "date_of_birth": "not a date", "email": "cora@", "status": "active"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter the client&#x27;s last name." in body
    assert "Enter the date of birth as a date" in body
    assert "Enter an email address like name@example.com." in body
    assert 'value="Cora"' in body
    assert 'value="cora@"' in body
    assert 'aria-invalid="true"' in body


def test_creating_a_client_opens_their_chart(world, login):
    http = login(world.fran)
    response = http.post(
        "/staff/clients/new/",
        {"first_name": "Cora", "last_name": "Diaz", "date_of_birth": "1990-04-02", "status": "active"},
    )
    assert response.status_code == 302
    from haven.clients.models import Client

    cora = Client.objects.get(first_name="Cora")
    assert response["Location"] == f"/staff/clients/{cora.pk}/"
    assert cora.practice == world.riverside


def test_search_finds_clients_by_name_email_and_date_of_birth(world, login):
    http = login(world.theo)
    for query in ("alva", "ana@example.com", world.ana.date_of_birth.isoformat()):
        body = http.post("/staff/clients/", {"q": query}, follow=True).content.decode()
        assert "Alvarez, Ana" in body, query
        assert "Brooks, Ben" not in body, query


def test_unknown_sort_falls_back_to_name(world, login):
    http = login(world.theo)
    response = http.get("/staff/clients/", {"sort": "practice__name"})
    assert response.status_code == 200
    assert response.context["sort"] == "name"


def test_htmx_search_returns_only_the_results_fragment(world, login):
    http = login(world.theo)
    response = http.post("/staff/clients/", {"q": "Ben"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "Brooks, Ben" in body
    assert "<html" not in body


def test_edit_conflict_keeps_the_typed_changes_and_shows_the_saved_record(world, login):
    from haven.clients.actions import update_client

    http = login(world.fran)
    loaded = http.get(f"/staff/clients/{world.ana.pk}/edit/")
    version = loaded.context["form"]["version"].value()
    update_client(by=world.theo, client=world.ana, data={"phone": "555-THEO"}, expected_version=version)
    form = {
        "first_name": "Ana",
        "last_name": "Alvarez",
        "date_of_birth": world.ana.date_of_birth.isoformat(),
        "email": "ana@example.com",
        "phone": "555-FRAN",
        "status": "active",
        "version": version,
    }
    response = http.post(f"/staff/clients/{world.ana.pk}/edit/", form)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this record" in body
    assert 'value="555-FRAN"' in body  # what Fran typed
    assert "555-THEO" in body  # what is saved now
    world.ana.refresh_from_db()
    assert world.ana.phone == "555-THEO"
    # Saving again, now on top of the current version, succeeds.
    form["version"] = response.context["form"]["version"].value()
    assert http.post(f"/staff/clients/{world.ana.pk}/edit/", form).status_code == 302
    world.ana.refresh_from_db()
    assert world.ana.phone == "555-FRAN"


def test_viewing_a_chart_is_audited(world, login):
    from haven.audit.models import AuditEvent

    http = login(world.theo)
    http.get(f"/staff/clients/{world.ana.pk}/")
    event = AuditEvent.objects.filter(action="chart.viewed").get()
    assert event.client == world.ana
    assert event.actor_label == world.theo.user.email
    assert event.ip == "127.0.0.1"


def test_access_history_lists_who_did_what(world, login):
    http = login(world.ada)
    http.get(f"/staff/clients/{world.ana.pk}/")
    response = http.get(f"/staff/clients/{world.ana.pk}/access-history/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Viewed the chart" in body
    assert "Ada Admin</span> · Administrator" in body


def test_access_history_is_for_administrators_only(world, login):
    http = login(world.theo)
    assert http.get(f"/staff/clients/{world.ana.pk}/access-history/").status_code == 403


def test_client_pages_are_not_cached(world, login):
    http = login(world.theo)
    response = http.get(f"/staff/clients/{world.ana.pk}/")
    assert "no-store" in response["Cache-Control"]


def test_field_errors_are_tied_to_their_fields_for_screen_readers(world, login):
    http = login(world.fran)
    body = http.post(
        "/staff/clients/new/", {"first_name": "Cora", "last_name": "", "status": "active"}
    ).content.decode()
    assert 'aria-describedby="id_last_name_error"' in body
    assert 'id="id_last_name_error"' in body


def test_the_clients_clinician_is_chosen_among_the_practices_clinicians(world, login):
    http = login(world.ada)
    page = http.get(f"/staff/clients/{world.ana.pk}/edit/")
    options = page.context["form"].fields["clinician"].queryset
    assert set(options) == {world.ada, world.theo}  # those who read clinical documents; not front desk or billing
    form = {
        "first_name": "Ana",
        "last_name": "Alvarez",
        "date_of_birth": world.ana.date_of_birth.isoformat(),
        "status": "active",
        "clinician": world.theo.pk,
        "version": page.context["form"]["version"].value(),
    }
    assert http.post(f"/staff/clients/{world.ana.pk}/edit/", form).status_code == 302
    world.ana.refresh_from_db()
    assert world.ana.clinician == world.theo
    form["clinician"] = world.fran.pk
    form["version"] = world.ana.version
    refused = http.post(f"/staff/clients/{world.ana.pk}/edit/", form)
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()


def test_a_clinician_of_another_practice_or_without_clinical_access_is_refused(world):
    from haven.clients.actions import update_client
    from haven.core.errors import ApplicationError

    for member in (world.hana, world.bill):
        with pytest.raises(ApplicationError, match="Choose a clinician of your practice"):
            update_client(by=world.ada, client=world.ana, data={"clinician": member}, expected_version=1)
