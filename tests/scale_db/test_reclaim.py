"""The reclaim's rules, on either database: which RUNNING tasks it gives back, which it fails, which it leaves."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from haven.core.workers import lease_key, reclaim_abandoned_tasks, take_lease


def _running(*worker_ids: str, started_ago: timedelta = timedelta(hours=2)) -> DBTaskResult:
    """A task left RUNNING by its last worker, started ``started_ago`` (long enough for SQLite's limit)."""
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - started_ago,
        worker_ids=list(worker_ids),
        args_kwargs={"args": [], "kwargs": {"n": 1}},
        task_path="tests.scale_db.tasks.record_run",
        backend_name="default",
    )


@pytest.mark.django_db
def test_an_abandoned_task_goes_back_to_the_queue() -> None:
    task = _running("haven-host-1-abc")
    assert reclaim_abandoned_tasks().requeued == [str(task.pk)]
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY and task.started_at is None
    assert DBTaskResult.objects.ready().filter(pk=task.pk).exists()


@pytest.mark.django_db
def test_a_task_given_back_is_not_run_by_the_worker_that_had_claimed_it() -> None:
    """The race: the reclaim gave the task back just before its (slow) worker took the lease."""
    task = _running("haven-host-1-abc")
    reclaim_abandoned_tasks()
    assert take_lease(task, "haven-host-1-abc") is False


@pytest.mark.django_db
def test_a_task_that_lost_its_worker_too_many_times_is_failed(settings) -> None:
    settings.HAVEN_TASK_MAX_ATTEMPTS = 3
    task = _running("haven-a-1-x", "haven-b-2-y", "haven-c-3-z")
    assert reclaim_abandoned_tasks().failed == [str(task.pk)]
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "haven.core.workers.WorkerLost"


@pytest.mark.django_db
def test_a_plain_db_worker_task_is_never_taken_back() -> None:
    """A plain db_worker holds no lease, so the reclaim cannot tell whether it is alive: it leaves its tasks."""
    task = _running("haven-host-1-abc", "q0Kx8yM3tWz1bN7cV5pL2rJ9hG4fD6sA")
    assert reclaim_abandoned_tasks().requeued == []
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_a_task_whose_worker_may_still_be_running_is_left_alone(settings) -> None:
    """PostgreSQL: its worker holds the lease; SQLite: it has run for less than HAVEN_TASK_STALE_MINUTES."""
    settings.HAVEN_TASK_STALE_MINUTES = 60
    task = _running("haven-host-1-abc", started_ago=timedelta(minutes=59))
    if connection.vendor == "postgresql":
        task.started_at = timezone.now() - timedelta(hours=2)  # PostgreSQL asks the lease, not the clock
        task.save(update_fields=["started_at"])
        with lease_held_elsewhere(task):
            assert reclaim_abandoned_tasks().requeued == []
    else:
        assert reclaim_abandoned_tasks().requeued == []
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


@contextmanager
def lease_held_elsewhere(task: DBTaskResult) -> Iterator[None]:
    """The task's advisory lock held on another connection, as a live worker holds it."""
    held, done = threading.Event(), threading.Event()

    def worker() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [lease_key(task.pk)])
            held.set()
            done.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert held.wait(timeout=30)
        yield
    finally:
        done.set()
        thread.join(timeout=30)
