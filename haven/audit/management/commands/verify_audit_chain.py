from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.audit.models import AuditChainHead, AuditEvent
from haven.audit.selectors import ChainReport, verify_chain


def _chain_name(practice_id: int | None) -> str:
    if practice_id is None:
        return "events of no practice"
    # Read through the trail's own links to the practice: the audit app imports no domain app.
    slug = (
        AuditChainHead.objects.filter(practice_id=practice_id).values_list("practice__slug", flat=True).first()
        or AuditEvent.objects.filter(practice_id=practice_id).values_list("practice__slug", flat=True).first()
    )
    return f"practice {slug}" if slug else f"practice #{practice_id}"


def _describe(chain: ChainReport) -> str:
    broken = chain.first_broken
    if broken is None:
        return f"Chain of {_chain_name(chain.practice_id)}: {chain.reason}."
    return (
        f"Chain of {_chain_name(chain.practice_id)}: broken at event #{broken.sequence} (action {broken.action}, "
        f"{broken.occurred_at.isoformat()}): {chain.reason}. {chain.checked} events before it verified."
    )


class Command(BaseCommand):
    help = (
        "Recompute every practice's audit chain with the keys in HAVEN_AUDIT_KEYS, compare each chain's end "
        "with its head and the checkpoints, and report the first broken link of each broken chain."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.intact:
            chains = f"{len(report.chains)} chain{'s' if len(report.chains) != 1 else ''}"
            self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {report.checked} events verified in {chains}."))
            return
        lines = [f"Audit trail: {report.problem}."] if report.problem else [_describe(c) for c in report.broken]
        raise CommandError("Audit chain broken.\n" + "\n".join(lines))
