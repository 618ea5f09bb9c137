"""Documents: a new version (an amendment, SIGN-7)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from haven.core.forms import HavenForm


class VersionUploadForm(HavenForm):
    """An amendment (SIGN-7): a new version of the same document."""

    file = forms.FileField(
        label=_("New version"),
        help_text=_(
            "A PDF, PNG or JPEG file. It becomes the current version; earlier versions, signed ones included, "
            "stay as they are."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
        error_messages={"required": _("Choose the file of the new version.")},
    )

    def data_bytes(self) -> bytes:
        """The uploaded bytes, one past the limit at most, so the action can refuse a file too large."""
        upload: UploadedFile = self.cleaned_data["file"]
        return upload.read(settings.HAVEN_MAX_UPLOAD_BYTES + 1)
