"""The chart and Activity Log read their rows in prepared queries: the same rows, the same related objects and the
same page columns as the querysets they stand for, for staff who read clinical documents and staff who don't."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from django.http import Http404

from haven.clients import policy as clients_policy
from haven.clients.models import RelatedContact
from haven.clients.selectors import (
    ChartContact,
    chart_contacts,
    clients_client_is_contact_for,
    contacts_of,
)
from haven.documents import policy, selectors
from haven.documents.actions import set_recipients
from haven.documents.listed import ListedDocument
from haven.documents.models import Document, DocumentType
from haven.documents.policy import DocumentVerb
from haven.documents.tests.helpers import add
from haven.portal_access.actions.invitations import add_portal_user
from haven.practices.viewers import StaffViewer
from haven.signing import selectors as signing_selectors
from haven.signing.requests import request_signature
from haven.signing.selectors import requests_for_document, staff_requests_for_document
from haven.signing.tests.flow import treatment_plan
from tests.personas import World

pytestmark = pytest.mark.django_db


def shares_of(documents: Sequence[Document | ListedDocument]) -> list[list[tuple[int, str, str]]]:
    return [
        [(share.pk, share.audience, share.recipient_label) for share in document.open_shares]  # type: ignore[union-attr]
        for document in documents
    ]


@pytest.fixture
def log(world: World) -> list[Document]:
    documents = [add(world, f"Letter {n}", "General Document") for n in range(3)]
    documents.append(add(world, "Plan", "Treatment Plan"))
    set_recipients(by=world.ada, document=documents[0], all_authorized=True, client=False, contacts=[])
    set_recipients(by=world.ada, document=documents[1], all_authorized=False, client=True, contacts=[world.gia])
    return documents


@pytest.mark.parametrize("member", ["ada", "bill"])
@pytest.mark.parametrize("size", [2, 5, 25])
def test_the_first_page_of_the_log_is_the_activity_logs_first_rows_with_their_open_shares(
    world: World, log: list[Document], member: str, size: int
) -> None:
    viewer = StaffViewer(getattr(world, member))
    expected = list(policy.visible_among(viewer, selectors.activity_log(world.max))[:size])
    everything = policy.visible_among(viewer, selectors.activity_log(world.max)).count()

    first = selectors.activity_log_first_page(world.max, viewer, size=size, count_limit=3)

    assert [d.pk for d in first.rows] == [d.pk for d in expected]
    assert shares_of(first.rows) == shares_of(expected)
    assert [(d.type.name, d.listed_author, d.current_version_id) for d in first.rows] == [
        (d.type.name, d.author.user.full_name, d.current_version_id) for d in expected
    ]
    assert first.counted == min(everything, 4)


@pytest.mark.parametrize("member", ["ada", "bill"])
@pytest.mark.parametrize("given_types", [False, True])
def test_the_first_pages_entries_are_values_with_the_share_status_globe_and_share_to_sign_of_their_documents(
    world: World, log: list[Document], member: str, given_types: bool
) -> None:
    plan = treatment_plan(world.ada, world.max, pages=1, title="Plan to sign")
    request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    viewer = StaffViewer(getattr(world, member))
    types = selectors.document_types_of(world.max.practice_id) if given_types else None
    expected = signing_selectors.staff_signature_status(
        list(policy.visible_among(viewer, selectors.activity_log(world.max))[:25])
    )

    first = signing_selectors.staff_signature_status(
        selectors.activity_log_first_page(world.max, viewer, size=25, count_limit=10, types=types).rows
    )

    assert all(type(entry) is ListedDocument for entry in first)
    columns = ("pending_signature", "signature_outdated", "last_request_status", "signed")
    assert [
        (d.pk, d.title, d.document_date, d.share_status, d.globe, *(getattr(d, name) for name in columns))
        for d in first
    ] == [
        (d.pk, d.title, d.document_date, d.share_status, d.globe, *(getattr(d, name) for name in columns))
        for d in expected
    ]
    clinical = {"pending_signature"} if member == "ada" else set()  # Bill does not read the (clinical) plan
    assert {d.share_status for d in first} >= {"shared", "not_shared", *clinical}
    assert [policy.why_not(viewer, DocumentVerb.SHARE_TO_SIGN, d) for d in first] == [
        policy.why_not(viewer, DocumentVerb.SHARE_TO_SIGN, d) for d in expected
    ]
    assert [(d.type.pk, d.type.name, d.type.shareable, d.type.share_to_sign) for d in first] == [
        (d.type.pk, d.type.name, d.type.shareable, d.type.share_to_sign) for d in expected
    ]


def test_the_first_pages_shares_name_every_kind_of_recipient_without_another_query(
    world: World, log: list[Document], django_assert_num_queries: Any
) -> None:
    sister = RelatedContact.objects.create(
        practice=world.riverside, client=world.max, linked_client=world.mia, relationship="sibling", web_portal=True
    )
    pat = add_portal_user(by=world.ada, client=world.max, full_name="Pat Park", email="pat@example.com")
    pat.mark_confirmed()
    set_recipients(
        by=world.ada, document=log[2], all_authorized=False, client=True, contacts=[sister], portal_users=[pat]
    )
    viewer = StaffViewer(world.ada)
    expected = list(policy.visible_among(viewer, selectors.activity_log(world.max))[:25])

    first = selectors.activity_log_first_page(world.max, viewer, size=25, count_limit=10)

    with django_assert_num_queries(0):
        labels = shares_of(first.rows)
    assert labels == shares_of(expected)
    assert {label for shares in labels for _pk, _audience, label in shares} >= {
        "All Authorized",
        "Max Moreno (client)",
        "Gia Moreno (Parent, legal guardian)",
        "Mia Moreno (Sibling)",
        "Pat Park (portal user)",
    }


def test_the_first_page_given_the_practices_types_lists_each_entry_with_its_own_type_from_them(
    world: World, log: list[Document], django_assert_num_queries: Any
) -> None:
    viewer = StaffViewer(world.ada)
    types = selectors.document_types_of(world.max.practice_id)
    expected = list(policy.visible_among(viewer, selectors.activity_log(world.max))[:25])

    first = selectors.activity_log_first_page(world.max, viewer, size=25, count_limit=10, types=types)

    with django_assert_num_queries(0):
        listed = [(d.pk, d.type, d.type.name, d.type.shareable, d.type.share_to_sign) for d in first.rows]
    assert [(pk, name, shareable, sign) for pk, _type, name, shareable, sign in listed] == [
        (d.pk, d.type.name, d.type.shareable, d.type.share_to_sign) for d in expected
    ]
    assert all(any(doc_type is given for given in types) for _pk, doc_type, *_rest in listed)


def test_the_first_page_of_one_type_is_the_filtered_logs(world: World, log: list[Document]) -> None:
    viewer = StaffViewer(world.ada)
    plan_type = DocumentType.objects.get(practice=world.riverside, name="Treatment Plan")
    first = selectors.activity_log_first_page(world.max, viewer, size=25, type_id=plan_type.pk)
    assert [d.title for d in first.rows] == ["Plan"]
    assert selectors.activity_log_first_page(world.ana, viewer, size=25).rows == []


def test_another_practices_staff_read_nothing_of_the_log(world: World, log: list[Document]) -> None:
    first = selectors.activity_log_first_page(world.max, StaffViewer(world.hana), size=25, count_limit=10)
    assert first.rows == [] and first.counted == 0


def test_the_signature_columns_by_page_are_those_of_every_request(world: World, log: list[Document]) -> None:
    page = selectors.activity_log_first_page(world.max, StaffViewer(world.ada), size=25).rows
    by_page = signing_selectors.staff_signature_status(page)
    columns = ("pending_signature", "signature_outdated", "last_request_status", "signed")
    assert [tuple(getattr(d, name) for name in columns) for d in by_page] == [(False, False, None, False) for _ in page]
    signing_selectors._REQUESTS_BY_PAGE.check(*selectors.page_ids([d.pk for d in page]))


def test_the_page_queries_by_document_ids_take_at_most_one_page() -> None:
    assert selectors.page_ids([3, 1]) == [3, 1] + [0] * (selectors.PAGE_IDS - 2)
    with pytest.raises(ValueError, match="at most"):
        selectors.page_ids(list(range(1, selectors.PAGE_IDS + 2)))


def test_whether_everything_is_shared_with_the_client_is_answered_as_before(world: World, log: list[Document]) -> None:
    for client in (world.max, world.ana):
        assert selectors.all_shared_with_client_at_once(client) == selectors.all_shared_with_client(client)
    for document in Document.objects.filter(client=world.max):
        set_recipients(by=world.ada, document=document, all_authorized=False, client=True, contacts=[])
    assert selectors.all_shared_with_client_at_once(world.max) is True
    assert selectors.all_shared_with_client(world.max) is True


def test_the_first_page_reads_whether_everything_is_shared_with_the_client_as_on_its_own(
    world: World, log: list[Document]
) -> None:
    def read_with_rows(member: str) -> bool | None:
        viewer = StaffViewer(getattr(world, member))
        return selectors.activity_log_first_page(world.max, viewer, size=2, count_limit=3, all_shared=True).all_shared

    assert read_with_rows("ada") is read_with_rows("bill") is selectors.all_shared_with_client(world.max) is False
    for document in Document.objects.filter(client=world.max):
        set_recipients(by=world.ada, document=document, all_authorized=False, client=True, contacts=[])
    assert read_with_rows("ada") is read_with_rows("bill") is selectors.all_shared_with_client(world.max) is True
    assert selectors.activity_log_first_page(world.max, StaffViewer(world.ada), size=2).all_shared is None
    # No row to read it with (another practice's staff see none): not read, the page asks on its own.
    assert read_with_rows("hana") is None


def test_the_chart_reads_the_client_and_its_contacts_as_the_querysets_do(world: World) -> None:
    for practice in (world.riverside, world.hilltop):
        for client in (world.max, world.hal):
            expected = clients_policy.visible_to(StaffViewer(world.ada if practice == world.riverside else world.hana))
            for with_practice in (True, False):
                found = clients_policy._staff_client(practice.pk, client.pk, with_practice=with_practice)
                assert found == expected.filter(pk=client.pk).first()
    found = clients_policy.get_client(StaffViewer(world.ada), world.max.pk)
    assert (found, found.facility, found.practice) == (world.max, world.max.facility, world.max.practice)
    for client in (world.max, world.mia, world.ana):
        as_models = (list(contacts_of(client)), list(clients_client_is_contact_for(client)))
        assert chart_contacts(client) == tuple(
            [
                ChartContact(
                    contact.full_name,
                    contact.relationship,
                    contact.web_portal,
                    contact.legal_guardian,
                    contact.client_id,
                    contact.client.full_name,
                )
                for contact in contacts
            ]
            for contacts in as_models
        )
        for listed, contacts in zip(chart_contacts(client), as_models, strict=True):
            assert [c.get_relationship_display() for c in listed] == [c.get_relationship_display() for c in contacts]
    assert chart_contacts(world.max)[0], "Max has related contacts"
    assert selectors.document_types_of(world.riverside.pk) == list(selectors.document_types(world.riverside.pk))


def test_a_client_id_beyond_any_row_is_not_found(world: World) -> None:
    with pytest.raises(Http404):
        clients_policy.get_client(StaffViewer(world.ada), 2**70)
    with pytest.raises(Http404):
        clients_policy.get_client(StaffViewer(world.hana), world.max.pk)


@pytest.mark.parametrize("member", ["ada", "bill", "hana"])
def test_the_document_pages_requests_are_those_the_signing_policy_shows(world: World, member: str) -> None:
    plan = treatment_plan(world.ada, world.max, pages=1)
    request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    viewer = StaffViewer(getattr(world, member))
    expected = list(requests_for_document(viewer, plan))
    assert staff_requests_for_document(viewer, plan) == expected
    assert bool(expected) == (member == "ada")


def test_listed_titles_and_names_are_escaped_in_the_log_and_on_the_chart(world: World, login: Any) -> None:
    add(world, '<b>Tom & "Jerry\'s"</b>', "General Document")
    http = login(world.ada)
    for url in (f"/staff/clients/{world.max.pk}/documents/", f"/staff/clients/{world.max.pk}/"):
        html = http.get(url).content.decode()
        assert "<b>Tom" not in html
        assert "&lt;b&gt;Tom &amp; &quot;Jerry&#x27;s&quot;&lt;/b&gt;" in html
