"""Secure messages for staff (MSG-1, MSG-2): the inbox and its unread counts, a thread, replying, archiving,
assigning, attachments and filing them into the chart, writing from a chart, the practice's settings and the
staff member's own emails; who is refused; what an email never says; queries that don't grow with the inbox."""

from __future__ import annotations

import re
from html import unescape
from typing import TYPE_CHECKING, Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.core.encryption import read_decrypted
from haven.documents.models import Document, DocumentType
from haven.messaging import actions
from haven.messaging.models import Attachment, EmailPreference, Message, MessagingSettings, Participant, Thread
from haven.portal_access.models import AccessStatus, ProfileAccess
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import StaffMember
from haven.practices.viewers import StaffViewer
from tests.personas import ONE_BLANK_PAGE_PDF, World

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

CANARY = "Zebracanary42"


# --- Helpers --------------------------------------------------------------------------------------------------------


def page(response: TestResponse) -> str:
    return unescape(response.content.decode())


def gia(world: World) -> PortalViewer:
    return PortalViewer(account=world.gia_account, practice=world.riverside, profile=world.gia_access_max)


def team(world: World, *members: StaffMember) -> None:
    found, _created = MessagingSettings.objects.get_or_create(practice=world.riverside)
    found.team.set(members)


def gia_writes_to_team(world: World, *, subject: str = "Tuesday", body: str = "Can we move Tuesday?", files=()):
    return actions.write_to_practice(gia(world), recipient="team", subject=subject, body=body, files=list(files))


def thread_url(thread: Thread) -> str:
    return reverse("staff:thread", kwargs={"thread_id": thread.pk})


def nav_unread(html: str) -> int:
    """The unread count beside Messages in the main navigation (0 when there is no badge)."""
    link = re.search(r'<a class="nav-link[^"]*" (?:aria-current="page" )?href="/staff/messages/">(.*?)</a>', html, re.S)
    assert link is not None, "no Messages link in the navigation"
    found = re.search(r"data-staff-unread>(\d+)<", link.group(1))
    return int(found.group(1)) if found else 0


def unread_for(http: HttpClient) -> int:
    return nav_unread(http.get(reverse("staff:client_list")).content.decode())


def as_staff(login, member: StaffMember) -> HttpClient:
    return login(member, HttpClient())


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def denied_since(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=before, action="access.denied"))


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# --- Unread counts in the navigation --------------------------------------------------------------------------------


def test_the_unread_count_is_right_after_reading_replying_and_archiving(world: World, login) -> None:
    team(world, world.ada)
    thread = gia_writes_to_team(world)
    ada = as_staff(login, world.ada)
    assert unread_for(ada) == 1

    html = page(ada.get(thread_url(thread)))
    assert nav_unread(html) == 0  # the thread the page opens is read before the count is drawn
    assert unread_for(ada) == 0

    actions.reply(gia(world), thread, body="Or Wednesday?")
    assert unread_for(ada) == 1
    response = ada.post(reverse("staff:thread_reply", args=[thread.pk]), {"body": "Wednesday at 3 works."})
    assert response.status_code == 302
    assert unread_for(ada) == 0  # writing in a thread reads it

    actions.reply(gia(world), thread, body="Thank you!")
    assert unread_for(ada) == 1
    assert ada.post(reverse("staff:thread_archive", args=[thread.pk])).status_code == 302
    assert unread_for(ada) == 0
    inbox = page(ada.get(reverse("staff:inbox") + "?box=archived"))
    assert f'data-thread="{thread.pk}"' in inbox

    actions.reply(gia(world), thread, body="One more thing.")  # a new message brings it back
    assert unread_for(ada) == 1
    # Ada answered it, so it is hers by name now: in Mine, no longer in Team.
    assert f'data-thread="{thread.pk}"' in page(ada.get(reverse("staff:inbox")))
    assert f'data-thread="{thread.pk}"' not in page(ada.get(reverse("staff:inbox") + "?box=team"))


def test_on_a_team_thread_one_reader_s_count_drops_and_the_other_s_stays(world: World, login) -> None:
    team(world, world.ada, world.fran)
    thread = gia_writes_to_team(world)
    ada, fran = as_staff(login, world.ada), as_staff(login, world.fran)
    assert (unread_for(ada), unread_for(fran)) == (1, 1)

    assert fran.get(thread_url(thread)).status_code == 200
    assert (unread_for(ada), unread_for(fran)) == (1, 0)

    html = page(ada.get(reverse("staff:inbox") + "?box=team"))
    assert re.search(r'data-box="team">Team<span class="visually-hidden">, 1 unread', html)
    ada.get(thread_url(thread))
    assert (unread_for(ada), unread_for(fran)) == (0, 0)


