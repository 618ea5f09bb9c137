"""No page is kept in the browser's storage: htmx's history cache is off everywhere.

With it on, htmx copies each page it pushes to the history (the client list and its search results,
with names and dates of birth) into the browser's session storage. ``historyCacheSize: 0`` in the
``htmx-config`` meta of ``templates/base.html`` keeps nothing there; Back asks the server instead.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from django.test import Client as HttpClient

from tests.personas import PASSWORD, World

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HTMX_CONFIG = re.compile(r"<meta name=\"htmx-config\" content='([^']*)'>")


def htmx_config(page: str) -> dict[str, object]:
    found = HTMX_CONFIG.findall(page)
    assert len(found) == 1, "every page carries exactly one htmx-config"
    return json.loads(html.unescape(found[0]))


def test_every_template_that_loads_htmx_turns_its_history_cache_off():
    loading = [path for path in ROOT.glob("templates/**/*.html") if "htmx.min.js" in path.read_text()]
    assert loading, "no template loads htmx"
    for path in loading:
        assert htmx_config(path.read_text())["historyCacheSize"] == 0, path


def test_staff_portal_and_public_pages_keep_nothing_in_the_browser(world: World, login):
    staff = login(world.ada, HttpClient())
    portal = HttpClient()
    assert portal.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD}).status_code == 302
    pages = [
        staff.get("/staff/clients/"),
        staff.post("/staff/clients/", {"q": "Moreno"}, follow=True),
        portal.get("/p/riverside/home/"),
        HttpClient().get("/staff/login/"),
    ]
    for response in pages:
        assert response.status_code == 200
        config = htmx_config(response.content.decode())
        assert config["historyCacheSize"] == 0
        assert config["allowEval"] is False and config["allowScriptTags"] is False
