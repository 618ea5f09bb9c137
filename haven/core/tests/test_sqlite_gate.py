"""SQLite writers queue at a gate (haven/core/sqlite/base.py), held from BEGIN to COMMIT or ROLLBACK.

These tests open their own SQLite database in a temporary folder through Haven's backend, so they
say the same on every run of the suite, whatever database the rest of it uses.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, OperationalError, connections, transaction

from haven.core.sqlite.base import DatabaseWrapper, WriterGate, gate_for

ALIAS = "gated-sqlite"


@pytest.fixture
def gated(tmp_path: Path, django_db_blocker: Any) -> Iterator[Path]:
    """A SQLite database of its own under Haven's backend (alias ``gated-sqlite``), with a one-table counter."""
    path = tmp_path / "gated.sqlite3"
    settings = connections.configure_settings(
        {
            "default": connections.settings["default"],
            ALIAS: {
                "ENGINE": "haven.core.sqlite",
                "NAME": str(path),
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 5, "init_command": "PRAGMA journal_mode=WAL;"},
            },
        }
    )
    connections.settings[ALIAS] = settings[ALIAS]
    with django_db_blocker.unblock():
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)")
            cursor.execute("INSERT INTO counter (id, value) VALUES (1, 0)")
        try:
            yield path
        finally:
            connections[ALIAS].close()
            del connections[ALIAS]
            del connections.settings[ALIAS]


def _value() -> int:
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT value FROM counter WHERE id = 1")
        return int(cursor.fetchone()[0])


def _other_thread_can_pass(path: Path, *, wait: float) -> bool:
    """Whether another thread gets through the database's gate within ``wait`` seconds (and then leaves it)."""

    def attempt() -> bool:
        try:
            gate_for(str(path)).acquire(wait)
        except sqlite3.OperationalError as error:  # SQLite's own error: Django's wrapper is the backend's
            assert str(error) == "database is locked"
            return False
        gate_for(str(path)).release()
        return True

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(attempt).result()


def test_the_web_database_on_sqlite_is_the_gated_backend() -> None:
    default = connections["default"]
    if default.vendor == "sqlite":
        assert isinstance(default, DatabaseWrapper)
    else:
        assert not isinstance(default, DatabaseWrapper)


def test_a_transaction_holds_the_gate_until_it_commits(gated: Path) -> None:
    with transaction.atomic(using=ALIAS):
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("UPDATE counter SET value = value + 1 WHERE id = 1")
        assert not _other_thread_can_pass(gated, wait=0.05)
    assert _other_thread_can_pass(gated, wait=1)
    assert _value() == 1


def test_a_transaction_that_fails_leaves_the_gate_and_writes_nothing(gated: Path) -> None:
    with pytest.raises(ValueError, match="typed wrong"), transaction.atomic(using=ALIAS):
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("UPDATE counter SET value = value + 1 WHERE id = 1")
        raise ValueError("typed wrong")
    assert _other_thread_can_pass(gated, wait=1)
    assert _value() == 0


def test_a_savepoint_inside_a_transaction_keeps_the_gate_until_the_outer_commit(gated: Path) -> None:
    with transaction.atomic(using=ALIAS):
        with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
            cursor.execute("UPDATE counter SET value = 5 WHERE id = 1")
        assert not _other_thread_can_pass(gated, wait=0.05)
    assert _other_thread_can_pass(gated, wait=1)


def test_a_connection_closed_inside_a_transaction_leaves_the_gate(gated: Path) -> None:
    with pytest.raises(DatabaseError, match="closed database"), transaction.atomic(using=ALIAS):
        connections[ALIAS].close()
        connections[ALIAS].cursor()  # a closed connection can't be used inside the block
    assert _other_thread_can_pass(gated, wait=1)


