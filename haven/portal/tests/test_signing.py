"""Review and sign, and decline, in the portal (SIGN-2, SIGN-3, SIGN-6): the selected profile's own requests only."""

from __future__ import annotations

import base64
import datetime
import html
import io
import re
from io import BytesIO
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from haven.audit.models import AuditEvent
from haven.clients.models import Client
from haven.documents.actions import add_version
from haven.documents.models import Audience, Document, Share, VersionSource
from haven.messaging.models import Message
from haven.portal.tests.helpers import select
from haven.signing.answers import decline
from haven.signing.disclosure import current_disclosure
from haven.signing.models import Capacity, RequestStatus, Signature, SignatureMethod, SignatureRequest
from haven.signing.requests import cancel_request, request_signature
from haven.signing.tests.flow import treatment_plan, unsaved_request_to_gia
from haven.signing.tests.helpers import document_pdf, signature_png
from tests.personas import PASSWORD, World, give_ana_a_portal_login

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

DOCUMENTS = "/p/riverside/documents/"
NO_DRAWING = "Draw your signature in the box before selecting Sign Document."
UNREADABLE = "Your signature could not be read. Select Clear and draw it again."
WRONG_PASSWORD = "That password is not right. Enter the password you sign in to the portal with."
NO_CONSENT = "Read the consent to sign electronically and tick the box to accept it."
SIGNED = "Thank you. Your signature was recorded. The signed document will appear in My Documents in a moment."


def sign_url(request: SignatureRequest) -> str:
    return f"/p/riverside/sign/{request.pk}/"


def decline_url(request: SignatureRequest) -> str:
    return f"/p/riverside/sign/{request.pk}/decline/"


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


DRAWING = data_url(signature_png())


def ask_gia(world: World, client: Client | None = None, *, pages: int = 2) -> SignatureRequest:
    client = client or world.max
    contact = world.gia if client == world.max else world.gia_for_mia
    plan = treatment_plan(world.ada, client, pages=pages)
    return request_signature(by=world.ada, document=plan, signer_key=f"contact-{contact.pk}")


@pytest.fixture
def pending(world, gia) -> SignatureRequest:
    """Max's treatment plan waiting for Gia's signature, with Max selected."""
    request = ask_gia(world)
    select(gia, world.gia_access_max)
    return request


def post_signature(http: HttpClient, request: SignatureRequest, **changes: object) -> TestResponse:
    data: dict[str, object] = {
        "disclosure_version": current_disclosure().version,
        "signature": DRAWING,
        "consent": "on",
        "password": PASSWORD,
    }
    data.update(changes)
    return http.post(sign_url(request), {k: v for k, v in data.items() if v is not None})


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def error_of(body: str, element_id: str) -> str:
    """The text of the error element with this id (the field's error block, or the drawing's)."""
    return html.unescape(body.split(f'id="{element_id}"', 1)[1].split("</div>", 2)[0])


