"""Test-only tasks the worker tests queue: each records every run in a plain table the test creates.

``scale_task_runs`` holds one row per run (which task, which process, started or finished);
``scale_task_gate`` holds the rows the test writes to let waiting tasks go on.
"""

from __future__ import annotations

import os
import time

from django.db import connection
from django.tasks import task

RUNS = "scale_task_runs"
GATE = "scale_task_gate"
CREATE = [
    f"CREATE TABLE {RUNS} (n integer NOT NULL, pid integer NOT NULL, stage varchar(10) NOT NULL)",
    f"CREATE TABLE {GATE} (n integer NOT NULL)",
]
DROP = [f"DROP TABLE IF EXISTS {RUNS}", f"DROP TABLE IF EXISTS {GATE}"]
ALL = -1  # a gate row that lets every task go on


def _record(n: int, stage: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {RUNS} (n, pid, stage) VALUES (%s, %s, %s)", [n, os.getpid(), stage])  # noqa: S608


def _wait_for_gate(n: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {GATE} WHERE n IN (%s, %s)", [n, ALL])  # noqa: S608
            if cursor.fetchone():
                return
        time.sleep(0.02)
    raise TimeoutError(f"task {n} was never let go on")


@task()
def record_run(*, n: int) -> None:
    """Wait until the test opens the gate, then record one run of task ``n``."""
    _wait_for_gate(n)
    _record(n, "finished")


@task()
def record_start_then_wait(*, n: int) -> None:
    """Record that task ``n`` started, wait until the test lets it go on, then record that it finished."""
    _record(n, "started")
    _wait_for_gate(n)
    _record(n, "finished")
