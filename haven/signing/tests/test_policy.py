"""The signing policy is the one answer: change a rule there and every page, action and URL follows.

Each test changes one rule of ``haven.signing.policy`` in place and checks the staff pages, the
portal pages (signing, My Documents, the inbox), the actions and the URL walk all answer from it:
a second copy of the rule anywhere would keep answering the old way and fail the test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client as HttpClient
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.core.errors import ApplicationError
from haven.core.policy import Viewer
from haven.messaging.models import Message
from haven.portal_access.models import ProfileAccess
from haven.portal_access.viewers import PortalViewer
from haven.practices.viewers import StaffViewer
from haven.signing import policy
from haven.signing.answers import SigningRefused
from haven.signing.models import SignatureRequest, SignatureRequestQuerySet
from haven.signing.policy import SigningReason, SigningVerb, why_not
from haven.signing.requests import cancel_request, remind, request_signature
from haven.signing.tests.flow import sign, treatment_plan
from tests.personas import PASSWORD, World
from tests.security.urlwalk import ROUTES, Route, url_for

pytestmark = pytest.mark.django_db

REQUEST_ROUTES = [route for route in ROUTES if "request_id" in route.kwargs]


def portal_login(world: World, http: HttpClient, access: ProfileAccess) -> HttpClient:
    assert http.post("/p/riverside/", {"username": "gia@example.com", "password": PASSWORD}).status_code == 302
    assert http.post("/p/riverside/switch/", {"profile": access.pk}).status_code == 302
    return http


def staff_login(world: World, http: HttpClient) -> HttpClient:
    assert http.post("/staff/login/", {"username": world.ada.user.email, "password": PASSWORD}).status_code == 302
    return http


def as_gia(world: World) -> PortalViewer:
    return PortalViewer(account=world.gia_account, practice=world.riverside, profile=world.gia_access_max)


def visit(http: HttpClient, url: str) -> int:
    """GET the route; a route that only takes POST is posted to (empty), as the URL walk does."""
    response = http.get(url)
    if response.status_code == 405:
        response = http.post(url, {})
    return response.status_code


def denied(since: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=since, action="access.denied").order_by("id"))


def last_event() -> int:
    last = AuditEvent.objects.order_by("-id").first()
    return last.pk if last else 0


def request_routes(portal: bool) -> list[Route]:
    return [route for route in REQUEST_ROUTES if route.is_portal == portal]


def test_is_this_profile_the_signer_has_one_answer_every_portal_page_and_action_follows(
    world: World, client: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = treatment_plan(world.ada, world.max, pages=1)
    sign_request = request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    message = Message.objects.get(signature_request=sign_request)
    http = portal_login(world, client, world.gia_access_max)
    sign_url = f"/p/riverside/sign/{sign_request.pk}/"
    # As things are, Gia is the signer: everything offers her the request.
    assert http.get(sign_url).status_code == 200
    assert "Pending Review" in http.get("/p/riverside/documents/").content.decode()
    assert sign_url in http.get(f"/p/riverside/inbox/{message.thread_id}/").content.decode()

    # One change, in one place: nobody is the signer of anything.
    monkeypatch.setattr(policy, "_signer_rule", lambda profile: Q(pk__in=[]))

    since = last_event()
    assert http.get(sign_url).status_code == 404
    assert http.get(f"/p/riverside/sign/{sign_request.pk}/pages/1.png").status_code == 404
    assert http.post(f"/p/riverside/sign/{sign_request.pk}/decline/", {"reason": "No."}).status_code == 404
    assert [event.details["object_type"] for event in denied(since)] == ["signing.signaturerequest"] * 3
    assert "Pending Review" not in http.get("/p/riverside/documents/").content.decode()
    inbox_page = http.get(f"/p/riverside/inbox/{message.thread_id}/").content.decode()
    assert sign_url not in inbox_page
    assert SigningReason.WRONG_SIGNER.words() in inbox_page
    assert why_not(as_gia(world), SigningVerb.SIGN, sign_request) == SigningReason.WRONG_SIGNER
    with pytest.raises(SigningRefused) as refused:
        sign(sign_request, world.gia_account, world.gia_access_max)
    assert refused.value.code == SigningReason.WRONG_SIGNER
    # Staff remind whoever the request names: with no signer, nobody can be reminded.
    with pytest.raises(ApplicationError, match="no longer has portal access"):
        remind(by=world.ada, request=sign_request)


def test_who_sees_a_signature_request_has_one_answer_staff_portal_actions_and_the_url_walk_follow(
    world: World, client: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = treatment_plan(world.ada, world.max, pages=1)
    sign_request = request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    walk_request = url_for(request_routes(portal=False)[0], world)  # makes the URL walk's own request
    assert walk_request
    staff = staff_login(world, HttpClient())
    portal = portal_login(world, client, world.gia_access_max)
    assert portal.get(f"/p/riverside/sign/{sign_request.pk}/").status_code == 200

    original: Callable[[Viewer], SignatureRequestQuerySet] = policy.visible_to

    def nothing(viewer: Viewer) -> Any:
        return original(viewer).none()

    # One change, in one place: nobody sees any signature request.
    monkeypatch.setattr(policy, "visible_to", nothing)

    since = last_event()
    # The URL walk: every route naming a request, staff and portal, answers 404 to its own people.
    staff_routes, portal_routes = request_routes(portal=False), request_routes(portal=True)
    assert staff_routes and portal_routes
    for route in staff_routes:
        assert visit(staff, url_for(route, world)) == 404, route
    for route in portal_routes:
        assert visit(portal, url_for(route, world)) == 404, route
    assert len(denied(since)) == len(staff_routes) + len(portal_routes)
    # The portal's pages and actions ask the same rule.
    assert portal.get(f"/p/riverside/sign/{sign_request.pk}/").status_code == 404
    assert why_not(as_gia(world), SigningVerb.SIGN, sign_request) == SigningReason.WRONG_SIGNER
    with pytest.raises(SigningRefused) as refused:
        sign(sign_request, world.gia_account, world.gia_access_max)
    assert refused.value.code == SigningReason.WRONG_SIGNER
    # So does the staff document page's list of requests.
    detail = staff.get(reverse("staff:document_detail", kwargs={"client_id": world.max.pk, "document_id": plan.pk}))
    assert detail.status_code == 200 and detail.context["request_rows"] == []
    # And the staff actions.
    assert why_not(StaffViewer(world.ada), SigningVerb.CANCEL, sign_request) == SigningReason.OTHER_PRACTICE
    with pytest.raises(ApplicationError, match="not part of your practice"):
        cancel_request(by=world.ada, request=sign_request)
    sign_request.refresh_from_db()
    assert sign_request.is_open


def test_another_practices_staff_and_other_profiles_see_no_request(world: World) -> None:
    plan = treatment_plan(world.ada, world.max, pages=1)
    sign_request = request_signature(by=world.ada, document=plan, signer_key=f"contact-{world.gia.pk}")
    assert list(policy.visible_to(StaffViewer(world.ada))) == [sign_request]
    assert not policy.visible_to(StaffViewer(world.hana)).exists()
    assert why_not(StaffViewer(world.hana), SigningVerb.REMIND, sign_request) in (
        SigningReason.NO_PERMISSION,
        SigningReason.OTHER_PRACTICE,
    )
    assert list(policy.visible_to(as_gia(world))) == [sign_request]
    other_profile = PortalViewer(account=world.gia_account, practice=world.riverside, profile=world.gia_access_mia)
    assert not policy.visible_to(other_profile).exists()
    no_profile = PortalViewer(account=world.gia_account, practice=world.riverside, profile=None)
    assert not policy.visible_to(no_profile).exists()
    assert why_not(other_profile, SigningVerb.SIGN, sign_request) == SigningReason.WRONG_SIGNER
    assert why_not(as_gia(world), SigningVerb.CANCEL, sign_request) == SigningReason.NO_PERMISSION
    assert why_not(StaffViewer(world.ada), SigningVerb.SIGN, sign_request) == SigningReason.WRONG_SIGNER
    assert SignatureRequest.objects.count() == 1
