"""A request's ids: each once and in order, and a malformed one refused exactly like a missing object."""

import pytest
from django.http import Http404

from haven.audit.denials import object_ids
from haven.audit.models import AuditEvent
from haven.practices.viewers import StaffViewer

pytestmark = pytest.mark.django_db


def test_the_ids_a_request_names_come_once_each_in_order(world):
    viewer = StaffViewer(world.ada)
    assert object_ids(viewer, ["7", "3", "7"], object_type="clients.client") == [7, 3]
    assert not AuditEvent.objects.filter(action="access.denied").exists()


def test_a_malformed_id_is_refused_as_not_found_and_audited(world):
    viewer = StaffViewer(world.ada)
    with pytest.raises(Http404):
        object_ids(viewer, ["7", "1 OR 1=1"], object_type="clients.client", path="/staff/x/")
    denied = AuditEvent.objects.get(action="access.denied")
    assert denied.details == {"object_type": "clients.client", "object_id": "1 OR 1=1", "path": "/staff/x/"}
    assert denied.actor_id == world.ada.user.pk
