"""Email leaves through the database task queue, after the transaction commits."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from haven.core.email import send_email_on_commit


@pytest.fixture
def database_queue(settings, committed_db):
    """The real database queue; the worker commits and closes connections, so the test database must commit too."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_email_waits_for_the_worker_and_is_sent_by_it(database_queue):
    with transaction.atomic():
        send_email_on_commit(
            to="someone@example.com",
            template="staff_invitation",
            practice=None,
            context={"practice": "Riverside", "name": "Nell", "link": "http://testserver/x/", "hours": "24"},
        )
    assert mail.outbox == []  # queued, not sent inside the request
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["someone@example.com"]


def test_nothing_is_sent_when_the_transaction_rolls_back(database_queue):
    with pytest.raises(RuntimeError), transaction.atomic():
        send_email_on_commit(
            to="someone@example.com",
            template="staff_invitation",
            practice=None,
            context={"practice": "Riverside", "name": "Nell", "link": "http://testserver/x/", "hours": "24"},
        )
        raise RuntimeError("the action failed")
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert mail.outbox == []
