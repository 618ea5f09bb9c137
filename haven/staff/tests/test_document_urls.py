"""The document page's addresses are its patterns reversed once, the ids put in: what ``{% url %}`` gives."""

from __future__ import annotations

from django.urls import reverse

from haven.clients.models import Client
from haven.documents.models import Document
from haven.staff.views.documents._common import document_item_urls, document_urls, with_staff_urls


def test_the_document_pages_addresses_are_those_reverse_gives() -> None:
    for client_id, document_id in [(1, 2), (987654301, 987654302), (40, 4), (123456, 12)]:
        urls = document_urls(Client(pk=client_id), Document(pk=document_id))

        assert urls == {
            "detail": reverse("staff:document_detail", args=[client_id, document_id]),
            "file": reverse("staff:document_file", args=[client_id, document_id]),
            "share": reverse("staff:document_share", args=[client_id, document_id]),
            "share_to_sign": reverse("staff:document_share_to_sign", args=[client_id, document_id]),
            "version_add": reverse("staff:document_version_add", args=[client_id, document_id]),
            "activity_log": reverse("staff:activity_log", args=[client_id]),
        }


def test_listed_documents_get_their_page_and_file_addresses() -> None:
    documents = with_staff_urls(Client(pk=77), [Document(pk=5), Document(pk=987654302)])

    assert [(d.staff_url, d.file_url) for d in documents] == [  # type: ignore[attr-defined]
        (reverse("staff:document_detail", args=[77, pk]), reverse("staff:document_file", args=[77, pk]))
        for pk in (5, 987654302)
    ]


def test_the_addresses_of_a_documents_requests_and_versions_are_those_reverse_gives() -> None:
    for client_id, document_id, item_id in [(1, 2, 3), (987654301, 987654302, 987654303), (40, 4, 400), (7, 70, 7)]:
        urls = document_item_urls(Client(pk=client_id), Document(pk=document_id))

        filled = {key: before + str(item_id) + after for key, (before, after) in urls.items()}
        assert filled == {
            "remind": reverse("staff:signature_request_remind", args=[client_id, document_id, item_id]),
            "cancel": reverse("staff:signature_request_cancel", args=[client_id, document_id, item_id]),
            "verify": reverse("staff:document_version_verify", args=[client_id, document_id, item_id]),
        }
