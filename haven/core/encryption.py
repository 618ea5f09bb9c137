"""Encryption at rest, in one place: secrets in database columns and files in storage.

Everything is a Fernet token (AES-128-CBC with HMAC-SHA256) made with the keys in
``settings.HAVEN_FILE_KEYS``: the first key encrypts, every key decrypts, so a new key put first
takes over at once while what the older keys wrote stays readable. A column holds the token as
ASCII text (``encrypt_bytes``); a file holds the token's bytes under a generated name in Django's
"default" storage (``store_encrypted``). ``rotate_token`` and ``rotate_stored`` re-encrypt one
token or one file under the first key, so the older keys can be retired (see
``haven.core.encrypted`` for the registry of everything encrypted, and ``rotate_file_keys``).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages


class UnreadableFile(Exception):
    """The stored bytes could not be decrypted with any configured key."""


def _keys() -> list[Fernet]:
    return [Fernet(key.encode("ascii")) for key in settings.HAVEN_FILE_KEYS]


def _cipher() -> MultiFernet:
    return MultiFernet(_keys())


def _storage() -> Storage:
    return storages["default"]


# --- Secrets in database columns --------------------------------------------------------------


def encrypt_bytes(data: bytes) -> str:
    """Encrypt a small secret for a database column (a Fernet token, ASCII), with the current key."""
    return _cipher().encrypt(data).decode("ascii")


def decrypt_bytes(token: str) -> bytes:
    """The secret behind a token from ``encrypt_bytes``; any configured key may have written it."""
    try:
        return _cipher().decrypt(token.encode("ascii"))
    except InvalidToken as exc:
        raise UnreadableFile("database secret") from exc


def rotate_token(token: str) -> str:
    """A token from ``encrypt_bytes`` re-encrypted with the current key."""
    try:
        return _cipher().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise UnreadableFile("database secret") from exc


def is_current(token: str | bytes) -> bool:
    """Whether the current (first) key reads the token, so rotating it would change nothing."""
    raw = token.encode("ascii") if isinstance(token, str) else token
    try:
        _keys()[0].decrypt(raw)
    except InvalidToken:
        return False
    return True


def is_readable(token: str | bytes) -> bool:
    """Whether any configured key reads the token: what tells encrypted data from anything else."""
    try:
        raw = token.encode("ascii") if isinstance(token, str) else token
        _cipher().decrypt(raw)
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


# --- Files in storage -------------------------------------------------------------------------


def store_encrypted(data: bytes, *, folder: str = "documents") -> str:
    """Encrypt and store; returns the generated name to keep in the database."""
    name = f"{folder}/{uuid.uuid4().hex}"
    return _storage().save(name, ContentFile(_cipher().encrypt(data)))


def read_decrypted(name: str) -> bytes:
    try:
        return _cipher().decrypt(raw_stored_bytes(name))
    except InvalidToken as exc:
        raise UnreadableFile(name) from exc


def delete_stored(name: str) -> None:
    _storage().delete(name)


def raw_stored_bytes(name: str) -> bytes:
    """What is in storage (for tests and checks): never the plaintext."""
    with _storage().open(name, "rb") as handle:
        data: bytes = handle.read()
    return data


def stored_names(folder: str = "") -> list[str]:
    """Every stored file's name under ``folder`` (all of storage when empty), sub-folders included.

    Names starting with a dot are left out: they are files being written (see ``rotate_stored``).
    """
    storage = _storage()
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    prefix = f"{folder}/" if folder else ""
    names = [f"{prefix}{name}" for name in files if not name.startswith(".")]
    for directory in directories:
        names += stored_names(f"{prefix}{directory}")
    return sorted(names)


def rotate_stored(name: str) -> bool:
    """Re-encrypt one stored file with the current key, under the same name.

    Returns False when the current key already wrote it (nothing to do, so a run that stopped can
    simply be started again). Raises ``UnreadableFile`` when no configured key reads it and
    ``FileNotFoundError`` when it is gone.
    """
    token = raw_stored_bytes(name)
    if is_current(token):
        return False
    try:
        rotated = _cipher().rotate(token)
    except InvalidToken as exc:
        raise UnreadableFile(name) from exc
    _overwrite(name, rotated)
    return True


def _overwrite(name: str, data: bytes) -> None:
    """Replace a stored file's bytes, keeping its name (database rows name it and never change).

    On a local folder the new bytes are written beside it and moved over it in one step, so a
    reader sees either the old token or the new one, both readable while the old key is
    configured. An object store that overwrites (S3: one PUT replaces the object whole) is written
    once under the same name, with the same guarantee. Other storages are rewritten in place.
    """
    storage = _storage()
    if isinstance(storage, FileSystemStorage):
        path = Path(storage.path(name))
        mode = path.stat().st_mode & 0o777
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.rotating")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        return
    if getattr(storage, "file_overwrite", False):  # django-storages' S3Storage and its kind
        saved = storage.save(name, ContentFile(data))
        if saved != name:
            raise RuntimeError(f"The storage would not write {name} again under its own name.")
        return
    storage.delete(name)
    saved = storage.save(name, ContentFile(data))
    if saved != name:  # the storage chose another name: keep ours, drop the copy
        storage.delete(saved)
        raise RuntimeError(f"The storage would not write {name} again under its own name.")
