"""Steps the portal's tests share."""

from __future__ import annotations

from django.test import Client as HttpClient

from haven.portal_access.models import ProfileAccess


def select(http: HttpClient, access: ProfileAccess) -> None:
    """Switch the signed-in portal user to the profile of ``access``."""
    assert http.post("/p/riverside/switch/", {"profile": access.pk}).status_code == 302
