"""The daily tasks come from the apps that own them; the command imports no domain app."""

from __future__ import annotations

import ast
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from haven.core.daily import LAST, daily_jobs

COMMAND = Path(__file__).resolve().parents[1] / "management" / "commands" / "run_daily_tasks.py"


def test_each_app_registers_its_daily_work_and_the_audit_checkpoint_runs_last() -> None:
    names = [job.task.module_path for job in daily_jobs()]
    assert names == [
        "haven.portal_access.tasks.end_guardian_access_daily",
        "haven.signing.tasks.seal_unsealed_signatures",
        "haven.signing.tasks.close_expired_signature_requests",
        "haven.audit.tasks.write_audit_checkpoint",
    ]
    assert daily_jobs()[-1].order == LAST


def test_the_daily_command_imports_only_core() -> None:
    tree = ast.parse(COMMAND.read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert {name for name in imported if name.startswith("haven.")} == {"haven.core.daily"}


@pytest.mark.django_db
def test_run_daily_tasks_now_reports_every_job_in_order() -> None:
    out = StringIO()
    call_command("run_daily_tasks", now=True, stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "Guardian access ended at the age of majority",
        "Signed PDFs queued again",
        "Signature requests closed as expired",
        "Audit checkpoint written",
    ]
