"""One login, many profiles (ACC-9): everything shown is for the selected profile, re-checked each request."""

from __future__ import annotations

import datetime
import html

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.clients.actions import update_contact
from haven.portal_access import policy as access_policy
from haven.portal_access import session
from haven.portal_access.actions.guardianship import revoke_access
from haven.portal_access.actions.invitations import link_portal_account
from haven.portal_access.actions.pins import issue_pin
from haven.portal_access.models import AccessKind, AccessStatus, ProfileAccess, years_before
from haven.portal_access.session import PROFILE, effective_profiles
from haven.portal_access.status import PersonRecord
from haven.portal_access.viewers import PortalViewer
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db

HOME = "/p/riverside/home/"


@pytest.fixture
def gia(world, client) -> HttpClient:
    response = client.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD})
    assert response.status_code == 302
    return client


def _select(http: HttpClient, access: ProfileAccess):
    return http.post("/p/riverside/switch/", {"profile": access.pk})


def test_home_shows_only_the_selected_profile(world, gia):
    _select(gia, world.gia_access_max)
    body = gia.get(HOME).content.decode()
    assert "You are viewing the profile of" in body
    heading = body.split('id="profile-heading">', 1)[1].split("<", 1)[0]
    assert heading == "Max Moreno"
    assert "Legal guardian" in body


def test_switching_shows_the_other_child_and_is_audited(world, gia):
    _select(gia, world.gia_access_max)
    response = _select(gia, world.gia_access_mia)
    assert response.status_code == 302
    body = gia.get(HOME).content.decode()
    assert body.split('id="profile-heading">', 1)[1].startswith("Mia Moreno")
    event = AuditEvent.objects.filter(action="portal.profile_selected").last()
    assert event is not None and event.client == world.mia and event.acting_for == "Mia Moreno"


def test_the_switcher_lists_every_profile_of_the_login(world, gia):
    body = gia.get(HOME).content.decode()
    switcher = body.split('id="profile-select"', 1)[1].split("</select>", 1)[0]
    assert ">Max Moreno</option>" in switcher
    assert ">Mia Moreno</option>" in switcher


def test_the_profiles_a_login_may_act_for_are_the_portal_access_policys_answer(world, gia, monkeypatch):
    """Hide Gia's access to Mia in ``portal_access.policy.portal_profiles`` alone: the switcher no longer offers it,
    switching to it is refused and audited, and a session that had it selected falls back to another."""
    _select(gia, world.gia_access_mia)
    assert world.mia.first_name in gia.get(HOME).content.decode()  # and the "Now showing" message is gone
    original = access_policy.portal_profiles
    hidden = world.gia_access_mia.pk
    monkeypatch.setattr(access_policy, "portal_profiles", lambda *a, **kw: original(*a, **kw).exclude(pk=hidden))

    body = html.unescape(gia.get(HOME).content.decode())
    assert world.mia.first_name not in body and world.max.first_name in body
    assert gia.session[PROFILE] == world.gia_access_max.pk
    before = AuditEvent.objects.filter(action="access.denied").count()
    assert _select(gia, world.gia_access_mia).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied").count() == before + 1


def test_tampering_with_the_profile_id_answers_404_and_is_audited(world, gia):
    anas = ProfileAccess.objects.create(
        account=world.gia_account.__class__.objects.create(email="ana@example.com", full_name="Ana"),
        practice=world.riverside,
        client=world.ana,
        kind=AccessKind.SELF,
        status=AccessStatus.ACTIVE,
    )
    response = _select(gia, anas)
    assert response.status_code == 404
    assert b"Alvarez" not in response.content
    denied = AuditEvent.objects.filter(action="access.denied", actor_kind="portal").get()
    assert denied.details["object_id"] == str(anas.pk)


def test_a_forged_session_profile_is_ignored(world, gia):
    """The selection is re-checked on every request: a profile id planted in the session shows nothing."""
    other = ProfileAccess.objects.create(
        account=world.gia_account.__class__.objects.create(email="hal@example.com", full_name="Hal"),
        practice=world.hilltop,
        client=world.hal,
        kind=AccessKind.SELF,
        status=AccessStatus.ACTIVE,
    )
    session = gia.session
    session[PROFILE] = other.pk
    session.save()
    body = gia.get(HOME).content.decode()
    assert "Hal Hill" not in body
    assert "Max Moreno" in body or "Mia Moreno" in body


def test_another_practices_portal_shows_nothing_of_this_one(world, gia):
    response = gia.get("/p/hilltop/home/")
    assert response.status_code == 302
    assert response["Location"].startswith("/p/hilltop/")


