"""Two-step sign-in for portal users: turned on from Security, asked for after the password, before any page."""

from __future__ import annotations

import base64
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.core.management import call_command
from django.test import Client as HttpClient
from django_otp.oath import TOTP

from haven.audit.models import AuditEvent
from haven.core.encryption import decrypt_bytes
from haven.core.errors import ApplicationError
from haven.portal_access import two_factor
from haven.portal_access.models import PortalAccount, PortalTwoFactor
from haven.portal_access.session import ACCOUNT, PENDING_TWO_FACTOR
from haven.practices.models import Practice
from tests.personas import PASSWORD, World, give_ana_a_portal_login

pytestmark = pytest.mark.django_db

LOGIN = "/p/riverside/"
HOME = "/p/riverside/home/"
CODE_PAGE = "/p/riverside/sign-in/code/"
SECURITY = "/p/riverside/security/"
SETUP = "/p/riverside/security/two-step/"
TURN_OFF = "/p/riverside/security/two-step/off/"
DOCUMENTS = "/p/riverside/documents/"


def key_of(account: PortalAccount) -> bytes:
    return decrypt_bytes(PortalTwoFactor.objects.get(account=account).secret_encrypted)


def code(key: bytes, steps_from_now: int = 0) -> str:
    """What an authenticator app shows for this key, now or a number of 30-second steps away."""
    totp = TOTP(key, step=30, digits=6)
    totp.time = time.time() + 30 * steps_from_now
    return f"{totp.token():06d}"


def wrong_code(key: bytes) -> str:
    """A six-digit code that none of the steps accepted now (one either side) would show."""
    accepted = {code(key, offset) for offset in (-2, -1, 0, 1, 2)}
    return next(candidate for candidate in ("000000", "111111", "222222", "333333") if candidate not in accepted)


def turn_on(account: PortalAccount, practice: Practice) -> bytes:
    """Two-step sign-in on, through the actions, with the previous step's code (so the current one is still unused)."""
    two_factor.start_enrolment(account=account, practice=practice)
    key = key_of(account)
    assert two_factor.confirm_enrolment(account=account, practice=practice, code=code(key, -1)) == "ok"
    return key


def sign_in_password(http: HttpClient, email: str = "gia@example.com", **extra: str) -> str:
    response = http.post(LOGIN, {"username": email, "password": PASSWORD, **extra})
    assert response.status_code == 302
    return str(response["Location"])


@pytest.fixture
def gia(world: World) -> HttpClient:
    http = HttpClient()
    assert sign_in_password(http) == HOME
    return http


@pytest.fixture
def gia_key(world: World) -> bytes:
    return turn_on(world.gia_account, world.riverside)


def actions_since(before: int) -> list[str]:
    return list(AuditEvent.objects.filter(id__gt=before).order_by("id").values_list("action", flat=True))


def last_event_id() -> int:
    last = AuditEvent.objects.order_by("-id").first()
    return last.pk if last else 0


# --- Turning it on ----------------------------------------------------------------------------


def test_security_is_reachable_from_the_portal_and_says_it_is_off(world, gia):
    home = gia.get(HOME).content.decode()
    assert f'href="{SECURITY}"' in home
    page = gia.get(SECURITY).content.decode()
    assert "Two-step sign-in" in page and "Your password alone opens your portal." in page


def test_setup_shows_a_qr_code_and_the_key_in_groups_of_four(world, gia):
    page = gia.get(SETUP).content.decode()
    assert 'src="data:image/svg+xml' in page
    shown = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page)
    assert shown is not None
    groups = shown.group(1).split()
    assert all(len(group) == 4 for group in groups) and len(groups) == 8  # 20 bytes: 32 base32 characters
    assert "".join(groups) in base64.b32encode(key_of(world.gia_account)).decode()
    assert not two_factor.is_on(world.gia_account)


def test_the_key_is_stored_encrypted(world, gia):
    gia.get(SETUP)
    row = PortalTwoFactor.objects.get(account=world.gia_account)
    key = key_of(world.gia_account)
    assert len(key) == 20
    secret = base64.b32encode(key).decode()
    assert secret not in row.secret_encrypted and key.hex() not in row.secret_encrypted


def test_key_rotation_keeps_two_step_keys_working(world, client, gia_key, settings):
    old_key = settings.HAVEN_FILE_KEYS[0]
    settings.HAVEN_FILE_KEYS = [Fernet.generate_key().decode("ascii"), old_key]
    call_command("rotate_file_keys", verbosity=0)
    settings.HAVEN_FILE_KEYS = settings.HAVEN_FILE_KEYS[:1]  # the old key retired
    assert key_of(world.gia_account) == gia_key
    sign_in_password(client)
    assert client.post(CODE_PAGE, {"code": code(gia_key)})["Location"] == HOME


