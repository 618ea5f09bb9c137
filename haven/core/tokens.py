"""One-time link tokens: 256 random bits, only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets

from django.utils.crypto import salted_hmac


def new_token() -> tuple[str, str]:
    """Return (token for the link, hash to store)."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def password_fingerprint(password_hash: str) -> str:
    """A keyed digest of an account's stored password hash: it changes whenever the password does."""
    return salted_hmac("haven.one_time_link.password", password_hash or "no-password", algorithm="sha256").hexdigest()
