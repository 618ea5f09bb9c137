"""What the portal and the staff pages say when a signature request or a guardian's access has run its course:
an out-of-date request on My Documents, a signed document offered for Share to Sign again, and a guardian's
access ended at the client's age of majority, on the guardian's phone and on the staff Portal tab."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from haven.documents.actions import add_version
from haven.portal_access.actions.guardianship import end_guardian_access_at_majority
from haven.signing.requests import request_signature
from haven.signing.tests.flow import sign, treatment_plan
from haven.signing.tests.helpers import document_pdf
from tests.browser.conftest import OpenPage
from tests.browser.helpers import PHONE, assert_accessible, log_in, save_screenshots
from tests.personas import PASSWORD, World

pytestmark = pytest.mark.browser

TITLE = "Treatment plan: sleep and school mornings"


def portal_sign_in(page: Page, email: str) -> None:
    page.goto("/p/riverside/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_an_out_of_date_request_reads_out_of_date_on_my_documents_with_nothing_to_sign(
    world: World, open_page: OpenPage
) -> None:
    plan = treatment_plan(world.ada, world.max, title=TITLE)
    request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    add_version(by=world.ada, document=plan, data=document_pdf(1))

    gia = open_page(bypass_csp=True)
    gia.set_viewport_size(PHONE)
    portal_sign_in(gia, world.gia_account.email)
    gia.goto("/p/riverside/documents/")
    card = gia.get_by_role("listitem").filter(has=gia.get_by_role("heading", name=TITLE))
    expect(card).to_contain_text("Out of date")
    expect(card).to_contain_text("The practice has been told and can send you a new request.")
    expect(card).not_to_contain_text("Pending Review")
    expect(card.get_by_role("link", name=re.compile("^Review and sign"))).to_have_count(0)
    assert_accessible(gia, "My Documents with an out-of-date request")
    save_screenshots(gia, "portal-documents-out-of-date", desktop=False)


def test_share_to_sign_on_a_signed_document_says_so_before_anyone_is_chosen(world: World, open_page: OpenPage) -> None:
    plan = treatment_plan(world.ada, world.max, title=TITLE)
    request = request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    sign(request, world.gia_account, world.gia_access_max)  # committed: the sealed version is made at once

    ada = open_page(bypass_csp=True)
    log_in(ada, world.ada.user.email)
    ada.goto(f"/staff/clients/{world.max.pk}/documents/{plan.pk}/#share-to-sign")
    section = ada.get_by_role("region", name="Share to Sign")
    expect(section).to_contain_text(re.compile(r"Already signed: Gia Moreno signed it on \d{4}-\d{2}-\d{2}"))
    expect(section).to_contain_text("A new request asks for a new signature on the signed version")
    expect(section.get_by_role("radio", checked=True)).to_have_count(0)
    assert_accessible(ada, "Share to Sign on a signed document")
    save_screenshots(ada, "staff-share-to-sign-signed", phone=False)


def test_a_guardian_reads_why_a_profile_ended_and_staff_see_when(world: World, open_page: OpenPage) -> None:
    birthday = world.mia.date_of_birth.replace(year=world.mia.date_of_birth.year + 18)
    end_guardian_access_at_majority(today=birthday)

    gia = open_page(bypass_csp=True)
    gia.set_viewport_size(PHONE)
    portal_sign_in(gia, world.gia_account.email)
    gia.goto("/p/riverside/home/")
    notice = gia.get_by_role("region", name="Access that has ended")
    expect(notice).to_contain_text("Your access to one profile ended because the client reached the age of majority.")
    expect(notice).not_to_contain_text("Mia")
    assert_accessible(gia, "the portal home with an access ended at majority")
    save_screenshots(gia, "portal-home-majority-ended", desktop=False)

    ada = open_page(bypass_csp=True)
    log_in(ada, world.ada.user.email)
    ada.goto(f"/staff/clients/{world.mia.pk}/portal/")
    row = ada.get_by_role("row").filter(has_text="gia@example.com")
    expect(row).to_contain_text(re.compile(r"Ended at age of majority on \d{4}-\d{2}-\d{2}"))
    expect(row).not_to_contain_text("Active")
    assert_accessible(ada, "the staff Portal tab with an access ended at majority")
    save_screenshots(ada, "staff-portal-tab-majority-ended")