def text_of(markup: str) -> str:
    """The words of a piece of HTML, tags dropped and spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split()).replace(" :", ":")


def hidden_value(body: str, name: str) -> str:
    tag = body.split(f'name="{name}"', 1)[1].split(">", 1)[0]
    return html.unescape(tag.split('value="', 1)[1].split('"', 1)[0]) if 'value="' in tag else ""


# --- The page -------------------------------------------------------------------------------------


def test_the_signing_page_shows_what_is_signed_by_whom_and_is_audited(world, gia, pending):
    response = gia.get(sign_url(pending))
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert "Treatment plan" in body and "Ada Admin of Riverside Counseling asks for your signature." in body
    assert "Signing as:" in body and "Gia Moreno — for Max Moreno as legal guardian" in body
    assert f'href="/p/riverside/documents/{pending.document_id}/" target="_blank" rel="noopener"' in body
    assert "2 pages" in body
    disclosure = current_disclosure()
    assert disclosure.title in body and disclosure.text in body
    assert hidden_value(body, "disclosure_version") == disclosure.version
    assert "I agree to sign electronically" in body and "Your portal password" in body
    assert 'aria-label="Signature pad"' in body
    for label in ("Add Signature", "Clear", "Sign Document", "Decline to sign"):
        assert f">{label}<" in body, label
    assert "/static/haven/signing.js" in body and "<script>" not in body  # no inline script
    [viewed] = events("signature.viewed")
    assert (viewed.actor_kind, viewed.actor_id, viewed.acting_for) == ("portal", world.gia_account.pk, "Max Moreno")
    assert viewed.client_id == world.max.pk
    assert (viewed.object_type, viewed.object_id) == ("signing.signaturerequest", str(pending.pk))


def test_the_signing_page_reads_of_the_staff_member_who_asked_only_their_name(world, gia, pending):
    with CaptureQueriesContext(connection) as queries:
        page = gia.get(sign_url(pending))
    assert page.status_code == 200 and world.ada.user.full_name in html.unescape(page.content.decode())
    read = " ".join(query["sql"] for query in queries)
    assert '"accounts_user"."full_name"' in read
    for column in (
        '"accounts_user"."password"',
        '"accounts_user"."last_login"',
        '"practices_staffmember"."permissions"',
    ):
        assert column not in read


def test_signing_as_shows_the_name_in_the_chart_not_the_portal_accounts_own(world, gia, pending):
    world.gia_account.full_name = "Someone Else"
    world.gia_account.save(update_fields=["full_name"])
    body = html.unescape(gia.get(sign_url(pending)).content.decode())
    assert "Gia Moreno — for Max Moreno as legal guardian" in body
    assert "Someone Else —" not in body


def test_signing_for_yourself_says_so(world, client):
    give_ana_a_portal_login(world)
    request = request_signature(by=world.ada, document=treatment_plan(world.ada, world.ana), signer_key="client")
    client.post("/p/riverside/", {"username": "ana@example.com", "password": PASSWORD})
    body = html.unescape(client.get(sign_url(request)).content.decode())
    assert "Ana Alvarez — for yourself" in body


def test_another_profiles_request_answers_404_and_is_audited(world, gia):
    """Mia's request, with Max selected: 404 for the page and both posts, each audited; nothing signed."""
    mias = ask_gia(world, world.mia, pages=1)
    select(gia, world.gia_access_max)
    for method, url in (("get", sign_url(mias)), ("post", sign_url(mias)), ("post", decline_url(mias))):
        before = AuditEvent.objects.count()
        data = {"reason": "No"} if "decline" in url else {"signature": DRAWING, "consent": "on", "password": PASSWORD}
        response = getattr(gia, method)(url, data) if method == "post" else gia.get(url)
        assert response.status_code == 404, (method, url)
        new = list(AuditEvent.objects.order_by("id")[before:])
        assert [event.action for event in new] == ["access.denied"]
        assert new[0].details == {"object_type": "signing.signaturerequest", "object_id": str(mias.pk), "path": url}
    assert events("signature.viewed") == []
    mias.refresh_from_db()
    assert mias.status == RequestStatus.PENDING
    select(gia, world.gia_access_mia)
    assert gia.get(sign_url(mias)).status_code == 200


def test_another_logins_request_answers_404(world, gia):
    """A request naming the client (capacity self) is not the guardian's to open."""
    mias = ask_gia(world, world.mia, pages=1)
    SignatureRequest.objects.filter(pk=mias.pk).update(capacity=Capacity.SELF, contact=None)
    select(gia, world.gia_access_mia)
    assert gia.get(sign_url(mias)).status_code == 404
    assert [event.details["object_id"] for event in events("access.denied")] == [str(mias.pk)]


# --- Signing --------------------------------------------------------------------------------------