def test_the_team_box_shows_only_to_the_message_team(world: World, login) -> None:
    team(world, world.fran)
    theo = as_staff(login, world.theo)
    html = page(theo.get(reverse("staff:inbox")))
    assert 'data-box="mine"' in html and 'data-box="archived"' in html and 'data-box="team"' not in html
    assert 'data-box="team"' in page(as_staff(login, world.fran).get(reverse("staff:inbox")))


# --- Assigning ------------------------------------------------------------------------------------------------------


def test_assigning_a_team_thread_makes_it_the_assignee_s_and_emails_only_them(
    world: World, login, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    team(world, world.ada, world.fran)
    with django_capture_on_commit_callbacks(execute=True):
        thread = gia_writes_to_team(world)
    assert sorted(m.to[0] for m in mailoutbox) == ["ada@riverside.example", "fran@riverside.example"]
    mailoutbox.clear()
    ada = as_staff(login, world.ada)
    with django_capture_on_commit_callbacks(execute=True):
        response = ada.post(reverse("staff:thread_assign", args=[thread.pk]), {"staff": world.theo.pk})
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["theo@riverside.example"]]
    theo = as_staff(login, world.theo)
    assert f'data-thread="{thread.pk}"' in page(theo.get(reverse("staff:inbox")))
    assert unread_for(theo) == 1
    html = page(ada.get(reverse("staff:inbox") + "?box=team"))
    assert "Assigned to Theo Therapist" in html
    assert AuditEvent.objects.filter(action="message.assigned", details__staff=world.theo.pk).count() == 1


def test_only_a_team_thread_can_be_assigned_and_only_to_staff_who_read_messages(world: World, login) -> None:
    team(world, world.ada)
    thread = gia_writes_to_team(world)
    ada = as_staff(login, world.ada)
    response = ada.post(reverse("staff:thread_assign", args=[thread.pk]), {"staff": world.bill.pk}, follow=True)
    assert "Choose a staff member who can read secure messages." in page(response)
    assert ada.post(reverse("staff:thread_assign", args=[thread.pk]), {"staff": world.hana.pk}).status_code == 302
    thread.refresh_from_db()
    assert thread.assigned_to_id is None

    written = actions.write_to_client(by=world.ada, access=world.gia_access_max, subject="Hello", body="Hi Gia")
    html = page(ada.get(thread_url(written)))
    assert 'name="staff"' not in html
    response = ada.post(reverse("staff:thread_assign", args=[written.pk]), {"staff": world.fran.pk}, follow=True)
    assert "Only a message to the practice team can be assigned." in page(response)


# --- Who is refused -------------------------------------------------------------------------------------------------


def test_staff_of_another_practice_get_a_404_and_an_audit_event_for_every_thread_and_attachment_address(
    world: World, login
) -> None:
    team(world, world.ada)
    thread = gia_writes_to_team(world, files=[actions.Upload("scan.pdf", ONE_BLANK_PAGE_PDF)])
    attachment = Attachment.objects.get(message__thread=thread)
    hana = as_staff(login, world.hana)
    before = last_event_id()
    gets = [thread_url(thread), reverse("staff:message_attachment", args=[attachment.pk])]
    posts = [
        reverse(name, args=[thread.pk])
        for name in ("staff:thread_reply", "staff:thread_archive", "staff:thread_restore", "staff:thread_assign")
    ] + [reverse("staff:attachment_file", args=[attachment.pk])]
    for url in gets:
        assert hana.get(url).status_code == 404, url
    for url in posts:
        assert hana.post(url, {"body": "x", "staff": world.hana.pk}).status_code == 404, url
    denied = denied_since(before)
    assert len(denied) == len(gets) + len(posts)
    assert {(e.details["object_type"], e.object_id or str(e.details.get("object_id"))) for e in denied} >= {
        ("messaging.thread", str(thread.pk)),
        ("messaging.attachment", str(attachment.pk)),
    }
    assert Message.objects.filter(thread=thread).count() == 1
    assert not AuditEvent.objects.filter(pk__gt=before, action="message.attachment_downloaded").exists()


