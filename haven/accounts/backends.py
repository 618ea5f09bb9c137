"""Signing in with a password: Django's model backend, loading the signed-in user with a prepared query."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends

from haven.accounts.models import User
from haven.core.prepared import Prepared

_USER: Prepared[User] = Prepared(lambda pk: User._default_manager.filter(pk=pk), int)


class ModelBackend(backends.ModelBackend):
    """Every request loads its user through ``get_user``: the same rows and checks as Django's, compiled once."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            found = _USER(int(user_id))
        except (TypeError, ValueError):
            return None
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None