def test_signing_records_the_signature_and_the_signed_version_becomes_current(
    world, gia, pending, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_signature(gia, pending)
    assert response.status_code == 302 and response["Location"] == DOCUMENTS
    signature = Signature.objects.get(request=pending)
    assert (signature.account, signature.capacity, signature.on_behalf_of) == (
        world.gia_account,
        Capacity.GUARDIAN,
        "Max Moreno",
    )
    assert signature.disclosure_version == current_disclosure().version
    document = Document.objects.get(pk=pending.document_id)
    assert document.current_version is not None and document.current_version.source == VersionSource.SIGNED
    assert document.current_version == signature.signed_version
    page = gia.get(DOCUMENTS).content.decode()
    assert SIGNED in page
    card = page.split(f'data-document="{document.pk}"', 1)[1].split("</li>", 1)[0]
    assert "Signed" in card and "Pending Review" not in card
    assert f'href="/p/riverside/documents/{document.pk}/verify/"' in card and "Check seal" in card
    assert gia.get(sign_url(pending)).status_code == 200  # now the calm "already signed" page
    assert [e.action for e in events("signature.signed")] == ["signature.signed"]


def test_a_wrong_password_is_shown_under_the_password_and_keeps_the_drawing_and_consent(world, gia, pending):
    response = post_signature(gia, pending, password="not my password")
    assert response.status_code == 400
    body = response.content.decode()
    assert WRONG_PASSWORD in error_of(body, "id_password_error")
    assert hidden_value(body, "signature") == DRAWING  # signing.js draws it again
    consent = body.split('name="consent"', 1)[1].split(">", 1)[0]
    assert "checked" in consent
    assert "not my password" not in body
    assert not Signature.objects.filter(request=pending).exists()
    assert [e.details["reason"] for e in events("signature.refused")] == ["wrong_password"]


def test_a_typed_signature_signs_without_a_drawing(world, gia, pending, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_signature(gia, pending, method="typed", typed_name="Gia Moreno", signature=None)
    assert response.status_code == 302 and response["Location"] == DOCUMENTS
    signature = Signature.objects.get(request=pending)
    assert (signature.method, signature.typed_name) == (SignatureMethod.TYPED, "Gia Moreno")
    assert signature.signed_version is not None


def test_choosing_type_ignores_a_leftover_drawing(world, gia, pending):
    response = post_signature(gia, pending, method="typed", typed_name="Gia Moreno")
    assert response.status_code == 302
    assert Signature.objects.get(request=pending).method == SignatureMethod.TYPED


def test_choosing_type_without_a_name_asks_for_it_and_keeps_the_choice(world, gia, pending):
    response = post_signature(gia, pending, method="typed", typed_name="  ", signature=None)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Type your name to sign." in error_of(body, "id_typed_name_error")
    assert 'value="typed" data-signature-method checked' in body
    assert 'data-signature-panel="drawn" hidden' in body
    assert not Signature.objects.exists()


def test_a_typed_name_too_long_is_refused_in_words_and_kept(world, gia, pending):
    long_name = "Gia " + "Moreno" * 20
    response = post_signature(gia, pending, method="typed", typed_name=long_name, signature=None)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Keep your typed signature to 100 characters or fewer." in error_of(body, "id_typed_name_error")
    assert f'value="{long_name}"' in body
    assert not Signature.objects.exists()


def test_a_wrong_password_keeps_the_typed_name(world, gia, pending):
    response = post_signature(gia, pending, method="typed", typed_name="Gia Moreno", password="not my password")
    assert response.status_code == 400
    body = response.content.decode()
    assert WRONG_PASSWORD in error_of(body, "id_password_error")
    assert 'name="typed_name" value="Gia Moreno"' in body
    assert "data-typed-preview>Gia Moreno</span>" in body
    assert [e.details["reason"] for e in events("signature.refused")] == ["wrong_password"]


def test_wrong_signing_passwords_count_toward_the_portal_lockout(world, gia, pending):
    """Five wrong passwords pause signing (with a clear message) and the portal sign-in alike."""
    response = None
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = post_signature(gia, pending, password="a guess")
    assert response is not None and response.status_code == 429
    paused = "signing is paused for a few minutes after several wrong passwords"
    assert paused in html.unescape(response.content.decode())
    right = post_signature(gia, pending)  # even the right password now
    assert right.status_code == 429 and paused in html.unescape(right.content.decode())
    assert not Signature.objects.filter(request=pending).exists()
    assert events("signature.refused")[-1].details["reason"] == "locked_out"
    other = HttpClient()
    login = other.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD})
    assert login.status_code == 429


