"""Email from templates, sent by a task after the transaction commits.

Emails say that something is waiting and link to Haven; they never carry
health information (ARCHITECTURE.md rule 5).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string

from haven.core.bidi import strip_bidi_controls
from haven.core.timezones import practice_zone_active


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
def send_templated_email(*, to: str, template: str, context: dict[str, str], time_zone: str = "") -> None:
    subject, text, html = render_email(template, context, time_zone=time_zone)
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


def send_email_on_commit(*, to: str, template: str, context: dict[str, str], time_zone: str = "") -> None:
    """Queue the email after commit; ``time_zone`` is the practice's, for any time the email shows."""
    transaction.on_commit(
        lambda: send_templated_email.enqueue(to=to, template=template, context=context, time_zone=time_zone)
    )
