"""Email from templates, sent by a task after the transaction commits.

Emails say that something is waiting and link to Haven; they never carry
health information (ARCHITECTURE.md rule 5).
"""

from __future__ import annotations

from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string

from haven.core.bidi import strip_bidi_controls
from haven.core.timezones import practice_zone_active


class SendingPractice(Protocol):
    """The practice an email is sent for: its times are shown in its zone, and the demo outbox files it there."""

    pk: Any
    time_zone: str


class PracticeEmail(EmailMultiAlternatives):
    """An email sent on behalf of one practice (``practice_id``; None for mail that belongs to none).

    The practice is not a header: recipients never see it. Only the demo outbox reads it, to show
    each practice its own mail.
    """

    def __init__(self, *, practice_id: int | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.practice_id = practice_id


def render_email(template: str, context: dict[str, str], *, time_zone: str = "") -> tuple[str, str, str]:
    """Subject, text and HTML; any time in them is shown in ``time_zone`` (the practice's).

    Bidirectional control characters are taken out, whatever path the text came by (haven.core.bidi).
    """
    with practice_zone_active(time_zone):
        subject = render_to_string(f"email/{template}/subject.txt", context).strip().replace("\n", " ")
        text = render_to_string(f"email/{template}/body.txt", context)
        html = render_to_string(f"email/{template}/body.html", context)
    return strip_bidi_controls(subject), strip_bidi_controls(text), strip_bidi_controls(html)


@task()
def send_templated_email(
    *, to: str, template: str, context: dict[str, str], practice_id: int | None, time_zone: str = ""
) -> None:
    subject, text, html = render_email(template, context, time_zone=time_zone)
    message = PracticeEmail(
        practice_id=practice_id, subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    message.attach_alternative(html, "text/html")
    message.send()


def send_email_on_commit(*, to: str, template: str, context: dict[str, str], practice: SendingPractice | None) -> None:
    """Queue the email after commit, sent for ``practice`` (times shown in its zone); None for no practice."""
    practice_id = practice.pk if practice is not None else None
    time_zone = practice.time_zone if practice is not None else ""
    transaction.on_commit(
        lambda: send_templated_email.enqueue(
            to=to, template=template, context=context, practice_id=practice_id, time_zone=time_zone
        )
    )
