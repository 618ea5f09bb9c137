from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from haven.core.tokens import password_fingerprint


class OneTimeLink(models.Model):
    """A link that works once, until it expires or a newer one voids it. Only the token's hash is kept.

    A link also holds a fingerprint of its account's password hash when it was made, so it stops
    working as soon as the password changes, whichever way: another link, ``manage.py changepassword``,
    an administrator in a shell, or a row written straight to the database.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    password_fingerprint = models.CharField(max_length=64, editable=False)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and not self.password_fingerprint:
            self.password_fingerprint = password_fingerprint(self.owner_password_hash())
        super().save(*args, **kwargs)

    def owner_password_hash(self) -> str:
        """The stored password hash of the account this link is for ("" when none was ever set)."""
        raise NotImplementedError

    def is_usable(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.used_at is None
            and self.voided_at is None
            and now < self.expires_at
            and constant_time_compare(self.password_fingerprint, password_fingerprint(self.owner_password_hash()))
        )


class DemoOutboxEmail(models.Model):
    """An email Haven sent while running as a demo, kept so a person trying it can follow the links.

    Only the demo's mail backend writes here; production settings never enable it. Each email is kept
    under the practice it was sent for (an id, not a key: core depends on no domain app), and the
    outbox page shows a practice only its own.
    """

    practice_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    to = models.CharField(max_length=500)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"


class SignInThrottle(models.Model):
    """Recent sign-in attempts for one account, from any address (see ``haven.accounts.throttle``).

    Keyed by a hash of the world and the email as typed, so unknown emails are slowed exactly like
    known ones and no email is kept here. A successful sign-in deletes the row.
    """

    key_hash = models.CharField(max_length=64, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    next_allowed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.attempts} sign-in attempts"
