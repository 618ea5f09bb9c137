"""A portal login's private calendar subscription: made, turned off, and found again by its address.

The address carries a long random token (256 bits, ``secrets.token_urlsafe(32)``); only its SHA-256 is kept,
so the address is shown once, when it is made, and a copy of the database opens no one's calendar. Finding a
feed looks its hash up (an index lookup, not a comparison of secrets). A login has at most one live feed per
practice: making a new one turns the old one off in the same transaction, and either is audited.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from haven.audit.actions import record_event
from haven.audit.events import CalendarFeedIssued, CalendarFeedRevoked
from haven.core.tokens import hash_token
from haven.portal_access.models import PortalAccount
from haven.portal_access.viewers import PortalViewer
from haven.practices.models import Practice
from haven.scheduling.models import CalendarFeed, new_feed_token

# A token is 43 characters; anything much longer is no token of ours and is not worth hashing.
_MAX_TOKEN = 128
# A calendar app fetching more often than this does not move "last used" again (it saves a write per fetch).
_FETCH_MARK_EVERY = datetime.timedelta(minutes=5)


def live_feed(viewer: PortalViewer) -> CalendarFeed | None:
    """The login's subscription in this practice that still works, if any."""
    return CalendarFeed.objects.filter(
        account_id=viewer.account.pk, practice_id=viewer.practice_id, revoked_at__isnull=True
    ).first()


def issue_feed(viewer: PortalViewer) -> tuple[CalendarFeed, str]:
    """A new subscription address for the login in this practice; the one it had stops working.

    Returns the feed and its token: the token is not kept anywhere, so this is the only chance to show it.
    """
    token = new_feed_token()
    with transaction.atomic():
        # One login's requests take turns here, so two at once cannot both find "no live feed" and both make one.
        PortalAccount.objects.select_for_update(no_key=True).filter(pk=viewer.account.pk).exists()
        now = timezone.now()
        old = live_feed(viewer)
        if old is not None:
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
        feed = CalendarFeed.objects.create(
            account=viewer.account, practice_id=viewer.practice_id, token_hash=hash_token(token), created_at=now
        )
        record_event(
            CalendarFeedIssued(feed=feed.pk, replaced=old.pk if old is not None else None),
            actor=viewer.actor,
            practice_id=viewer.practice_id,
            target=feed,
        )
    return feed, token


def revoke_feed(viewer: PortalViewer, feed: CalendarFeed) -> bool:
    """Turn the login's subscription off: its address answers 404 from now on. False if it was already off
    (or is not this login's in this practice: nothing changes then)."""
    with transaction.atomic():
        now = timezone.now()
        turned_off = CalendarFeed.objects.filter(
            pk=feed.pk, account_id=viewer.account.pk, practice_id=viewer.practice_id, revoked_at__isnull=True
        ).update(revoked_at=now)
        if not turned_off:
            return False
        feed.revoked_at = now
        record_event(CalendarFeedRevoked(feed=feed.pk), actor=viewer.actor, practice_id=viewer.practice_id, target=feed)
    return True


def feed_for(token: str, *, practice: Practice | None = None) -> CalendarFeed | None:
    """The live subscription with this token (of ``practice``, when given), its login still active; else None."""
    if not token or len(token) > _MAX_TOKEN:
        return None
    found = CalendarFeed.objects.filter(
        token_hash=hash_token(token), revoked_at__isnull=True, account__is_active=True
    ).select_related("account")
    if practice is not None:
        feed = found.filter(practice_id=practice.pk).first()
        if feed is not None:
            feed.practice = practice
        return feed
    return found.select_related("practice").defer("practice__logo").first()


def mark_fetched(feed: CalendarFeed, *, now: datetime.datetime | None = None) -> None:
    """Note that a calendar app fetched the feed (shown as "last used"): one small update, at most every few
    minutes."""
    now = now or timezone.now()
    if feed.last_fetched_at is not None and now - feed.last_fetched_at < _FETCH_MARK_EVERY:
        return
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
    feed.last_fetched_at = now