def transparent_png() -> bytes:
    buffer = BytesIO()
    Image.new("RGBA", (400, 120), (255, 255, 255, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("drawing", "message"),
    [
        (None, NO_DRAWING),  # no JavaScript: nothing was drawn or sent
        ("", NO_DRAWING),
        (data_url(transparent_png()), NO_DRAWING),  # an empty canvas
        ("data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff").decode(), UNREADABLE),
        ("data:image/png;base64,not base64!", UNREADABLE),
        ("data:image/png;base64," + base64.b64encode(b"GIF89a....").decode(), UNREADABLE),
        ("https://example.com/signature.png", UNREADABLE),
        ("data:image/png;base64," + "A" * 3_000_000, UNREADABLE),
    ],
    ids=["missing", "blank", "transparent", "jpeg", "garbled", "not-png-bytes", "a-link", "too-large"],
)
def test_an_empty_or_unreadable_drawing_is_refused_under_the_pad(world, gia, pending, drawing, message):
    response = post_signature(gia, pending, signature=drawing)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in error_of(body, "signature-error")
    assert 'id="id_password_error"' not in body
    assert not Signature.objects.filter(request=pending).exists()


def test_missing_consent_is_shown_under_the_checkbox_and_keeps_the_drawing(world, gia, pending):
    response = post_signature(gia, pending, consent=None)
    assert response.status_code == 400
    body = response.content.decode()
    assert NO_CONSENT in error_of(body, "id_consent_error")
    assert hidden_value(body, "signature") == DRAWING
    assert not Signature.objects.filter(request=pending).exists()


def error_summary(body: str) -> str:
    """The error summary at the top of the signing form (haven.js moves focus to it)."""
    start = body.index("data-error-summary")
    return html.unescape(body[body.rindex("<div", 0, start) : body.index("</div>", start)])


def test_a_refused_signature_summarises_every_error_at_the_top_of_the_form_with_links_to_the_fields(
    world, gia, pending
):
    response = post_signature(gia, pending, password="not my password")
    body = response.content.decode()
    summary = error_summary(body)
    assert 'tabindex="-1"' in summary and "There is a problem" in summary
    assert f'<a href="#id_password" class="alert-link">{WRONG_PASSWORD}</a>' in summary
    form = body.split("data-signing-form", 1)[1]
    assert form.index("data-error-summary") < form.index('name="consent"')  # at the top of the form
    # Several mistakes at once: one link each, in the order of the form.
    response = post_signature(gia, pending, consent=None, signature="", password="")
    summary = error_summary(response.content.decode())
    links = re.findall(r'<a href="#([^"]+)"', summary)
    assert links == ["id_consent", "signature-area", "id_password"]
    assert 'id="signature-area" class="signature-area mb-3" tabindex="-1"' in response.content.decode()


def test_a_first_visit_has_no_error_summary(world, gia, pending):
    assert "data-error-summary" not in gia.get(sign_url(pending)).content.decode()


def test_an_old_disclosure_version_is_refused_at_the_top(world, gia, pending):
    response = post_signature(gia, pending, disclosure_version="2001-1")
    assert response.status_code == 400
    assert NO_CONSENT in error_of(response.content.decode(), "id_consent_error")
    assert [e.details["reason"] for e in events("signature.refused")] == ["no_consent"]


# --- Requests no longer open ----------------------------------------------------------------------


def expire(request: SignatureRequest) -> None:
    SignatureRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))


def change_document(request: SignatureRequest) -> None:
    add_version(by=request.requested_by, document=request.document, data=document_pdf(1))


