"""Email from templates, sent by a task after the transaction commits.

Emails say that something is waiting and link to Haven; they never carry
health information (ARCHITECTURE.md rule 5).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string


def render_email(template: str, context: dict[str, str]) -> tuple[str, str, str]:
    subject = render_to_string(f"email/{template}/subject.txt", context).strip().replace("\n", " ")
    text = render_to_string(f"email/{template}/body.txt", context)
    html = render_to_string(f"email/{template}/body.html", context)
    return subject, text, html


class PracticeEmail(EmailMultiAlternatives):
    """An email sent on behalf of one practice (``practice_id``; None for mail that belongs to none).

    The practice is not a header: recipients never see it. Only the demo outbox reads it, to show
    each practice its own mail.
    """

    def __init__(self, *, practice_id: int | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.practice_id = practice_id


@task()
def send_templated_email(*, to: str, template: str, context: dict[str, str], practice_id: int | None) -> None:
    subject, text, html = render_email(template, context)
    message = PracticeEmail(
        practice_id=practice_id, subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    message.attach_alternative(html, "text/html")
    message.send()


def send_email_on_commit(*, to: str, template: str, context: dict[str, str], practice_id: int | None) -> None:
    transaction.on_commit(
        lambda: send_templated_email.enqueue(to=to, template=template, context=context, practice_id=practice_id)
    )
