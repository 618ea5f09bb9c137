"""A real, typed event for tests of the trail itself: its ``object_id`` names the step that wrote it."""

from haven.audit.events import AccessDenied


def marker(name: str) -> AccessDenied:
    return AccessDenied(object_type="test", object_id=name, path="")
