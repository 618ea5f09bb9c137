"""Many task workers on PostgreSQL: every queued task runs exactly once, and a task whose worker dies runs again.

The workers are real ``manage.py run_worker`` processes (django-tasks-db's worker with Haven's lease,
``haven.core.workers``) on the test run's database; the tasks (``tests.scale_db.tasks``) write a row
per run into a plain table the test creates, and wait on a gate the test opens.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from haven.core.workers import reclaim_abandoned_tasks
from tests.scale_db import tasks
from tests.scale_db.workers import wait_until, worker_pool

pytestmark = pytest.mark.postgres

TASKS = 300
WORKERS = 3


@pytest.fixture
def run_tables(settings, committed_db: None) -> Iterator[None]:
    """The real database queue, and the tables the test tasks write their runs to."""
    assert connection.vendor == "postgresql", "run this test on PostgreSQL (the postgres marker)"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with connection.cursor() as cursor:
        for statement in tasks.DROP + tasks.CREATE:
            cursor.execute(statement)
    yield
    with connection.cursor() as cursor:
        for statement in tasks.DROP:
            cursor.execute(statement)


def _rows(sql: str) -> list[tuple[int, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


def _open_gate(n: int = tasks.ALL) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {tasks.GATE} (n) VALUES (%s)", [n])  # noqa: S608


def _count(status: TaskResultStatus) -> int:
    return DBTaskResult.objects.filter(status=status).count()


def test_several_workers_run_every_queued_task_exactly_once(run_tables: None, tmp_path: Path) -> None:
    with transaction.atomic():
        for n in range(TASKS):
            tasks.record_run.enqueue(n=n)

    with worker_pool(tmp_path) as workers:
        for _ in range(WORKERS):
            workers.start("--batch")
        # Each worker claims one task and holds it at the gate: all of them are running tasks at once.
        wait_until(
            lambda: _count(TaskResultStatus.RUNNING) == WORKERS,
            timeout=120,
            what="each worker claiming a task",
            workers=workers,
        )
        _open_gate()
        wait_until(
            lambda: all(process.poll() is not None for process in workers.processes),
            timeout=300,
            what="the workers emptying the queue and stopping",
            workers=workers,
        )
        assert [process.returncode for process in workers.processes] == [0] * WORKERS, workers.output()

    runs = _rows(f"SELECT n, count(*) FROM {tasks.RUNS} GROUP BY n")  # noqa: S608
    assert sorted(n for n, _ in runs) == list(range(TASKS)), "some task never ran"
    assert [n for n, times in runs if times != 1] == [], "some task ran more than once"
    assert _count(TaskResultStatus.SUCCESSFUL) == TASKS
    assert DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).count() == 0
    runners = _rows(f"SELECT DISTINCT pid FROM {tasks.RUNS}")  # noqa: S608
    assert len(runners) == WORKERS, "the work was not shared between the workers"


def test_a_task_whose_worker_is_killed_runs_again_on_another_worker_exactly_once(
    run_tables: None, tmp_path: Path
) -> None:
    result = tasks.record_start_then_wait.enqueue(n=7)

    with worker_pool(tmp_path) as workers:
        first = workers.start()
        wait_until(
            lambda: _rows(f"SELECT pid FROM {tasks.RUNS} WHERE stage = 'started'") == [(first.pid,)],  # noqa: S608
            timeout=120,
            what="the first worker starting the task",
            workers=workers,
        )
        # While its worker lives, the task is its worker's: nothing takes it back.
        assert reclaim_abandoned_tasks().requeued == []

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=20)
        task = DBTaskResult.objects.get(pk=result.id)
        assert task.status == TaskResultStatus.RUNNING  # what the queue alone would leave for ever

        second = workers.start()
        wait_until(
            lambda: len(_rows(f"SELECT pid FROM {tasks.RUNS} WHERE stage = 'started'")) == 2,  # noqa: S608
            timeout=120,
            what="the second worker taking the abandoned task back and starting it",
            workers=workers,
        )
        _open_gate(7)
        wait_until(
            lambda: DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL,
            timeout=120,
            what="the second worker finishing the task",
            workers=workers,
        )

    assert _rows(f"SELECT pid, stage FROM {tasks.RUNS} ORDER BY stage, pid") == sorted(  # noqa: S608
        [(second.pid, "finished"), (first.pid, "started"), (second.pid, "started")], key=lambda row: (row[1], row[0])
    )
    task = DBTaskResult.objects.get(pk=result.id)
    assert len(task.worker_ids) == 2 and task.worker_ids[0] != task.worker_ids[1]