def test_a_wrong_code_does_not_turn_it_on(world, gia):
    gia.get(SETUP)
    before = last_event_id()
    response = gia.post(SETUP, {"code": wrong_code(key_of(world.gia_account))})
    assert response.status_code == 400
    assert "That code didn&#x27;t match" in response.content.decode()
    assert not two_factor.is_on(world.gia_account)
    assert actions_since(before) == ["portal.two_factor_failed"]


def test_the_right_code_turns_it_on_and_is_audited(world, gia):
    gia.get(SETUP)
    before = last_event_id()
    response = gia.post(SETUP, {"code": code(key_of(world.gia_account))})
    assert response.status_code == 302 and response["Location"] == SECURITY
    assert two_factor.is_on(world.gia_account)
    assert actions_since(before) == ["portal.two_factor_enabled"]
    event = AuditEvent.objects.get(action="portal.two_factor_enabled")
    assert event.actor_kind == "portal" and event.actor_id == world.gia_account.pk
    assert "Since" in gia.get(SECURITY).content.decode()
    assert gia.get(SETUP)["Location"] == SECURITY  # once on, there is nothing to set up


def test_the_same_key_is_shown_until_it_is_confirmed(world, gia):
    first = re.search(r'data-testid="totp-secret">([^<]+)<', gia.get(SETUP).content.decode())
    second = re.search(r'data-testid="totp-secret">([^<]+)<', gia.get(SETUP).content.decode())
    assert first is not None and second is not None and first.group(1) == second.group(1)


# --- Signing in ---------------------------------------------------------------------------------


def test_without_two_step_sign_in_the_password_opens_the_portal(world, client):
    assert sign_in_password(client) == HOME
    assert client.get(HOME).status_code == 200


def test_sign_in_asks_for_the_code_and_only_then_opens_the_portal(world, client, gia_key):
    before = last_event_id()
    assert sign_in_password(client) == CODE_PAGE
    assert ACCOUNT not in client.session
    for page in (HOME, DOCUMENTS, SECURITY, "/p/riverside/inbox/"):
        response = client.get(page)
        assert response.status_code == 302 and urlsplit(response["Location"]).path == LOGIN, page
    code_page = client.get(CODE_PAGE)
    assert code_page.status_code == 200 and "Enter your code" in code_page.content.decode()
    response = client.post(CODE_PAGE, {"code": code(gia_key)})
    assert response.status_code == 302 and response["Location"] == HOME
    assert client.get(HOME).status_code == 200
    assert PENDING_TWO_FACTOR not in client.session
    assert actions_since(before) == ["portal.two_factor_verified", "portal.login"]


def test_next_survives_both_steps_and_opens_nothing_before_the_code(world, client, gia_key):
    location = sign_in_password(client, next=DOCUMENTS)
    assert urlsplit(location).path == CODE_PAGE
    assert parse_qs(urlsplit(location).query) == {"next": [DOCUMENTS]}
    assert urlsplit(client.get(DOCUMENTS)["Location"]).path == LOGIN
    refused = client.post(CODE_PAGE, {"code": wrong_code(gia_key), "next": DOCUMENTS})
    assert refused.status_code == 400
    assert f'name="next" value="{DOCUMENTS}"' in refused.content.decode()
    assert urlsplit(client.get(DOCUMENTS)["Location"]).path == LOGIN
    response = client.post(CODE_PAGE, {"code": code(gia_key), "next": DOCUMENTS})
    assert response.status_code == 302 and response["Location"] == DOCUMENTS


@pytest.mark.parametrize("target", ["https://evil.example/p/riverside/home/", "//evil.example/", "/staff/"])
def test_a_next_outside_this_portal_is_dropped_at_both_steps(world, client, gia_key, target):
    assert sign_in_password(client, next=target) == CODE_PAGE
    response = client.post(f"{CODE_PAGE}?next={target}", {"code": code(gia_key), "next": target})
    assert response["Location"] == HOME


def test_a_replayed_code_is_refused(world, client, gia_key):
    used = code(gia_key)
    sign_in_password(client)
    assert client.post(CODE_PAGE, {"code": used})["Location"] == HOME
    client.post("/p/riverside/logout/")
    before = last_event_id()
    sign_in_password(client)
    response = client.post(CODE_PAGE, {"code": used})
    assert response.status_code == 400
    assert "That code was already used" in response.content.decode()
    assert urlsplit(client.get(HOME)["Location"]).path == LOGIN
    event = AuditEvent.objects.filter(id__gt=before, action="portal.two_factor_failed").get()
    assert event.details == {"reason": "replayed", "step": "sign_in"}
    # The next step's code still works.
    assert client.post(CODE_PAGE, {"code": code(gia_key, 1)})["Location"] == HOME


