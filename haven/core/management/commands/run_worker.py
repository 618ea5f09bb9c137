"""Haven's task worker: django-tasks-db's ``db_worker`` with a lease on each task and the reclaim of abandoned ones.

Run as many as the work needs, on one machine or many (``haven.core.workers`` explains how a task
whose worker died is run again). Every worker of an installation should be this one.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django_tasks_db.management.commands import db_worker

from haven.core.workers import WORKER_ID_PREFIX, LeasedWorker, new_worker_id


class Command(db_worker.Command):
    help = "Run a task worker that holds a lease on each task and queues again the tasks of workers that died."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=new_worker_id(), reload=False)
        parser.add_argument(
            "--reclaim-seconds",
            type=float,
            default=settings.HAVEN_TASK_RECLAIM_SECONDS,
            help="How often to look for tasks whose worker died (default: HAVEN_TASK_RECLAIM_SECONDS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        if options["reload"]:
            raise CommandError("run_worker does not reload on code changes; use db_worker --reload in development.")
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker_id = options["worker_id"]
        if not worker_id.startswith(WORKER_ID_PREFIX):
            raise CommandError(
                "run_worker names its workers itself (haven-<host>-<pid>-<random>); leave out --worker-id."
            )
        worker = LeasedWorker(
            reclaim_seconds=options["reclaim_seconds"],
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        worker.run()
