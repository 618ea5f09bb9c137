"""Walk every URL pattern: closed unless declared, anonymous sent to login, other practices see 404, roles see 403.

The URL list comes from the live resolver (``tests.security.urlwalk``), so a new URL is tested as soon
as it exists; one with an unknown keyword argument fails until the walk learns how to fill it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.clients.models import Client, RelatedContact
from haven.documents.actions import set_recipients
from haven.practices.models import Permission, StaffMember
from tests.personas import PASSWORD, World
from tests.security.urlwalk import (
    CLIENT_ASSIGNMENT_ROUTES,
    CLINICAL_DOCUMENT_ROUTES,
    CONTACT_ROUTES,
    NON_PUBLIC_ROUTES,
    OBJECT_KWARGS,
    OBJECT_ROUTES,
    PERMISSION_ROUTES,
    PUBLIC_URL_NAMES,
    ROUTES,
    Route,
    route_id,
    url_for,
    url_kwargs,
)

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

LOGIN_PATH = "/staff/login/"
PORTAL_LOGIN_PATH = "/p/riverside/"
MISSING_ID = 2_000_000_000


def practice_one_names(world: World) -> list[str]:
    """Words that would give away practice-1 people if they showed up on another practice's page."""
    return [
        world.ana.full_name,
        world.ana.last_name,
        world.max.full_name,
        world.max.last_name,
        world.gia.full_name,
        world.theo.user.full_name,
        world.riverside_facility.name,
        world.riverside.name,
        str(world.ana.email),
        str(world.gia.email),
    ]


CSRF_TOKEN = re.compile(rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+')


def without_csrf_tokens(body: bytes) -> bytes:
    """The page with its CSRF tokens blanked: they are masked afresh on every response."""
    return CSRF_TOKEN.sub(rb"\1", body)


def request(http: HttpClient, method: str, url: str) -> TestResponse:
    return http.get(url) if method == "GET" else http.post(url, {})


def new_events(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=before).order_by("id"))


def last_event_id() -> int:
    last = AuditEvent.objects.order_by("-id").first()
    return last.pk if last else 0


def fresh_login(login, member: StaffMember) -> HttpClient:
    return login(member, HttpClient())


# --- The walk itself ----------------------------------------------------------------------------


def test_walk_reaches_nested_includes_and_known_urls():
    """The walk flattens includes: it sees the root, the staff app's namespaced URLs and the logo URL."""
    names = {route.name for route in ROUTES}
    assert {"root", "staff:login", "staff:client_chart", "staff:contact_edit", "practice_logo"} <= names
    assert len(ROUTES) >= 25
    chart = next(route for route in ROUTES if route.name == "staff:client_chart")
    assert chart.pattern == "staff/clients/<int:client_id>/"
    assert chart.kwargs == ("client_id",)


def test_every_url_is_named_and_every_argument_can_be_filled(world):
    """Each pattern can be built into a real URL; an unknown argument fails here until the walk learns it."""
    for route in ROUTES:
        url = url_for(route, world)
        assert url.startswith("/"), route
        for name in route.kwargs:
            if name in OBJECT_KWARGS:
                assert str(url_kwargs(route, world)[name]) in url, (route, url)


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_every_view_declares_an_access_rule(route: Route):
    """Deny by default: a view without ``haven_access`` would answer 404 to everyone, so none may lack one."""
    rule = route.rule
    assert rule is not None, f"{route} ({route.pattern}) declares no access rule"
    assert rule.audience in {"public", "staff", "portal"}, route


def test_public_urls_are_exactly_the_reviewed_allowlist():
    """Only the reviewed URLs are public; everything else is for signed-in staff, or signed-in portal users."""
    public = {route.name for route in ROUTES if route.rule is not None and route.rule.audience == "public"}
    assert public == PUBLIC_URL_NAMES
    for route in NON_PUBLIC_ROUTES:
        expected = "portal" if route.name.startswith("portal:") else "staff"
        assert route.rule is not None and route.rule.audience == expected, route


@pytest.mark.urls("tests.security.undeclared_urls")
def test_a_view_without_an_access_rule_answers_404_to_everyone(world, client):
    """AccessPolicyMiddleware refuses an undeclared view, for anonymous visitors and logged-in staff alike."""
    response = client.get("/undeclared/")
    assert response.status_code == 404
    assert b"forgot to declare" not in response.content
    client.force_login(world.ada.user)
    response = client.get("/undeclared/")
    assert response.status_code == 404
    assert b"forgot to declare" not in response.content


