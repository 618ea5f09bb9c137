"""Secure messages in the portal (MSG-1, MSG-2): a guardian writes to the practice about one child, reads and
answers the practice's messages, downloads attachments, and is told by email without any health information."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from haven.audit.models import AuditEvent
from haven.clients.models import RelatedContact
from haven.messaging import actions, selectors
from haven.messaging.actions import Upload
from haven.messaging.models import Attachment, Frequency, Message, MessageKind, MessagingSettings, Thread
from haven.portal.tests.helpers import select
from haven.portal_access.models import ProfileAccess
from haven.portal_access.session import PROFILE
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import StaffMember
from haven.practices.viewers import StaffViewer
from tests.personas import ONE_BLANK_PAGE_PDF, PASSWORD, World, give_ana_a_portal_login

pytestmark = pytest.mark.django_db

INBOX = "/p/riverside/inbox/"
COMPOSE = "/p/riverside/inbox/new/"
CANARY = "Canary7f3aQ"


def thread_url(thread: Thread) -> str:
    return f"/p/riverside/inbox/{thread.pk}/"


def attachment_url(attachment: Attachment) -> str:
    return f"/p/riverside/inbox/attachments/{attachment.pk}/"


def staff(member: StaffMember) -> StaffViewer:
    return StaffViewer(StaffMember.objects.select_related("user", "practice").get(pk=member.pk))


def portal(world: World, access: ProfileAccess) -> PortalViewer:
    return PortalViewer(account=access.account, practice=world.riverside, profile=access)


def from_theo(
    world: World, access: ProfileAccess, subject: str = "Next session", body: str = "See you soon."
) -> Thread:
    """Theo (Max's clinician) writes to the portal login of ``access``."""
    return actions.write_to_client(by=world.theo, access=access, subject=subject, body=body)


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def denied(object_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="access.denied", details__object_type=object_type).order_by("id"))


@pytest.fixture(autouse=True)
def _theo_is_max_and_mias_clinician(world: World) -> None:
    world.max.clinician = world.theo
    world.max.save(update_fields=["clinician"])
    world.mia.clinician = world.theo
    world.mia.save(update_fields=["clinician"])


def page_text(response) -> str:
    return response.content.decode()


# --- A guardian writes about Max and reads the answer ------------------------------------------------------------


def test_gia_writes_to_the_team_about_max_with_an_attachment_and_reads_the_reply(
    world, gia, django_capture_on_commit_callbacks, mailoutbox
):
    select(gia, world.gia_access_max)
    page = page_text(gia.get(COMPOSE))
    assert "Not for emergencies" in page and "988" in page and "911" in page
    assert 'value="clinician"' in page and 'value="team"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = gia.post(
            COMPOSE,
            {
                "recipient": "team",
                "subject": "Homework sheet",
                "body": "Here is the sheet Max filled in.",
                "attachments": [upload("sheet.pdf", ONE_BLANK_PAGE_PDF)],
            },
        )
    thread = Thread.objects.get()
    assert response.status_code == 302 and response["Location"] == thread_url(thread)
    assert (thread.client, thread.account, thread.to_team) == (world.max, world.gia_account, True)
    assert [m.to for m in mailoutbox] == [["ada@riverside.example"]]  # the team: the administrator
    assert selectors.staff_unread(world.ada).team == 1

    shown = page_text(gia.get(thread_url(thread)))
    assert "Message sent." in shown and "Here is the sheet Max filled in." in shown and "sheet.pdf" in shown
    assert ">You<" in shown

    actions.reply(staff(world.ada), thread, body="Thank you, we got it.")
    assert '<span class="visually-hidden">, 1 unread</span>' in page_text(gia.get(INBOX))
    shown = page_text(gia.get(thread_url(thread)))
    assert "Thank you, we got it." in shown and "Ada Admin" in shown
    assert "unread</span>" not in shown  # opening the thread read it: the badge is gone on the same page
    assert selectors.portal_unread(portal(world, world.gia_access_max)) == 0


