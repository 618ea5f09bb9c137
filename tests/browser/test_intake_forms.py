"""Intake forms in a real browser (FORM-3, FORM-4): staff send a packet with a guardian's portal invitation; the
guardian, on a phone, fills it in with a draft kept between visits, a refused submit, a signature drawn with a
finger and a PHQ-9 that raises a safety alert; staff acknowledge both forms, find their sealed PDFs in General
Documents, see the PHQ-9 trend on the chart and mark the alert reviewed."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import BrowserContext, Dialog, Locator, Page, expect
from pypdf import PdfReader

from haven.audit.models import AuditEvent
from haven.clients.models import Client, RelatedContact
from haven.core.encryption import read_decrypted
from haven.documents.models import Category, Document, VersionSource
from haven.intake.models import AssignmentStatus, FormAssignment, Packet, SafetyAlert
from haven.portal_access.models import AccessStatus, ProfileAccess
from haven.signing.models import Capacity
from haven.signing.seal import verify_pdf
from tests.browser.conftest import OpenPage
from tests.browser.helpers import PHONE, assert_accessible, log_in, phone_context, save_screenshots
from tests.browser.test_portal_invitation import (
    FIRST_PASSWORD,
    RAFA_EMAIL,
    RAFA_PASSWORD,
    add_rafa_as_guardian,
    open_contacts_tab,
    portal_icon,
)
from tests.browser.test_share_to_sign import draw_with_finger, ink_pixels
from tests.personas import World

pytestmark = pytest.mark.browser

CONSENT = "Consent for Treatment"
PHQ9 = "PHQ-9"
MESSAGE = "Please complete these two forms before the first session. They take about ten minutes."
THANKS = "Thank you. Your answers were sent to Riverside Counseling."
SIGNATURE_PROBLEM = "Sign in the box: this form needs your signature."
DRAFT_SAVED_BY_SCRIPT = re.compile(r"^Draft saved [A-Z][a-z]{2} \d{1,2}, \d{4}, .+ C[SD]T$")  # the autosave's answer
# Rafa's PHQ-9 answers, item by item (points 0 to 3): item 9 above 0 raises the safety alert.
PHQ9_POINTS = (1, 2, 1, 2, 1, 1, 0, 1, 1)
PHQ9_TOTAL = sum(PHQ9_POINTS)  # 10: Moderate (10 to 14)
FREQUENCY_WORDS = ("Not at all", "Several days", "More than half the days", "Nearly every day")
FILED_PDF_TRIES = 40


def phone_screenshots(page: Page, name: str) -> None:
    """Phone-width screenshots only, the page left at phone width: the guardian stays on the phone."""
    save_screenshots(page, name, desktop=False)
    page.set_viewport_size(PHONE)


def portal_nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Portal").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def choose(question: Locator, answer: str) -> None:
    """Tap an answer's box, as on a phone: the whole box is the label (it lies over the small circle)."""
    radio = question.get_by_role("radio", name=answer, exact=True)
    question.locator(".intake-option").filter(has=question.page.get_by_role("radio", name=answer, exact=True)).tap()
    expect(radio).to_be_checked()


def packet_card(page: Page) -> Locator:
    """The one intake packet of the Forms page, with its message, progress and forms."""
    card = page.get_by_role("region", name="Intake forms")
    expect(card).to_have_count(1)
    return card


def packet_items(card: Locator) -> Locator:
    return card.get_by_role("list", name="Forms in this packet, in order").get_by_role("listitem")


def the_assignment(client: Client, title: str) -> FormAssignment:
    return FormAssignment.objects.select_related("document__type", "document__current_version").get(
        client=client, version__title=title
    )


