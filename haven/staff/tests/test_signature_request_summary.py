"""The document page draws each signature request's summary with one tag (``signature_request_summary``): the same
HTML as the template it replaced, for every status, every value escaped."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone

from haven.accounts.models import User
from haven.core.templatetags.haven_rows import _minute, _moment
from haven.documents.models import Document, DocumentVersion
from haven.practices.models import StaffMember
from haven.signing.models import SignatureRequest
from haven.staff.views.documents.detail import RequestRow

# The summary as the template drew it before the tag.
BEFORE = Template(
    """{% load i18n %}{% with sign_request=row.request signature=row.signature %}<li class="border rounded p-2 mb-2 signature-request" id="signature-request-{{ sign_request.pk }}">
      <div class="d-flex flex-wrap justify-content-between align-items-start gap-2">
        <div>
          <span class="fw-semibold">{{ sign_request.signer_name }}</span>
          <span class="text-body-secondary">· {{ row.capacity_label }}</span>
        </div>
        <span class="badge {% if sign_request.is_expired %}text-bg-secondary{% elif sign_request.status == 'pending' %}text-bg-warning{% elif sign_request.status == 'signed' %}text-bg-success{% elif sign_request.status == 'declined' %}text-bg-danger{% else %}text-bg-secondary{% endif %}" data-request-status="{% if sign_request.is_expired %}expired{% else %}{{ sign_request.status }}{% endif %}">{{ sign_request.status_label }}</span>
      </div>
      <dl class="row small mb-0 mt-1">
        <dt class="col-sm-4">{% translate "Requested" %}</dt>
        <dd class="col-sm-8">{{ sign_request.requested_at|date:"Y-m-d H:i T" }} · {{ sign_request.requested_by.user.full_name }}</dd>
        <dt class="col-sm-4">{% translate "Version sent" %}</dt>
        <dd class="col-sm-8">{% blocktranslate with number=sign_request.version.number %}Version {{ number }}{% endblocktranslate %}</dd>
        {% if sign_request.status == "pending" %}
        <dt class="col-sm-4">{% if sign_request.is_expired %}{% translate "Expired" %}{% else %}{% translate "Expires" %}{% endif %}</dt>
        <dd class="col-sm-8">{{ sign_request.expires_at|date:"Y-m-d H:i T" }}</dd>
        <dt class="col-sm-4">{% translate "Reminders sent" %}</dt>
        <dd class="col-sm-8">{{ sign_request.reminder_count }}{% if sign_request.reminded_at %} · {% blocktranslate with when=sign_request.reminded_at|date:"Y-m-d H:i T" %}last on {{ when }}{% endblocktranslate %}{% endif %}</dd>
        {% elif sign_request.status == "declined" %}
        <dt class="col-sm-4">{% translate "Declined" %}</dt>
        <dd class="col-sm-8">{{ sign_request.answered_at|date:"Y-m-d H:i T" }}</dd>
        <dt class="col-sm-4">{% translate "Reason given" %}</dt>
        <dd class="col-sm-8 text-break decline-reason">{{ sign_request.decline_reason|linebreaksbr }}</dd>
        {% elif sign_request.status == "cancelled" %}
        <dt class="col-sm-4">{% translate "Cancelled" %}</dt>
        <dd class="col-sm-8">{{ sign_request.answered_at|date:"Y-m-d H:i T" }} · {{ sign_request.cancelled_by.user.full_name }}</dd>
        {% elif sign_request.status == "expired" %}
        <dt class="col-sm-4">{% translate "Expired" %}</dt>
        <dd class="col-sm-8">{{ sign_request.expires_at|date:"Y-m-d H:i T" }} · {% translate "not signed in time; send a new request to ask again" %}</dd>
        {% endif %}
        {% if sign_request.reminder_count and sign_request.status != "pending" %}
        <dt class="col-sm-4">{% translate "Reminders sent" %}</dt>
        <dd class="col-sm-8">{{ sign_request.reminder_count }}</dd>
        {% endif %}
      </dl>{% endwith %}"""  # noqa: E501
)
TAG = Template("{% load haven_rows %}{% signature_request_summary row %}")

HOSTILE = 'Gia <b>"O\'Neil"</b> & {x}'


def _row(
    status: str, *, expires_in: int = 7, reminders: int = 0, reminded: bool = False, cancelled: bool = True
) -> RequestRow:
    now = timezone.now().replace(microsecond=0)
    staff = StaffMember(user=User(full_name="Ada <i>Lovelace</i>"))
    document = Document(pk=4, current_version_id=9)
    version = DocumentVersion(pk=9, number=2)
    sign_request = SignatureRequest(
        pk=17,
        document=document,
        version=version,
        signer_name=HOSTILE,
        status=status,
        requested_by=staff,
        requested_at=now - datetime.timedelta(days=3),
        expires_at=now + datetime.timedelta(days=expires_in),
        reminded_at=now - datetime.timedelta(days=1) if reminded else None,
        reminder_count=reminders,
        answered_at=now - datetime.timedelta(hours=5) if status != "pending" else None,
        decline_reason="Not <now>\nlater & {then}",
        cancelled_by=staff if cancelled and status == "cancelled" else None,
    )
    return RequestRow(
        request=sign_request,
        signature=None,
        capacity_label=f"Legal guardian for {HOSTILE}",
        document_changed=False,
        remind_url="",
        cancel_url="",
        verify_url="",
    )


@pytest.mark.parametrize(
    "row",
    [
        _row("pending"),
        _row("pending", reminders=2, reminded=True),
        _row("pending", expires_in=-1),
        _row("signed"),
        _row("signed", reminders=1),
        _row("declined", reminders=3),
        _row("cancelled"),
        _row("cancelled", cancelled=False),
        _row("expired", expires_in=-2),
    ],
)
def test_the_summary_tag_draws_what_the_template_drew_every_value_escaped(row: RequestRow) -> None:
    drawn = TAG.render(Context({"row": row}))

    assert drawn == BEFORE.render(Context({"row": row}))
    assert "Gia &lt;b&gt;&quot;O&#x27;Neil&quot;&lt;/b&gt; &amp; {x}" in drawn
    assert "<b>" not in drawn and "<i>" not in drawn and "<now>" not in drawn


@pytest.mark.parametrize("zone", ["America/Chicago", "Australia/Lord_Howe", "UTC"])
def test_moments_read_as_the_date_filter_shows_them_even_when_the_clocks_change(zone: str) -> None:
    """Every half hour of a year, the hours the clocks go back (a name the filter leaves out) and forward included."""
    filters = Template('{{ moment|date:"Y-m-d H:i T" }}|{{ moment|date:"Y-m-d H:i" }}')
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        for half_hours in range(2 * 24 * 365):
            moment = start + datetime.timedelta(minutes=30 * half_hours)
            assert f"{_moment(moment)}|{_minute(moment)}" == filters.render(Context({"moment": moment}))


# Share to Sign's notice while a request waits, as the template drew it before the tag.
WAITING_BEFORE = Template(
    """{% load i18n %}{% if waiting.document_changed %}<p class="mb-0">{% blocktranslate with name=waiting.request.signer_name %}{{ name }} was asked to sign an earlier version, which can no longer be signed. Cancel that request to send the current version.{% endblocktranslate %}</p>
  <p class="mb-0 mt-2"><a href="#signature-request-{{ waiting.request.pk }}">{% translate "See the request" %}</a></p>{% else %}<p class="mb-0">{% blocktranslate with name=waiting.request.signer_name when=waiting.request.requested_at|date:"Y-m-d" %}Waiting for {{ name }} to sign (asked on {{ when }}). To ask again or ask someone else, cancel that request first.{% endblocktranslate %}</p>
  <p class="mb-0 mt-2"><a href="#signature-request-{{ waiting.request.pk }}">{% translate "See the request" %}</a></p>{% endif %}"""  # noqa: E501
)
WAITING_TAG = Template("{% load haven_rows %}{% waiting_notice waiting %}")


@pytest.mark.parametrize("document_changed", [False, True])
@pytest.mark.parametrize("zone", ["America/Chicago", "Pacific/Kiritimati", "UTC"])
def test_the_waiting_notice_is_what_the_template_drew_every_value_escaped(document_changed: bool, zone: str) -> None:
    row = _row("pending")
    waiting = RequestRow(**{**row.__dict__, "document_changed": document_changed})
    waiting.request.requested_at = datetime.datetime(2026, 3, 4, 23, 30, tzinfo=datetime.UTC)

    with timezone.override(zoneinfo.ZoneInfo(zone)):
        drawn = WAITING_TAG.render(Context({"waiting": waiting}))
        assert drawn == WAITING_BEFORE.render(Context({"waiting": waiting}))
    assert "Gia &lt;b&gt;&quot;O&#x27;Neil&quot;&lt;/b&gt; &amp; {x}" in drawn