def test_a_reply_raises_the_staff_count_and_reading_lowers_the_portal_badge(world, gia):
    thread = from_theo(world, world.gia_access_max)
    select(gia, world.gia_access_max)
    inbox = page_text(gia.get(INBOX))
    assert '<span class="visually-hidden">, 1 unread</span>' in inbox
    item = inbox.split(f'data-thread="{thread.pk}"', 1)[1].split("</li>", 1)[0]
    assert "fw-bold" in item and "Unread:" in item and "Next session" in item
    assert selectors.staff_unread(world.theo).total == 0

    response = gia.post(thread_url(thread), {"body": "Thursday works for us."})
    assert response.status_code == 302
    message = Message.objects.filter(thread=thread).last()
    assert message is not None and message.sent_by_account == world.gia_account
    assert response["Location"] == f"{thread_url(thread)}#message-{message.pk}"
    assert selectors.staff_unread(world.theo).mine == 1

    inbox = page_text(gia.get(INBOX))
    assert "unread</span>" not in inbox
    item = inbox.split(f'data-thread="{thread.pk}"', 1)[1].split("</li>", 1)[0]
    assert "fw-bold" not in item and "Unread:" not in item


def test_the_portal_says_read_once_the_practice_has_read_the_persons_last_message(world, gia):
    thread = from_theo(world, world.gia_access_max)
    select(gia, world.gia_access_max)
    gia.post(thread_url(thread), {"body": "Thursday works for us."})
    assert "data-read" not in page_text(gia.get(thread_url(thread)))
    actions.mark_read(staff(world.theo), thread)
    page = page_text(gia.get(thread_url(thread)))
    mine = page.split("data-message=", 3)[2]
    assert "data-read" in mine and "Read by" not in page


def test_a_message_is_plain_text_with_links_made_clickable(world, gia):
    body = 'See <b>this</b> & "that": https://example.org/info?a=1&b=2\n\n<script>alert(1)</script>'
    thread = from_theo(world, world.gia_access_max, body=body)
    select(gia, world.gia_access_max)
    response = gia.get(thread_url(thread))
    assert "no-store" in response["Cache-Control"]
    page = page_text(response)
    assert "<b>this</b>" not in page and "&lt;b&gt;this&lt;/b&gt;" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert (
        '<a href="https://example.org/info?a=1&amp;b=2" target="_blank" rel="nofollow noopener noreferrer">'
        "https://example.org/info?a=1&amp;b=2</a>"
    ) in page


def test_the_inbox_lists_the_profiles_threads_newest_first_with_their_badges(world, gia):
    from haven.portal.tests.test_inbox import ask_gia_to_sign

    request = ask_gia_to_sign(world, world.max)
    older = from_theo(world, world.gia_access_max, subject="Older")
    newer = from_theo(world, world.gia_access_max, subject="Newer")
    mias = from_theo(world, world.gia_access_mia, subject="About Mia")
    select(gia, world.gia_access_max)
    page = page_text(gia.get(INBOX))
    ids = [int(found) for found in re.findall(r'data-thread="(\d+)"', page)]
    record = Thread.objects.get(messages__signature_request=request)
    assert ids == [newer.pk, older.pk, record.pk]
    assert mias.pk not in ids and "About Mia" not in page
    assert "Record request" in page
    assert 'id="new-message"' in page and 'href="/p/riverside/inbox/new/"' in page


# --- Refused messages keep what was typed ------------------------------------------------------------------------

TEXT_AS_PDF = b"Just some notes, not a PDF at all.\n"


@pytest.mark.parametrize(
    ("case", "body", "files", "words"),
    [
        ("empty body", "   ", [], "Write a message before sending it."),
        ("wrong type", "See attached.", [("notes.pdf", TEXT_AS_PDF)], "“notes.pdf” was not attached"),
        ("too large", "See attached.", [("big.pdf", b"%PDF-1.4\n" + b"0" * 3000)], "“big.pdf” is too large"),
        ("empty file", "See attached.", [("nothing.pdf", b"")], "“nothing.pdf” was not attached: That file is empty"),
    ],
)
def test_a_refused_message_keeps_the_recipient_subject_and_body(world, gia, settings, case, body, files, words):
    settings.HAVEN_MESSAGE_ATTACHMENT_MAX_BYTES = 2000
    select(gia, world.gia_access_max)
    posted: dict[str, object] = {"recipient": "clinician", "subject": f"Question {case}", "body": body}
    if files:
        posted["attachments"] = [upload(name, data) for name, data in files]
    response = gia.post(COMPOSE, posted)
    assert response.status_code == 400
    page = page_text(response)
    assert words in page
    assert f'value="Question {case}"' in page
    assert body.strip() in page.split("</textarea>")[0].rsplit(">", 1)[1]
    assert re.search(r'<input[^>]*value="clinician"[^>]*checked', page) or re.search(
        r'<input[^>]*checked[^>]*value="clinician"', page
    )
    assert "There is a problem" in page and "988" in page
    assert ("choose them again" in page) == bool(files)
    assert not Thread.objects.exists()


