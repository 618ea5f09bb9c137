from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haven.core.daily import daily_jobs


class Command(BaseCommand):
    help = "Queue Haven's daily tasks (run it once a day from cron); --now runs them here instead."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="Run the tasks in this process and report.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            for job in daily_jobs():
                self.stdout.write(job.report.format(job.task.call()))
        else:
            for job in daily_jobs():
                job.task.enqueue()
            self.stdout.write("Daily tasks queued for the worker.")
