"""Sessions in the database, as Django's ``db`` engine keeps them, read with a prepared query (every request does)."""

from __future__ import annotations

import datetime
import logging

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from haven.core.prepared import Prepared

_LIVE_SESSION: Prepared[Session] = Prepared(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now), str, datetime.datetime
)


class SessionStore(db.SessionStore):
    """Django's database session store; only the read of the session row is prepared."""

    def _get_session_from_db(self) -> Session | None:
        try:
            found = _LIVE_SESSION(self.session_key, timezone.now())
        except SuspiciousOperation as error:
            logging.getLogger(f"django.security.{error.__class__.__name__}").warning(str(error))
            found = []
        if not found:
            self._session_key = None
            return None
        return found[0]