def test_the_hourly_limit_refuses_in_words_and_keeps_the_message(world, gia, settings):
    settings.HAVEN_PORTAL_MESSAGES_PER_HOUR = 1
    select(gia, world.gia_access_max)
    first = gia.post(COMPOSE, {"recipient": "team", "subject": "First", "body": "One."})
    assert first.status_code == 302
    response = gia.post(COMPOSE, {"recipient": "team", "subject": "Second", "body": "Two, kept."})
    assert response.status_code == 400
    page = page_text(response)
    assert "as many as Haven allows" in page and 'value="Second"' in page and "Two, kept." in page
    assert Thread.objects.count() == 1


def test_a_refused_reply_keeps_its_words(world, gia, settings):
    settings.HAVEN_MESSAGE_ATTACHMENT_MAX_BYTES = 2000
    thread = from_theo(world, world.gia_access_max)
    select(gia, world.gia_access_max)
    response = gia.post(
        thread_url(thread),
        {"body": "Kept reply words.", "attachments": [upload("notes.pdf", TEXT_AS_PDF)]},
    )
    assert response.status_code == 400
    page = page_text(response)
    assert "Kept reply words." in page and "“notes.pdf” was not attached" in page and "choose them again" in page
    assert thread.messages.count() == 1


# --- The practice turned client messages off ----------------------------------------------------------------------


def test_with_client_messages_off_only_replies_to_staff_remain(world, gia):
    MessagingSettings.objects.create(practice=world.riverside, client_messages_enabled=False)
    staff_thread = from_theo(world, world.gia_access_max)
    notice = actions.post_message(
        by=None,
        account=world.gia_account,
        client=world.max,
        kind=MessageKind.NOTICE,
        subject="Office closed Monday",
        body="Closed for the holiday.",
    ).thread
    select(gia, world.gia_access_max)

    inbox = page_text(gia.get(INBOX))
    assert 'id="new-message"' not in inbox
    assert "doesn't take new messages" in inbox
    compose = gia.get(COMPOSE)
    assert compose.status_code == 200
    page = page_text(compose)
    assert 'id="compose-closed"' in page and '<form method="post" action="/p/riverside/inbox/new/"' not in page
    refused = gia.post(COMPOSE, {"recipient": "team", "subject": "Hello", "body": "Anyone there?"})
    assert refused.status_code == 403 and 'id="compose-closed"' in page_text(refused)
    assert Thread.objects.count() == 2

    assert gia.post(thread_url(staff_thread), {"body": "Thank you."}).status_code == 302
    assert staff_thread.messages.count() == 2
    page = page_text(gia.get(thread_url(notice)))
    assert 'id="reply-problem"' in page and "call the practice" in page
    assert gia.post(thread_url(notice), {"body": "Ok"}).status_code == 400
    assert notice.messages.count() == 1


# --- Access --------------------------------------------------------------------------------------------------------


def test_a_thread_about_a_client_gia_does_not_act_for_answers_404_and_is_audited(world, gia):
    """A thread addressed to Gia's login but about Ben (whom she has no access to) never opens."""
    bens = actions.post_message(
        by=world.ada, account=world.gia_account, client=world.ben, kind=MessageKind.NOTICE, subject="Ben's notice"
    ).thread
    select(gia, world.gia_access_max)
    response = gia.get(thread_url(bens))
    assert response.status_code == 404 and b"Ben" not in response.content
    [event] = denied("messaging.thread")
    assert (event.actor_kind, event.actor_id) == ("portal", world.gia_account.pk)
    assert event.details["object_id"] == str(bens.pk) and event.details["path"] == thread_url(bens)
    assert gia.post(thread_url(bens), {"body": "Hello"}).status_code == 404
    assert bens.messages.count() == 1


def test_another_logins_thread_and_attachment_answer_404_and_are_audited(world, gia):
    ana = give_ana_a_portal_login(world)
    anas = actions.write_to_client(
        by=world.ada, access=ana, subject="Invoice", body="Attached.", files=[Upload("invoice.pdf", ONE_BLANK_PAGE_PDF)]
    )
    attachment = Attachment.objects.get(message__thread=anas)
    select(gia, world.gia_access_max)
    assert gia.get(thread_url(anas)).status_code == 404
    response = gia.get(attachment_url(attachment))
    assert response.status_code == 404 and ONE_BLANK_PAGE_PDF not in response.content
    assert [e.details["object_id"] for e in denied("messaging.thread")] == [str(anas.pk)]
    assert [e.details["object_id"] for e in denied("messaging.attachment")] == [str(attachment.pk)]
    assert not AuditEvent.objects.filter(action="message.attachment_downloaded").exists()


