"""Audit events are typed: one class per code, named after it, whose fields are the details stored."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from haven.audit.actions import record_event
from haven.audit.events import (
    EVENT_TYPES,
    AuditAction,
    AuthTwoFactorFailed,
    ContactChanged,
    DocumentShared,
    class_name_for,
)
from haven.audit.models import Actor, AuditEvent

HAVEN = Path(__file__).resolve().parents[2]


def test_every_code_has_one_class_named_after_it():
    assert set(EVENT_TYPES) == set(AuditAction)
    for code, event_type in EVENT_TYPES.items():
        assert event_type.__name__ == class_name_for(code), code
        assert event_type.action is code


def test_details_are_the_fields_and_an_omitted_one_is_left_out_not_null():
    assert AuthTwoFactorFailed().details() == {}
    assert AuthTwoFactorFailed(method="recovery_code").details() == {"method": "recovery_code"}
    assert ContactChanged(fields=["email"]).details() == {"fields": ["email"]}
    assert DocumentShared(audience="client", contact=None, portal_user=None).details() == {
        "audience": "client",
        "contact": None,
        "portal_user": None,
    }


@pytest.mark.django_db
def test_a_typed_event_is_stored_as_its_code_and_a_plain_dict_of_its_details(world):
    typed = record_event(
        ContactChanged(fields=["phone"], web_portal=True), actor=Actor.staff(world.ada.user), practice=world.riverside
    )
    event = AuditEvent.objects.get(pk=typed.pk)
    assert (event.action, event.details) == ("contact.changed", {"fields": ["phone"], "web_portal": True})
    assert type(event.action) is str


def test_record_event_takes_only_a_typed_event():
    """No free-text code or loose details: the one way in is an event class, so mypy checks every call."""
    parameters = inspect.signature(record_event).parameters
    assert "action" not in parameters and "details" not in parameters
    assert parameters["event"].annotation == "AuditDetails"


def test_mypy_rejects_a_missing_misspelled_or_wrongly_typed_detail(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from haven.audit.events import ClientChanged, DocumentShared\n"
        "DocumentShared(audience='client', contact=None)\n"
        "ClientChanged(fields=[1])\n"
        "ClientChanged(feilds=['phone'])\n"
        "ClientChanged(fields=['phone'])\n"
    )
    result = subprocess.run(  # noqa: S603 (this interpreter and a file the test wrote)
        [sys.executable, "-m", "mypy", "--no-incremental", "--config-file=", "--follow-imports=silent", str(probe)],
        capture_output=True,
        text=True,
        cwd=HAVEN.parent,
        env={"MYPYPATH": str(HAVEN.parent), "PATH": ""},
        check=False,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[1] for line in errors] == ["2", "3", "4"], result.stdout