def test_removing_web_portal_permission_ends_access_at_once_even_in_a_live_session(world, gia):
    _select(gia, world.gia_access_max)
    data = {
        "first_name": "Gia",
        "last_name": "Moreno",
        "email": "gia@example.com",
        "phone": "",
        "relationship": "parent",
        "web_portal": False,
        "legal_guardian": True,
    }
    update_contact(by=world.ada, contact=world.gia, data=data, expected_version=world.gia.version)
    body = gia.get(HOME).content.decode()
    assert "Max Moreno" not in body
    assert body.split('id="profile-heading">', 1)[1].startswith("Mia Moreno")


def test_revoking_the_link_ends_access_at_once(world, gia):
    revoke_access(by=world.ada, access=world.gia_access_mia)
    body = gia.get(HOME).content.decode()
    assert "Mia Moreno" not in body
    assert AuditEvent.objects.filter(action="portal.access_revoked").exists()


def test_a_removed_contact_loses_portal_access(world, gia, login):
    login(world.ada).post(f"/staff/clients/{world.mia.pk}/contacts/{world.gia_for_mia.pk}/remove/")
    assert "Mia Moreno" not in gia.get(HOME).content.decode()
    world.gia_access_mia.refresh_from_db()
    assert world.gia_access_mia.status == AccessStatus.REVOKED


def test_a_login_without_links_sees_only_a_welcome(world, client):
    lone = world.gia_account.__class__(email="lone@example.com", full_name="Lee Lone", email_verified_at=timezone.now())
    lone.set_password(PASSWORD)
    lone.save()
    client.post("/p/riverside/", {"username": "lone@example.com", "password": PASSWORD})
    body = client.get(HOME).content.decode()
    assert "linked to any records" in body
    for name in ("Max", "Mia", "Ana", "Ben"):
        assert f"{name} " not in body.split("<main", 1)[1]


def test_a_self_registered_login_not_yet_linked_is_told_how_to_get_linked_then_gets_the_pin_field(world, client):
    """Self-registered, not linked: no promise of a PIN field that isn't there, but what to do. Once the practice
    links the account (the status icon's link) and prints the sheet, the PIN field is on the home page and works."""
    account = world.gia_account.__class__(
        email="ana@example.com", full_name="Ana Alvarez", email_verified_at=timezone.now()
    )
    account.set_password(PASSWORD)
    account.save()
    client.post("/p/riverside/", {"username": "ana@example.com", "password": PASSWORD})
    main = " ".join(client.get(HOME).content.decode().split("<main", 1)[1].split())
    assert "enter it below" not in main and 'name="pin"' not in main
    assert (
        "Ask Riverside Counseling to link your account to your records, and give them the email address you "
        "signed up with: ana@example.com." in html.unescape(main)
    )

    access = link_portal_account(by=world.ada, record=PersonRecord(client=world.ana))
    pin = issue_pin(by=world.ada, access=access)
    main = " ".join(client.get(HOME).content.decode().split("<main", 1)[1].split())
    assert 'name="pin"' in main and "enter the portal PIN from your instruction sheet below." in main
    response = client.post("/p/riverside/pin/", {"pin": pin})
    assert response.status_code == 302
    assert "Ana Alvarez" in client.get(HOME).content.decode()


