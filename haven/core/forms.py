"""Consistent form rendering: Bootstrap classes, errors tied to their fields."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files.uploadedfile import UploadedFile
from django.forms.renderers import TemplatesSetting
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from haven.core.bidi import BIDI_MESSAGE, has_bidi_controls


class HavenFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


_CHECK_WIDGETS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


class StyledFormMixin:
    """Give every widget its Bootstrap class, and mark invalid fields for assistive technology."""

    fields: dict[str, forms.Field]
    errors: Any

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, _CHECK_WIDGETS):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            existing = widget.attrs.get("class", "")
            widget.attrs["class"] = f"{existing} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self.refuse_bidi_controls()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"

    # Where the error summary links a field's error when not to its own input (a hidden value, a drawing pad).
    error_anchors: ClassVar[dict[str, str]] = {}

    def error_summary(self) -> list[tuple[str, str]]:
        """Every error for the summary at the top of the form: (message, id its link goes to, or '' for none).

        The form's own errors first, then each field's in field order (``field_order`` follows the page).
        """
        summary = [(str(message), "") for message in self.errors.get(NON_FIELD_ERRORS, [])]
        for name in self.fields:
            for message in self.errors.get(name, []):
                summary.append((str(message), self.error_anchors.get(name) or self[name].auto_id))  # type: ignore[index]
        return summary

    def refuse_bidi_controls(self) -> None:
        """No typed text may carry bidirectional control characters: one clear message on that field.

        What was typed comes back in the field (the page leaves the hidden characters out), so the
        person sees their text, checks it and sends it again. Passwords are never shown and not checked.
        """
        if not getattr(self, "is_bound", False) or getattr(self, "_errors", None) is None:
            return
        for name, field in self.fields.items():
            if field.disabled or isinstance(field.widget, forms.PasswordInput) or isinstance(field, forms.FileField):
                continue  # nothing typed: a disabled field keeps its stored value, a file is not text
            raw = self[name].data  # type: ignore[index]
            values = raw if isinstance(raw, list | tuple) else [raw]
            if any(isinstance(value, str) and has_bidi_controls(value) for value in values):
                self.errors.pop(name, None)
                self.add_error(name, forms.ValidationError(BIDI_MESSAGE, code="bidi_controls"))  # type: ignore[attr-defined]


class HavenForm(StyledFormMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class FileUploadForm(HavenForm):
    """A form whose ``file`` is a PDF, PNG or JPEG upload, judged from its content by the action it goes to."""

    ACCEPT = "application/pdf,image/png,image/jpeg"

    def data_bytes(self) -> bytes:
        """The uploaded bytes, one past the limit at most, so the action can refuse a file too large."""
        upload: UploadedFile = self.cleaned_data["file"]
        return upload.read(settings.HAVEN_MAX_UPLOAD_BYTES + 1)


class HavenModelForm(StyledFormMixin, forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class NewPasswordForm(HavenForm):
    """Choose a password: typed twice, checked by Django's validators, with reasons a person understands."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters. A short sentence is easy to remember and hard to guess."),
        error_messages={"required": _("Choose a password.")},
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Type the password again.")},
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are different. Type the same password twice."))
        elif first:
            try:
                password_validation.validate_password(first, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


NOT_A_PDF = _("Choose a PDF file. Only PDF documents carry a seal.")


class SealCheckForm(HavenForm):
    """Check a PDF's seal: one upload, read up to the size limit, refused politely unless it is a PDF.

    ``cleaned_data["file"]`` holds the file's bytes. Staff and the portal subclass it for their own wording.
    """

    file = forms.FileField(
        label=_("PDF to check"),
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={
            "required": _("Choose the PDF to check."),
            "empty": _("That file is empty. Choose the PDF again."),
            "invalid": NOT_A_PDF,
        },
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        limit = settings.HAVEN_MAX_UPLOAD_BYTES
        data: bytes = upload.read(limit + 1)
        if len(data) > limit:
            raise forms.ValidationError(
                _("That file is larger than %(size)s. Choose a smaller PDF."), params={"size": filesizeformat(limit)}
            )
        if b"%PDF-" not in data[:1024]:  # where PDF readers look for the header
            raise forms.ValidationError(NOT_A_PDF)
        return data