@pytest.mark.parametrize(
    ("close", "message"),
    [
        (
            lambda world, request: cancel_request(by=world.ada, request=request),
            "The practice cancelled this signature request. Nothing was signed.",
        ),
        (lambda world, request: expire(request), "This signature request has expired."),
        (
            lambda world, request: decline(
                account=world.gia_account, access=world.gia_access_max, request=request, reason="Not now"
            ),
            "You declined this signature request.",
        ),
        (lambda world, request: change_document(request), "The document changed after it was sent"),
    ],
    ids=["cancelled", "expired", "declined", "document-changed"],
)
def test_a_request_no_longer_open_gets_a_calm_page_that_says_why(world, gia, pending, close, message):
    close(world, pending)
    page = gia.get(sign_url(pending))
    assert page.status_code == 200
    body = page.content.decode()
    assert message in html.unescape(body) and "Sign Document" not in body
    assert events("signature.viewed") == []
    posted = post_signature(gia, pending)
    assert posted.status_code == 409 and message in html.unescape(posted.content.decode())
    assert not Signature.objects.filter(request=pending).exists()


OUT_OF_DATE = (
    "The document changed after it was sent for your signature, so this request is out of date and can't be "
    "signed. The practice has been told and can send you a new request."
)


def card_of(body: str, document_id: int) -> str:
    return body.split(f'data-document="{document_id}"', 1)[1].split("</li>", 1)[0]


def test_an_out_of_date_request_says_the_same_on_my_documents_the_message_and_the_signing_page(world, gia, pending):
    """A new version after the request: nowhere Pending Review, Pending Signature or Review and sign; everywhere
    out of date, can't be signed, and the practice has been told."""
    change_document(pending)
    card = html.unescape(card_of(gia.get(DOCUMENTS).content.decode(), pending.document_id))
    assert "Pending Review" not in card and sign_url(pending) not in card and "Review and sign" not in card
    assert '<span class="badge text-bg-secondary">Out of date</span>' in card and OUT_OF_DATE in card
    message = Message.objects.get(signature_request=pending)
    for url in (f"/p/riverside/inbox/{message.thread_id}/", sign_url(pending)):
        main = text_of(gia.get(url).content.decode().split("<main", 1)[1])
        assert "Status: Out of date" in main and OUT_OF_DATE in main, url
        # The message keeps the words it was sent with; what it says now is the status under it.
        assert "Pending Signature" not in main and "Pending Review Status" not in main, url
        assert sign_url(pending) not in gia.get(url).content.decode().replace(f'action="{sign_url(pending)}', ""), url
    posted = text_of(post_signature(gia, pending).content.decode().split("<main", 1)[1])
    assert "Status: Out of date" in posted and OUT_OF_DATE in posted and "Pending" not in posted


# --- Declining ------------------------------------------------------------------------------------


def test_declining_with_a_reason(world, gia, pending):
    response = gia.post(decline_url(pending), {"reason": "I'd like to discuss the plan first."})
    assert response.status_code == 302 and response["Location"] == DOCUMENTS
    pending.refresh_from_db()
    assert pending.status == RequestStatus.DECLINED
    assert pending.decline_reason == "I'd like to discuss the plan first."
    assert "You declined to sign. The practice will see your reason." in html.unescape(
        gia.get(DOCUMENTS).content.decode()
    )
    [declined] = events("signature.declined")
    assert declined.acting_for == "Max Moreno"


@pytest.mark.parametrize(
    ("reason", "message"),
    [("   ", "Tell the practice why you are declining"), ("x" * 1001, "Keep the reason under 1000 characters.")],
    ids=["blank", "too-long"],
)
def test_a_decline_without_a_usable_reason_keeps_the_page_and_what_was_typed(world, gia, pending, reason, message):
    response = gia.post(decline_url(pending), {"reason": reason})
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert message in body
    assert '<details class="card shadow-sm mb-3 decline-box" open>' in body
    if reason.strip():
        assert reason in body
    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING


