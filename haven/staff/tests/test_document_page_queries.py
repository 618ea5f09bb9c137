"""The document page's queries: a fixed number however many requests it lists, and none for the requests of a
document nobody was ever asked to sign."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from haven.documents.models import Document
from haven.signing.models import RequestStatus, SignatureRequest
from haven.signing.tests.flow import treatment_plan, unsaved_request_to_gia
from tests.personas import World

pytestmark = pytest.mark.django_db


def _url(document: Document) -> str:
    return reverse("staff:document_detail", kwargs={"client_id": document.client_id, "document_id": document.pk})


def _requests_looked_for(queries: CaptureQueriesContext) -> bool:
    return any('FROM "signing_signaturerequest"' in query["sql"] for query in queries.captured_queries)


def test_a_document_nobody_was_asked_to_sign_does_not_look_for_requests(world: World, login) -> None:
    plan = treatment_plan(world.ada, world.max)
    http = login(world.ada)
    http.get(_url(plan))

    with CaptureQueriesContext(connection) as never_asked:
        response = http.get(_url(plan))
    SignatureRequest.objects.bulk_create([unsaved_request_to_gia(world, plan)])
    with CaptureQueriesContext(connection) as asked:
        asked_response = http.get(_url(plan))

    assert response.status_code == asked_response.status_code == 200
    assert not _requests_looked_for(never_asked) and _requests_looked_for(asked)
    assert "No signature has been requested for this document." in response.content.decode()
    assert 'data-request-status="pending"' in asked_response.content.decode()


def test_the_document_pages_queries_do_not_grow_with_its_requests(
    world: World, login, django_assert_max_num_queries
) -> None:
    plan = treatment_plan(world.ada, world.max)
    http = login(world.ada)
    now = timezone.now()

    def ask(statuses: list[RequestStatus]) -> None:
        SignatureRequest.objects.bulk_create(
            unsaved_request_to_gia(world, plan, status=status, requested_at=now - datetime.timedelta(minutes=index))
            for index, status in enumerate(statuses)
        )

    ask([RequestStatus.CANCELLED])
    with CaptureQueriesContext(connection) as one:
        http.get(_url(plan))
    ask([RequestStatus.DECLINED, RequestStatus.CANCELLED, RequestStatus.EXPIRED] * 5 + [RequestStatus.PENDING])

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = http.get(_url(plan))
    assert response.content.decode().count('class="border rounded p-2 mb-2 signature-request"') == 17


def test_a_waiting_requests_reminder_and_cancel_forms_post_to_their_addresses(world: World, login) -> None:
    plan = treatment_plan(world.ada, world.max)
    (sign_request,) = SignatureRequest.objects.bulk_create([unsaved_request_to_gia(world, plan)])

    html = login(world.ada).get(_url(plan)).content.decode()

    for name in ("staff:signature_request_remind", "staff:signature_request_cancel"):
        assert f'action="{reverse(name, args=[world.max.pk, plan.pk, sign_request.pk])}"' in html
