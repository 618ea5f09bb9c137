"""A unique string in a message's subject, body and attachment name never leaves the encrypted rows and files:
not in any email (subject, text, HTML, any header), not in the task queue's stored payloads, not in the audit trail.

Every way a message is sent is walked: portal to the team and to the clinician, staff to the portal, replies both
ways, the daily digest; and what staff do with it after: read, assign, archive, download, file to the chart.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from email import message_from_bytes
from typing import Any

import pytest
from django.core.mail import EmailMessage
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.documents.models import DocumentType
from haven.messaging import policy
from haven.messaging.actions import (
    Upload,
    archive,
    assign,
    file_to_chart,
    mark_read,
    open_attachment,
    reply,
    restore,
    send_daily_digests,
    set_frequency,
    write_to_client,
    write_to_practice,
)
from haven.messaging.models import Attachment, Frequency, Message, Thread
from haven.messaging.tasks import send_message_digests
from haven.messaging.tests.helpers import PDF, PNG, gia, give_max_a_clinician, set_team, staff
from tests.personas import World

pytestmark = pytest.mark.django_db

CANARY = "CanaryQx7Zv"  # found nowhere else in Haven; no email, payload or event may carry it


def said(n: int) -> dict[str, Any]:
    """A message's words and files, each carrying the canary."""
    return {
        "body": f"Body {n} says {CANARY}: he had a hard week.",
        "files": [Upload(f"{CANARY} scan {n}.pdf", PDF), Upload(f"{CANARY}-photo-{n}.png", PNG)],
    }


def converse(world: World, capture: Callable[..., Any]) -> list[Thread]:
    """Every way a message is sent, and what staff do with one; the emails' tasks queued after each commit."""
    set_team(world.riverside, world.fran, world.theo)
    give_max_a_clinician(world, world.theo)
    threads: list[Thread] = []
    with capture(execute=True):
        threads.append(write_to_practice(gia(world), recipient="team", subject=f"To the team {CANARY}", **said(1)))
    with capture(execute=True):
        threads.append(write_to_practice(gia(world), recipient="clinician", subject=f"To Theo {CANARY}", **said(2)))
    with capture(execute=True):
        threads.append(
            write_to_client(by=world.ada, access=world.gia_access_max, subject=f"From Ada {CANARY}", **said(3))
        )
    to_team, to_theo, from_ada = threads
    with capture(execute=True):
        reply(staff(world.fran), to_team, **said(4))
    with capture(execute=True):
        reply(gia(world), to_team, **said(5))
    with capture(execute=True):
        reply(staff(world.theo), to_theo, **said(6))
    with capture(execute=True):
        reply(gia(world), from_ada, **said(7))
    with capture(execute=True):
        assign(staff(world.fran), to_team, to=world.ada)
    with capture(execute=True):
        reply(gia(world), Thread.objects.get(pk=to_team.pk), **said(8))
    # After, staff read, archive, download and file; Gia reads.
    with capture(execute=True):
        mark_read(staff(world.ada), to_team)
        mark_read(gia(world), from_ada)
        archive(staff(world.theo), to_theo)
        restore(staff(world.theo), to_theo)
        attachment = Attachment.objects.filter(message__thread=to_team).first()
        assert attachment is not None
        open_attachment(staff(world.ada), policy.get_attachment(staff(world.ada), attachment.pk))
        open_attachment(gia(world), policy.get_attachment(gia(world), attachment.pk))
        file_to_chart(
            staff(world.ada),
            attachment,
            doc_type=DocumentType.objects.get(practice=world.riverside, name="Progress Note"),
            title="",  # left empty: the document takes the attachment's name, as the chart shows it
            document_date=timezone.localdate(),
        )
    # The daily digest.
    set_frequency(frequency=Frequency.DAILY, account=world.gia_account)
    with capture(execute=True):
        reply(staff(world.ada), from_ada, **said(9))
    with capture(execute=True):
        assert send_daily_digests() == 1
        send_message_digests.enqueue()
    # The canary is there, encrypted, to be found by those allowed.
    assert Message.objects.count() == 9
    assert all(CANARY in m.body for m in Message.objects.all())
    assert Attachment.objects.count() == 18 and all(CANARY in a.name for a in Attachment.objects.all())
    assert all(CANARY in t.subject for t in Thread.objects.all())
    return threads


def everything_in(email: EmailMessage) -> str:
    """An email as sent (every header and part, decoded), and its parts as Django holds them."""
    raw = email.message().as_bytes()
    parsed = message_from_bytes(raw)
    parts = [str(value) for value in parsed.values()]  # every header, decoded
    for part in parsed.walk():
        parts.extend(str(value) for value in part.values())
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts.append(payload.decode("utf-8", "replace"))
    alternatives = [str(content) for content, _mimetype in getattr(email, "alternatives", [])]
    return "\n".join(
        [
            raw.decode("utf-8", "replace"),
            str(email.subject),
            str(email.body),
            *alternatives,
            *parts,
            json.dumps(email.to),
        ]
    )


def assert_no_canary_in_the_audit_trail() -> None:
    events = list(AuditEvent.objects.values())
    assert events
    assert CANARY not in json.dumps(events, default=str)


def test_the_canary_is_in_no_email_nor_audit_event(
    world: World, mailoutbox: list[EmailMessage], django_capture_on_commit_callbacks: Any
) -> None:
    converse(world, django_capture_on_commit_callbacks)
    # Gia for each staff message and the digest; each staff recipient for each of hers; Ada for the assignment.
    assert len(mailoutbox) >= 10
    assert {address for email in mailoutbox for address in email.to} >= {
        "gia@example.com",
        "fran@riverside.example",
        "theo@riverside.example",
        "ada@riverside.example",
    }
    for email in mailoutbox:
        text = everything_in(email)
        assert "http://testserver/" in text  # the link is there, to sign in and read
        assert CANARY not in text, email.subject
        assert "Max" not in text and "Moreno" not in text.replace("Gia Moreno", "")  # nor whom it is about
    assert_no_canary_in_the_audit_trail()


def test_the_canary_is_in_no_stored_task_payload(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    converse(world, django_capture_on_commit_callbacks)
    queued = list(DBTaskResult.objects.all())
    paths = {task.task_path for task in queued}
    assert "haven.core.email.send_templated_email" in paths
    assert "haven.messaging.tasks.send_message_digests" in paths
    assert len([t for t in queued if t.task_path == "haven.core.email.send_templated_email"]) >= 10
    for task in queued:
        assert CANARY not in json.dumps(task.args_kwargs), task.task_path
    stored = json.dumps(list(DBTaskResult.objects.values()), default=str)
    assert CANARY not in stored
    assert_no_canary_in_the_audit_trail()
