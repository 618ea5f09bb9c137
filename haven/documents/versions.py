"""The one function that writes a document version: uploads, amendments, rendered notes and signed PDFs."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.db import transaction
from django.db.models import Max

from haven.core.encryption import delete_stored, store_encrypted
from haven.documents.files import safe_filename
from haven.documents.models import Document, DocumentVersion
from haven.practices.models import StaffMember


def write_version(
    *,
    document: Document,
    data: bytes,
    content_type: str,
    source: str,
    created_by: StaffMember | None,
    record: Callable[[DocumentVersion], None],
    filename_stem: str | None = None,
    make_current: bool = True,
) -> DocumentVersion:
    """Store the file encrypted, add it as the document's next version, make it current, and audit it.

    The caller holds the document's row lock (or has just created it), so the next number is its own.
    ``record`` writes the audit event (and anything else that belongs with the version) inside the
    same transaction. If any of it fails, the stored file is deleted: nothing half-written remains.
    """
    number = (document.versions.aggregate(Max("number"))["number__max"] or 0) + 1
    stored = store_encrypted(data)
    try:
        with transaction.atomic():
            version = DocumentVersion.objects.create(
                document=document,
                number=number,
                storage_name=stored,
                filename=safe_filename(filename_stem if filename_stem is not None else document.title, content_type),
                content_type=content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                source=source,
                created_by=created_by,
            )
            if make_current:
                Document.objects.filter(pk=document.pk).update(current_version=version)
            record(version)
    except Exception:
        # The rows are gone with the transaction; the file that would have named them goes too.
        delete_stored(stored)
        raise
    if make_current:
        document.current_version = version
    return version
