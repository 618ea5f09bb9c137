"""Moved: encryption at rest lives in ``haven.core.encryption`` (and what is encrypted in ``haven.core.encrypted``).

These names stay importable from here until every caller imports them from core; new code imports core.
"""

from haven.core.encryption import (
    UnreadableFile,
    decrypt_bytes,
    delete_stored,
    encrypt_bytes,
    raw_stored_bytes,
    read_decrypted,
    rotate_token,
    store_encrypted,
)

__all__ = [
    "UnreadableFile",
    "decrypt_bytes",
    "delete_stored",
    "encrypt_bytes",
    "raw_stored_bytes",
    "read_decrypted",
    "rotate_token",
    "store_encrypted",
]