def test_a_staff_member_who_is_not_in_a_thread_gets_a_404(world: World, login) -> None:
    thread = actions.write_to_client(by=world.ada, access=world.gia_access_max, subject="Hello", body="Hi")
    before = last_event_id()
    assert as_staff(login, world.theo).get(thread_url(thread)).status_code == 404
    assert [e.details["object_type"] for e in denied_since(before)] == ["messaging.thread"]


def test_staff_without_secure_messages_are_refused_in_words_and_see_no_messages_link(world: World, login) -> None:
    team(world, world.ada)
    thread = gia_writes_to_team(world)
    bill = as_staff(login, world.bill)
    for url in (
        reverse("staff:inbox"),
        thread_url(thread),
        reverse("staff:client_messages", args=[world.max.pk]),
        reverse("staff:message_compose", args=[world.max.pk]),
    ):
        response = bill.get(url)
        assert response.status_code == 403, url
        assert "You don't have permission for this page" in page(response)
    assert bill.post(reverse("staff:thread_reply", args=[thread.pk]), {"body": "x"}).status_code == 403
    assert 'href="/staff/messages/"' not in page(bill.get(reverse("staff:client_list")))
    assert 'id="face-messages"' not in page(bill.get(reverse("staff:client_chart", args=[world.max.pk])))
    assert AuditEvent.objects.filter(action="access.forbidden", actor_id=world.bill.user.pk).count() >= 4


# --- A thread -------------------------------------------------------------------------------------------------------


def test_a_thread_shows_messages_oldest_first_as_plain_text_with_links_and_read_marks(world: World, login) -> None:
    thread = actions.write_to_client(
        by=world.ada,
        access=world.gia_access_max,
        subject="Forms",
        body="Please see https://example.org/forms?a=1&b=2\n<script>alert(1)</script> <b>bold</b>",
        files=[actions.Upload("consent.pdf", ONE_BLANK_PAGE_PDF)],
    )
    actions.mark_read(gia(world), thread)
    actions.reply(StaffViewer(world.ada), thread, body="Done, thank you.")
    ada = as_staff(login, world.ada)
    raw = ada.get(thread_url(thread)).content.decode()

    assert "<script>" not in raw and "<b>bold</b>" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;" in raw
    assert '<a href="https://example.org/forms?a=1&amp;b=2" target="_blank" rel="nofollow noopener noreferrer">' in raw
    html = unescape(raw)
    assert html.index("Please see") < html.index("Done, thank you.")
    first, second = Message.objects.filter(thread=thread).order_by("pk")
    marks = re.findall(r'data-message="(\d+)".*?(?=data-message=|$)', html, re.S)
    assert marks == [str(first.pk), str(second.pk)]
    first_block = html.split(f'data-message="{first.pk}"')[1].split(f'data-message="{second.pk}"')[0]
    assert re.search(r"Read by Gia Moreno, \d{1,2}:\d\d [AP]M", first_block)
    assert "Read by Ada Admin" not in html  # the viewer's own mark is not shown to them
    second_block = html.split(f'data-message="{second.pk}"')[1]
    assert "Read by" not in second_block  # Gia has not read the answer yet
    actions.mark_read(gia(world), thread)
    html = page(ada.get(thread_url(thread)))
    assert "Read by" not in html.split(f'data-message="{first.pk}"')[1].split(f'data-message="{second.pk}"')[0]
    assert "Read by Gia Moreno" in html.split(f'data-message="{second.pk}"')[1]
    assert "consent.pdf" in html and reverse("staff:message_attachment", args=[thread_attachment(thread).pk]) in html

    theo_html = page(as_staff(login, world.theo).get(thread_url(thread)))  # not in it: 404
    assert "Done, thank you." not in theo_html


def thread_attachment(thread: Thread) -> Attachment:
    return Attachment.objects.get(message__thread=thread)