def test_a_guessed_attachment_id_answers_404_and_is_audited(world, gia):
    select(gia, world.gia_access_max)
    assert gia.get("/p/riverside/inbox/attachments/424242/").status_code == 404
    assert [e.details["object_id"] for e in denied("messaging.attachment")] == ["424242"]


def test_a_contact_whose_access_ended_reads_nothing_more(world, gia):
    thread = actions.write_to_client(
        by=world.theo,
        access=world.gia_access_max,
        subject="Max's plan",
        body="Attached.",
        files=[Upload("plan.pdf", ONE_BLANK_PAGE_PDF)],
    )
    attachment = Attachment.objects.get(message__thread=thread)
    select(gia, world.gia_access_max)
    assert gia.get(thread_url(thread)).status_code == 200
    RelatedContact.objects.filter(pk=world.gia.pk).update(web_portal=False)
    assert gia.get(thread_url(thread)).status_code == 404
    assert gia.get(attachment_url(attachment)).status_code == 404
    assert gia.post(thread_url(thread), {"body": "Hello?"}).status_code == 404
    assert "Max&#x27;s plan" not in page_text(gia.get(INBOX))
    assert [e.details["object_id"] for e in denied("messaging.thread")] == [str(thread.pk)] * 2
    assert thread.messages.count() == 1


# --- Attachments -----------------------------------------------------------------------------------------------------


def test_an_attachment_downloads_as_a_file_not_kept_and_audited(world, gia):
    thread = actions.write_to_client(
        by=world.theo,
        access=world.gia_access_max,
        subject="Worksheet",
        body="Attached.",
        files=[Upload("Max's worksheet.pdf", ONE_BLANK_PAGE_PDF)],
    )
    attachment = Attachment.objects.get(message__thread=thread)
    select(gia, world.gia_access_max)
    page = page_text(gia.get(thread_url(thread)))
    assert f'href="{attachment_url(attachment)}"' in page and "Max&#x27;s worksheet.pdf" in page
    response = gia.get(attachment_url(attachment))
    assert response.status_code == 200 and response.content == ONE_BLANK_PAGE_PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Maxs worksheet.pdf"'
    assert "no-store" in response["Cache-Control"] and response["X-Content-Type-Options"] == "nosniff"
    [event] = AuditEvent.objects.filter(action="message.attachment_downloaded")
    assert (event.actor_id, event.acting_for, event.client_id) == (world.gia_account.pk, "Max Moreno", world.max.pk)


# --- Email ------------------------------------------------------------------------------------------------------------


def _everything_sent(mailoutbox) -> str:
    parts = []
    for email in mailoutbox:
        message = email.message()
        parts.append(message.as_string())
        parts.extend([email.subject, email.body, *(str(content) for content, _type in email.alternatives)])
    return "\n".join(parts)


def test_no_email_carries_the_subject_body_or_attachment_name(
    world, gia, django_capture_on_commit_callbacks, mailoutbox
):
    select(gia, world.gia_access_max)
    with django_capture_on_commit_callbacks(execute=True):
        response = gia.post(
            COMPOSE,
            {
                "recipient": "clinician",
                "subject": f"Subject {CANARY}",
                "body": f"Body {CANARY}",
                "attachments": [upload(f"{CANARY}.pdf", ONE_BLANK_PAGE_PDF)],
            },
        )
    assert response.status_code == 302
    thread = Thread.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        actions.reply(
            staff(world.theo), thread, body=f"Answer {CANARY}", files=[Upload(f"{CANARY}.pdf", ONE_BLANK_PAGE_PDF)]
        )
    assert [m.to for m in mailoutbox] == [["theo@riverside.example"], ["gia@example.com"]]
    sent = _everything_sent(mailoutbox)
    assert CANARY not in sent and "Max" not in sent
    assert f"/staff/messages/{thread.pk}/" in mailoutbox[0].body
    assert f"/p/riverside/inbox/{thread.pk}/" in mailoutbox[1].body


def test_gia_chooses_a_daily_email(world, gia, django_capture_on_commit_callbacks, mailoutbox):
    select(gia, world.gia_access_max)
    page = page_text(gia.get(INBOX))
    assert re.search(r'value="immediate"[^>]*checked', page)
    response = gia.post("/p/riverside/inbox/emails/", {"frequency": "daily"})
    assert response.status_code == 302 and response["Location"] == INBOX + "#message-emails"
    assert actions.frequency_of(account=world.gia_account) == Frequency.DAILY
    assert re.search(r'value="daily"[^>]*checked', page_text(gia.get(INBOX)))
    with django_capture_on_commit_callbacks(execute=True):
        from_theo(world, world.gia_access_max)
    assert mailoutbox == []
    assert gia.post("/p/riverside/inbox/emails/", {"frequency": "off"}).status_code == 302
    assert actions.frequency_of(account=world.gia_account) == Frequency.DAILY


