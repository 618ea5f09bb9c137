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