def test_five_wrong_codes_pause_checking_even_for_the_right_code(world, client, gia_key):
    sign_in_password(client)
    for _ in range(two_factor.FAILURE_LIMIT):
        assert client.post(CODE_PAGE, {"code": wrong_code(gia_key)}).status_code == 400
    paused = client.post(CODE_PAGE, {"code": code(gia_key)})
    assert paused.status_code == 429
    assert "Too many wrong codes" in paused.content.decode()
    assert urlsplit(client.get(HOME)["Location"]).path == LOGIN
    # Signing in again from another browser does not lift the pause: it belongs to the account.
    other = HttpClient()
    sign_in_password(other)
    assert other.post(CODE_PAGE, {"code": code(gia_key)}).status_code == 429
    reasons = AuditEvent.objects.filter(action="portal.two_factor_failed").values_list("details__reason", flat=True)
    assert list(reasons) == ["wrong"] * two_factor.FAILURE_LIMIT + ["throttled", "throttled"]
    # When the pause is over, the right code works again.
    PortalTwoFactor.objects.filter(account=world.gia_account).update(locked_until=None)
    assert client.post(CODE_PAGE, {"code": code(gia_key)})["Location"] == HOME


def test_each_further_run_of_wrong_codes_pauses_twice_as_long(world, gia_key):
    row = PortalTwoFactor.objects.get(account=world.gia_account)
    pauses = []
    for _round in range(2):
        for _ in range(two_factor.FAILURE_LIMIT):
            two_factor.verify_sign_in(account=world.gia_account, practice=world.riverside, code=wrong_code(gia_key))
            row.refresh_from_db()
            if row.locked_until is not None and row.failures % two_factor.FAILURE_LIMIT == 0:
                pauses.append(row.locked_until.timestamp() - time.time())
        PortalTwoFactor.objects.filter(pk=row.pk).update(locked_until=None)
    assert len(pauses) == 2
    assert 290 < pauses[0] <= 300 and 590 < pauses[1] <= 600


def test_the_half_signed_in_state_expires_after_five_minutes(world, client, gia_key):
    sign_in_password(client)
    session = client.session
    session[PENDING_TWO_FACTOR] = {**session[PENDING_TWO_FACTOR], "at": int(time.time()) - 5 * 60 - 1}
    session.save()
    response = client.post(CODE_PAGE, {"code": code(gia_key)})
    assert response.status_code == 302 and urlsplit(response["Location"]).path == LOGIN
    assert urlsplit(client.get(HOME)["Location"]).path == LOGIN
    assert PENDING_TWO_FACTOR not in client.session
    assert "Signing in took too long" in client.get(LOGIN).content.decode()


def test_the_code_page_refuses_without_a_password_checked_first(world, client, gia_key):
    assert urlsplit(client.get(CODE_PAGE)["Location"]).path == LOGIN
    response = client.post(CODE_PAGE, {"code": code(gia_key)})
    assert urlsplit(response["Location"]).path == LOGIN
    assert urlsplit(client.get(HOME)["Location"]).path == LOGIN
    assert not AuditEvent.objects.filter(action="portal.two_factor_verified").exists()


def test_another_accounts_code_does_not_finish_the_sign_in(world, client, gia_key):
    ana = give_ana_a_portal_login(world).account
    ana_key = turn_on(ana, world.riverside)
    sign_in_password(client)  # Gia
    response = client.post(CODE_PAGE, {"code": code(ana_key)})
    assert response.status_code == 400
    assert urlsplit(client.get(HOME)["Location"]).path == LOGIN


def test_one_browsers_half_sign_in_does_not_help_another(world, client, gia_key):
    sign_in_password(client)
    other = HttpClient()
    response = other.post(CODE_PAGE, {"code": code(gia_key)})
    assert urlsplit(response["Location"]).path == LOGIN
    assert urlsplit(other.get(HOME)["Location"]).path == LOGIN


def test_a_half_sign_in_at_one_practice_is_not_accepted_at_another(world, client, gia_key):
    sign_in_password(client)
    response = client.post("/p/hilltop/sign-in/code/", {"code": code(gia_key)})
    assert urlsplit(response["Location"]).path == "/p/hilltop/"
    assert urlsplit(client.get("/p/hilltop/home/")["Location"]).path == "/p/hilltop/"


def test_a_password_change_meanwhile_voids_the_half_sign_in(world, client, gia_key):
    sign_in_password(client)
    account = world.gia_account
    account.set_password("a different long passphrase")
    account.save()
    response = client.post(CODE_PAGE, {"code": code(gia_key)})
    assert urlsplit(response["Location"]).path == LOGIN


