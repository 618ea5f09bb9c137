"""The demo outbox: the emails Haven sent, for people trying the demo; absent in production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core import mail

from haven.core.mail_backends import DemoOutboxBackend
from haven.core.models import DemoOutboxEmail

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_the_demo_backend_keeps_each_email(capsys):
    message = mail.EmailMessage(subject="Invitation", body="Open http://testserver/p/x/", to=["a@example.com"])
    DemoOutboxBackend().send_messages([message])
    kept = DemoOutboxEmail.objects.get()
    assert kept.to == "a@example.com" and kept.subject == "Invitation"
    assert "Invitation" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_outbox_page_lists_emails_with_clickable_links(world, login):
    DemoOutboxEmail.objects.create(to="gia@example.com", subject="Invitation", body="Open http://testserver/p/x/")
    body = login(world.theo).get("/staff/demo-outbox/").content.decode()
    assert '<a href="http://testserver/p/x/"' in body


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
        "HAVEN_SMTP_HOST": "smtp.example.org",
        "HAVEN_FILE_KEYS": Fernet.generate_key().decode("ascii"),
        "HAVEN_AUDIT_KEYS": "a" * 43,
        "HAVEN_DATA_DIR": str(tmp_path),
        "HAVEN_DEMO_OUTBOX": "true",  # even when asked for
    }
    assert _resolve_in(production) == "missing"
    development = {**base, "DJANGO_SETTINGS_MODULE": "haven.settings", "HAVEN_DATA_DIR": str(tmp_path)}
    assert _resolve_in(development) == "found"
