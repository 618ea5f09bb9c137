from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from haven.core.workers import reclaim_abandoned_tasks


class Command(BaseCommand):
    help = "Queue again the tasks whose worker died while running them (each run_worker also does this on its own)."

    def handle(self, *args: Any, **options: Any) -> None:
        done = reclaim_abandoned_tasks()
        self.stdout.write(
            f"{len(done.requeued)} task(s) queued again, {len(done.failed)} failed after too many starts."
        )
