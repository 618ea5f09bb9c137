"""Every portal page runs a fixed, small number of queries, whether a profile has 10 documents or 200.

The budgets name each query. Portal access is resolved once per request (the account, then its profiles in
effect in one query); the session is not written on a page view within the minute.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, reset_queries
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from haven.documents.models import Audience, Document, DocumentType, Share
from haven.messaging.models import Message, MessageKind, Participant, Thread
from haven.portal.tests.helpers import select
from haven.signing.models import SignatureRequest
from haven.signing.requests import request_signature
from haven.signing.tests.flow import treatment_plan
from tests.personas import World

pytestmark = pytest.mark.django_db

# Every portal page: the session, the practice its address names, the account, the profiles in effect.
ACCESS = 4
# Each page's own queries on top (the header's unread count is one of them on every page).
BUDGET = {
    # unread count, PINs waiting, two-step sign-in, profiles ended at majority, forms waiting (the account comes
    # with the profiles here, one query fewer than ACCESS counts)
    "home": ACCESS + 4,
    "documents": ACCESS + 3,  # unread count, the pages' count, one page of documents with their tags
    # unread count, the pages' count, one page of conversations, the email choice; whom a new message can go to:
    # the practice's messaging settings, whether it chose a message team and who is on it (the account comes with
    # the profiles here, one query fewer than ACCESS counts)
    "inbox": ACCESS + 6,
}


def grow(world: World, count: int) -> None:
    """``count`` documents shared with Gia for Max, and as many notices to her about him (a thread each)."""
    version = world.progress_note.current_version
    doc_type = DocumentType.objects.get(practice=world.riverside, name="General Document")
    start = Document.objects.filter(client=world.max).count()
    documents = Document.objects.bulk_create(
        Document(
            practice=world.riverside,
            client=world.max,
            type=doc_type,
            title=f"Letter {start + n}",
            author=world.ada,
            document_date=timezone.localdate() - datetime.timedelta(days=start + n),
            current_version=version,
        )
        for n in range(count)
    )
    Share.objects.bulk_create(
        Share(
            document=document,
            audience=Audience.CONTACT if n % 2 else Audience.ALL_AUTHORIZED,
            contact=world.gia if n % 2 else None,
            shared_by=world.ada,
        )
        for n, document in enumerate(documents)
    )
    threads = []
    for n in range(count):
        thread = Thread(practice=world.riverside, client=world.max, account=world.gia_account, kind=MessageKind.NOTICE)
        thread.subject = f"Notice {n}"
        threads.append(thread)
    Thread.objects.bulk_create(threads)
    messages = Message.objects.bulk_create(Message(thread=thread) for thread in threads)
    # Gia has read every third of them.
    Participant.objects.bulk_create(
        Participant(
            thread=thread,
            account=world.gia_account,
            unread=1 if n % 3 else 0,
            read_through=0 if n % 3 else message.pk,
            read_at=None if n % 3 else timezone.now(),
            last_message_at=thread.last_message_at,
        )
        for n, (thread, message) in enumerate(zip(threads, messages, strict=True))
    )


@pytest.fixture
def signed_in(world: World, gia: HttpClient) -> tuple[HttpClient, SignatureRequest]:
    """Gia acting for Max, with a signature request waiting for her, and the first page views behind her."""
    plan = treatment_plan(world.ada, world.max, pages=1)
    request = request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    select(gia, world.gia_access_max)
    gia.get("/p/riverside/home/")  # the "Now showing" message is shown and gone: later requests are alike
    gia.get(f"/p/riverside/sign/{request.pk}/")  # the first look reads the request's message: later ones are alike
    return gia, request


def pages(world: World, request: SignatureRequest) -> dict[str, str]:
    document = Document.objects.filter(client=world.max, title__startswith="Letter").order_by("pk").first()
    thread = Thread.objects.filter(client=world.max, kind=MessageKind.NOTICE).order_by("pk").first()
    assert document is not None and thread is not None
    return {
        "home": "/p/riverside/home/",
        "documents": "/p/riverside/documents/",
        "document": f"/p/riverside/documents/{document.pk}/",
        "sign": f"/p/riverside/sign/{request.pk}/",
        "inbox": "/p/riverside/inbox/",
        "thread": f"/p/riverside/inbox/{thread.pk}/",
        "security": "/p/riverside/security/",
    }


def captured() -> CaptureQueriesContext:
    """Queries from here on (each request empties the log as it starts; counting starts from an empty one)."""
    reset_queries()
    return CaptureQueriesContext(connection)


def counts(http: HttpClient, urls: dict[str, str]) -> dict[str, int]:
    found = {}
    for name, url in urls.items():
        with captured() as queries:
            assert http.get(url).status_code == 200, name
        found[name] = len(queries)
    return found


def test_each_portal_page_runs_the_same_queries_for_10_documents_as_for_200(world, signed_in):
    http, request = signed_in
    grow(world, 10)
    few = counts(http, pages(world, request))
    grow(world, 190)
    many = counts(http, pages(world, request))
    assert many == few
    for name, budget in BUDGET.items():
        assert few[name] <= budget, f"{name}: {few[name]} queries, budget {budget}"


def test_a_page_view_resolves_portal_access_once_and_writes_no_session(world, signed_in):
    http, _request = signed_in
    grow(world, 10)
    with captured() as queries:
        assert http.get("/p/riverside/documents/").status_code == 200
    sql = [query["sql"] for query in queries]
    assert sum('FROM "portal_access_profileaccess"' in s.split(" WHERE ")[0] for s in sql) == 1
    # The account comes with its profiles, in the same query.
    assert sum('"portal_access_portalaccount"' in s for s in sql) == 1
    assert not [s for s in sql if "django_session" in s and not s.startswith("SELECT")]


def test_switching_profiles_runs_a_fixed_number_of_queries(world, signed_in):
    http, _request = signed_in
    grow(world, 10)
    with captured() as few:
        select(http, world.gia_access_mia)
    select(http, world.gia_access_max)
    grow(world, 190)
    with captured() as many:
        select(http, world.gia_access_mia)
    assert len(many) == len(few)


def test_the_document_cards_link_where_the_routes_say(world, signed_in):
    """Each card's links are worked out once per page; they are the routes' own addresses."""
    http, request = signed_in
    grow(world, 3)
    body = http.get("/p/riverside/documents/").content.decode()
    for document in Document.objects.filter(client=world.max, title__startswith="Letter"):
        for name in ("portal:document_view", "portal:document_download"):
            assert f'href="{reverse(name, kwargs={"slug": "riverside", "document_id": document.pk})}"' in body
    assert f'href="{reverse("portal:sign", kwargs={"slug": "riverside", "request_id": request.pk})}"' in body