# --- Anonymous visitors -------------------------------------------------------------------------


def assert_redirects_to_login(response: TestResponse, url: str, login_path: str = LOGIN_PATH) -> None:
    assert response.status_code == 302, f"{url} answered {response.status_code} to an anonymous visitor"
    location = urlsplit(response["Location"])
    assert location.path == login_path, f"{url} redirected to {response['Location']}"
    assert parse_qs(location.query).get("next") == [url]


def login_path_for(route: Route) -> str:
    """Staff pages send visitors to the staff login, portal pages to their practice's portal sign-in."""
    return PORTAL_LOGIN_PATH if route.is_portal else LOGIN_PATH


@pytest.mark.parametrize("route", NON_PUBLIC_ROUTES, ids=route_id)
def test_anonymous_get_of_a_staff_url_redirects_to_login(route: Route, world, client):
    """Every non-public page sends an anonymous visitor to the login page, remembering where they were going."""
    url = url_for(route, world)
    response = client.get(url)
    assert_redirects_to_login(response, url, login_path_for(route))
    assert world.ana.last_name.encode() not in response.content


@pytest.mark.parametrize("route", NON_PUBLIC_ROUTES, ids=route_id)
def test_anonymous_post_to_a_staff_url_redirects_to_login_and_changes_nothing(route: Route, world, client):
    """An anonymous POST is turned away before any action runs: no rows change, nothing is audited."""
    url = url_for(route, world)
    before = last_event_id()
    clients, contacts, staff = Client.objects.count(), RelatedContact.objects.count(), StaffMember.objects.count()
    response = client.post(url, {"name": "Changed", "operation": "disable"})
    assert_redirects_to_login(response, url, login_path_for(route))
    assert (Client.objects.count(), RelatedContact.objects.count(), StaffMember.objects.count()) == (
        clients,
        contacts,
        staff,
    )
    assert new_events(before) == []


def test_logout_is_public_but_only_by_post(world, client):
    """Logout needs no login and cannot be triggered by a link (GET is refused)."""
    assert client.get(reverse("staff:logout")).status_code == 405
    response = client.post(reverse("staff:logout"))
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == LOGIN_PATH


def test_public_urls_answer_anonymous_visitors_without_client_data(world, client):
    """The public pages work for anonymous visitors and show no practice-1 client or contact."""
    root = client.get("/")
    assert root.status_code == 302 and root["Location"] == reverse("staff:home")
    login_page = client.get(LOGIN_PATH)
    assert login_page.status_code == 200
    invitation = client.get(reverse("staff:accept_invitation", kwargs={"token": "not-a-real-token"}))
    assert invitation.status_code == 410
    reset = client.get(reverse("staff:password_reset"))
    assert reset.status_code == 200
    reset_link = client.get(reverse("staff:password_reset_confirm", kwargs={"token": "not-a-real-token"}))
    assert reset_link.status_code == 410
    logo = client.get(reverse("practice_logo", kwargs={"slug": "riverside"}))
    assert logo.status_code == 404  # no logo uploaded
    for response in (login_page, invitation, reset, reset_link, logo):
        for name in (world.ana.last_name, world.max.last_name, world.gia.full_name):
            assert name.encode() not in response.content


def test_the_sign_in_code_page_is_public_but_refuses_without_a_password_checked_first(world, client):
    """The second step of a portal sign-in sends anyone without the half-signed-in session key to sign in."""
    url = reverse("portal:sign_in_code", kwargs={"slug": "riverside"})
    for response in (client.get(url), client.post(url, {"code": "123456"})):
        assert response.status_code == 302 and urlsplit(response["Location"]).path == PORTAL_LOGIN_PATH
    assert not AuditEvent.objects.filter(action__startswith="portal.two_factor").exists()


# --- The owning practice: the URLs the walk builds are real -------------------------------------


def portal_login(world: World) -> HttpClient:
    http = HttpClient()
    response = http.post(PORTAL_LOGIN_PATH, {"username": world.gia_account.email, "password": PASSWORD})
    assert response.status_code == 302, "portal login failed"
    return http


