"""The document page's versions are drawn by one tag (``version_rows``): the same HTML as the template loop it
replaced, every value escaped, for current, signed, hand-made and uploaded versions, PDFs and others."""

from __future__ import annotations

import datetime

from django.template import Context, Template
from django.urls import reverse

from haven.accounts.models import User
from haven.clients.models import Client
from haven.documents.models import Document, DocumentVersion
from haven.documents.selectors import PageVersion
from haven.practices.models import StaffMember
from haven.signing.models import Signature
from haven.staff.views.documents.detail import VersionRow

# The loop as the template drew it before the tag.
LOOP = Template(
    "{% load i18n %}"
    "{% url 'staff:document_file' client.pk document.pk as file_url %}"
    """{% translate "Current" as current_badge %}{% translate "Signed" as signed_badge %}{% translate 'Source' as source_label %}{% translate 'Size' as size_label %}{% translate 'SHA-256' as sha_label %}{% translate 'Created' as created_label %}{% translate "View" as view_word %}{% translate "Download" as download_word %}{% translate "Check seal" as check_word %}"""  # noqa: E501
    """{% for row in versions %}{% with version=row.version %}
    <tr data-version="{{ version.number }}">
      <td id="version-{{ version.pk }}">{% blocktranslate with number=version.number %}Version {{ number }}{% endblocktranslate %}{% if row.is_current %} <span class="badge badge-portal">{{ current_badge }}</span>{% endif %}{% if version.source == "signed" %} <span class="badge text-bg-success">{{ signed_badge }}</span>{% endif %}</td>
      <td data-label="{{ source_label }}">{{ version.get_source_display }}{% if row.signature %}<div class="small text-body-secondary">{% blocktranslate with name=row.signature.signer_name %}by {{ name }}{% endblocktranslate %}</div>{% endif %}</td>
      <td data-label="{{ size_label }}">{{ version.size|filesizeformat }}</td>
      <td data-label="{{ sha_label }}"><code class="text-body text-nowrap" title="{{ version.sha256 }}">{{ version.sha256|slice:":12" }}</code></td>
      <td data-label="{{ created_label }}">{{ version.created_at|date:"Y-m-d H:i" }}{% if version.created_by %} · {{ version.created_by.user.full_name }}{% endif %}</td>
      <td>
        <span class="d-inline-flex flex-wrap gap-2 small">
          <a href="{{ file_url }}?version={{ version.pk }}" aria-describedby="version-{{ version.pk }}">{{ view_word }}</a>
          <a href="{{ file_url }}?version={{ version.pk }}&amp;download=1" aria-describedby="version-{{ version.pk }}">{{ download_word }}</a>
          {% if row.is_pdf %}<a href="{% url 'staff:document_version_verify' client.pk document.pk version.pk %}" aria-describedby="version-{{ version.pk }}">{{ check_word }}</a>{% endif %}
        </span>
      </td>
    </tr>
    {% endwith %}{% endfor %}"""  # noqa: E501
)
TAG = Template("{% load haven_rows %}{% version_rows versions %}")


def _versions(*, listed: bool) -> list[VersionRow]:
    """Three versions: as model instances (for the loop) or as the page reads them (``PageVersion``, for the tag)."""
    moment = datetime.datetime(2026, 3, 4, 23, 59, 30, tzinfo=datetime.UTC)
    author = StaffMember(user=User(full_name='Ada <b>"Lovelace"</b> & {co}'))
    signed = DocumentVersion(
        pk=31, number=3, source="signed", size=1_234_567, sha256="a" * 64, content_type="application/pdf"
    )
    signed.created_at = moment
    rendered = DocumentVersion(pk=22, number=2, source="rendered", size=999, sha256="b" * 64, content_type="text/plain")
    rendered.created_at = moment
    rendered.created_by = author
    uploaded = DocumentVersion(
        pk=13, number=1, source="upload", size=0, sha256="c" * 64, content_type="application/pdf"
    )
    uploaded.created_at = moment
    uploaded.created_by = author
    signature = Signature(signer_name="Gia <i>O'Neil</i> {x}")
    file_url = reverse("staff:document_file", args=[5, 8])
    return [
        VersionRow(
            version=_listed(version) if listed else version,  # type: ignore[arg-type]
            is_current=version is signed,
            signature=signature if version is signed else None,
            file_url=file_url,
            verify_url=reverse("staff:document_version_verify", args=[5, 8, version.pk]),
        )
        for version in (signed, rendered, uploaded)
    ]


def _listed(version: DocumentVersion) -> PageVersion:
    author = version.created_by.user.full_name if version.created_by else None
    return PageVersion(
        version.pk,
        version.number,
        version.source,
        version.content_type,
        version.size,
        version.sha256,
        version.created_at,
        author,
    )


def test_the_versions_tag_draws_what_the_template_loop_drew_every_value_escaped() -> None:
    context = {"client": Client(pk=5), "document": Document(pk=8)}

    drawn = TAG.render(Context({**context, "versions": _versions(listed=True)}))

    assert drawn == LOOP.render(Context({**context, "versions": _versions(listed=False)}))
    assert "Gia &lt;i&gt;O&#x27;Neil&lt;/i&gt; {x}" in drawn
    assert "Ada &lt;b&gt;&quot;Lovelace&quot;&lt;/b&gt; &amp; {co}" in drawn
    assert drawn.count("Check seal") == 2


def test_no_versions_draw_nothing() -> None:
    assert TAG.render(Context({"client": Client(pk=5), "document": Document(pk=8), "versions": []})) == ""


def test_the_seal_check_hint_is_the_sentence_the_template_translated() -> None:
    before = Template(
        "{% load i18n haven_fixed %}{% fixed_url 'staff:verify' as verify_url %}{% blocktranslate %}Someone sent you a"
        ' copy? <a href="{{ verify_url }}">Check a PDF\'s seal</a> to see whether it is one of these versions,'
        " unchanged.{% endblocktranslate %}"
    )

    hint = Template("{% load haven_rows %}{% verify_hint %}").render(Context())

    assert hint == before.render(Context())
    assert f'<a href="{reverse("staff:verify")}">' in hint
