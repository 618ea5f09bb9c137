"""Files at rest: encrypted by Haven (Fernet, AES-128-CBC with HMAC-SHA256) before any storage sees them.

The storage behind is Django's "default" (a local folder, or S3-compatible storage by
configuration). Names are generated, never taken from an upload. Keys come from the
environment; the first encrypts, all decrypt, so keys can be rotated without rewriting files.
"""

from __future__ import annotations

import uuid

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages


class UnreadableFile(Exception):
    """The stored bytes could not be decrypted with any configured key."""


def _cipher() -> MultiFernet:
    return MultiFernet([Fernet(key.encode("ascii")) for key in settings.HAVEN_FILE_KEYS])


def encrypt_bytes(data: bytes) -> str:
    """Encrypt a small secret for a database column (a Fernet token, ASCII), with the current file key."""
    return _cipher().encrypt(data).decode("ascii")


def decrypt_bytes(token: str) -> bytes:
    """The secret behind a token from ``encrypt_bytes``; any configured key may have written it."""
    try:
        return _cipher().decrypt(token.encode("ascii"))
    except InvalidToken as exc:
        raise UnreadableFile("database secret") from exc


def rotate_token(token: str) -> str:
    """A token from ``encrypt_bytes`` re-encrypted with the current key."""
    return _cipher().rotate(token.encode("ascii")).decode("ascii")


def store_encrypted(data: bytes, *, folder: str = "documents") -> str:
    """Encrypt and store; returns the generated name to keep in the database."""
    name = f"{folder}/{uuid.uuid4().hex}"
    return storages["default"].save(name, ContentFile(_cipher().encrypt(data)))


def read_decrypted(name: str) -> bytes:
    with storages["default"].open(name, "rb") as handle:
        token = handle.read()
    try:
        return _cipher().decrypt(token)
    except InvalidToken as exc:
        raise UnreadableFile(name) from exc


def delete_stored(name: str) -> None:
    storages["default"].delete(name)


def raw_stored_bytes(name: str) -> bytes:
    """What is on disk (for tests and checks): never the plaintext."""
    with storages["default"].open(name, "rb") as handle:
        return handle.read()


def rotate(name: str) -> None:
    """Re-encrypt one stored file with the current key."""
    storage = storages["default"]
    token = raw_stored_bytes(name)
    rotated = _cipher().rotate(token)
    storage.delete(name)
    storage.save(name, ContentFile(rotated))