def test_a_writer_that_cannot_pass_in_time_gets_sqlites_own_error(gated: Path) -> None:
    connections[ALIAS].settings_dict["OPTIONS"]["timeout"] = 0.05
    gate = gate_for(str(gated))
    gate.acquire(1)
    try:
        with pytest.raises(OperationalError, match="database is locked"), transaction.atomic(using=ALIAS):
            pass  # pragma: no cover - never entered
    finally:
        gate.release()
    # and the connection is usable once the gate is free
    with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
        cursor.execute("UPDATE counter SET value = 7 WHERE id = 1")
    assert _value() == 7


def test_writers_on_many_threads_each_commit_and_never_overlap(gated: Path) -> None:
    inside = 0
    most_inside = 0
    count = threading.Lock()

    def add(times: int) -> None:
        nonlocal inside, most_inside
        try:
            for _ in range(times):
                with transaction.atomic(using=ALIAS):
                    with count:
                        inside += 1
                        most_inside = max(most_inside, inside)
                    value = _value()
                    with connections[ALIAS].cursor() as cursor:
                        cursor.execute("UPDATE counter SET value = %s WHERE id = 1", [value + 1])
                    with count:
                        inside -= 1
        finally:
            connections[ALIAS].close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        for done in [pool.submit(add, 25) for _ in range(8)]:
            done.result()
    assert _value() == 200
    assert most_inside == 1


def _try_in_child(path: str, wait: float, answers: Any) -> None:
    try:
        gate_for(path).acquire(wait)
    except sqlite3.OperationalError:
        answers.put(False)
        return
    gate_for(path).release()
    answers.put(True)


def test_another_process_waits_at_the_gate_until_it_is_left(tmp_path: Path) -> None:
    database = str(tmp_path / "shared.sqlite3")
    processes = multiprocessing.get_context("spawn")  # a process of its own, as a web server's worker is
    answers = processes.Queue()
    gate = gate_for(database)
    gate.acquire(1)
    try:
        child = processes.Process(target=_try_in_child, args=(database, 0.1, answers))
        child.start()
        child.join(30)
        assert answers.get(timeout=5) is False  # the file lock holds the other process out
    finally:
        gate.release()
    child = processes.Process(target=_try_in_child, args=(database, 5, answers))
    child.start()
    child.join(30)
    assert answers.get(timeout=5) is True


def test_a_gate_wakes_a_waiting_thread_when_it_is_left(tmp_path: Path) -> None:
    gate = WriterGate(str(tmp_path / "gate"))
    gate.acquire(1)
    passed = threading.Event()

    def wait_then_pass() -> None:
        gate.acquire(5)
        passed.set()
        gate.release()

    waiter = threading.Thread(target=wait_then_pass)
    waiter.start()
    assert not passed.wait(0.05)
    gate.release()
    waiter.join(5)
    assert passed.is_set()


def test_a_writer_that_gave_up_on_the_file_lock_gets_it_on_its_next_try(tmp_path: Path) -> None:
    """Two gates on one file exclude each other as two processes do (each holds its own open file)."""
    path = str(tmp_path / "gate")
    other, ours = WriterGate(path), WriterGate(path)
    other.acquire(1)
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        ours.acquire(0.05)  # its turn is given up; the gate's own thread still waits for the lock, then gives it back
    other.release()
    ours.acquire(5)
    with pytest.raises(sqlite3.OperationalError):
        other.acquire(0.05)
    ours.release()
    other.acquire(5)
    other.release()


def test_a_writer_waiting_for_the_file_lock_is_admitted_when_the_other_leaves(tmp_path: Path) -> None:
    path = str(tmp_path / "gate")
    other, ours = WriterGate(path), WriterGate(path)
    other.acquire(1)
    admitted = threading.Event()

    def wait_then_pass() -> None:
        ours.acquire(10)
        admitted.set()
        ours.release()

    waiter = threading.Thread(target=wait_then_pass)
    waiter.start()
    assert not admitted.wait(0.1)
    other.release()
    waiter.join(10)
    assert admitted.is_set()
