"""Documents the documents tests start from."""

from __future__ import annotations

from django.utils import timezone

from haven.documents.actions import upload_document
from haven.documents.models import Document, DocumentType
from tests.personas import ONE_BLANK_PAGE_PDF, World


def add(world: World, title: str, type_name: str = "General Document") -> Document:
    """A one-page document of this type in Max's chart, uploaded today by Ada."""
    return upload_document(
        by=world.ada,
        client=world.max,
        doc_type=DocumentType.objects.get(practice=world.riverside, name=type_name),
        title=title,
        document_date=timezone.localdate(),
        data=ONE_BLANK_PAGE_PDF,
    )
