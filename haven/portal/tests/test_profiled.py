"""Queries about the selected profile, prepared once per shape of profile, answer as the profile's own queries."""

from __future__ import annotations

import pytest
from django.core.exceptions import EmptyResultSet
from django.utils import timezone

from haven.documents.actions import set_recipients
from haven.documents.models import Document
from haven.portal.profiled import Shape
from haven.portal.tests.test_my_documents import upload
from haven.portal.views import documents, signing
from haven.portal_access.models import AccessKind, AccessStatus, ProfileAccess
from haven.portal_access.session import effective_profiles
from haven.portal_access.viewers import PortalViewer
from haven.signing import policy as signing_policy
from haven.signing.policy import requests_naming
from haven.signing.requests import request_signature
from haven.signing.tests.flow import treatment_plan
from tests.personas import World, give_ana_a_portal_login

pytestmark = pytest.mark.django_db


def _as_in_session(access: ProfileAccess) -> ProfileAccess:
    """The access as the portal session holds it: the policy's row, with its contact, client and practice."""
    found = [p for p in effective_profiles(access.account, access.practice) if p.pk == access.pk]
    assert found, "the access is in effect"
    return found[0]


def _viewer(profile: ProfileAccess) -> PortalViewer:
    return PortalViewer(account=profile.account, practice=profile.practice, profile=profile)


def _shared_every_way(world: World, ana: ProfileAccess, ana_user: ProfileAccess) -> dict[str, Document]:
    made = {
        "max, all authorized": upload(world.ada, world.max, "For everyone"),
        "max, to the client": upload(world.ada, world.max, "For Max"),
        "max, to gia": upload(world.ada, world.max, "For Gia"),
        "ana, all authorized": upload(world.ada, world.ana, "For everyone of Ana's"),
        "ana, to the client": upload(world.ada, world.ana, "For Ana"),
        "ana, to the portal user": upload(world.ada, world.ana, "For Ana's helper"),
        "max, not shared": upload(world.ada, world.max, "Not shared"),
    }
    share = set_recipients
    share(by=world.ada, document=made["max, all authorized"], all_authorized=True, client=False, contacts=[])
    share(by=world.ada, document=made["max, to the client"], all_authorized=False, client=True, contacts=[])
    share(by=world.ada, document=made["max, to gia"], all_authorized=False, client=False, contacts=[world.gia])
    share(by=world.ada, document=made["ana, all authorized"], all_authorized=True, client=False, contacts=[])
    share(by=world.ada, document=made["ana, to the client"], all_authorized=False, client=True, contacts=[])
    share(
        by=world.ada,
        document=made["ana, to the portal user"],
        all_authorized=False,
        client=False,
        contacts=[],
        portal_users=[ana_user],
    )
    return made


def _profiles(world: World) -> tuple[ProfileAccess, ProfileAccess]:
    ana = give_ana_a_portal_login(world)
    ana_user = ProfileAccess.objects.create(
        account=world.gia_account,
        practice=world.riverside,
        client=world.ana,
        kind=AccessKind.PORTAL_USER,
        display_name="Gia Moreno",
        status=AccessStatus.ACTIVE,
        confirmed_at=timezone.now(),
    )
    return ana, ana_user


@pytest.mark.parametrize("network", [True, False], ids=["guardians act for minors", "no contact network"])
def test_my_documents_and_a_document_are_the_profiles_own_answer_for_every_shape(world: World, network: bool) -> None:
    ana, ana_user = _profiles(world)
    made = _shared_every_way(world, ana, ana_user)
    requests = [
        request_signature(by=world.ada, document=treatment_plan(world.ada, client, pages=1), signer_key=signer)
        for client, signer in ((world.max, f"contact-{world.gia.pk}"), (world.ana, "client"))
    ]
    world.riverside.client_contact_network_enabled = network
    world.riverside.save(update_fields=["client_contact_network_enabled"])
    now = timezone.now()
    shapes = set()
    for access in (world.gia_access_max, ana, ana_user):
        profile = _as_in_session(access)
        shapes.add(Shape.of(profile))
        documents._FIRST_PAGE.check(profile, now)
        for document in made.values():
            documents._DOCUMENT.check(profile, document.pk)
        for sign_request in requests:
            assert [r.pk for r in signing._REQUEST(profile, sign_request.pk)] == [
                r.pk for r in signing_policy.visible_to(_viewer(profile)).filter(pk=sign_request.pk)
            ]
        listed = {row[1] for row in documents._FIRST_PAGE(profile, now)}  # (pk, title, ...)
        assert "Not shared" not in listed and listed
    assert len(shapes) == 3
    assert any(shape.guardian for shape in shapes) is network


def test_the_ids_a_shape_holds_are_the_ones_its_rules_read(world: World) -> None:
    ana, ana_user = _profiles(world)
    guardian, own, helper = (_as_in_session(a) for a in (world.gia_access_max, ana, ana_user))

    assert Shape.of(guardian).ids(guardian) == (world.gia.pk, world.max.pk, world.riverside.pk)
    assert Shape.of(own).ids(own) == (world.ana.pk, world.riverside.pk)
    assert Shape.of(helper).ids(helper) == (ana_user.pk, world.ana.pk, world.riverside.pk)
    stand_in = Shape.of(guardian).stand_in((world.gia.pk, world.max.pk, world.riverside.pk))
    assert stand_in.is_guardian and stand_in.contact_id == world.gia.pk and stand_in.client_id == world.max.pk


def test_a_shape_may_sign_exactly_when_requests_can_name_its_profile(world: World) -> None:
    """``Shape.may_sign`` answers as the signer rule does, for the profile and its stand-in alike: a query of
    requests naming the profile is empty otherwise."""
    ana, ana_user = _profiles(world)
    for network in (True, False):
        world.riverside.client_contact_network_enabled = network
        world.riverside.save(update_fields=["client_contact_network_enabled"])
        for access in (world.gia_access_max, ana, ana_user):
            profile = _as_in_session(access)
            shape = Shape.of(profile)
            try:
                str(requests_naming(shape.stand_in(shape.ids(profile))).query)
                named = True
            except EmptyResultSet:
                named = False
            assert shape.may_sign is named, (shape, named)
            assert Shape.of(shape.stand_in(shape.ids(profile))) == shape
