"""The demo outbox: the emails Haven sent, for people trying the demo.

Off unless asked for, absent in production, and each practice sees only its own mail.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from haven.core.email import PracticeEmail
from haven.core.mail_backends import DemoOutboxBackend
from haven.core.models import DemoOutboxEmail
from haven.portal_access.links import email_link as email_portal_link
from haven.portal_access.models import PortalAccount, PortalLinkPurpose
from haven.practices.models import LinkPurpose
from haven.practices.password_links import email_link as email_staff_link

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def demo_outbox(settings):
    """The outbox as `make demo` runs it: asked for, with the demo's mail backend."""
    settings.HAVEN_DEMO_OUTBOX = True
    settings.MAILERS = {"default": {"BACKEND": "haven.core.mail_backends.DemoOutboxBackend"}}


@pytest.mark.django_db
def test_the_demo_backend_keeps_each_email_under_its_practice(capsys):
    message = PracticeEmail(practice_id=7, subject="Invitation", body="Open http://testserver/p/x/", to=["a@x.org"])
    DemoOutboxBackend().send_messages([message])
    kept = DemoOutboxEmail.objects.get()
    assert (kept.practice_id, kept.to, kept.subject) == (7, "a@x.org", "Invitation")
    assert "Invitation" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_outbox_page_lists_emails_with_clickable_links(world, login, demo_outbox):
    DemoOutboxEmail.objects.create(
        practice_id=world.riverside.pk, to="gia@example.com", subject="Invitation", body="Open http://testserver/p/x/"
    )
    body = login(world.theo).get("/staff/demo-outbox/").content.decode()
    assert '<a href="http://testserver/p/x/"' in body


@pytest.mark.django_db
def test_each_practice_sees_only_its_own_mail_and_never_a_colleagues_link(
    world, login, demo_outbox, client, django_capture_on_commit_callbacks
):
    hilltop_account = PortalAccount.objects.create(email="hal@example.com", full_name="Hal Hill")
    with django_capture_on_commit_callbacks(execute=True):
        email_portal_link(hilltop_account, world.hilltop, PortalLinkPurpose.INVITATION)
        email_staff_link(world.ada, LinkPurpose.RESET)
        email_staff_link(world.theo, LinkPurpose.RESET)
    assert DemoOutboxEmail.objects.count() == 3

    theo_sees = login(world.theo).get("/staff/demo-outbox/").content.decode()
    assert "theo@riverside.example" in theo_sees, "a staff member sees mail sent to them"
    assert "ada@riverside.example" not in theo_sees, "a colleague's reset link would be their login"
    assert "hal@example.com" not in theo_sees, "another practice's mail"

    client.logout()
    hana_sees = login(world.hana).get("/staff/demo-outbox/").content.decode()
    assert "hal@example.com" in hana_sees
    assert "riverside.example" not in hana_sees


@pytest.mark.django_db
def test_the_outbox_is_off_unless_asked_for(world, login, settings):
    settings.HAVEN_DEMO_OUTBOX = False
    DemoOutboxEmail.objects.create(practice_id=world.riverside.pk, to="gia@example.com", subject="Hi", body="x")
    http = login(world.theo)
    assert http.get("/staff/demo-outbox/").status_code == 404
    assert "Demo outbox" not in http.get("/staff/clients/").content.decode()


def _resolve_in(env: dict[str, str]) -> str:
    code = (
        "import django; django.setup();"
        "from django.urls import resolve, Resolver404\n"
        "try:\n    resolve('/staff/demo-outbox/'); print('found')\n"
        "except Resolver404:\n    print('missing')"
    )
    result = subprocess.run(  # noqa: S603 - a fixed command
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.strip()


def test_the_outbox_does_not_exist_in_production(tmp_path):
    base = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_") and k != "DATABASE_URL"}
    production = {
        **base,
        "DJANGO_SETTINGS_MODULE": "haven.settings",
        "HAVEN_ENV": "production",
        "HAVEN_SECRET_KEY": "x" * 60,
        "HAVEN_ALLOWED_HOSTS": "haven.example.org",
        "HAVEN_BASE_URL": "https://haven.example.org",
        "HAVEN_SMTP_HOST": "smtp.example.org",
        "HAVEN_FILE_KEYS": Fernet.generate_key().decode("ascii"),
        "HAVEN_AUDIT_KEYS": "a" * 43,
        "HAVEN_DATA_DIR": str(tmp_path),
        "HAVEN_DEMO_OUTBOX": "true",  # even when asked for
    }
    assert _resolve_in(production) == "missing"


def test_the_outbox_is_an_explicit_demo_setting_off_by_default(tmp_path):
    base = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_") and k != "DATABASE_URL"}
    development = {**base, "DJANGO_SETTINGS_MODULE": "haven.settings", "HAVEN_DATA_DIR": str(tmp_path)}
    code = "import django; django.setup(); from django.conf import settings; print(settings.HAVEN_DEMO_OUTBOX)"
    ask = lambda env: subprocess.run(  # noqa: E731, S603 - a fixed command
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    ).stdout.strip()
    assert ask(development) == "False"
    assert ask({**development, "HAVEN_DEMO_OUTBOX": "true"}) == "True"
    assert "HAVEN_DEMO_OUTBOX=${HAVEN_DEMO_OUTBOX:-true}" in (ROOT / "scripts" / "demo").read_text()
