"""Background work of the portal: the daily check of guardians' access."""

from __future__ import annotations

from django.tasks import task

from haven.portal_access.actions.guardianship import end_guardian_access_at_majority


@task()
def end_guardian_access_daily() -> int:
    """Run once a day (``manage.py run_daily_tasks`` from cron or a scheduler): returns how many ended."""
    return len(end_guardian_access_at_majority())
