from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.audit.selectors import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit chain and report the first broken event, if any."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.intact:
            self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events verified."))
            return
        broken = report.first_broken
        if broken is None:
            raise CommandError(f"Audit chain broken: {report.reason}.")
        raise CommandError(
            f"Audit chain broken at event #{broken.sequence} (action {broken.action}, "
            f"{broken.occurred_at.isoformat()}): {report.reason}. {report.checked} events before it verified."
        )
