"""Walk every portal URL as people who must not reach Gia's documents, messages and requests for Max.

Gia (Max's legal guardian) owns the walk's objects: Max's progress note shared with her, the request to
sign it and its inbox message. Each portal URL naming one of them, asked by another practice's portal
login, by Gia acting for another profile, or by Gia once her access to Max was revoked, expired or ended
at Max's age of majority, answers 404, shows nothing of it and is audited as ``access.denied``; the
portal's other pages show nothing of Max either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.documents.actions import set_recipients
from haven.portal_access.models import AccessKind, AccessStatus, PortalAccount, ProfileAccess
from tests.personas import PASSWORD, World, years_ago
from tests.security.urlwalk import (
    OBJECT_KWARGS,
    PORTAL_OBJECT_ROUTES,
    PORTAL_PAGE_ROUTES,
    PORTAL_ROUTES,
    Route,
    route_id,
    url_for,
    url_kwargs,
)

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db


def sign_in(email: str, slug: str = "riverside") -> HttpClient:
    http = HttpClient()
    response = http.post(f"/p/{slug}/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302, f"portal sign-in of {email} failed"
    return http


def last_event_id() -> int:
    last = AuditEvent.objects.order_by("-id").first()
    return last.pk if last else 0


def hidden_words(world: World) -> list[str]:
    """What would give Max's objects away on a page."""
    return [world.max.full_name, world.progress_note.title]


def gias_objects_for_max(world: World) -> None:
    """Max's progress note shared with Gia, and (made by the walk on first use) the request to sign it."""
    set_recipients(by=world.ada, document=world.progress_note, all_authorized=False, client=False, contacts=[world.gia])
    for route in PORTAL_OBJECT_ROUTES:
        url_kwargs(route, world)  # makes the signature request and its message


def gia_for_max_only(world: World) -> HttpClient:
    """Gia signed in with Max's profile selected, her access to Mia removed."""
    world.gia_access_mia.mark_ended(AccessStatus.REVOKED)
    gias_objects_for_max(world)
    return sign_in(world.gia_account.email)


def request(http: HttpClient, method: str, url: str) -> TestResponse:
    return http.get(url) if method == "GET" else http.post(url, {})


# The one GET that follows its object to another profile of the same login: a thread's link, as emails give it,
# selects the thread's profile when the login's access to it is in effect (audited as portal.profile_selected).
LANDS_ON_ITS_PROFILE = frozenset({"portal:thread"})


def assert_object_urls_refused(
    http: HttpClient, world: World, account: PortalAccount, *, same_login: bool = False, **overrides: object
) -> None:
    """Every portal URL naming Gia's objects answers 404, shows nothing and writes one access.denied (for Gia
    herself acting for another profile, but the thread links' GET, which switches: see LANDS_ON_ITS_PROFILE)."""
    for route in PORTAL_OBJECT_ROUTES:
        url = url_for(route, world, **overrides)
        object_ids = {str(value) for name, value in url_kwargs(route, world).items() if name in OBJECT_KWARGS}
        refused = 0
        for method in ("GET", "POST"):
            if same_login and method == "GET" and route.name in LANDS_ON_ITS_PROFILE:
                continue
            before = last_event_id()
            response = request(http, method, url)
            events = list(AuditEvent.objects.filter(id__gt=before).order_by("id"))
            if response.status_code == 405:  # refused whoever asks: reveals nothing
                assert events == [], f"{method} {url} wrote {events}"
                continue
            refused += 1
            assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
            for words in hidden_words(world):
                assert words.encode() not in response.content, f"{method} {url} shows {words!r}"
            assert [event.action for event in events] == ["access.denied"], f"{method} {url} wrote {events}"
            denied = events[0]
            assert denied.actor_kind == "portal" and denied.actor_id == account.pk
            assert denied.details["object_id"] in object_ids
        assert refused, f"{url} never reached its view"


def assert_pages_show_nothing_of_max(
    http: HttpClient, world: World, *, hidden: list[str] | None = None, **overrides: object
) -> None:
    """The portal's pages without an object answer as they do for anyone (or send to sign in) and never name Max."""
    for route in PORTAL_PAGE_ROUTES:
        url = url_for(route, world, **overrides)
        response = http.get(url)
        assert response.status_code in {200, 302, 404, 405}, f"{url} answered {response.status_code}"
        for words in hidden or hidden_words(world):
            assert words.encode() not in response.content, f"{url} shows {words!r}"


def test_a_thread_link_for_another_of_the_logins_profiles_selects_that_profile_and_no_other_login_s(world):
    """The email's link lands on the thread: Gia, acting for Mia, follows a link to Max's thread and is switched
    to Max (audited); with her access to Max ended, the same link is a 404 like any other."""
    gias_objects_for_max(world)
    http = sign_in(world.gia_account.email)
    assert http.post("/p/riverside/switch/", {"profile": world.gia_access_mia.pk}).status_code == 302
    route = next(route for route in PORTAL_OBJECT_ROUTES if route.name == "portal:thread")
    before = last_event_id()
    response = http.get(url_for(route, world))
    assert response.status_code == 200
    assert world.max.full_name.encode() in response.content
    assert "portal.profile_selected" in set(AuditEvent.objects.filter(id__gt=before).values_list("action", flat=True))
    assert http.post("/p/riverside/switch/", {"profile": world.gia_access_mia.pk}).status_code == 302
    world.gia_access_max.mark_ended(AccessStatus.REVOKED)
    assert http.get(url_for(route, world)).status_code == 404


