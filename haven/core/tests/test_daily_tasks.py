"""The daily tasks come from the apps that own them; the command imports no domain app."""

from __future__ import annotations

import ast
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from haven.core.daily import LAST, daily_jobs
from tests.planner import planner_statistics_kept

COMMAND = Path(__file__).resolve().parents[1] / "management" / "commands" / "run_daily_tasks.py"


def test_each_app_registers_its_daily_work_and_the_audit_checkpoint_runs_last() -> None:
    names = [job.task.module_path for job in daily_jobs()]
    assert names == [
        "haven.core.statistics.refresh_planner_statistics",
        "haven.portal_access.tasks.end_guardian_access_daily",
        "haven.signing.tasks.seal_unsealed_signatures",
        "haven.signing.tasks.close_expired_signature_requests",
        "haven.messaging.tasks.send_message_digests",
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
    with planner_statistics_kept():
        call_command("run_daily_tasks", now=True, stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "Planner statistics",
        "Guardian access ended at the age of majority",
        "Signed PDFs queued again",
        "Signature requests closed as expired",
        "Daily message emails queued",
        "Audit checkpoint written",
    ]


@pytest.mark.django_db
def test_the_daily_run_gives_sqlite_the_planner_statistics_the_search_index_needs(world: object) -> None:
    from django.db import connection

    from haven.core.statistics import refresh_planner_statistics

    if connection.vendor != "sqlite":
        assert refresh_planner_statistics.call() == "left to autovacuum"
        return
    with planner_statistics_kept(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl LIKE 'clients_%'")
        assert refresh_planner_statistics.call() == "analysed"
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'clients_client'")
        assert cursor.fetchone()[0] >= 1
