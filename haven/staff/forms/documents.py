"""Documents: a new version (an amendment, SIGN-7)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.core.forms import FileUploadForm


class VersionUploadForm(FileUploadForm):
    """An amendment (SIGN-7): a new version of the same document."""

    file = forms.FileField(
        label=_("New version"),
        help_text=_(
            "A PDF, PNG or JPEG file. It becomes the current version; earlier versions, signed ones included, "
            "stay as they are."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": FileUploadForm.ACCEPT}),
        error_messages={"required": _("Choose the file of the new version.")},
    )
