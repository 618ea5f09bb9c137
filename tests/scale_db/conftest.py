"""A real streaming replica of the PostgreSQL test cluster, for the read-replica tests.

``pg_basebackup -R`` copies the cluster the test run uses (``DATABASE_URL``) into a temporary folder
and the copy is started as a hot standby on a free port: it streams the primary's WAL, so it holds
the test database and every committed row after a moment. Tests pause its replay to make the lag
deterministic. A missing ``pg_basebackup`` fails the tests (never skips them).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connections

from haven.core.replica import PRIMARY, REPLICA
from tests.database import audit_triggers


def _pg_tool(name: str) -> str:
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: [int(part) if part.isdigit() else 0 for part in Path(path).parts[-3].split(".")],
    )
    path = found[-1] if found else shutil.which(name)
    if not path:
        pytest.fail(
            f"{name} is missing: the read-replica tests need the PostgreSQL server tools "
            "(the Debian postgresql package, which scripts/test installs)."
        )
    return path


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run the tool as the postgres user (as scripts/test does)."""
    return ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else command


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


REPLICA_DATABASES = [PRIMARY, REPLICA]


@dataclass
class Standby:
    folder: Path
    port: int

    def sql(self, statement: str) -> list[tuple[object, ...]]:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(statement)
            return list(cursor.fetchall()) if cursor.description else []

    def pause(self) -> None:
        """Stop replaying the primary's changes: from now on the replica lags behind every commit."""
        self.catch_up()
        self.sql("SELECT pg_wal_replay_pause()")

    def resume(self) -> None:
        self.sql("SELECT pg_wal_replay_resume()")
        self.catch_up()

    def catch_up(self, timeout: float = 60) -> None:
        """Wait until the replica has replayed everything the primary has committed so far."""
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            (target,) = cursor.fetchone()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            (done,) = self.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[0]
            if done:
                return
            time.sleep(0.02)
        raise AssertionError(f"the replica did not replay up to {target} in {timeout} s")


@pytest.fixture(scope="session")
def standby_server(django_db_setup: None, django_db_blocker) -> Iterator[Standby]:
    """A hot standby of the test cluster, made once for the session (after the test database exists)."""
    primary = connections[PRIMARY].settings_dict
    assert connections[PRIMARY].vendor == "postgresql", "run the read-replica tests on PostgreSQL (postgres marker)"
    basebackup, pg_ctl = _pg_tool("pg_basebackup"), _pg_tool("pg_ctl")
    folder = Path(tempfile.mkdtemp(prefix="haven-standby-"))
    if os.getuid() == 0:
        shutil.chown(folder, "postgres")
    folder.chmod(0o700)
    port = _free_port()
    copy = subprocess.run(  # noqa: S603 - PostgreSQL's own tools, arguments the test chose
        _as_postgres(
            [
                basebackup,
                "-h",
                str(primary["HOST"]),
                "-p",
                str(primary["PORT"]),
                "-U",
                str(primary["USER"]),
                "-D",
                str(folder),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ]
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    if copy.returncode != 0:
        pytest.fail(f"pg_basebackup could not copy the test cluster (replication connection refused?):\n{copy.stderr}")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c hot_standby=on -F"
    start = subprocess.run(  # noqa: S603
        _as_postgres([pg_ctl, "-D", str(folder), "-o", options, "-l", str(folder / "log"), "-w", "start"]),
        capture_output=True,
        text=True,
        check=False,
    )
    if start.returncode != 0:
        log = (folder / "log").read_text(errors="replace") if (folder / "log").exists() else ""
        pytest.fail(f"the standby did not start:\n{start.stderr}\n{log}")
    try:
        yield Standby(folder=folder, port=port)
    finally:
        subprocess.run(  # noqa: S603
            _as_postgres([pg_ctl, "-D", str(folder), "-m", "immediate", "stop"]), capture_output=True, check=False
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def replica_alias(standby_server: Standby, django_db_blocker) -> Iterator[Standby]:
    """The ``replica`` database alias (what HAVEN_REPLICA_DATABASE_URL adds), for one test module.

    Module-scoped so it exists before each test's database is set up: a test marked
    ``django_db(transaction=True, databases=REPLICA_DATABASES)`` may then use it. As a mirror of
    the primary it is never created or emptied by the test run. The marker sets the database up
    before any fixture, so it empties the tables after every fixture's end: ``replica`` lifts the
    audit trail's triggers for that, and they are put back here, when the module is done.
    """
    connections.settings[REPLICA] = {
        **connections[PRIMARY].settings_dict,
        "HOST": "127.0.0.1",
        "PORT": standby_server.port,
        "CONN_MAX_AGE": 0,
        "TEST": {"MIRROR": PRIMARY},
    }
    try:
        yield standby_server
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        with django_db_blocker.unblock():
            audit_triggers(on=True)


@pytest.fixture
def replica(replica_alias: Standby, settings) -> Iterator[Standby]:
    """Haven reading from the standby as its replica: the alias and the router (tests marked as above)."""
    settings.DATABASE_ROUTERS = ["haven.core.replica.ReplicaRouter"]
    try:
        yield replica_alias
    finally:
        replica_alias.sql("SELECT pg_wal_replay_resume()")
        audit_triggers(on=False)  # the test database is emptied next
