"""Haven's daily work, gathered from the apps that own it: ``manage.py run_daily_tasks`` runs the list.

Each app registers its daily tasks in its ``AppConfig.ready()``, so the command lives in ``core``
and imports no domain app. Jobs run by ``order``, then in the order they were registered (the
order of ``INSTALLED_APPS``): the audit checkpoint goes last, after everything the day wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.tasks import Task

# Ordinary work, and the audit checkpoint that seals the day's events after it.
NORMAL = 50
LAST = 100


@dataclass(frozen=True)
class DailyJob:
    task: Task[Any, Any]
    report: str  # what "--now" prints, with {} for the task's result: "Signed PDFs queued again: {}."
    order: int = NORMAL


_jobs: list[DailyJob] = []


def register_daily(task: Task[Any, Any], *, report: str, order: int = NORMAL) -> None:
    """Run ``task`` once a day; registering the same task again changes nothing."""
    if any(job.task.module_path == task.module_path for job in _jobs):
        return
    _jobs.append(DailyJob(task=task, report=report, order=order))


def daily_jobs() -> list[DailyJob]:
    return sorted(_jobs, key=lambda job: job.order)  # stable: registration order within an order