def test_opening_a_thread_is_audited_once_and_downloading_an_attachment_every_time(world: World, login) -> None:
    team(world, world.ada)
    thread = gia_writes_to_team(world, files=[actions.Upload("scan.pdf", ONE_BLANK_PAGE_PDF)])
    attachment = thread_attachment(thread)
    ada = as_staff(login, world.ada)
    ada.get(thread_url(thread))
    ada.get(thread_url(thread))
    assert AuditEvent.objects.filter(action="message.read", actor_id=world.ada.user.pk).count() == 1
    for _ in range(2):
        response = ada.get(reverse("staff:message_attachment", args=[attachment.pk]))
        assert response.status_code == 200 and response.content == ONE_BLANK_PAGE_PDF
        assert response["Content-Disposition"] == 'attachment; filename="scan.pdf"'
        assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="message.attachment_downloaded").count() == 2


# --- Attachments refused --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("notes.txt", b"just text", "Haven accepts PDF, PNG and JPEG files"),
        ("empty.pdf", b"", "That file is empty"),
        ("big.pdf", ONE_BLANK_PAGE_PDF, "is too large. Each attachment must be under"),
    ],
)
def test_a_refused_attachment_is_named_in_words_and_the_typed_reply_is_kept(
    world: World, login, settings, name: str, data: bytes, words: str
) -> None:
    team(world, world.ada)
    thread = gia_writes_to_team(world)
    if name == "big.pdf":
        settings.HAVEN_MESSAGE_ATTACHMENT_MAX_BYTES = len(ONE_BLANK_PAGE_PDF) - 1
    ada = as_staff(login, world.ada)
    response = ada.post(
        reverse("staff:thread_reply", args=[thread.pk]),
        {"body": "Here is the letter you asked for.", "attachments": [upload(name, data)]},
    )
    assert response.status_code == 400
    html = page(response)
    assert f"“{name}”" in html and words in html
    assert "Here is the letter you asked for.</textarea>" in html
    assert "Please choose them again" in html
    assert Message.objects.filter(thread=thread).count() == 1


def test_a_refused_attachment_on_a_new_message_keeps_recipient_subject_and_body(world: World, login) -> None:
    ada = as_staff(login, world.ada)
    url = reverse("staff:message_compose", args=[world.max.pk])
    response = ada.post(
        url,
        {
            "recipient": world.gia_access_max.pk,
            "subject": "School letter",
            "body": "The letter is attached.",
            "attachments": [upload("letter.docx", b"PK\x03\x04 not a pdf")],
        },
    )
    assert response.status_code == 400
    html = page(response)
    assert "“letter.docx” was not attached: Haven accepts PDF, PNG and JPEG files." in html
    assert 'value="School letter"' in html and "The letter is attached.</textarea>" in html
    assert f'value="{world.gia_access_max.pk}" id="recipient-{world.gia_access_max.pk}" checked' in html
    assert "Please choose them again" in html
    assert not Thread.objects.exists()


# --- Filing into the chart ------------------------------------------------------------------------------------------


def test_filing_an_attachment_makes_a_document_of_its_bytes_once(world: World, login) -> None:
    team(world, world.fran)
    thread = gia_writes_to_team(world, files=[actions.Upload("Insurance card.pdf", ONE_BLANK_PAGE_PDF)])
    attachment = thread_attachment(thread)
    fran = as_staff(login, world.fran)
    html = page(fran.get(thread_url(thread)))
    assert 'value="Insurance card.pdf"' in html  # the title, prefilled with the attachment's name
    doc_type = DocumentType.objects.filter(practice=world.riverside, clinical=False).first()
    assert doc_type is not None
    clinical = DocumentType.objects.filter(practice=world.riverside, clinical=True).first()
    assert clinical is not None
    filing = html.split("<details")[1].split("</details>")[0]
    assert f'<option value="{doc_type.pk}">' in filing
    assert f'<option value="{clinical.pk}">' not in filing  # the front desk files nothing they could not open

    url = reverse("staff:attachment_file", args=[attachment.pk])
    form = {
        f"file-{attachment.pk}-doc_type": doc_type.pk,
        f"file-{attachment.pk}-title": "Insurance card",
        f"file-{attachment.pk}-document_date": "2026-01-15",
    }
    assert fran.post(url, form).status_code == 302
    document = Document.objects.get(client=world.max, title="Insurance card")
    assert document.current_version is not None
    assert read_decrypted(document.current_version.storage_name) == ONE_BLANK_PAGE_PDF
    event = AuditEvent.objects.get(action="message.attachment_filed")
    assert event.details == {"attachment": attachment.pk, "document": document.pk}
    html = page(fran.get(thread_url(thread)))
    assert "Filed in Documents" in html
    assert reverse("staff:document_detail", args=[world.max.pk, document.pk]) in html

    response = fran.post(url, form)
    assert response.status_code == 400
    assert "That attachment is already in the client's documents." in page(response)
    assert Document.objects.filter(client=world.max, title="Insurance card").count() == 1


