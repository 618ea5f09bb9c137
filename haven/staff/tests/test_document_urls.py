"""The document page's addresses are its patterns reversed once, the ids put in: what ``{% url %}`` gives."""

from __future__ import annotations

from django.urls import reverse

from haven.clients.models import Client
from haven.documents.models import Document
from haven.staff.views.documents._common import document_urls


def test_the_document_pages_addresses_are_those_reverse_gives() -> None:
    for client_id, document_id in [(1, 2), (987654301, 987654302), (40, 4), (123456, 12)]:
        urls = document_urls(Client(pk=client_id), Document(pk=document_id))

        assert urls == {
            "file": reverse("staff:document_file", args=[client_id, document_id]),
            "share": reverse("staff:document_share", args=[client_id, document_id]),
            "share_to_sign": reverse("staff:document_share_to_sign", args=[client_id, document_id]),
            "version_add": reverse("staff:document_version_add", args=[client_id, document_id]),
            "activity_log": reverse("staff:activity_log", args=[client_id]),
        }
