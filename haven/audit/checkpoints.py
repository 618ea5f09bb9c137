"""Checkpoints of each audit chain's head, kept outside the database.

Someone holding the database credentials can delete a chain's last events and wind its head back,
or empty the tables; the chains would then look whole. A checkpoint remembers, in a file under
HAVEN_AUDIT_CHECKPOINT_DIR, how far each chain reached and the keyed hash it had there, so the
check finds such a chain shorter than it once was. Keep a copy of the directory somewhere the
database's users cannot write (backups, write-once storage).
"""

from __future__ import annotations

import datetime
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from haven.audit.hashing import key_by_id, signing_key
from haven.audit.models import AuditChainHead

PREFIX = "audit-checkpoint-"


@dataclass(frozen=True)
class ChainCheckpoint:
    """How far one chain reached when a checkpoint was written."""

    practice_id: int | None
    sequence: int
    hash: str
    written_at: datetime.datetime
    file: str


class CheckpointError(Exception):
    """A checkpoint file that cannot be read or was not written with one of Haven's keys."""


def checkpoint_dir() -> Path:
    return Path(settings.HAVEN_AUDIT_CHECKPOINT_DIR)


def _body(document: dict[str, Any]) -> str:
    return json.dumps(
        {name: value for name, value in document.items() if name not in {"key", "mac"}},
        sort_keys=True,
        separators=(",", ":"),
    )


def write_checkpoint(*, now: datetime.datetime | None = None) -> Path:
    """Write the head of every chain to a new file and return its path."""
    now = now or timezone.now()
    heads = AuditChainHead.objects.order_by("practice_id").values_list("practice_id", "last_sequence", "last_hash")
    document: dict[str, Any] = {
        "written_at": now.isoformat(timespec="microseconds"),
        "chains": [
            {"practice": practice_id, "sequence": sequence, "hash": last_hash}
            for practice_id, sequence, last_hash in heads
        ],
    }
    key = signing_key()
    document["key"] = key.id
    document["mac"] = key.mac(_body(document))
    folder = checkpoint_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{PREFIX}{now.astimezone(datetime.UTC):%Y%m%dT%H%M%S%fZ}.json"
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".checkpoint-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(document, file, indent=1, sort_keys=True)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _read(path: Path) -> list[ChainCheckpoint]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        key = key_by_id(str(document["key"]))
        if key is None:
            raise CheckpointError(f"{path.name} was written with a key that is not in HAVEN_AUDIT_KEYS")
        if not isinstance(document.get("mac"), str) or key.mac(_body(document)) != document["mac"]:
            raise CheckpointError(f"{path.name} was changed after Haven wrote it")
        written_at = datetime.datetime.fromisoformat(document["written_at"])
        return [
            ChainCheckpoint(
                practice_id=chain["practice"],
                sequence=int(chain["sequence"]),
                hash=str(chain["hash"]),
                written_at=written_at,
                file=path.name,
            )
            for chain in document["chains"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CheckpointError(f"{path.name} cannot be read: {error}") from error


def furthest_checkpoints() -> dict[int | None, ChainCheckpoint]:
    """For each chain, the furthest point any checkpoint recorded (a chain never gets shorter)."""
    furthest: dict[int | None, ChainCheckpoint] = {}
    folder = checkpoint_dir()
    if not folder.is_dir():
        return furthest
    for path in sorted(folder.glob(f"{PREFIX}*.json")):
        for checkpoint in _read(path):
            known = furthest.get(checkpoint.practice_id)
            if known is None or checkpoint.sequence > known.sequence:
                furthest[checkpoint.practice_id] = checkpoint
    return furthest
