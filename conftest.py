"""Shared fixtures: the personas, logged-in clients, and settings every test run uses."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient

from haven.core import sms
from haven.core.prepared import forget_prepared
from tests.database import audit_triggers
from tests.personas import PASSWORD, World, build_world


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path: Path) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; Argon2 is tested on its own
    settings.HAVEN_BASE_URL = "http://testserver"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    settings.HAVEN_AUDIT_CHECKPOINT_DIR = tmp_path / "audit-checkpoints"
    settings.HAVEN_SMS_BACKEND = "haven.core.sms.LocmemBackend"
    sms.outbox.clear()  # texts start empty in every test, as Django's mail outbox does


@pytest.fixture(autouse=True)
def _prepared_queries_built_afresh() -> None:
    """No test runs a query prepared under a rule an earlier test changed (``monkeypatch``, below)."""
    forget_prepared()


@pytest.fixture
def monkeypatch(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """pytest's ``monkeypatch``, whose changes reach prepared queries too: a rule changed in one place (a policy's
    function) holds for every query built from it, as it would for a queryset built on each request."""
    setattr_ = monkeypatch.setattr

    def setattr_and_forget(*args: Any, **kwargs: Any) -> None:
        setattr_(*args, **kwargs)
        forget_prepared()

    undo = monkeypatch.undo

    def undo_and_forget() -> None:
        undo()
        forget_prepared()

    monkeypatch.setattr = setattr_and_forget  # type: ignore[method-assign]
    monkeypatch.undo = undo_and_forget  # type: ignore[method-assign]
    return monkeypatch


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def _audit_protections_restored(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """After a test that commits has emptied the database, put the audit trail's triggers back."""
    yield
    with django_db_blocker.unblock():
        audit_triggers(on=True)


@pytest.fixture
def transactional_db(_audit_protections_restored: None, transactional_db: None) -> Iterator[None]:
    """pytest-django's database that really commits, whose tables are emptied after the test.

    The audit trail refuses DELETE and (on PostgreSQL) TRUNCATE, so its triggers are lifted
    just before the tables are emptied and restored just after, explicitly and for that moment.
    """
    yield
    audit_triggers(on=False)


@pytest.fixture
def committed_db(transactional_db: None) -> None:
    """A database that really commits, for threads, the task worker and the live server."""


@pytest.fixture
def login(client: HttpClient) -> Callable[..., HttpClient]:
    """Log a staff member in (through the real login form) and return the test client."""

    def _login(member, http: HttpClient | None = None) -> HttpClient:
        http = http or client
        response = http.post("/staff/login/", {"username": member.user.email, "password": PASSWORD})
        assert response.status_code == 302, "login failed"
        return http

    return _login


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped and not os.environ.get("HAVEN_ALLOW_SKIPS"):
        terminalreporter.write_line(
            f"{len(skipped)} test(s) were skipped: Haven allows no silent skips. "
            "Deselect with a marker instead, or set HAVEN_ALLOW_SKIPS=1 locally.",
            red=True,
        )


def pytest_sessionfinish(session, exitstatus) -> None:  # type: ignore[no-untyped-def]
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter and reporter.stats.get("skipped") and not os.environ.get("HAVEN_ALLOW_SKIPS"):
        session.exitstatus = 1
