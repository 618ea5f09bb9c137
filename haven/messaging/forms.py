"""The forms people write secure messages with, staff and portal alike: the words, a subject, the attachments.

``MessageForm`` reads each chosen file (one byte past the size limit at most) and judges them with the messaging
actions' own check, so a wrong, empty or too large file is named beside the field; ``files_chosen`` says that
files came with a refused post, for the page to ask for them again (no browser keeps them).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy, ngettext

from haven.core.errors import ApplicationError
from haven.core.forms import FileUploadForm, HavenForm
from haven.messaging import actions
from haven.messaging.actions import BODY_MAX, SUBJECT_MAX, Upload


def subject_field() -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("Subject"),
        max_length=SUBJECT_MAX,
        error_messages={
            "required": gettext_lazy("Give the message a subject."),
            "max_length": gettext_lazy("Keep the subject under %(limit_value)d characters."),
        },
    )


class _ManyFiles(forms.FileInput):
    allow_multiple_selected = True


class _AttachmentsField(forms.FileField):
    """Any number of chosen files, as they came; ``MessageForm.clean_attachments`` judges them."""

    widget = _ManyFiles

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        return [upload for upload in (data if isinstance(data, list | tuple) else [data]) if upload]


class MessageForm(HavenForm):
    """A reply: the words and any attachments (PDF, PNG or JPEG, judged from their content)."""

    body = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": gettext_lazy("Write a message before sending it."),
            "max_length": gettext_lazy("That message is too long: please keep it under %(limit_value)d characters."),
        },
    )
    attachments = _AttachmentsField(
        label=gettext_lazy("Attach files (optional)"),
        required=False,
        widget=_ManyFiles(attrs={"accept": FileUploadForm.ACCEPT + ",.pdf,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        count = settings.HAVEN_MESSAGE_MAX_ATTACHMENTS
        megabytes = f"{settings.HAVEN_MESSAGE_ATTACHMENT_MAX_BYTES / 1_000_000:g}"
        self.fields["attachments"].help_text = ngettext(
            "A PDF, or a photo as PNG or JPEG: up to %(count)d file of %(size)s MB.",
            "PDFs, or photos as PNG or JPEG: up to %(count)d files of %(size)s MB each.",
            count,
        ) % {"count": count, "size": megabytes}

    def clean_attachments(self) -> list[Upload]:
        """Each file's bytes (one past the size limit at most, so a file too large is refused as such), judged by
        the messaging actions' own check so its words appear beside the field."""
        chosen: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        limit = settings.HAVEN_MESSAGE_ATTACHMENT_MAX_BYTES
        # One more file than allowed is enough for the check to refuse too many; the rest are never read.
        uploads = [
            Upload(name=upload.name or "", data=upload.read(limit + 1))
            for upload in chosen[: settings.HAVEN_MESSAGE_MAX_ATTACHMENTS + 1]
        ]
        try:
            actions.check_attachments(uploads)
        except ApplicationError as refusal:
            raise forms.ValidationError(refusal.message) from None
        return uploads

    @property
    def files_chosen(self) -> bool:
        """Whether files came with a refused post: the page then asks for them again."""
        return self.is_bound and bool(self.files.getlist("attachments"))
