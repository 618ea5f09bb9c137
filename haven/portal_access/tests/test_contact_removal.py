"""Removing a contact ends the portal access they had through it, in the same transaction, audited."""

from __future__ import annotations

import pytest

from haven.audit.models import AuditEvent
from haven.clients.actions import remove_contact
from haven.portal_access.models import AccessStatus, ProfileAccess

pytestmark = pytest.mark.django_db


def test_removing_a_contact_revokes_the_portal_access_through_it(world):
    remove_contact(by=world.ada, contact=world.gia)
    access = ProfileAccess.objects.get(pk=world.gia_access_max.pk)
    assert access.status == AccessStatus.REVOKED and access.contact_id is None
    revoked = AuditEvent.objects.get(action="portal.access_revoked", object_id=str(access.pk))
    assert revoked.details["reason"] == "contact removed"
    assert ProfileAccess.objects.get(pk=world.gia_access_mia.pk).status == AccessStatus.ACTIVE
