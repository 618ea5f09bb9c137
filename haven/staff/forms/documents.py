"""Documents: what a new document is (its type, title and date) and a new version (an amendment, SIGN-7)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.core.forms import DateInput, FileUploadForm, HavenForm
from haven.documents import policy, selectors
from haven.documents.models import DocumentType
from haven.practices.models import StaffMember
from haven.practices.viewers import StaffViewer


def uploadable_types(member: StaffMember) -> QuerySet[DocumentType]:
    """The practice's document types a staff member may put a document in: none they could not open (policy:
    UPLOAD)."""
    types = selectors.document_types(member.practice_id)
    return types if policy.reads_clinical(StaffViewer(member)) else types.filter(clinical=False)


class DocumentDetailsForm(HavenForm):
    """A new document's title and date (today unless changed); its type is the form's own field."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give the document a title.")},
    )
    document_date = forms.DateField(
        label=_("Date"),
        widget=DateInput(),
        error_messages={
            "required": _("Enter the document's date."),
            "invalid": _("Enter a date like 2025-03-14."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document_date"].initial = timezone.localdate()


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
