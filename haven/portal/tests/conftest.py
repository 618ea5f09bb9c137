"""Fixtures the portal's tests share: Gia signed in to the Riverside portal."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from tests.personas import PASSWORD


@pytest.fixture
def gia(world, client) -> HttpClient:
    response = client.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD})
    assert response.status_code == 302
    return client
