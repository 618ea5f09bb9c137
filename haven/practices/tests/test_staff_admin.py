"""Organization Administration: inviting staff, roles, permissions one by one, practice settings."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from haven.audit.models import AuditEvent
from haven.core.errors import ApplicationError
from haven.practices.actions import (
    invite_staff,
    read_logo,
    resend_staff_invitation,
    set_staff_active,
    set_staff_permission,
    set_staff_role,
)
from haven.practices.models import ROLE_TEMPLATES, LinkPurpose, Permission, Role, StaffMember
from haven.practices.password_links import set_password_with_link
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


def _invite(world, django_capture_on_commit_callbacks, **overrides) -> tuple[StaffMember, str]:
    data = {"email": "new@riverside.example", "full_name": "Nell New", "role": Role.THERAPIST, **overrides}
    with django_capture_on_commit_callbacks(execute=True):
        member = invite_staff(by=world.ada, **data)
    return member, _token_in_last_email()


def _token_in_last_email() -> str:
    found = re.search(r"/staff/invitation/([^/]+)/", str(mail.outbox[-1].body))
    assert found, "no invitation link in the email"
    return found.group(1)


def test_no_role_template_grants_web_portal():
    for role, permissions in ROLE_TEMPLATES.items():
        assert Permission.WEB_PORTAL not in permissions, role


def test_therapist_template_has_forms_and_uploads_but_not_invites():
    therapist = ROLE_TEMPLATES[Role.THERAPIST]
    assert Permission.DYNAMIC_FORMS in therapist
    assert Permission.UPLOAD_DOCUMENTS in therapist
    assert Permission.INVITE_PORTAL not in therapist


def test_invited_staff_get_the_roles_permissions_without_web_portal(world, django_capture_on_commit_callbacks):
    member, _token = _invite(world, django_capture_on_commit_callbacks, role=Role.ADMINISTRATOR)
    assert set(member.permissions) == set(ROLE_TEMPLATES[Role.ADMINISTRATOR])
    assert not member.has_permission(Permission.WEB_PORTAL)
    assert member.practice == world.riverside
    assert not member.user.has_usable_password()


def test_invitation_email_links_to_set_password_and_says_nothing_else(world, django_capture_on_commit_callbacks):
    _member, _token = _invite(world, django_capture_on_commit_callbacks)
    message = mail.outbox[-1]
    assert message.to == ["new@riverside.example"]
    assert "Riverside Counseling" in message.subject
    assert "24 hours" in message.body
    assert isinstance(message, EmailMultiAlternatives)
    html = str(message.alternatives[0][0])
    assert "/staff/invitation/" in html


def test_invitation_sets_password_once(world, client, django_capture_on_commit_callbacks):
    member, token = _invite(world, django_capture_on_commit_callbacks)
    url = f"/staff/invitation/{token}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"password1": "a long calm river", "password2": "a long calm river"})
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert member.user.check_password("a long calm river")
    client.logout()
    assert client.get(url).status_code == 410


def test_invitation_link_expires_after_24_hours(world, client, django_capture_on_commit_callbacks, monkeypatch):
    _member, token = _invite(world, django_capture_on_commit_callbacks)
    later = timezone.now() + datetime.timedelta(hours=24, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get(f"/staff/invitation/{token}/").status_code == 410
    with pytest.raises(ApplicationError, match="expired"):
        set_password_with_link(token=token, purpose=LinkPurpose.INVITATION, password="a long calm river")


def test_resending_voids_the_earlier_link(world, client, django_capture_on_commit_callbacks):
    member, first = _invite(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        resend_staff_invitation(by=world.ada, member=member)
    second = _token_in_last_email()
    assert first != second
    assert client.get(f"/staff/invitation/{first}/").status_code == 410
    assert client.get(f"/staff/invitation/{second}/").status_code == 200


def test_invitation_page_refuses_weak_passwords_with_a_reason(world, client, django_capture_on_commit_callbacks):
    _member, token = _invite(world, django_capture_on_commit_callbacks)
    response = client.post(f"/staff/invitation/{token}/", {"password1": "password", "password2": "password"})
    assert response.status_code == 200
    assert "too common" in response.content.decode()


def test_tokens_are_stored_hashed(world, django_capture_on_commit_callbacks):
    member, token = _invite(world, django_capture_on_commit_callbacks)
    stored = member.password_links.get()
    assert token not in stored.token_hash
    assert len(stored.token_hash) == 64


def test_inviting_an_existing_email_is_refused(world):
    with pytest.raises(ApplicationError, match="already"):
        invite_staff(by=world.ada, email="THEO@riverside.example", full_name="Theo", role=Role.THERAPIST)


def test_only_administrators_invite(world):
    with pytest.raises(ApplicationError):
        invite_staff(by=world.theo, email="x@riverside.example", full_name="X", role=Role.THERAPIST)


def test_granting_and_revoking_a_permission_is_audited(world):
    set_staff_permission(by=world.ada, member=world.theo, permission=Permission.WEB_PORTAL, granted=True)
    set_staff_permission(by=world.ada, member=world.theo, permission=Permission.WEB_PORTAL, granted=False)
    actions = list(AuditEvent.objects.filter(object_id=str(world.theo.pk)).values_list("action", "details"))
    assert actions == [
        ("staff.permission_granted", {"permission": "web_portal", "staff": "theo@riverside.example"}),
        ("staff.permission_revoked", {"permission": "web_portal", "staff": "theo@riverside.example"}),
    ]


def test_administrator_grants_web_portal_to_themself_explicitly(world):
    ada = set_staff_permission(by=world.ada, member=world.ada, permission=Permission.WEB_PORTAL, granted=False)
    assert not ada.has_permission(Permission.WEB_PORTAL)
    ada = set_staff_permission(by=ada, member=ada, permission=Permission.WEB_PORTAL, granted=True)
    assert ada.has_permission(Permission.WEB_PORTAL)


def test_the_last_administrator_cannot_remove_their_own_administration(world):
    with pytest.raises(ApplicationError, match="at least one administrator"):
        set_staff_permission(by=world.ada, member=world.ada, permission=Permission.ORG_ADMIN, granted=False)


def test_role_change_with_template_keeps_web_portal(world):
    set_staff_permission(by=world.ada, member=world.theo, permission=Permission.WEB_PORTAL, granted=True)
    theo = set_staff_role(by=world.ada, member=world.theo, role=Role.FRONT_DESK, apply_template=True)
    assert set(theo.permissions) == set(ROLE_TEMPLATES[Role.FRONT_DESK]) | {Permission.WEB_PORTAL}
    assert AuditEvent.objects.filter(action="staff.role_changed").exists()


def test_disabled_staff_lose_their_live_session(world, login):
    http = login(world.theo)
    assert http.get("/staff/clients/").status_code == 200
    set_staff_active(by=world.ada, member=world.theo, active=False)
    response = http.get("/staff/clients/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_administrator_cannot_disable_themself(world):
    with pytest.raises(ApplicationError):
        set_staff_active(by=world.ada, member=world.ada, active=False)


def test_permission_toggle_page_changes_one_permission(world, login):
    http = login(world.ada)
    response = http.post(
        f"/staff/admin/staff/{world.theo.pk}/",
        {"operation": "permission", "permission": "web_portal", "granted": "1"},
    )
    assert response.status_code == 302
    world.theo.refresh_from_db()
    assert world.theo.has_permission(Permission.WEB_PORTAL)


def test_settings_change_is_audited_with_before_and_after(world, login):
    http = login(world.ada)
    response = http.post(
        "/staff/admin/",
        {
            "name": "Riverside Counseling",
            "time_zone": "America/Denver",
            "age_of_majority": 18,
            "client_contact_network_enabled": "on",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="practice.settings_changed")
    assert event.details["changed"]["time_zone"] == {"from": "America/Chicago", "to": "America/Denver"}


def test_unknown_time_zone_is_refused_with_a_clear_message(world, login):
    http = login(world.ada)
    response = http.post("/staff/admin/", {"name": "Riverside", "time_zone": "Mars/Olympus", "age_of_majority": 18})
    assert response.status_code == 200
    assert "Choose a time zone from the list" in response.content.decode()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def test_logo_accepts_png_checked_from_content(world, login):
    http = login(world.ada)
    upload = io.BytesIO(_png())
    upload.name = "logo.txt"  # the name does not matter, the content does
    assert http.post("/staff/admin/logo/", {"logo": upload}).status_code == 302
    response = http.get("/practice/riverside/logo")
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_logo_refuses_html_named_png_politely(world, login):
    http = login(world.ada)
    upload = io.BytesIO(b"<html><script>alert(1)</script></html>")
    upload.name = "logo.png"
    response = http.post("/staff/admin/logo/", {"logo": upload})
    assert response.status_code == 400
    assert "not a PNG or JPEG image" in response.content.decode()


def test_logo_refuses_gif():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="GIF")
    with pytest.raises(ApplicationError):
        read_logo(buffer.getvalue())


def test_invite_page_keeps_input_on_error(world, login):
    http = login(world.ada)
    response = http.post(
        "/staff/admin/staff/invite/", {"full_name": "Nell New", "email": "not-an-email", "role": "therapist"}
    )
    body = response.content.decode()
    assert "Enter an email address like name@example.com." in body
    assert 'value="Nell New"' in body


def test_pages_read_the_practices_logo_only_to_show_it(world, login):
    """Every staff and portal page reads its practice; its logo's bytes are read only by the logo's own address."""
    http = login(world.ada)
    upload = io.BytesIO(_png())
    upload.name = "logo.png"
    assert http.post("/staff/admin/logo/", {"logo": upload}).status_code == 302
    portal = HttpClient()
    assert portal.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD}).status_code == 302
    logo_column = '"practices_practice"."logo"'  # the closing quote: not "logo_content_type"
    for client, address in (
        (http, "/staff/clients/"),
        (http, f"/staff/clients/{world.max.pk}/"),
        (portal, "/p/riverside/home/"),
        (portal, "/p/riverside/documents/"),
    ):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(address)
        assert page.status_code == 200, address
        assert 'src="/practice/riverside/logo"' in page.content.decode(), address  # the logo is shown
        assert not [q["sql"] for q in queries if logo_column in q["sql"]], address
    with CaptureQueriesContext(connection) as queries:
        assert http.get("/practice/riverside/logo").content == _png()
    assert any(logo_column in q["sql"] for q in queries)