def test_the_walk_covers_every_portal_url_and_gia_reaches_her_objects(world):
    """The objects walked are real: Gia, acting for Max, opens each of them (so the 404s below are not typos)."""
    assert {route.name for route in PORTAL_OBJECT_ROUTES} >= {
        "portal:document_view",
        "portal:document_download",
        "portal:document_verify",
        "portal:thread",
        "portal:attachment",
        "portal:sign",
        "portal:sign_page_image",
        "portal:decline",
        "portal:form_fill",
        "portal:form_autosave",
        "portal:form_blank",
        "portal:form_upload",
    }
    assert set(PORTAL_OBJECT_ROUTES) | set(PORTAL_PAGE_ROUTES) == set(PORTAL_ROUTES)
    http = gia_for_max_only(world)
    for route in PORTAL_OBJECT_ROUTES:
        url = url_for(route, world)
        response = http.get(url)
        if response.status_code == 405:
            response = http.post(url, {})
        assert response.status_code in {200, 302, 400}, f"{url} answered {response.status_code} to Gia"


def test_another_practices_portal_login_gets_404_for_every_object_url(world):
    """Hal, signed in to Hilltop's portal, names Riverside's objects in Hilltop's URLs: 404, audited, nothing shown."""
    hal = PortalAccount(email=world.hal.email, full_name=world.hal.full_name, email_verified_at=timezone.now())
    hal.set_password(PASSWORD)
    hal.save()
    ProfileAccess.objects.create(
        account=hal,
        practice=world.hilltop,
        client=world.hal,
        kind=AccessKind.SELF,
        status=AccessStatus.ACTIVE,
        confirmed_at=timezone.now(),
    )
    gias_objects_for_max(world)
    http = sign_in(hal.email, slug="hilltop")
    assert_object_urls_refused(http, world, hal, slug="hilltop")
    assert_pages_show_nothing_of_max(http, world, slug="hilltop")
    # Riverside's own URLs send him to Riverside's sign-in: his session is for another practice's portal.
    for route in PORTAL_ROUTES:
        url = url_for(route, world)
        response = http.get(url)
        assert response.status_code == 302 and urlsplit(response["Location"]).path == "/p/riverside/", url


def test_gia_acting_for_another_profile_gets_404_for_every_object_url(world):
    """Gia switched to Mia: Max's objects are out of reach until she switches back."""
    gias_objects_for_max(world)
    http = sign_in(world.gia_account.email)
    assert http.post("/p/riverside/switch/", {"profile": world.gia_access_mia.pk}).status_code == 302
    assert_object_urls_refused(http, world, world.gia_account, same_login=True)
    # The profile switcher still offers Max (she may switch back); nothing shows his document.
    assert_pages_show_nothing_of_max(http, world, hidden=[world.progress_note.title])


def _revoke(world: World) -> None:
    world.gia_access_max.mark_ended(AccessStatus.REVOKED)


def _expire(world: World) -> None:
    world.gia_access_max.mark_ended(AccessStatus.EXPIRED)


def _age_out(world: World) -> None:
    """Max is of age: Gia's access still reads Active, waiting for the daily task, but no longer works."""
    world.max.date_of_birth = years_ago(world.riverside.age_of_majority, days=1)
    world.max.save(update_fields=["date_of_birth"])


@pytest.mark.parametrize("end_access", [_revoke, _expire, _age_out], ids=["revoked", "expired", "aged_out"])
def test_gia_whose_access_to_max_ended_gets_404_for_every_object_url(world, end_access):
    """Signed in with Max selected, then her access ends: from the next request on, his objects answer 404."""
    http = gia_for_max_only(world)
    assert http.get("/p/riverside/home/").status_code == 200
    end_access(world)
    assert_object_urls_refused(http, world, world.gia_account)
    assert_pages_show_nothing_of_max(http, world)
    assert not ProfileAccess.objects.effective(world.riverside).filter(account=world.gia_account).exists()


@pytest.mark.parametrize("route", PORTAL_OBJECT_ROUTES, ids=route_id)
def test_a_portal_object_named_by_another_profile_looks_exactly_like_a_missing_one(route: Route, world):
    """No access looks like not found, on the portal too: same status and page as an id that does not exist."""
    gias_objects_for_max(world)
    http = sign_in(world.gia_account.email)
    http.post("/p/riverside/switch/", {"profile": world.gia_access_mia.pk})
    method = (
        "POST" if route.name in LANDS_ON_ITS_PROFILE or http.get(url_for(route, world)).status_code == 405 else "GET"
    )
    foreign = request(http, method, url_for(route, world))
    missing = request(
        http, method, url_for(route, world, **{n: 2_000_000_000 for n in route.kwargs if n in OBJECT_KWARGS})
    )
    assert foreign.status_code == missing.status_code == 404
    assert [t.name for t in foreign.templates] == [t.name for t in missing.templates]