@pytest.mark.parametrize("route", NON_PUBLIC_ROUTES, ids=route_id)
def test_walk_urls_are_real_pages_for_the_owning_practice(route: Route, world, login, settings):
    """Ada (practice 1, all permissions), or Gia on portal pages, reaches every URL, so the 404s below are not typos."""
    settings.HAVEN_DEMO_OUTBOX = True  # the demo's page answers only where it is asked for
    if route.is_portal and "document_id" in route.kwargs:
        # Gia sees documents shared with her: share the walk's document with her first.
        set_recipients(
            by=world.ada, document=world.progress_note, all_authorized=False, client=False, contacts=[world.gia]
        )
    http = portal_login(world) if route.is_portal else login(world.ada)
    url = url_for(route, world)
    response = http.get(url)
    if response.status_code == 405:  # a POST-only action
        response = http.post(url, {})
    assert response.status_code in {200, 302, 400}, f"{url} answered {response.status_code} to its own practice"


# --- Another practice: 404, audited, nothing shown ----------------------------------------------


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=route_id)
def test_another_practices_staff_get_404_for_a_practice_one_object(route: Route, world, login):
    """Hana (practice 2 admin, every permission) gets 404 for practice-1 objects; each denial is audited."""
    hana = fresh_login(login, world.hana)
    url = url_for(route, world)
    object_ids = {str(value) for name, value in url_kwargs(route, world).items() if name in OBJECT_KWARGS}
    not_found = 0
    for method in ("GET", "POST"):
        before = last_event_id()
        response = request(hana, method, url)
        if response.status_code == 405:
            # The method is refused whoever asks and whatever the object: that reveals nothing.
            assert new_events(before) == []
            ada = fresh_login(login, world.ada)
            assert request(ada, method, url).status_code == 405, f"{method} {url} is 405 only for another practice"
            continue
        assert response.status_code == 404, f"{method} {url} answered {response.status_code} to another practice"
        not_found += 1
        events = new_events(before)
        assert [event.action for event in events] == ["access.denied"], f"{method} {url} wrote {events}"
        denied = events[0]
        assert denied.actor_kind == "staff" and denied.actor_id == world.hana.user.pk
        assert denied.practice_id == world.hilltop.pk
        assert denied.details["object_id"] in object_ids
        body = response.content.decode()
        for name in practice_one_names(world):
            assert name not in body, f"{method} {url}: the 404 page shows {name!r}"
    assert not_found >= 1, f"{url} never answered 404 to another practice"


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=route_id)
def test_another_practices_object_looks_exactly_like_a_missing_one(route: Route, world, login):
    """No access looks like not found: same status and same page as an id that does not exist."""
    hana = fresh_login(login, world.hana)
    method = "POST" if hana.get(url_for(route, world)).status_code == 405 else "GET"
    foreign = request(hana, method, url_for(route, world))
    missing_kwargs = {name: MISSING_ID for name in route.kwargs if name in OBJECT_KWARGS}
    missing = request(hana, method, url_for(route, world, **missing_kwargs))
    assert foreign.status_code == missing.status_code == 404
    assert [t.name for t in foreign.templates] == [t.name for t in missing.templates]
    assert without_csrf_tokens(foreign.content) == without_csrf_tokens(missing.content)


# --- Missing permission: 403, audited -----------------------------------------------------------


def member_lacking(world: World, permission: str) -> StaffMember:
    for member in (world.bill, world.theo, world.fran):
        if not member.has_permission(permission):
            return member
    raise AssertionError(f"No practice-1 persona lacks {permission!r}: add one to tests/personas.py")


@pytest.mark.parametrize("route", PERMISSION_ROUTES, ids=route_id)
def test_staff_without_the_permission_get_403_and_it_is_audited(route: Route, world, login):
    """Bill (billing, no Organization Administration) gets 403 on every URL whose rule names a permission."""
    assert route.rule is not None and route.rule.permission
    permission = str(route.rule.permission)
    member = member_lacking(world, permission)
    http = fresh_login(login, member)
    url = url_for(route, world)  # practice-1 objects: Bill's own practice, so only the permission is missing
    for method in ("GET", "POST"):
        before = last_event_id()
        response = request(http, method, url)
        assert response.status_code == 403, f"{method} {url} answered {response.status_code} without {permission}"
        assert world.ana.last_name.encode() not in response.content
        events = new_events(before)
        assert [event.action for event in events] == ["access.forbidden"], f"{method} {url} wrote {events}"
        assert events[0].actor_id == member.user.pk
        assert events[0].details == {"path": url, "permission": permission}
    member.permissions = [*member.permissions, permission]
    member.save(update_fields=["permissions"])
    granted = http.get(url)
    assert granted.status_code != 403, f"{url} still answers 403 once {permission} is granted"


