from typing import Any

from django.core.management.base import BaseCommand

from haven.audit.checkpoints import write_checkpoint


class Command(BaseCommand):
    help = "Write the head of every audit chain to a checkpoint file outside the database (run_daily_tasks does too)."

    def handle(self, *args: Any, **options: Any) -> None:
        path = write_checkpoint()
        self.stdout.write(f"Audit checkpoint written: {path}")
