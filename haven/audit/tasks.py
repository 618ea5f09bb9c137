from __future__ import annotations

from django.tasks import task

from haven.audit.checkpoints import write_checkpoint


@task()
def write_audit_checkpoint() -> str:
    """Daily: write every audit chain's head to a checkpoint file; returns the file's path."""
    return str(write_checkpoint())
