"""Django's SQLite backend, with one writer at a time admitted through a gate that wakes the next at once.

SQLite lets one connection write at a time. With ``transaction_mode = IMMEDIATE`` every transaction takes
that lock at ``BEGIN``; a connection that finds it taken waits in SQLite's busy handler, which sleeps 1,
2, 5, 10, 15, 20, 25… ms between tries whether or not the lock was freed meanwhile. Under load (many
threads, each holding the lock well under a millisecond for an audit event or a session) the writers
spend most of their time asleep beside a free lock: a page that writes serves little more at 32
connections than at one, and its slowest answers wait hundreds of milliseconds.

Here a transaction first passes a gate: a lock shared by the threads of the process, then an exclusive
``flock`` of a file beside the database, shared by the processes (waited for in the kernel by a thread of the
gate's own, so that the writer can stop waiting at its deadline). A writer waiting at the gate wakes as soon
as the one before it commits, and SQLite's lock is then free. The gate is held exactly as long as
SQLite's write lock (from ``BEGIN IMMEDIATE`` to ``COMMIT`` or ``ROLLBACK``) and gives up after the
database's ``timeout``, with SQLite's own error ("database is locked"), so nothing that worked without it
waits longer or fails differently. A write outside a transaction (autocommit) does not pass the gate and
still waits in SQLite's handler, as before.
"""

from __future__ import annotations

import os
import queue
import sqlite3 as Database
import threading
import time
from typing import Any

from django.db.backends.sqlite3 import base

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: the threads of a process still queue
    fcntl = None  # type: ignore[assignment]

__all__ = ["DatabaseWrapper", "WriterGate"]


class _Turn:
    """One writer's wait for the file lock, handed to the gate's locker thread."""

    __slots__ = ("abandoned", "granted", "ready")

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.granted = False
        self.abandoned = False


class WriterGate:
    """One writer at a time for one database file: threads queue on a lock, processes on a file lock."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._threads = threading.Lock()
        self._file: int | None = None
        self._turns: queue.SimpleQueue[_Turn] | None = None
        self._handover = threading.Lock()  # between a waiting writer and the locker thread: granted or abandoned
        self._outstanding = 0  # turns the locker thread has not finished with (under ``_handover``)

    def acquire(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds to be the only writer; SQLite's "database is locked" if that passes."""
        deadline = time.monotonic() + timeout
        if not self._threads.acquire(timeout=max(timeout, 0)):
            raise Database.OperationalError("database is locked")
        try:
            self._lock_file(deadline)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        if fcntl is not None and self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
        self._threads.release()

    def _lock_file(self, deadline: float) -> None:
        """The file lock, at once if it is free; otherwise waited for by the locker thread, in the kernel's queue (the
        writer wakes as soon as the other process leaves), for as long as the deadline allows."""
        if fcntl is None:
            return
        if self._file is None:
            self._file = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        with self._handover:
            # While the locker thread may hold the lock for a turn given up, a try on the same file would be granted
            # as a no-op (a file lock belongs to the open file, not the thread): queue behind it instead.
            clear = self._outstanding == 0
        if clear:
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
        turn = _Turn()
        with self._handover:
            self._outstanding += 1
        self._locker().put(turn)
        turn.ready.wait(max(deadline - time.monotonic(), 0))
        with self._handover:
            if turn.granted:
                return
            turn.abandoned = True  # the locker thread gives the lock back when it comes
        raise Database.OperationalError("database is locked")

    def _locker(self) -> queue.SimpleQueue[_Turn]:
        if self._turns is None:
            with _gates_lock:
                if self._turns is None:
                    turns: queue.SimpleQueue[_Turn] = queue.SimpleQueue()
                    threading.Thread(
                        target=self._lock_for_turns, args=(turns,), name="haven-sqlite-gate", daemon=True
                    ).start()
                    self._turns = turns
        return self._turns

    def _lock_for_turns(self, turns: queue.SimpleQueue[_Turn]) -> None:
        """The locker thread: for each writer's turn, wait for the file lock (blocking, outside the GIL), then hand it
        over, or give it back if the writer stopped waiting."""
        while True:
            turn = turns.get()
            assert fcntl is not None and self._file is not None
            fcntl.flock(self._file, fcntl.LOCK_EX)
            with self._handover:
                if not turn.abandoned:
                    turn.granted = True
                    self._outstanding -= 1
                    turn.ready.set()
                    continue
            fcntl.flock(self._file, fcntl.LOCK_UN)
            with self._handover:
                self._outstanding -= 1


_gates: dict[str, WriterGate] = {}
_gates_lock = threading.Lock()


def _forget_gates() -> None:
    """A forked process has its own gates: the parent's locks and file are not its to hold."""
    global _gates_lock
    _gates.clear()
    _gates_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_gates)


def gate_for(database: str) -> WriterGate:
    """This process's gate for the database file ``database`` (its lock file is the name with ``-writer``)."""
    path = os.path.abspath(database)
    gate = _gates.get(path)
    if gate is None:
        with _gates_lock:
            gate = _gates.setdefault(path, WriterGate(f"{path}-writer"))
    return gate


class DatabaseWrapper(base.DatabaseWrapper):
    """Django's SQLite backend whose ``BEGIN IMMEDIATE`` transactions first pass the database's writer gate."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._gate: WriterGate | None = None

    def _gate_for_transaction(self) -> WriterGate | None:
        if getattr(self, "transaction_mode", None) not in ("IMMEDIATE", "EXCLUSIVE") or self.is_in_memory_db():
            return None
        return gate_for(str(self.settings_dict["NAME"]))

    def _start_transaction_under_autocommit(self) -> None:
        gate = self._gate_for_transaction()
        if gate is None:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
            return
        with self.wrap_database_errors:  # a wait that runs out is Django's OperationalError, as SQLite's would be
            gate.acquire(float(self.settings_dict["OPTIONS"].get("timeout", 5)))
        self._gate = gate
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._leave_gate()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._leave_gate_unless_in_transaction()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._leave_gate_unless_in_transaction()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._leave_gate()

    def _leave_gate_unless_in_transaction(self) -> None:
        if self._gate is not None and (self.connection is None or not self.connection.in_transaction):
            self._leave_gate()

    def _leave_gate(self) -> None:
        gate, self._gate = self._gate, None
        if gate is not None:
            gate.release()