def assert_not_found_and_denied(http: HttpClient, url: str, *, hidden: str) -> list[AuditEvent]:
    """GET and POST answer 404 without ``hidden`` in the body, each audited as one ``access.denied``.

    A method the view refuses (405) is refused whatever the object, reveals nothing and writes nothing.
    Returns the denials, one per method that reached the view.
    """
    denials: list[AuditEvent] = []
    for method in ("GET", "POST"):
        before = last_event_id()
        response = request(http, method, url)
        if response.status_code == 405:
            assert new_events(before) == []
            continue
        assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
        assert hidden.encode() not in response.content
        events = new_events(before)
        assert [event.action for event in events] == ["access.denied"], f"{method} {url} wrote {events}"
        denials.append(events[0])
    return denials


# --- Right practice, wrong client ---------------------------------------------------------------


@pytest.mark.parametrize("route", CONTACT_ROUTES, ids=route_id)
def test_a_contact_reached_through_the_wrong_client_answers_404(route: Route, world, login):
    """Gia is Max's contact: naming her under Ana's chart answers 404 (audited), even in the same practice."""
    http = fresh_login(login, world.ada)
    url = url_for(route, world, client_id=world.ana.pk)
    assert str(world.gia.pk) in url and f"/clients/{world.ana.pk}/" in url
    assert_not_found_and_denied(http, url, hidden=world.gia.full_name)
    assert RelatedContact.objects.filter(pk=world.gia.pk, client=world.max).exists()


@pytest.mark.parametrize("route", CLIENT_ASSIGNMENT_ROUTES, ids=route_id)
def test_a_sent_form_reached_through_the_wrong_client_answers_404(route: Route, world, login):
    """The walk's form is Max's: naming it under Ana's chart answers 404 (audited), even in the same practice."""
    http = fresh_login(login, world.ada)
    assignment_id = url_kwargs(route, world)["assignment_id"]
    url = url_for(route, world, client_id=world.ana.pk)
    assert f"/clients/{world.ana.pk}/" in url and str(assignment_id) in url
    denials = assert_not_found_and_denied(http, url, hidden=world.max.full_name)
    assert denials and all(event.details["object_id"] == str(assignment_id) for event in denials)


# --- Minimum necessary: clinical documents ------------------------------------------------------


def test_the_walk_opens_clinical_documents_on_every_document_url(world):
    """The walk's document and group note are clinical, and every staff page or file of them is walked."""
    names = {route.name for route in CLINICAL_DOCUMENT_ROUTES}
    assert {
        "staff:document_detail",
        "staff:document_file",
        "staff:document_version_verify",
        "staff:document_share",
        "staff:document_share_to_sign",
        "staff:signature_request_remind",
        "staff:group_note_detail",
    } <= names
    assert world.progress_note.type.clinical


@pytest.mark.parametrize("role", ["bill", "fran"])
@pytest.mark.parametrize("route", CLINICAL_DOCUMENT_ROUTES, ids=route_id)
def test_billing_and_front_desk_get_404_for_every_clinical_document_url_and_it_is_audited(
    route: Route, role: str, world, login
):
    """Bill and Fran, given every other permission, still get 404 (audited, nothing shown) on clinical documents."""
    member: StaffMember = getattr(world, role)
    assert not member.has_permission(Permission.CLINICAL_DOCUMENTS)
    member.permissions = sorted(set(Permission.values) - {Permission.CLINICAL_DOCUMENTS})
    member.save(update_fields=["permissions"])
    http = fresh_login(login, member)
    url = url_for(route, world)
    denials = assert_not_found_and_denied(http, url, hidden=world.progress_note.title)
    assert denials and all(event.actor_id == member.user.pk for event in denials)