# --- My Documents tags ----------------------------------------------------------------------------


def test_my_documents_tags_pending_review_with_a_review_and_sign_button(world, gia, pending):
    body = gia.get(DOCUMENTS).content.decode()
    card = body.split(f'data-document="{pending.document_id}"', 1)[1].split("</li>", 1)[0]
    assert '<span class="badge text-bg-warning">Pending Review</span>' in card
    assert f'href="{sign_url(pending)}"' in card and "Review and sign" in card
    assert "Check seal" not in card
    assert 'href="/p/riverside/verify/"' in body and "Check a document's seal" in html.unescape(body)


def test_tags_add_no_queries_per_document(world, gia, pending, django_assert_max_num_queries):
    """Pending Review, Signed and the Review and sign link come from the same query, however many documents."""
    gia.get(DOCUMENTS)
    bulk_requests(world, pending, 4)
    with CaptureQueriesContext(connection) as small:
        first = gia.get(DOCUMENTS).content.decode()
    assert first.count("Pending Review") == 5
    bulk_requests(world, pending, 40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = gia.get(DOCUMENTS).content.decode()
    assert page.count("Pending Review") == 20 and page.count("/sign/") == 20


def bulk_requests(world: World, pending: SignatureRequest, count: int) -> None:
    """More of Max's plans shared with Gia, each waiting for her signature (made directly)."""
    version = pending.version
    start = Document.objects.filter(client=world.max).count()
    documents = Document.objects.bulk_create(
        Document(
            practice=world.riverside,
            client=world.max,
            type=pending.document.type,
            title=f"Plan {start + n}",
            author=world.ada,
            document_date=timezone.localdate() - datetime.timedelta(days=start + n),
            current_version=version,
        )
        for n in range(count)
    )
    Share.objects.bulk_create(
        Share(document=document, audience=Audience.CONTACT, contact=world.gia, shared_by=world.ada)
        for document in documents
    )
    SignatureRequest.objects.bulk_create(unsaved_request_to_gia(world, document) for document in documents)


# --- Reading the document in place ------------------------------------------------------------


def page_image_url(request: SignatureRequest, page: int) -> str:
    return f"/p/riverside/sign/{request.pk}/pages/{page}.png"


def test_the_signing_page_shows_each_page_of_the_document_sent(world, gia, pending) -> None:
    body = gia.get(sign_url(pending)).content.decode()
    assert body.count('class="document-page"') == 2
    assert page_image_url(pending, 1) in body and page_image_url(pending, 2) in body
    response = gia.get(page_image_url(pending, 2))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.format == "PNG" and abs(image.width - 900) <= 1 and image.height > image.width  # a letter page
    assert gia.get(page_image_url(pending, 3)).status_code == 404


def test_page_images_are_only_for_the_signers_open_request(world, gia, pending) -> None:
    select(gia, world.gia_access_mia)  # Gia, but with Mia's profile
    assert gia.get(page_image_url(pending, 1)).status_code == 404
    assert events("access.denied")
    select(gia, world.gia_access_max)
    cancel_request(by=world.ada, request=pending)
    assert gia.get(page_image_url(pending, 1)).status_code == 404


def test_the_blank_signing_form_kept_for_every_signer_holds_nothing_a_signer_typed(world, gia, pending):
    """The form as it first shows is rendered once per language and kept; one holding answers never is."""
    gia.get(sign_url(pending))  # shows (and so ends) the message of the profile's selection
    first = gia.get(sign_url(pending)).content.decode()
    refused = post_signature(gia, pending, method="typed", typed_name="Gia Moreno", password="not my password")
    assert refused.status_code == 400 and "data-typed-preview>Gia Moreno</span>" in refused.content.decode()
    again = gia.get(sign_url(pending)).content.decode()
    assert "Gia Moreno</span>" not in again and 'value="Gia Moreno"' not in again
    assert "There is a problem" not in again and "data-typed-preview></span>" in again
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')
    assert csrf.sub("", again) == csrf.sub("", first)