def test_a_password_reset_link_still_asks_for_the_code(world, client, gia_key, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/p/riverside/password-reset/", {"email": "gia@example.com"})
    link = re.search(r"http://testserver(/p/riverside/password-reset/[^/\s]+/)", str(mail.outbox[-1].body))
    assert link is not None
    new_password = "a calm lake at dawn"
    response = client.post(link.group(1), {"password1": new_password, "password2": new_password})
    assert response.status_code == 302 and response["Location"] == CODE_PAGE
    assert urlsplit(client.get(HOME)["Location"]).path == LOGIN
    assert client.post(CODE_PAGE, {"code": code(gia_key)})["Location"] == HOME
    assert client.get(HOME).status_code == 200


# --- Turning it off -----------------------------------------------------------------------------


@pytest.fixture
def gia_with_code(world, gia_key) -> HttpClient:
    http = HttpClient()
    sign_in_password(http)
    assert http.post(CODE_PAGE, {"code": code(gia_key)})["Location"] == HOME
    return http


def test_turning_off_needs_the_password(world, gia_with_code, gia_key):
    response = gia_with_code.post(TURN_OFF, {"password": "not my password", "code": code(gia_key, 1)})
    assert response.status_code == 400
    assert "That password isn&#x27;t right" in response.content.decode()
    assert two_factor.is_on(world.gia_account)


def test_turning_off_needs_a_current_code(world, gia_with_code, gia_key):
    response = gia_with_code.post(TURN_OFF, {"password": PASSWORD, "code": wrong_code(gia_key)})
    assert response.status_code == 400
    assert two_factor.is_on(world.gia_account)
    missing = gia_with_code.post(TURN_OFF, {"password": PASSWORD})
    assert missing.status_code == 400 and two_factor.is_on(world.gia_account)
    events = AuditEvent.objects.filter(action="portal.two_factor_failed", details__step="turn_off")
    assert [event.details["reason"] for event in events] == ["wrong"]


def test_turning_off_with_password_and_code_is_audited_and_sign_in_needs_the_password_only(
    world, gia_with_code, gia_key
):
    before = last_event_id()
    response = gia_with_code.post(TURN_OFF, {"password": PASSWORD, "code": code(gia_key, 1)})
    assert response.status_code == 302 and response["Location"] == SECURITY
    assert not two_factor.is_on(world.gia_account)
    assert not PortalTwoFactor.objects.filter(account=world.gia_account).exists()
    assert actions_since(before) == ["portal.two_factor_disabled"]
    assert sign_in_password(HttpClient()) == HOME


# --- A lost phone: staff turn it off ------------------------------------------------------------


def manage_url(world: World) -> str:
    return f"/staff/clients/{world.max.pk}/portal/{world.gia_access_max.pk}/manage/"


def test_staff_turn_off_two_step_sign_in_for_a_lost_phone_and_the_person_is_told(
    world: World, gia_key: bytes, login, django_capture_on_commit_callbacks
) -> None:
    http = login(world.ada)
    page = http.get(f"/staff/clients/{world.max.pk}/portal/{world.gia_access_max.pk}/").content.decode()
    assert "Turn off two-step sign-in" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(manage_url(world), {"operation": "turn_off_two_factor"}, follow=True)
    assert "Two-step sign-in is off for this person." in response.content.decode()
    assert not PortalTwoFactor.objects.filter(account=world.gia_account).exists()
    [told] = mail.outbox
    assert told.to == ["gia@example.com"] and "turned off" in told.body and "Max" not in told.body
    event = AuditEvent.objects.get(action="portal.two_factor_reset")
    assert (event.actor_id, event.client_id) == (world.ada.user.pk, world.max.pk)
    # Gia signs in with her password alone again.
    assert sign_in_password(HttpClient()) == HOME


def test_turning_it_off_for_someone_needs_the_invite_permission_and_this_practice(world: World, gia_key: bytes) -> None:
    with pytest.raises(ApplicationError):
        two_factor.turn_off_for_lost_phone(by=world.theo, access=world.gia_access_max)  # no Invite permission
    with pytest.raises(ApplicationError):
        two_factor.turn_off_for_lost_phone(by=world.hana, access=world.gia_access_max)  # another practice
    assert PortalTwoFactor.objects.filter(account=world.gia_account).exists()
    two_factor.turn_off_for_lost_phone(by=world.ada, access=world.gia_access_max)
    with pytest.raises(ApplicationError, match="nothing to turn off"):
        two_factor.turn_off_for_lost_phone(by=world.ada, access=world.gia_access_max)
