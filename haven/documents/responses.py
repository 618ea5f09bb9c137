"""Serving a stored document: decrypted in memory, never inline as HTML or SVG, never cached."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.cache import patch_cache_control

from haven.core.encryption import read_decrypted
from haven.documents.models import DocumentVersion

INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg"}


def file_response(version: DocumentVersion, *, download: bool) -> HttpResponse:
    """The file of one version; the caller has checked access and writes the audit event."""
    return stored_file_response(
        read_decrypted(version.storage_name),
        content_type=version.content_type,
        filename=version.filename,
        download=download,
    )


def stored_file_response(data: bytes, *, content_type: str, filename: str, download: bool) -> HttpResponse:
    """A file Haven keeps (a document's version, a message's attachment), already decrypted and checked; ``filename``
    is one Haven made safe (letters, digits, spaces, dots, dashes)."""
    content_type = content_type if content_type in INLINE_TYPES else "application/octet-stream"
    response = HttpResponse(data, content_type=content_type)
    disposition = "attachment" if download or content_type == "application/octet-stream" else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    # A document opened in its own tab runs nothing: no scripts, no forms, whatever it contains.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    patch_cache_control(response, no_store=True, private=True)
    return response