def test_the_email_link_opens_the_thread_of_the_other_child_after_sign_in(
    world, client, django_capture_on_commit_callbacks, mailoutbox
):
    """Gia's email is about Mia's thread; she signs in (Max first) and lands on it, switched to Mia."""
    with django_capture_on_commit_callbacks(execute=True):
        thread = from_theo(world, world.gia_access_mia, subject="Mia's appointment")
    [email] = mailoutbox
    link = urlsplit(re.search(r"https?://\S+/inbox/\d+/", email.body).group(0)).path  # type: ignore[union-attr]
    assert link == thread_url(thread)

    to_sign_in = client.get(link)
    assert to_sign_in.status_code == 302 and to_sign_in["Location"].startswith("/p/riverside/?next=")
    signed_in = client.post(to_sign_in["Location"], {"username": "gia@example.com", "password": PASSWORD})
    assert signed_in["Location"] == link
    select(client, world.gia_access_max)
    response = client.get(link)
    assert response.status_code == 200
    page = page_text(response)
    assert "Mia&#x27;s appointment" in page and "Now showing Mia." in page and "About Mia Moreno" in page
    assert client.session[PROFILE] == world.gia_access_mia.pk
    assert AuditEvent.objects.filter(action="portal.profile_selected", client_id=world.mia.pk).exists()
    assert not AuditEvent.objects.filter(action="access.denied").exists()


def test_the_email_link_does_not_switch_to_a_child_whose_access_ended(world, gia):
    thread = from_theo(world, world.gia_access_mia, subject="Mia's appointment")
    select(gia, world.gia_access_max)
    RelatedContact.objects.filter(pk=world.gia_for_mia.pk).update(web_portal=False)
    assert gia.get(thread_url(thread)).status_code == 404
    assert gia.session[PROFILE] == world.gia_access_max.pk
    assert [e.details["object_id"] for e in denied("messaging.thread")] == [str(thread.pk)]


# --- Speed ------------------------------------------------------------------------------------------------------------


def _threads(world: World, count: int) -> None:
    for number in range(count):
        actions.post_message(
            by=world.theo,
            account=world.gia_account,
            client=world.max,
            kind=MessageKind.CONVERSATION,
            subject=f"Thread {number}",
            body="Hello.",
            email=False,
        )


INBOX_CEILING = 12  # the session, the practice, the profiles, a page of 25 and its count, whom one may write to,
# the email choice and the Inbox link's unread count
THREAD_CEILING = 18


def test_the_inbox_list_takes_the_same_queries_for_ten_threads_as_for_sixty(world, gia, django_assert_max_num_queries):
    select(gia, world.gia_access_max)
    gia.get(INBOX)  # the "Now showing" message is shown and gone
    _threads(world, 10)
    with django_assert_max_num_queries(INBOX_CEILING):
        page = page_text(gia.get(INBOX))
    assert page.count("data-thread=") == 10
    _threads(world, 50)
    with django_assert_max_num_queries(INBOX_CEILING):
        page = page_text(gia.get(INBOX))
    assert page.count("data-thread=") == 25 and "1\u201325 of 60" in page


def test_a_thread_takes_the_same_queries_for_three_messages_as_for_forty(world, gia, django_assert_max_num_queries):
    thread = actions.write_to_client(
        by=world.theo,
        access=world.gia_access_max,
        subject="Long one",
        body="First.",
        files=[Upload("a.pdf", ONE_BLANK_PAGE_PDF)],
    )
    select(gia, world.gia_access_max)
    gia.get(INBOX)
    viewer = portal(world, world.gia_access_max)

    def grow(count: int) -> None:
        for number in range(count):
            actions.reply(viewer, thread, body=f"Mine {number}.", files=[Upload("b.pdf", ONE_BLANK_PAGE_PDF)])
            actions.reply(staff(world.theo), thread, body=f"Theirs {number}.")

    grow(1)
    with django_assert_max_num_queries(THREAD_CEILING):
        assert page_text(gia.get(thread_url(thread))).count("data-message=") == 3
    grow(19)
    with django_assert_max_num_queries(THREAD_CEILING):
        assert page_text(gia.get(thread_url(thread))).count("data-message=") == 41
