from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haven.audit.tasks import write_audit_checkpoint
from haven.portal_access.tasks import end_guardian_access_daily
from haven.signing.tasks import close_expired_signature_requests, seal_unsealed_signatures


class Command(BaseCommand):
    help = "Queue Haven's daily tasks (run it once a day from cron); --now runs them here instead."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="Run the tasks in this process and report.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            ended = end_guardian_access_daily.call()
            self.stdout.write(f"Guardian access ended at the age of majority: {ended}.")
            queued = seal_unsealed_signatures.call()
            self.stdout.write(f"Signed PDFs queued again: {queued}.")
            closed = close_expired_signature_requests.call()
            self.stdout.write(f"Signature requests closed as expired: {closed}.")
            checkpoint = write_audit_checkpoint.call()
            self.stdout.write(f"Audit checkpoint written: {checkpoint}")
        else:
            end_guardian_access_daily.enqueue()
            seal_unsealed_signatures.enqueue()
            close_expired_signature_requests.enqueue()
            write_audit_checkpoint.enqueue()
            self.stdout.write("Daily tasks queued for the worker.")
