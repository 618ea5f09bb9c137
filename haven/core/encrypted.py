"""The registry of everything Haven keeps encrypted, and the walk that re-encrypts it under the newest key.

Each app that encrypts something registers it in its ``AppConfig.ready()``:

- ``EncryptedColumn``: a column holding a token from ``encrypt_bytes`` (a two-step key, a seal key);
- ``EncryptedFiles``: a column naming files written by ``store_encrypted`` (document versions,
  signature images);
- ``EncryptedFolder``: a storage folder of encrypted files that no row names (a clinical note's text
  while it waits for its render).

``rotate_file_keys`` walks every entry (``rotate_all``). A test fails when a column or a file holds
something encrypted that no entry covers, so a new encrypted thing can't be left out of rotation.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction

from haven.core.encryption import (
    UnreadableFile,
    is_current,
    is_readable,
    raw_stored_bytes,
    rotate_stored,
    rotate_token,
    stored_names,
)

BATCH_SIZE = 500


@dataclass
class Counts:
    """What one walk found in an entry. In a check (``dry_run``), ``re_encrypted`` counts what would be."""

    re_encrypted: int = 0
    current: int = 0
    unreadable: int = 0  # no configured key reads it: a key was retired too early, or the data is damaged
    missing: int = 0  # a file a row names is not in storage (or went away during the walk)

    @property
    def total(self) -> int:
        return self.re_encrypted + self.current + self.unreadable + self.missing


class Entry(ABC):
    """One kind of encrypted data, as rotation and the completeness test see it."""

    what: str  # in words, for the command's report: "portal two-step sign-in keys"

    @property
    @abstractmethod
    def key(self) -> str:
        """What identifies the entry: "app_label.Model.field" or "folder/"."""

    @abstractmethod
    def rotate(self, *, batch_size: int = BATCH_SIZE, dry_run: bool = False) -> Counts:
        """Re-encrypt everything in the entry that an older key wrote."""

    def file_names(self) -> set[str]:
        """The stored files this entry covers."""
        return set()


@dataclass(frozen=True)
class _ModelField(Entry):
    model_label: str  # "app_label.ModelName"
    field: str
    what: str

    @property
    def key(self) -> str:
        return f"{self.model_label}.{self.field}"

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    def _batches(self, batch_size: int) -> Iterator[list[tuple[Any, str]]]:
        """(pk, value) of every row with a value, in primary key order, a batch at a time."""
        rows = self.model._default_manager.exclude(**{self.field: ""}).exclude(**{f"{self.field}__isnull": True})
        last: Any = None
        while True:
            page = rows.order_by("pk") if last is None else rows.filter(pk__gt=last).order_by("pk")
            batch = list(page.values_list("pk", self.field)[:batch_size])
            if not batch:
                return
            yield batch
            last = batch[-1][0]


@dataclass(frozen=True)
class EncryptedColumn(_ModelField):
    """A column whose value is a token from ``encrypt_bytes``."""

    def rotate(self, *, batch_size: int = BATCH_SIZE, dry_run: bool = False) -> Counts:
        counts = Counts()
        for batch in self._batches(batch_size):
            for pk, token in batch:
                if is_current(token):
                    counts.current += 1
                elif not is_readable(token):
                    counts.unreadable += 1
                elif dry_run or self._replace(pk, token):
                    counts.re_encrypted += 1
                else:
                    counts.current += 1
        return counts

    def _replace(self, pk: Any, token: str) -> bool:
        """Write the token re-encrypted, only if the row still holds it: a write meanwhile (made with the
        current key) is never overwritten with an older secret. Whether the row was written."""
        rows = self.model._default_manager.filter(pk=pk, **{self.field: token})
        return bool(rows.update(**{self.field: rotate_token(token)}))


@dataclass(frozen=True)
class EncryptedFiles(_ModelField):
    """A column naming a file written by ``store_encrypted``."""

    def rotate(self, *, batch_size: int = BATCH_SIZE, dry_run: bool = False) -> Counts:
        counts = Counts()
        manager = self.model._default_manager
        for batch in self._batches(batch_size):
            for pk, name in batch:
                # The row is locked while its file is rewritten, so it can't be deleted meanwhile (NO KEY
                # UPDATE: rows pointing at it can still be written).
                with transaction.atomic():
                    row = manager.select_for_update(no_key=True).filter(pk=pk, **{self.field: name})
                    if list(row.values_list("pk", flat=True)):
                        _rotate_file(name, counts, dry_run=dry_run)
        return counts

    def file_names(self) -> set[str]:
        return set(self.model._default_manager.exclude(**{self.field: ""}).values_list(self.field, flat=True))


@dataclass(frozen=True)
class EncryptedFolder(Entry):
    """A storage folder whose files no row names; every file in it is encrypted."""

    folder: str
    what: str

    @property
    def key(self) -> str:
        return f"{self.folder}/"

    def rotate(self, *, batch_size: int = BATCH_SIZE, dry_run: bool = False) -> Counts:
        counts = Counts()
        for name in stored_names(self.folder):
            _rotate_file(name, counts, dry_run=dry_run)
        return counts

    def file_names(self) -> set[str]:
        return set(stored_names(self.folder))


def _rotate_file(name: str, counts: Counts, *, dry_run: bool) -> None:
    try:
        if dry_run:
            token = raw_stored_bytes(name)
            if is_current(token):
                counts.current += 1
            elif is_readable(token):
                counts.re_encrypted += 1
            else:
                counts.unreadable += 1
        elif rotate_stored(name):
            counts.re_encrypted += 1
        else:
            counts.current += 1
    except FileNotFoundError:
        counts.missing += 1
    except UnreadableFile:
        counts.unreadable += 1


_registry: dict[str, Entry] = {}


def register(*entries: Entry) -> None:
    """Declare what an app keeps encrypted (from its ``AppConfig.ready()``); registering again is harmless."""
    for entry in entries:
        known = _registry.setdefault(entry.key, entry)
        if known != entry:
            raise ValueError(f"{entry.key} is registered twice, differently.")


def registered() -> list[Entry]:
    """Every registered entry, in a stable order."""
    return [_registry[key] for key in sorted(_registry)]


def rotate_all(*, batch_size: int = BATCH_SIZE, dry_run: bool = False) -> list[tuple[Entry, Counts]]:
    """Walk the registry: re-encrypt (or, with ``dry_run``, count) what older keys wrote, entry by entry."""
    return [(entry, entry.rotate(batch_size=batch_size, dry_run=dry_run)) for entry in registered()]
