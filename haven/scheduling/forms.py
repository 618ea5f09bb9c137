"""What both faces' forms share about Home Activities: a chosen file, read and judged beside its field."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from haven.core.errors import ApplicationError
from haven.documents.files import Upload
from haven.scheduling import activities


def read_upload(chosen: UploadedFile | None) -> Upload | None:
    """The chosen file as the activities' check wants it (read no further than the limit), judged there; refused in
    words beside the field."""
    if not chosen:
        return None
    upload = Upload(name=chosen.name or "", data=chosen.read(settings.HAVEN_MESSAGE_ATTACHMENT_MAX_BYTES + 1))
    try:
        activities.check_file(upload)
    except ApplicationError as refusal:
        raise forms.ValidationError(refusal.message) from None
    return upload
