"""The demo's mail backend: print each email, and keep it for the demo outbox page, under its practice."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend as ConsoleBackend


class DemoOutboxBackend(ConsoleBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from haven.core.models import DemoOutboxEmail

        sent = super().send_messages(email_messages)
        DemoOutboxEmail.objects.bulk_create(
            DemoOutboxEmail(
                practice_id=getattr(message, "practice_id", None),
                to=", ".join(message.to),
                subject=str(message.subject),
                body=str(message.body),
            )
            for message in email_messages
        )
        return sent
