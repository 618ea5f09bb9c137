"""Share to Sign in a real browser (SIGN-1..SIGN-5): an administrator asks a guardian to sign a treatment
plan; the guardian, on her phone, finds the record request in her inbox, consents, draws with her finger,
clears, draws again and signs with her password; staff then see Shared and Signed, check the seal and
download the sealed PDF."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, FloatRect, Locator, Page, Response, expect
from pypdf import PdfReader

from haven.audit.models import AuditEvent
from haven.documents.models import Document, VersionSource
from haven.signing.models import Capacity, RequestStatus, Signature, SignatureMethod, SignatureRequest
from haven.signing.requests import request_signature
from haven.signing.seal import verify_pdf
from haven.signing.tests.flow import treatment_plan
from tests.browser.conftest import OpenPage
from tests.browser.helpers import DESKTOP, PHONE, assert_accessible, log_in, phone_context, save_screenshots
from tests.personas import PASSWORD, World, give_ana_a_portal_login

pytestmark = pytest.mark.browser

TITLE = "Treatment plan: sleep and school mornings"
CONFIRMATION = "Thank you. Your signature was recorded."


def ink_pixels(canvas: Locator) -> int:
    """How many pixels of the signature canvas carry ink."""
    count: int = canvas.evaluate(
        """(canvas) => {
            const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            let inked = 0;
            for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) inked++; }
            return inked;
        }"""
    )
    return count


def settled_box(page: Page, canvas: Locator) -> FloatRect:
    """Where the pad is once it stops moving: Add Signature scrolls it into view smoothly, and a touch sent
    at where it was a moment ago lands beside it."""
    box = canvas.bounding_box()
    for _ in range(100):
        page.wait_for_timeout(50)
        again = canvas.bounding_box()
        if again is not None and again == box:
            return again
        box = again
    raise AssertionError(f"the signature pad never stopped moving: {box}")


def draw_with_mouse(page: Page, canvas: Locator) -> None:
    """A scribble drawn with the mouse (pointer events of type mouse)."""
    box = settled_box(page, canvas)
    left, top, width, height = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(left + width * 0.1, top + height * 0.7)
    page.mouse.down()
    for step in range(1, 13):
        page.mouse.move(left + width * (0.1 + step * 0.06), top + height * (0.3 if step % 2 else 0.7), steps=3)
    page.mouse.up()


def draw_with_finger(context: BrowserContext, page: Page, canvas: Locator) -> None:
    """A signature drawn by touch: real touch events, which Chromium turns into pointer events of type touch."""
    box = settled_box(page, canvas)
    left, top, width, height = box["x"], box["y"], box["width"], box["height"]
    cdp = context.new_cdp_session(page)
    points = [(left + width * (0.12 + n * 0.05), top + height * (0.35 if n % 3 else 0.7)) for n in range(15)]
    cdp.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": points[0][0], "y": points[0][1]}]}
    )
    for x, y in points[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def wait_for_document_pages(page: Page) -> None:
    """Load every page image of the document and wait for its pixels, so nothing above the pad moves it later.

    The images load lazily and have no height until they do: one arriving mid-drawing shifts the pad under
    the finger.
    """
    page.evaluate(
        "() => document.querySelectorAll('img.document-page').forEach((image) => { image.loading = 'eager'; })"
    )
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.document-page')]"
        ".every((image) => image.complete && image.naturalWidth > 0)"
    )


def portal_sign_in(page: Page, email: str) -> None:
    page.goto("/p/riverside/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_guardian_signs_on_her_phone_and_staff_download_the_sealed_pdf(
    world: World, open_page: OpenPage, new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    """Ada sends Max's treatment plan to Gia with Share to Sign: the Activity Log shows Pending Signature.
    Gia signs in on her phone and lands in her inbox, opens the record request, then Review and sign; the
    document opens as a PDF. She ticks the consent, selects Add Signature, draws with her finger, clears
    (the pad is empty again), draws again and signs with her password. My Documents confirms and tags the
    plan Signed; her download is the sealed PDF with a certificate page. Ada sees Shared and Signed, the seal
    checks out, and her download is the same sealed file. Every step is on the audit trail."""
    plan = treatment_plan(world.ada, world.max, title=TITLE)
    original = plan.current_version
    assert original is not None

    # 1. Ada: Share to Sign, to Gia as Max's legal guardian.
    ada = open_page(bypass_csp=True)
    log_in(ada, world.ada.user.email)
    ada.goto(f"/staff/clients/{world.max.pk}/documents/{plan.pk}/")
    expect(ada.get_by_role("heading", level=2, name=TITLE)).to_be_visible()
    section = ada.get_by_role("region", name="Share to Sign")
    section.get_by_role("radio", name=re.compile(r"^Gia Moreno, legal guardian for Max Moreno")).check()
    section.get_by_role("button", name="Share to Sign").click()
    expect(ada.get_by_role("status")).to_contain_text("The document was shared for signature.")
    request = SignatureRequest.objects.get(document=plan)
    assert (request.capacity, request.contact, request.status) == (Capacity.GUARDIAN, world.gia, RequestStatus.PENDING)
    assert_accessible(ada, "the document page with a pending signature request")
    ada.goto(f"/staff/clients/{world.max.pk}/documents/")
    row = ada.get_by_role("row").filter(has=ada.get_by_role("link", name=TITLE, exact=True))
    expect(row).to_contain_text("Pending Signature")

    # 2. Gia, on her phone: inbox, record request, Review and sign.
    gia_context = phone_context(new_context, live_server.url)
    gia = gia_context.new_page()
    page_images: list[tuple[int, str]] = []

    def note_page_image(response: Response) -> None:
        if re.search(r"/sign/\d+/pages/\d+\.png$", response.url):
            page_images.append((response.status, response.headers.get("content-type", "")))

    gia.on("response", note_page_image)
    portal_sign_in(gia, world.gia_account.email)
    expect(gia).to_have_url(re.compile(r"/p/riverside/inbox/$"))
    expect(gia.get_by_role("link", name=re.compile(r"^Inbox\s*, 1 unread$"))).to_be_visible()
    assert_accessible(gia, "the portal inbox")
    gia.get_by_role("link", name=re.compile(rf"Please review and sign: {re.escape(TITLE)}")).click()
    gia.get_by_role("link", name="Review and sign").click()
    expect(gia.get_by_role("heading", level=1, name="Review and sign")).to_be_visible()
    expect(gia.get_by_text("Gia Moreno — for Max Moreno as legal guardian")).to_be_visible()
    opened = gia.get_by_role("link", name=re.compile(r"^Open the document"))
    document_href = opened.get_attribute("href")
    assert document_href is not None
    shown = gia.request.get(document_href)
    assert shown.status == 200 and shown.headers["content-type"] == "application/pdf"

    # The pages are readable right here too, as images of the version that was sent.
    pages = gia.get_by_role("group", name="The document, page by page").get_by_role("img")
    expect(pages).to_have_count(len(PdfReader(io.BytesIO(shown.body())).pages))
    pages.first.scroll_into_view_if_needed()
    # An image that failed to load is "complete" too: wait for its pixels, then check every answer.
    gia.wait_for_function("(image) => image.complete && image.naturalWidth > 0", arg=pages.first.element_handle())
    assert pages.first.evaluate("(image) => image.naturalWidth") >= 900
    assert page_images and all(answer == (200, "image/png") for answer in page_images), page_images

    gia.get_by_label("I agree to sign electronically").check()
    gia.get_by_role("button", name="Add Signature").click()
    canvas = gia.get_by_role("img", name="Signature pad")
    expect(canvas).to_be_visible()
    draw_with_finger(gia_context, gia, canvas)
    assert ink_pixels(canvas) > 100
    gia.get_by_role("button", name="Clear").click()
    assert ink_pixels(canvas) == 0
    # An empty pad is refused before anything is sent.
    gia.get_by_label("Your portal password").fill(PASSWORD)
    gia.get_by_role("button", name="Sign Document").click()
    expect(gia.get_by_text("Draw your signature in the box before selecting Sign Document.")).to_be_visible()
    assert not Signature.objects.exists()
    draw_with_finger(gia_context, gia, canvas)
    assert ink_pixels(canvas) > 100
    assert_accessible(gia, "the signing page")
    save_screenshots(gia, "portal-sign")  # phone and desktop widths; the drawing survives the resize
    gia.set_viewport_size(PHONE)
    assert ink_pixels(canvas) > 100
    gia.get_by_role("button", name="Sign Document").click()

    expect(gia).to_have_url(re.compile(r"/p/riverside/documents/$"))
    expect(gia.get_by_role("status")).to_contain_text(CONFIRMATION)
    card = (
        gia.get_by_role("list", name="Documents")
        .get_by_role("listitem")
        .filter(has=gia.get_by_role("heading", name=TITLE))
    )
    expect(card).to_contain_text("Signed")
    expect(card).not_to_contain_text("Pending Review")
    assert_accessible(gia, "My Documents after signing")
    save_screenshots(gia, "portal-signed", desktop=False)
    gia.set_viewport_size(PHONE)
    with gia.expect_download() as download_info:
        card.get_by_role("link", name=re.compile(r"^Download")).click()
    signed_pdf = Path(download_info.value.path()).read_bytes()

    signature = Signature.objects.select_related("signed_version").get(request=request)
    assert signature.signed_version is not None
    assert signature.device == "Chrome Mobile 156 on Android 14, Pixel 8"
    document = Document.objects.get(pk=plan.pk)
    assert document.current_version_id == signature.signed_version.pk
    assert signature.signed_version.source == VersionSource.SIGNED
    report = verify_pdf(signed_pdf, practice=world.riverside)  # in Playwright's loop: pyHanko runs aside
    assert report.ok, report.problem
    assert len(PdfReader(io.BytesIO(signed_pdf)).pages) == len(PdfReader(io.BytesIO(shown.body())).pages) + 1

    # 3. Ada: Shared and Signed, the seal checks out, and the signed PDF downloads.
    ada.reload()
    row = ada.get_by_role("row").filter(has=ada.get_by_role("link", name=TITLE, exact=True))
    expect(row).to_contain_text("Shared and Signed")
    save_screenshots(ada, "staff-activity-log-signed", phone=False)
    row.get_by_role("link", name=TITLE, exact=True).click()
    expect(ada.get_by_role("heading", level=2, name=TITLE)).to_be_visible()
    expect(ada.get_by_text("Gia Moreno").first).to_be_visible()
    assert_accessible(ada, "the document page with a signed request")
    save_screenshots(ada, "staff-document-signed", phone=False)
    ada.get_by_role("link", name=re.compile(r"^Check seal")).first.click()
    expect(ada.get_by_text(re.compile(r"Seal intact and valid"))).to_be_visible()
    save_screenshots(ada, "staff-seal-check", phone=False)
    staff_copy = ada.request.get(f"/staff/clients/{world.max.pk}/documents/{plan.pk}/file/?download=1")
    assert staff_copy.status == 200 and staff_copy.body() == signed_pdf
    # The Chart Face offers the signed version too.
    ada.goto(f"/staff/clients/{world.max.pk}/")
    latest = ada.get_by_role("region", name="Documents").get_by_role("row").filter(has_text=TITLE)
    expect(latest).to_contain_text("Shared and Signed")
    expect(latest.get_by_role("link", name=re.compile(r"^Download signed PDF"))).to_be_visible()
    assert_accessible(ada, "the Chart Face with a signed document")
    save_screenshots(ada, "staff-chart-face-signed")

    # 4. The audit trail.
    actions = list(
        AuditEvent.objects.filter(action__startswith="signature.").order_by("id").values_list("action", flat=True)
    )
    for expected in ("signature.requested", "signature.viewed", "signature.consented"):
        assert expected in actions, actions
    assert actions.count("signature.signed") == 1 and actions.count("signature.sealed") == 1
    signed_event = AuditEvent.objects.get(action="signature.signed")
    assert signed_event.ip and signed_event.acting_for == world.max.full_name


def test_a_client_signs_with_the_keyboard_alone_by_typing_her_name(world: World, open_page: OpenPage) -> None:
    """Ana cannot use a mouse. From the keyboard alone she ticks the consent, opens Add Signature,
    chooses Type, types her name (the preview writes it in the handwriting style), gives her password
    and signs. The sealed PDF carries her typed name, and its certificate says the signature was typed."""
    give_ana_a_portal_login(world)
    plan = treatment_plan(world.ada, world.ana, title=TITLE)
    request = request_signature(by=world.ada, document=plan, signer_key="client")

    ana = open_page(bypass_csp=True)
    portal_sign_in(ana, "ana@example.com")
    ana.goto(f"/p/riverside/sign/{request.pk}/")
    expect(ana.get_by_role("heading", level=1, name="Review and sign")).to_be_visible()

    consent = ana.get_by_label("I agree to sign electronically")
    consent.focus()
    ana.keyboard.press("Space")
    expect(consent).to_be_checked()
    ana.keyboard.press("Tab")
    expect(ana.get_by_role("button", name="Add Signature")).to_be_focused()
    ana.keyboard.press("Enter")
    ana.keyboard.press("Tab")
    expect(ana.get_by_role("radio", name="Draw")).to_be_focused()
    ana.keyboard.press("ArrowRight")  # a radio group: the arrow keys choose
    expect(ana.get_by_role("radio", name="Type")).to_be_checked()
    expect(ana.get_by_role("img", name="Signature pad")).to_be_hidden()
    ana.keyboard.press("Tab")
    typed = ana.get_by_label("Type your full name")
    expect(typed).to_be_focused()
    ana.keyboard.type("Ana Álvarez")
    preview = ana.locator("[data-typed-preview]")
    expect(preview).to_have_text("Ana Álvarez")
    assert "Haven Signature" in preview.evaluate("(element) => getComputedStyle(element).fontFamily")
    # The handwriting font (its Latin part, for these letters) loads from Haven's own static files.
    faces = ana.evaluate(
        "async () => (await document.fonts.load('16px \"Haven Signature\"', 'Ana Álvarez')).map((f) => f.status)"
    )
    assert faces == ["loaded"]
    # And so it does with Haven's Content Security Policy on (this page turns it off for axe-core).
    strict = open_page()
    portal_sign_in(strict, "ana@example.com")
    strict.goto(f"/p/riverside/sign/{request.pk}/")
    assert strict.evaluate(
        "async () => (await document.fonts.load('16px \"Haven Signature\"', 'Ana')).map((f) => f.status)"
    ) == ["loaded"]
    strict.context.close()
    assert_accessible(ana, "the signing page, typing a signature")
    save_screenshots(ana, "portal-sign-typed")
    ana.set_viewport_size(DESKTOP)

    password = ana.get_by_label("Your portal password")
    password.focus()
    ana.keyboard.type(PASSWORD)
    ana.keyboard.press("Enter")

    expect(ana).to_have_url(re.compile(r"/p/riverside/documents/$"))
    expect(ana.get_by_role("status")).to_contain_text(CONFIRMATION)
    signature = Signature.objects.select_related("signed_version").get(request=request)
    assert (signature.method, signature.typed_name, signature.signer_name) == (
        SignatureMethod.TYPED,
        "Ana Álvarez",
        "Ana Alvarez",
    )
    assert signature.signed_version is not None
    signed_pdf = ana.request.get(f"/p/riverside/documents/{plan.pk}/download/").body()
    assert verify_pdf(signed_pdf, practice=world.riverside).ok
    certificate = PdfReader(io.BytesIO(signed_pdf)).pages[-1].extract_text()
    assert "Typed: “Ana Álvarez”" in re.sub(r"\s+", " ", certificate)


def test_a_wrong_password_on_a_phone_moves_focus_to_the_error_summary_at_the_top_of_the_form(
    world: World, new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    """Gia signs on her 390 px phone but mistypes her password. The page comes back with focus on the error
    summary at the top of the form (not the page body, not the top of a long page), in view; its link takes
    her to the password. Her consent and her drawing are kept."""
    plan = treatment_plan(world.ada, world.max, title=TITLE, pages=3)
    request = request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    context = new_context(base_url=live_server.url, viewport=PHONE, bypass_csp=True, has_touch=True, is_mobile=True)
    context.set_default_timeout(10_000)
    gia = context.new_page()
    portal_sign_in(gia, world.gia_account.email)
    gia.goto(f"/p/riverside/sign/{request.pk}/")
    wait_for_document_pages(gia)
    gia.get_by_label("I agree to sign electronically").check()
    gia.get_by_role("button", name="Add Signature").click()
    canvas = gia.get_by_role("img", name="Signature pad")
    expect(canvas).to_be_visible()
    draw_with_finger(context, gia, canvas)
    assert ink_pixels(canvas) > 100
    gia.get_by_label("Your portal password").fill("not my password")
    gia.get_by_role("button", name="Sign Document").click()

    summary = gia.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("That password is not right.")
    assert gia.evaluate("() => window.scrollY") > 0  # the form is far down the page: it was brought into view
    expect(gia.get_by_label("I agree to sign electronically")).to_be_checked()
    assert ink_pixels(canvas) > 100
    assert_accessible(gia, "the signing page after a wrong password")
    save_screenshots(gia, "portal-sign-error-summary", desktop=False)
    gia.set_viewport_size(PHONE)
    gia.evaluate("() => document.querySelector('[data-error-summary]').focus()")

    summary.get_by_role("link", name=re.compile(r"^That password is not right")).click()
    password = gia.get_by_label("Your portal password")
    expect(password).to_be_focused()
    expect(password).to_be_in_viewport()
    assert not Signature.objects.filter(request=request).exists()
