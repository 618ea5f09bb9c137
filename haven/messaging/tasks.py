"""The daily email of new secure messages, for portal logins that asked for one a day."""

from __future__ import annotations

from django.tasks import task

from haven.messaging.actions import send_daily_digests


@task()
def send_message_digests() -> int:
    """Queue each daily email due; returns how many."""
    return send_daily_digests()