def test_idle_portal_sessions_end_after_30_minutes(world, gia, monkeypatch):
    assert gia.get(HOME).status_code == 200
    later = timezone.now() + datetime.timedelta(minutes=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = gia.get(HOME)
    assert response.status_code == 302
    assert "ended=1" in response["Location"]


def _session_writes(http: HttpClient, url: str) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    return [q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"]]


def test_a_page_within_the_minute_does_not_write_the_session(world, gia, monkeypatch, settings):
    assert settings.HAVEN_SESSION_TOUCH_SECONDS == 60
    # A minute after signing in, so this first page stores its own time as last seen (the sign-in's time, stored
    # in whole seconds, would otherwise make the test depend on where in its second it ran).
    start = timezone.now() + datetime.timedelta(seconds=61)
    monkeypatch.setattr(timezone, "now", lambda: start)
    gia.get(HOME)  # the first page after signing in may settle the selected profile
    assert gia.session["portal_last_seen"] == int(start.timestamp())
    monkeypatch.setattr(timezone, "now", lambda: start + datetime.timedelta(seconds=59))
    assert _session_writes(gia, HOME) == []
    assert _session_writes(gia, "/p/riverside/documents/") == []
    monkeypatch.setattr(timezone, "now", lambda: start + datetime.timedelta(seconds=61))
    assert len(_session_writes(gia, HOME)) == 1  # a minute on: the last-seen time moves on
    assert gia.session["portal_last_seen"] == int((start + datetime.timedelta(seconds=61)).timestamp())


def test_a_session_in_use_stays_open_while_one_left_alone_still_ends(world, gia, monkeypatch):
    start = timezone.now()
    for seconds in range(0, 45 * 60, 50):  # a page every 50 seconds for 45 minutes
        monkeypatch.setattr(timezone, "now", lambda seconds=seconds: start + datetime.timedelta(seconds=seconds))
        assert gia.get(HOME).status_code == 200
    # Then left alone: the idle check runs on every request, against the last-seen time stored.
    later = start + datetime.timedelta(seconds=45 * 60 + 31 * 60)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = gia.get(HOME)
    assert response.status_code == 302
    assert "ended=1" in response["Location"]


def test_portal_pages_are_not_cached(world, gia):
    assert "no-store" in gia.get(HOME)["Cache-Control"]


def test_staff_logins_do_not_reach_portal_pages(world, login):
    http = login(world.ada)
    response = http.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith("/p/riverside/")


def test_portal_logins_do_not_reach_staff_pages(world, gia):
    response = gia.get("/staff/clients/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_signing_in_to_the_portal_ends_a_staff_session_in_the_same_browser(world, login):
    http = login(world.ada)
    http.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD})
    assert http.get("/staff/clients/").status_code == 302
    assert http.get(HOME).status_code == 200


def test_portal_login_failures_are_audited_and_locked_out(world, client):
    for _ in range(5):
        response = client.post("/p/riverside/", {"username": "gia@example.com", "password": "wrong"})
    assert AuditEvent.objects.filter(action="portal.login_failed").count() == 5
    locked = client.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    assert response.status_code in {200, 429}


def test_unknown_and_wrong_password_get_the_same_message(world, client):
    unknown = client.post("/p/riverside/", {"username": "nobody@example.com", "password": "whatever"})
    wrong = client.post("/p/riverside/", {"username": "gia@example.com", "password": "whatever"})
    message = "That email and password don&#x27;t match"
    assert message in unknown.content.decode() and message in wrong.content.decode()


def test_portal_home_queries_stay_flat_as_profiles_grow(world, gia, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from haven.clients.models import Client, RelatedContact

    with CaptureQueriesContext(connection) as few:
        gia.get(HOME)
    for n in range(15):
        child = Client.objects.create(
            practice=world.riverside, first_name=f"Kid{n}", last_name="Moreno", date_of_birth=world.max.date_of_birth
        )
        contact = RelatedContact.objects.create(
            practice=world.riverside,
            client=child,
            first_name="Gia",
            last_name="Moreno",
            relationship="parent",
            web_portal=True,
            legal_guardian=True,
        )
        ProfileAccess.objects.create(
            account=world.gia_account,
            practice=world.riverside,
            client=child,
            kind=AccessKind.CONTACT,
            contact=contact,
            status=AccessStatus.ACTIVE,
        )
    with django_assert_max_num_queries(len(few)):
        body = gia.get(HOME).content.decode()
    assert "Kid14 Moreno" in body


def test_the_sessions_prepared_profiles_are_the_policys_answer_row_for_row(world):
    """The profiles a session holds are the rows ``policy.visible_to`` gives a portal viewer, in the session's order."""
    today = timezone.localdate()
    account, practice = world.gia_account, world.riverside
    viewer = PortalViewer(account=account, practice=practice, profile=None)
    expected = list(access_policy.visible_to(viewer).order_by("client__first_name", "client__last_name", "pk"))

    assert [p.pk for p in effective_profiles(account, practice)] == [p.pk for p in expected]
    assert len(expected) == 2
    session._EFFECTIVE_PROFILES.check(account.pk, practice.pk, today, years_before(today, practice.age_of_majority))


def test_a_deactivated_account_is_signed_out_on_its_next_page_though_it_has_profiles(world, gia):
    assert gia.get(HOME).status_code == 200
    account = world.gia_access_max.account
    account.is_active = False
    account.save(update_fields=["is_active"])
    response = gia.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith("/p/riverside/?next=")
    assert AuditEvent.objects.filter(action="portal.session_ended", actor_id=account.pk).exists()


def test_a_changed_password_signs_out_every_session_of_the_account(world, gia):
    assert gia.get(HOME).status_code == 200
    account = world.gia_access_max.account
    account.set_password("a different password 123")
    account.save(update_fields=["password"])
    assert gia.get(HOME).status_code == 302


def test_an_account_with_no_profile_left_stays_signed_in_with_nothing_selected(world, gia):
    for access in ProfileAccess.objects.filter(account=world.gia_access_max.account):
        access.status = AccessStatus.REVOKED
        access.save(update_fields=["status"])
    response = gia.get("/p/riverside/documents/")
    assert response.status_code == 200 and 'id="documents-no-profile"' in response.content.decode()
