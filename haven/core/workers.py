"""Many task workers: a lease on each running task, and the reclaim of tasks whose worker died.

The database queue (django-tasks-db) claims a task by locking its row with ``SELECT ... FOR UPDATE
SKIP LOCKED`` and marking it RUNNING in one transaction, so two workers never claim the same task.
It then runs the task outside any transaction and marks it finished. A worker that dies between
the two (SIGKILL, out of memory, a lost machine) leaves the task RUNNING for ever: nothing in the
queue looks at it again.

Haven's worker (``manage.py run_worker``, the queue's own worker with what follows) closes that gap:

- **The lease.** On PostgreSQL, while a task runs its worker holds a session-level advisory lock
  keyed on the task's id, on the connection the task itself uses. The database lets go of it the
  moment that connection ends, which is when the process dies (the kernel closes its socket), so
  "the lock is free" means "nobody is running this task". Other databases (SQLite: one machine)
  have no such lock: there a task RUNNING longer than ``HAVEN_TASK_STALE_MINUTES`` is taken as
  abandoned.
- **The reclaim** (``reclaim_abandoned_tasks``): every ``HAVEN_TASK_RECLAIM_SECONDS`` each worker,
  and ``manage.py reclaim_tasks`` on demand, puts each abandoned task back to READY, to be claimed
  again like any other, or marks it FAILED once it has been started ``HAVEN_TASK_MAX_ATTEMPTS``
  times (a task that kills its worker every time must not loop for ever).
- **No double run from a race.** The reclaim takes the task's lock for its own transaction
  (``pg_try_advisory_xact_lock``) before touching the row; a worker takes the same lock before it
  starts the task and then checks the row is still RUNNING under its own id. Whichever comes
  second sees the other's work: the reclaim finds the lock held and leaves the task alone, or the
  worker finds the task was given back and does not run it.

Only tasks claimed by Haven's worker (their worker id starts with ``WORKER_ID_PREFIX``) are ever
reclaimed: a plain ``db_worker`` takes no lease, so its running tasks are never mistaken for
abandoned ones.

A task may therefore run again after a worker died part-way through it, so every Haven task must
be safe to run twice (each says how in its docstring). A worker whose *connection* breaks while the
task keeps running loses its lease the same way; the task may then run twice, which the same rule
makes harmless.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("haven.workers")

WORKER_ID_PREFIX = "haven-"


class WorkerLost(Exception):
    """The task's worker stopped while running it, as many times as a task may be started."""


def new_worker_id() -> str:
    """A worker id naming this host and process (at most 64 characters, as the queue allows)."""
    host = socket.gethostname().split(".")[0][:24]
    return f"{WORKER_ID_PREFIX}{host}-{os.getpid()}-{get_random_string(8)}"


def lease_key(task_id: uuid.UUID | str) -> int:
    """The advisory lock key of one task: the first 8 bytes of its UUID, as PostgreSQL's signed bigint."""
    return int.from_bytes(uuid.UUID(str(task_id)).bytes[:8], "big", signed=True)


def _has_leases() -> bool:
    return connection.vendor == "postgresql"


def take_lease(task: DBTaskResult, worker_id: str) -> bool:
    """Hold the task's lease for this process; False (nothing held) if the task is no longer ours to run.

    Called outside any transaction, right after the claim commits: the lock outlives transactions
    and ends with the connection.
    """
    if _has_leases():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [lease_key(task.pk)])
    # Under the lock no reclaim can change the row, and any reclaim before it has committed.
    row = DBTaskResult.objects.filter(pk=task.pk).values("status", "worker_ids").first()
    if row and row["status"] == TaskResultStatus.RUNNING and row["worker_ids"][-1:] == [worker_id]:
        return True
    release_lease(task)
    return False


def release_lease(task: DBTaskResult) -> None:
    if not _has_leases() or connection.connection is None:
        return  # no connection left: the database let go of the lock when it closed
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [lease_key(task.pk)])


@dataclass
class Reclaimed:
    """What one reclaim did: tasks put back to READY, and tasks failed after too many starts."""

    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _candidates() -> QuerySet[DBTaskResult]:
    running = DBTaskResult.objects.running()
    if not _has_leases():
        stale_before = timezone.now() - timedelta(minutes=settings.HAVEN_TASK_STALE_MINUTES)
        running = running.filter(started_at__lt=stale_before)
    return running


def _claimed_by_haven(task: DBTaskResult) -> bool:
    return bool(task.worker_ids) and str(task.worker_ids[-1]).startswith(WORKER_ID_PREFIX)


def reclaim_abandoned_tasks() -> Reclaimed:
    """Put back every RUNNING task whose worker is gone (see the module's words); what was done.

    Never reads a replica: the queue lives on the primary (the router sends its writes there, and
    this runs in a transaction).
    """
    done = Reclaimed()
    max_attempts = settings.HAVEN_TASK_MAX_ATTEMPTS
    if not _candidates().exists():
        return done  # the usual answer, without a write transaction (SQLite would take its write lock)
    with transaction.atomic():
        # A row another reclaim holds is skipped; it is being dealt with.
        for task in _candidates().select_for_update(skip_locked=True).order_by():
            if not _claimed_by_haven(task):
                continue  # a plain db_worker's task: it holds no lease to tell us anything
            if _has_leases():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lease_key(task.pk)])
                    if not cursor.fetchone()[0]:
                        continue  # its worker still holds the lease: it is running
            if len(task.worker_ids) >= max_attempts:
                task.set_failed(
                    WorkerLost(f"The worker stopped while running this task, {len(task.worker_ids)} times.")
                )
                done.failed.append(str(task.pk))
            else:
                task.status = TaskResultStatus.READY
                task.started_at = None
                task.save(update_fields=["status", "started_at"])
                done.requeued.append(str(task.pk))
    for task_id in done.requeued:
        logger.warning("Task %s lost its worker and was queued again.", task_id)
    for task_id in done.failed:
        logger.error("Task %s lost its worker %s times and was marked failed.", task_id, max_attempts)
    return done


class LeasedWorker(Worker):
    """django-tasks-db's worker, holding a lease on each task it runs and reclaiming abandoned ones."""

    def __init__(
        self,
        *,
        reclaim_seconds: float,
        queue_names: list[str],
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        max_tasks: int | None,
        worker_id: str,
        excluded_queue_names: list[str],
    ) -> None:
        super().__init__(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        self.reclaim_seconds = reclaim_seconds
        self._stopped = threading.Event()

    def run(self) -> None:
        reclaimer = threading.Thread(target=self._reclaim_periodically, name="haven-reclaim", daemon=True)
        reclaimer.start()
        try:
            super().run()
        finally:
            self._stopped.set()

    def _reclaim_periodically(self) -> None:
        try:
            while True:
                try:
                    reclaim_abandoned_tasks()
                except Exception:  # a database hiccup must not stop the worker; the next round retries
                    logger.exception("Reclaiming abandoned tasks failed.")
                    connection.close()
                if self._stopped.wait(self.reclaim_seconds):
                    return
        finally:
            connection.close()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        if not take_lease(db_task_result, self.worker_id):
            logger.warning("Task %s was given back before it started here; not running it.", db_task_result.pk)
            return
        try:
            super().run_task(db_task_result)
        finally:
            release_lease(db_task_result)