def test_filing_with_a_missing_title_keeps_the_choices_and_says_what_is_missing(world: World, login) -> None:
    team(world, world.ada)
    thread = gia_writes_to_team(world, files=[actions.Upload("scan.pdf", ONE_BLANK_PAGE_PDF)])
    attachment = thread_attachment(thread)
    doc_type = DocumentType.objects.filter(practice=world.riverside).first()
    assert doc_type is not None
    response = as_staff(login, world.ada).post(
        reverse("staff:attachment_file", args=[attachment.pk]),
        {f"file-{attachment.pk}-doc_type": doc_type.pk, f"file-{attachment.pk}-document_date": "2026-01-15"},
    )
    assert response.status_code == 400
    html = page(response)
    assert "Give the document a title." in html and 'value="2026-01-15"' in html
    assert not Document.objects.filter(client=world.max, title="scan.pdf").exists()


# --- Writing from a chart -------------------------------------------------------------------------------------------


def test_staff_write_to_a_person_with_portal_access_chosen_by_name_and_relationship(
    world: World, login, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    ada = as_staff(login, world.ada)
    url = reverse("staff:message_compose", args=[world.max.pk])
    html = page(ada.get(url))
    assert "Gia Moreno (Legal guardian)" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = ada.post(
            url,
            {
                "recipient": world.gia_access_max.pk,
                "subject": "Next visit",
                "body": "See you Tuesday.",
                "attachments": [upload("map.pdf", ONE_BLANK_PAGE_PDF)],
            },
        )
    thread = Thread.objects.get()
    assert response.status_code == 302 and response["Location"] == thread_url(thread)
    assert (thread.client_id, thread.account_id, thread.subject) == (world.max.pk, world.gia_account.pk, "Next visit")
    assert thread_attachment(thread).name == "map.pdf"
    assert [m.to for m in mailoutbox] == [["gia@example.com"]]
    chart = page(ada.get(reverse("staff:client_chart", args=[world.max.pk])))
    assert 'id="face-messages"' in chart
    assert reverse("staff:message_compose", args=[world.max.pk]) in chart
    listed = page(ada.get(reverse("staff:client_messages", args=[world.max.pk])))
    assert "Next visit" in listed and "With Gia Moreno" in listed


def test_a_client_nobody_can_reach_in_the_portal_is_said_so_with_the_way_to_portal_access(world: World, login) -> None:
    html = page(as_staff(login, world.ada).get(reverse("staff:message_compose", args=[world.ben.pk])))
    assert "Nobody has portal access to this client yet" in html
    assert reverse("staff:portal_overview", args=[world.ben.pk]) in html
    ProfileAccess.objects.filter(pk=world.gia_access_max.pk).update(status=AccessStatus.REVOKED)
    html = page(as_staff(login, world.ada).get(reverse("staff:message_compose", args=[world.max.pk])))
    assert "Nobody has portal access to this client yet" in html


def test_a_client_of_another_practice_has_no_compose_page(world: World, login) -> None:
    before = last_event_id()
    assert as_staff(login, world.ada).get(reverse("staff:message_compose", args=[world.hal.pk])).status_code == 404
    assert [e.details["object_type"] for e in denied_since(before)] == ["clients.client"]


# --- Emails to staff ------------------------------------------------------------------------------------------------


def _every_part(email: Any) -> str:
    parts = [email.subject, email.body, " ".join(email.to), str(email.extra_headers)]
    parts += [content for content, _type in getattr(email, "alternatives", [])]
    parts.append(email.message().as_string())
    return "\n".join(parts)


def test_staff_emails_say_only_that_a_message_waits_and_staff_who_turned_them_off_get_none(
    world: World, login, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    team(world, world.ada, world.fran)
    world.max.first_name = CANARY + "Max"
    world.max.save()
    fran = as_staff(login, world.fran)
    assert fran.post(reverse("staff:account_message_emails"), {}).status_code == 302
    assert EmailPreference.objects.get(staff=world.fran).frequency == "off"
    with django_capture_on_commit_callbacks(execute=True):
        thread = gia_writes_to_team(
            world,
            subject=f"Subject {CANARY}",
            body=f"Body {CANARY}",
            files=[actions.Upload(f"{CANARY}.pdf", ONE_BLANK_PAGE_PDF)],
        )
    [email] = mailoutbox
    assert email.to == ["ada@riverside.example"]
    whole = _every_part(email)
    assert CANARY not in whole and "Moreno" not in whole
    assert thread_url(thread) in email.body

    assert "checked" not in page(fran.get(reverse("staff:account"))).split('id="message-emails-on"')[1][:40]
    fran.post(reverse("staff:account_message_emails"), {"message_emails": "on"})
    assert EmailPreference.objects.get(staff=world.fran).frequency == "immediate"


# --- The practice's settings ----------------------------------------------------------------------------------------


def test_administrators_choose_the_team_the_notice_and_whether_clients_may_start_conversations(
    world: World, login
) -> None:
    ada = as_staff(login, world.ada)
    url = reverse("staff:admin_messages")
    html = page(ada.get(url))
    assert "988" in html and "911" in html  # the standard wording, as placeholder and help
    assert f'value="{world.bill.pk}"' not in html  # billing has no Secure messages: not a choice
    response = ada.post(
        url,
        {"client_messages_enabled": "", "crisis_notice": "Call 988 any time.", "team": [world.fran.pk, world.theo.pk]},
    )
    assert response.status_code == 302
    found = MessagingSettings.objects.get(practice=world.riverside)
    assert not found.client_messages_enabled and found.crisis_words == "Call 988 any time."
    assert set(found.team.values_list("pk", flat=True)) == {world.fran.pk, world.theo.pk}
    event = AuditEvent.objects.get(action="practice.settings_changed")
    assert set(event.details["changed"]) == {"client_messages_enabled", "crisis_notice", "message_team"}

    response = ada.post(url, {"client_messages_enabled": "on", "team": [world.bill.pk]})
    assert response.status_code == 400
    assert "Choose staff members who can read secure messages." in page(response)
    assert as_staff(login, world.theo).get(url).status_code == 403


# --- Queries --------------------------------------------------------------------------------------------------------


def _threads(world: World, count: int) -> None:
    for n in range(count):
        thread = actions.write_to_client(
            by=world.ada, access=world.gia_access_max, subject=f"Subject {n}", body=f"Body {n}"
        )
        actions.reply(gia(world), thread, body="Thanks")


@pytest.mark.parametrize("count", [10, 40])
def test_the_inbox_reads_a_page_in_the_same_queries_however_many_threads(
    world: World, login, settings, django_assert_max_num_queries, count: int
) -> None:
    settings.HAVEN_PORTAL_MESSAGES_PER_HOUR = 1000
    team(world, world.ada)
    _threads(world, count)
    ada = as_staff(login, world.ada)
    ada.get(reverse("staff:inbox"))  # the session's first request
    with django_assert_max_num_queries(10):
        html = page(ada.get(reverse("staff:inbox")))
    assert html.count("data-thread=") == min(count, 25)
    assert nav_unread(html) == count


@pytest.mark.parametrize("count", [3, 12])
def test_a_thread_reads_in_the_same_queries_however_many_messages(
    world: World, login, django_assert_max_num_queries, count: int
) -> None:
    team(world, world.ada, world.fran)
    thread = gia_writes_to_team(world)
    actions.assign(StaffViewer(world.ada), thread, to=world.theo)
    for n in range(count):
        actions.reply(StaffViewer(world.ada), thread, body=f"Ada {n}")
        actions.reply(gia(world), thread, body=f"Gia {n}", files=[actions.Upload(f"p{n}.pdf", ONE_BLANK_PAGE_PDF)])
    ada = as_staff(login, world.ada)
    ada.get(thread_url(thread))
    with django_assert_max_num_queries(18):
        html = page(ada.get(thread_url(thread)))
    assert html.count("data-message=") == 1 + 2 * count
    assert 'name="staff"' in html and "Assigned to Theo Therapist" in html


def test_participant_rows_stay_one_per_reader(world: World, login) -> None:
    team(world, world.ada)
    thread = gia_writes_to_team(world)
    ada = as_staff(login, world.ada)
    ada.get(thread_url(thread))
    ada.post(reverse("staff:thread_reply", args=[thread.pk]), {"body": "Hello"})
    assert Participant.objects.filter(thread=thread, staff=world.ada).count() == 1