def acknowledge_and_wait_for_the_pdf(page: Page, title: str) -> None:
    """On a form's answers page: Acknowledge, then reload until the filed PDF's link shows (a task files it)."""
    page.get_by_role("button", name="Acknowledge", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        f"“{title}” was acknowledged. Its PDF is being filed in General Documents."
    )
    expect(page.locator(".badge").filter(has_text="Acknowledged")).to_have_count(1)
    expect(page.get_by_role("button", name="Acknowledge", exact=True)).to_have_count(0)
    filed = page.locator("#filed").get_by_role("link", name="The filed PDF")
    for _ in range(FILED_PDF_TRIES):
        if filed.count():
            return
        page.wait_for_timeout(250)
        page.reload()
    expect(filed).to_be_visible()


def filed_pdf(assignment: FormAssignment) -> tuple[Document, bytes]:
    """The acknowledged form's General Documents entry and its PDF as stored (decrypted)."""
    assignment.refresh_from_db()
    assert assignment.document_id is not None
    document = Document.objects.select_related("type", "current_version").get(pk=assignment.document_id)
    version = document.current_version
    assert version is not None, "the acknowledged form has no filed PDF"
    assert (version.number, version.source, version.content_type) == (1, VersionSource.RENDERED, "application/pdf")
    pdf = read_decrypted(version.storage_name)
    assert pdf.startswith(b"%PDF-")
    return document, pdf


def pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def test_guardian_fills_the_intake_packet_on_a_phone_and_staff_acknowledge_it(
    world: World, open_page: OpenPage, new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    """Ada adds Rafa as Max's guardian, invites him to the portal and sends Consent for Treatment and PHQ-9 with
    the invitation and a message. Rafa, on his phone, sets his password, opens Forms, answers part of the consent
    (the draft saves itself), goes Home and comes back to his answers; submitting without a signature is refused
    beside the signature with his answers kept; he signs with his finger and submits, then answers the PHQ-9 with
    item 9 above 0. Ada finds both forms Pending Acknowledgement and the chart flagged, acknowledges each: their
    sealed PDFs are filed in General Documents (the PHQ-9 as Assessment Results); the chart shows the PHQ-9
    trend with nothing pending, and Mark reviewed clears the flag."""
    # 1. Ada, at her desk: Rafa becomes Max's guardian and is invited, with two intake forms.
    ada = open_page(bypass_csp=True)
    dialogs: list[str] = []

    def accept(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    ada.on("dialog", accept)
    log_in(ada, world.ada.user.email)
    open_contacts_tab(ada, world.max)
    add_rafa_as_guardian(ada, world.max)
    portal_icon(ada, "Rafa Moreno").click()
    expect(ada.get_by_role("heading", level=1, name="Rafa Moreno")).to_be_visible()
    assert len(dialogs) == 1 and "send the invitation" in dialogs[0]
    rafa_contact = RelatedContact.objects.get(client=world.max, email=RAFA_EMAIL)
    access = ProfileAccess.objects.get(account__email=RAFA_EMAIL, client=world.max)
    assert access.status == AccessStatus.PENDING
    expect(ada).to_have_url(re.compile(rf"/staff/clients/{world.max.pk}/portal/{access.pk}/$"))

    section = ada.get_by_role("region", name="Intake forms with the invitation")
    expect(section.get_by_role("checkbox")).to_have_count(8)  # every published default form of the practice
    section.get_by_role("checkbox", name=CONSENT, exact=True).check()
    section.get_by_role("checkbox", name=PHQ9, exact=True).check()
    section.get_by_label("Intake Forms Message").fill(MESSAGE)
    assert_accessible(ada, "the portal access page with intake forms to send")
    save_screenshots(ada, "staff-invitation-intake-forms-chosen", phone=False)
    section.get_by_role("button", name="Send with the invitation").click()

    expect(ada.get_by_role("status")).to_contain_text("2 intake forms will be waiting when they first sign in.")
    section = ada.get_by_role("region", name="Intake forms with the invitation")
    expect(section).to_contain_text("Waiting for their first sign-in:")
    expect(section.get_by_role("listitem")).to_have_text([CONSENT, PHQ9])
    assert_accessible(ada, "the portal access page with intake forms waiting")
    save_screenshots(ada, "staff-invitation-intake-forms", phone=False)

    consent = the_assignment(world.max, CONSENT)
    phq9 = the_assignment(world.max, PHQ9)
    packet = Packet.objects.get(client=world.max)
    assert packet.message == MESSAGE
    for position, assignment in enumerate((consent, phq9)):
        assert (assignment.packet_id, assignment.position, assignment.status) == (
            packet.pk,
            position,
            AssignmentStatus.SENT,
        )
        assert (assignment.capacity, assignment.contact_id, assignment.recipient_name) == (
            Capacity.GUARDIAN,
            rafa_contact.pk,
            "Rafa Moreno",
        )
    assert phq9.version.measure == "phq9" and not consent.version.measure
    # The forms go with the invitation's own email: no other is sent.
    assert [message.to for message in mail.outbox] == [[RAFA_EMAIL]]
    found = re.search(r"https?://[^/\s]+(/p/riverside/invitation/[^/\s]+/)", str(mail.outbox[0].body))
    assert found, mail.outbox[0].body
    invitation_path = found.group(1)

    # 2. Rafa, on his phone: the invitation, his password, then Max's profile with two forms waiting.
    rafa_context = phone_context(new_context, live_server.url)
    rafa = rafa_context.new_page()
    rafa.goto(invitation_path)
    expect(rafa.get_by_role("heading", level=1, name="Create your password")).to_be_visible()
    rafa.get_by_label(FIRST_PASSWORD).fill(RAFA_PASSWORD)
    rafa.get_by_label("Password again").fill(RAFA_PASSWORD)
    rafa.get_by_role("button", name="Save password and continue").click()
    expect(rafa).to_have_url(re.compile(r"/p/riverside/home/$"))
    expect(rafa.get_by_role("heading", level=1)).to_have_text("Max Moreno")
    expect(rafa.get_by_text("You have access as: Legal guardian.")).to_be_visible()
    expect(rafa.locator("#home-forms-count")).to_have_text("2 forms to complete.")

    portal_nav(rafa, "Forms")
    expect(rafa).to_have_url(re.compile(r"/p/riverside/forms/$"))
    expect(rafa.get_by_role("heading", level=1, name="Forms")).to_be_visible()
    expect(rafa.get_by_text("Forms Riverside Counseling asks you to complete for Max Moreno.")).to_be_visible()
    card = packet_card(rafa)
    expect(card).to_contain_text("0 of 2 complete")
    expect(card.locator("progress")).to_have_attribute("value", "0")
    expect(card.locator("progress")).to_have_attribute("max", "2")
    expect(card.locator(".intake-message")).to_contain_text("A message from Riverside Counseling")
    expect(card.locator(".intake-message")).to_contain_text(MESSAGE)
    items = packet_items(card)
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(f"1. {CONSENT}")
    expect(items.nth(1)).to_contain_text(f"2. {PHQ9}")
    expect(items.locator(".intake-status")).to_have_text(["Not started", "Not started"])
    assert_accessible(rafa, "the portal Forms page with a new packet")
    phone_screenshots(rafa, "portal-forms-packet")

    # The consent, answered in part: the draft saves itself after a pause.
    card.get_by_role("link", name=f"Next: {CONSENT}").click()
    expect(rafa.get_by_role("heading", level=1, name=CONSENT)).to_be_visible()
    expect(rafa.get_by_text("For Max Moreno")).to_be_visible()
    agree = rafa.locator("#q-consent_agree")
    choose(agree, "Yes")
    signer = rafa.get_by_label(re.compile(r"^Name of the person signing"))
    signer.fill("Rafa Moreno")
    autosave = rafa.locator("#autosave-status")
    expect(autosave).to_have_attribute("aria-live", "polite")
    expect(autosave).to_have_text(DRAFT_SAVED_BY_SCRIPT, timeout=20_000)
    consent.refresh_from_db()
    assert consent.status == AssignmentStatus.IN_PROGRESS and consent.draft_saved_at is not None
    assert consent.answers == {"consent_agree": "yes", "signer_name": "Rafa Moreno"}
    assert_accessible(rafa, "a form's fill page with a draft saved")
    phone_screenshots(rafa, "portal-form-fill-draft")

    # Away to Home and back: the draft is where he left it.
    portal_nav(rafa, "Home")
    expect(rafa.locator("#home-forms-count")).to_have_text("2 forms to complete.")
    portal_nav(rafa, "Forms")
    card = packet_card(rafa)
    expect(packet_items(card).locator(".intake-status")).to_have_text(["In progress", "Not started"])
    card.get_by_role("link", name=f"Continue: {CONSENT}").click()
    expect(rafa.get_by_role("heading", level=1, name=CONSENT)).to_be_visible()
    agree = rafa.locator("#q-consent_agree")
    expect(agree.get_by_role("radio", name="Yes", exact=True)).to_be_checked()
    expect(agree.get_by_role("radio", name="No", exact=True)).not_to_be_checked()
    expect(rafa.get_by_label(re.compile(r"^Name of the person signing"))).to_have_value("Rafa Moreno")
    expect(rafa.locator("#autosave-status")).to_have_text(re.compile(r"^Draft saved \S"))

    # Submitting without a signature: refused, the problem beside the signature, every answer kept.
    relationship = rafa.locator("#q-relationship")
    choose(relationship, "The client's parent or legal guardian")
    rafa.get_by_role("button", name="Submit", exact=True).click()
    summary = rafa.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("listitem")).to_have_text([f"Signature — {SIGNATURE_PROBLEM}"])
    signature = rafa.locator("[data-intake-signature]")
    expect(signature.locator("#q-signature-error")).to_have_text(SIGNATURE_PROBLEM)
    expect(signature.locator("#q-signature")).to_have_class(re.compile(r"\bis-invalid\b"))
    canvas = signature.get_by_role("img", name="Signature pad")
    expect(canvas).to_have_attribute("aria-describedby", re.compile(r"\bq-signature-error\b"))
    expect(rafa.locator(".invalid-feedback")).to_have_count(1)
    expect(rafa.locator("#q-consent_agree").get_by_role("radio", name="Yes", exact=True)).to_be_checked()
    expect(rafa.get_by_label(re.compile(r"^Name of the person signing"))).to_have_value("Rafa Moreno")
    expect(
        rafa.locator("#q-relationship").get_by_role("radio", name="The client's parent or legal guardian")
    ).to_be_checked()
    consent.refresh_from_db()
    assert consent.status == AssignmentStatus.IN_PROGRESS and consent.submitted_at is None
    assert consent.answers == {"consent_agree": "yes", "signer_name": "Rafa Moreno", "relationship": "guardian"}
    assert_accessible(rafa, "a form refused for a missing signature")
    phone_screenshots(rafa, "portal-form-refused")

    # The summary's link leads to the pad; he signs with his finger and submits.
    summary.get_by_role("link", name=re.compile(r"^Signature")).click()
    expect(rafa.locator("#q-signature")).to_be_focused()
    assert ink_pixels(canvas) == 0
    draw_with_finger(rafa_context, rafa, canvas)
    assert ink_pixels(canvas) > 100
    expect(signature.locator("[data-signature-state]")).to_have_text("Signed. Select Clear to sign again.")
    expect(signature.locator("#q-signature-error")).to_have_count(0)
    phone_screenshots(rafa, "portal-form-signed")
    assert ink_pixels(canvas) > 100  # the drawing survives the screenshots' resizing
    rafa.get_by_role("button", name="Submit", exact=True).click()

    expect(rafa).to_have_url(re.compile(r"/p/riverside/forms/$"))
    expect(rafa.get_by_role("status").filter(has_text=THANKS)).to_be_visible()
    card = packet_card(rafa)
    expect(card).to_contain_text("1 of 2 complete")
    expect(card.locator("progress")).to_have_attribute("value", "1")
    items = packet_items(card)
    expect(items.locator(".intake-status")).to_have_text(["Submitted", "Not started"])
    expect(items.nth(0)).to_contain_text("View your answers")
    consent.refresh_from_db()
    assert consent.status == AssignmentStatus.SUBMITTED and consent.submitter_name == "Rafa Moreno"
    signed = consent.answers["signature"]
    assert isinstance(signed, dict) and signed["image"].startswith("data:image/png;base64,")

    # The PHQ-9, every item answered, item 9 above 0.
    card.get_by_role("link", name=f"Next: {PHQ9}").click()
    expect(rafa.get_by_role("heading", level=1, name=PHQ9)).to_be_visible()
    for number, points in enumerate(PHQ9_POINTS, start=1):
        choose(rafa.locator(f"#q-phq9_{number}"), FREQUENCY_WORDS[points])
    choose(rafa.locator("#q-phq9_difficulty"), "Somewhat difficult")
    assert_accessible(rafa, "the PHQ-9 fill page")
    phone_screenshots(rafa, "portal-form-phq9")
    rafa.get_by_role("button", name="Submit", exact=True).click()

    expect(rafa).to_have_url(re.compile(r"/p/riverside/forms/$"))
    expect(rafa.get_by_role("status").filter(has_text=THANKS)).to_be_visible()
    card = packet_card(rafa)
    expect(card).to_contain_text("2 of 2 complete")
    expect(card.locator("progress")).to_have_attribute("value", "2")
    expect(card.get_by_role("status")).to_have_text("Every form of this packet is submitted. Thank you.")
    expect(card.get_by_role("link", name=re.compile(r"^(Next|Continue):"))).to_have_count(0)
    items = packet_items(card)
    expect(items.locator(".intake-status")).to_have_text(["Submitted", "Submitted"])
    expect(items.filter(has_text="View your answers")).to_have_count(2)
    assert_accessible(rafa, "the Forms page with the packet complete")
    phone_screenshots(rafa, "portal-forms-complete")
    portal_nav(rafa, "Home")
    expect(rafa.locator("#home-forms")).to_have_count(0)

    phq9.refresh_from_db()
    assert (phq9.status, phq9.total, phq9.band, phq9.measure) == (
        AssignmentStatus.SUBMITTED,
        PHQ9_TOTAL,
        "moderate",
        "phq9",
    )
    alert = SafetyAlert.objects.get(assignment=phq9)
    assert alert.reviewed_at is None and alert.client_id == world.max.pk
    # Ada (the administrator who sent it) is told at once, with no health information.
    [alert_email] = [message for message in mail.outbox if message.to == [world.ada.user.email]]
    assert str(alert_email.subject) == "Riverside Counseling: a form answer needs a clinician's review"
    for detail in ("PHQ", "Max", "Rafa", "Several days", str(PHQ9_TOTAL)):
        assert detail not in str(alert_email.subject) + str(alert_email.body), detail

    # 3. Ada: the chart is flagged and both forms wait for her.
    ada.goto(f"/staff/clients/{world.max.pk}/")
    ada.locator(".chart-tabs").get_by_role("link", name="Intake Forms", exact=True).click()
    expect(ada).to_have_url(re.compile(rf"/staff/clients/{world.max.pk}/intake/$"))
    flag = ada.locator("#safety-alert")
    expect(flag).to_contain_text("A PHQ-9 answer needs a clinician's review")
    expect(flag.get_by_role("button", name="Mark reviewed")).to_be_visible()
    pending = ada.locator("#pending")
    expect(pending.get_by_role("heading", level=2)).to_have_text(re.compile(r"^Pending Acknowledgement\s+2$"))
    waiting = pending.get_by_role("listitem")
    expect(waiting).to_have_count(2)
    expect(waiting.nth(0)).to_contain_text(CONSENT)
    expect(waiting.nth(0)).to_contain_text("Submitted by Rafa Moreno")
    expect(waiting.nth(0)).not_to_contain_text("Needs review")
    expect(waiting.nth(1)).to_contain_text(PHQ9)
    expect(waiting.nth(1)).to_contain_text("Needs review")
    expect(waiting.nth(1)).to_contain_text(f"PHQ-9: {PHQ9_TOTAL} of 27 — Moderate")
    sent = ada.locator("#sent-forms")
    expect(sent).to_contain_text("2 of 2 complete")
    expect(sent.locator(".badge").filter(has_text="Pending Acknowledgement")).to_have_count(2)
    assert_accessible(ada, "the Intake Forms tab with forms pending and a safety alert")
    save_screenshots(ada, "staff-intake-pending", phone=False)

    # The PHQ-9: its score and the alert's item, then Acknowledge.
    waiting.nth(1).get_by_role("link", name=f"Review {PHQ9}").click()
    expect(ada).to_have_url(re.compile(rf"/staff/clients/{world.max.pk}/intake/{phq9.pk}/$"))
    expect(ada.get_by_role("heading", level=2, name=PHQ9)).to_be_visible()
    expect(ada.locator("[data-score]")).to_have_text(f"{PHQ9_TOTAL} of 27 — Moderate")
    expect(ada.locator("#form-alert")).to_contain_text("Item 9 was answered above 0 (“Several days”)")
    sent_line = ada.locator("p", has_text="Version 1 ·")
    expect(sent_line).to_contain_text("by Ada Admin to Rafa Moreno (legal guardian)")
    assert_accessible(ada, "the PHQ-9 answers pending acknowledgement")
    save_screenshots(ada, "staff-intake-phq9-answers", phone=False)
    acknowledge_and_wait_for_the_pdf(ada, PHQ9)

    document, pdf = filed_pdf(phq9)
    assert (document.type.name, document.type.category, document.type.clinical) == (
        "Assessment Results",
        Category.EVALUATION,
        True,
    )
    assert (document.title, document.client_id, document.author_id) == (PHQ9, world.max.pk, world.ada.pk)
    report = verify_pdf(pdf, practice=world.riverside)
    assert report.ok, report.problem
    text = pdf_text(pdf)
    for expected in ("Max Moreno", "Rafa Moreno", "Ada Admin", "Moderate"):
        assert expected in text, f"{expected!r} is not in the filed PHQ-9:\n{text}"
    assert_accessible(ada, "the PHQ-9 once acknowledged")
    save_screenshots(ada, "staff-intake-phq9-acknowledged", phone=False)

    # Its General Documents entry, and the same sealed file to download.
    ada.locator("#filed").get_by_role("link", name="The filed PDF").click()
    expect(ada).to_have_url(re.compile(rf"/staff/clients/{world.max.pk}/documents/{document.pk}/$"))
    expect(ada.get_by_role("heading", level=2, name=PHQ9)).to_be_visible()
    expect(ada.get_by_role("region", name="Details")).to_contain_text("Assessment Results")
    download = ada.request.get(f"/staff/clients/{world.max.pk}/documents/{document.pk}/file/?download=1")
    assert download.status == 200 and download.headers["content-type"] == "application/pdf"
    assert download.body() == pdf

    # The consent, with Rafa's drawn signature, acknowledged too: filed as the practice's intake type.
    ada.locator(".chart-tabs").get_by_role("link", name="Intake Forms", exact=True).click()
    pending = ada.locator("#pending")
    expect(pending.get_by_role("listitem")).to_have_count(1)
    pending.get_by_role("link", name=f"Review {CONSENT}").click()
    expect(ada.get_by_role("heading", level=2, name=CONSENT)).to_be_visible()
    expect(ada.get_by_role("img", name="Signature drawn by Rafa Moreno")).to_be_visible()
    acknowledge_and_wait_for_the_pdf(ada, CONSENT)
    document, pdf = filed_pdf(consent)
    assert (document.type.name, document.type.category) == ("Completed Intake Packet", Category.INTAKE)
    assert verify_pdf(pdf, practice=world.riverside).ok
    assert "Rafa Moreno" in pdf_text(pdf)

    # Both are in the Documents tab, each under its type.
    ada.locator(".chart-tabs").get_by_role("link", name="Documents", exact=True).click()
    for title, type_name in ((PHQ9, "Assessment Results"), (CONSENT, "Completed Intake Packet")):
        row = ada.get_by_role("row").filter(has=ada.get_by_role("link", name=title, exact=True))
        expect(row).to_have_count(1)
        expect(row).to_contain_text(type_name)
    assert_accessible(ada, "the Activity Log with the filed forms")
    save_screenshots(ada, "staff-activity-log-intake", phone=False)

    # The Intake Forms tab: nothing pending, the PHQ-9 trend as a chart and a table; the flag until reviewed.
    ada.locator(".chart-tabs").get_by_role("link", name="Intake Forms", exact=True).click()
    expect(ada.locator("#pending")).to_have_count(0)
    sent = ada.locator("#sent-forms")
    expect(sent.locator(".badge").filter(has_text="Acknowledged")).to_have_count(2)
    expect(sent.get_by_role("link", name="In General Documents")).to_have_count(2)
    scores = ada.get_by_role("region", name="Scores over time")
    trend = scores.get_by_role("figure", name=PHQ9)
    expect(trend).to_contain_text(f"Latest: {PHQ9_TOTAL} of 27 — Moderate")
    chart = trend.get_by_role("img", name=f"{PHQ9} totals over time")
    expect(chart).to_be_visible()
    expect(chart.locator("circle")).to_have_count(1)
    expect(chart.locator('text[font-weight="600"]')).to_have_text([str(PHQ9_TOTAL)])  # the point's value
    trend.get_by_text("Show as table").click()
    table = trend.get_by_role("table")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator("td").nth(1)).to_have_text(str(PHQ9_TOTAL))
    expect(rows.locator("td").nth(2)).to_have_text("Moderate")
    expect(ada.locator("#safety-alert")).to_be_visible()
    assert_accessible(ada, "the Intake Forms tab with the PHQ-9 trend")
    save_screenshots(ada, "staff-intake-trend", phone=False)

    ada.locator("#safety-alert").get_by_role("button", name="Mark reviewed").click()
    expect(ada).to_have_url(re.compile(rf"/staff/clients/{world.max.pk}/intake/$"))
    expect(ada.get_by_role("status")).to_contain_text("The safety alert was marked reviewed.")
    expect(ada.locator("#safety-alert")).to_have_count(0)
    expect(ada.get_by_text("Needs review")).to_have_count(0)
    alert.refresh_from_db()
    assert alert.reviewed_at is not None and alert.reviewed_by_id == world.ada.pk
    assert_accessible(ada, "the Intake Forms tab after the alert was reviewed")
    save_screenshots(ada, "staff-intake-reviewed", phone=False)

    # The Chart Face: the latest PHQ-9 total, nothing pending, no flag.
    ada.locator(".chart-tabs").get_by_role("link", name="Chart Face", exact=True).click()
    face = ada.get_by_role("region", name="Intake Forms")
    expect(face.locator("[data-latest-score]")).to_have_text(
        re.compile(rf"^{PHQ9}: {PHQ9_TOTAL} \(Moderate\), \d{{1,2}} \w{{3}}$")
    )
    expect(face).not_to_contain_text("Pending Acknowledgement")
    expect(ada.locator("#safety-alert")).to_have_count(0)

    # Every step is on the record.
    actions = list(
        AuditEvent.objects.filter(action__startswith="intake.").order_by("id").values_list("action", flat=True)
    )
    for code, count in (
        ("intake.sent", 1),
        ("intake.refused", 1),
        ("intake.submitted", 2),
        ("intake.alert_raised", 1),
        ("intake.acknowledged", 2),
        ("intake.alert_reviewed", 1),
    ):
        assert actions.count(code) == count, (code, actions)
    assert "intake.draft_saved" in actions
