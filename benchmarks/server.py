"""Haven in production settings, and the reference page, each under granian on loopback.

Haven runs as it would be deployed: ``HAVEN_ENV=production``, keys from the environment, static files
collected (WhiteNoise serves them), SMTP configured (to a host nobody answers on: the pages benched send
no mail), HTTPS assumed by the cookies (``__Host-``, Secure) though the bench speaks plain HTTP on loopback.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GRANIAN = str(Path(PYTHON).with_name("granian"))
WORKERS = 2
# granian's default is 256 blocking threads per worker (it warns at start-up): under 32 connections
# they all take requests at once, queue on the GIL and the database, and serve unfairly (p99 of seconds).
# Measured on this machine (see docs/benchmarks.md): a few threads per worker keep throughput and cut p99;
# two per worker gave the lowest p99 on every page measured (each request is CPU work and short waits).
BLOCKING_THREADS = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def production_env(*, data_dir: Path, static_root: Path, keys_dir: Path) -> dict[str, str]:
    """The environment of a production Haven on loopback, reading the keys the seeded data was made with."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HAVEN_", "DATABASE_URL"))}
    env.update(
        {
            "HAVEN_ENV": "production",
            "HAVEN_DATA_DIR": str(data_dir),
            "HAVEN_SECRET_KEY": secrets.token_urlsafe(50),
            "HAVEN_FILE_KEYS": (keys_dir / "file_key").read_text(encoding="utf-8").strip(),
            "HAVEN_AUDIT_KEYS": (keys_dir / "audit_key").read_text(encoding="utf-8").strip(),
            "HAVEN_ALLOWED_HOSTS": "127.0.0.1",
            "HAVEN_BASE_URL": "https://127.0.0.1",
            "HAVEN_SSL_REDIRECT": "false",
            "HAVEN_SMTP_HOST": "127.0.0.1",
            "HAVEN_SMTP_PORT": "9",
            "HAVEN_STATIC_ROOT": str(static_root),
            "HAVEN_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "haven.settings",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def reference_env(*, database: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HAVEN_", "DATABASE_URL"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.reference.settings",
            "BENCH_REFERENCE_DB": str(database),
            "BENCH_REFERENCE_SECRET_KEY": secrets.token_urlsafe(50),
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def collectstatic(env: dict[str, str]) -> None:
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )


@dataclass
class Server:
    """One granian serving a WSGI application on 127.0.0.1; ``cpu_seconds`` reads its whole process tree."""

    name: str
    app: str
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    workers: int = WORKERS
    blocking_threads: int = BLOCKING_THREADS
    probe_path: str = "/"
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log_dir: Path) -> None:
        self.log = log_dir / f"{self.name}.log"
        command = [
            GRANIAN,
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--blocking-threads",
            str(self.blocking_threads),
            "--no-ws",
            "--log-level",
            "warning",
            self.app,
        ]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - granian from our own virtualenv
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        self._wait_until_answering()

    def _wait_until_answering(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start-up; see {self.log}")
            try:
                with urllib.request.urlopen(self.base + self.probe_path, timeout=5):  # noqa: S310 - loopback
                    return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer on {self.base} within {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def settle(self, *, quiet_share: float = 0.05, timeout: float = 30) -> None:
        """Wait until the server is idle: requests a round left queued finish before the next round starts."""
        deadline = time.monotonic() + timeout
        last = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(0.25)
            now = self.cpu_seconds()
            if now - last < quiet_share * 0.25:
                return
            last = now

    def cpu_seconds(self) -> float:
        """User and system CPU of the server and all its descendants (the workers), from /proc/<pid>/stat."""
        assert self.process is not None
        return tree_cpu_seconds(self.process.pid)


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, utime + stime in seconds) of one process, None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "; comm may hold spaces
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks


def tree_cpu_seconds(root: int) -> float:
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None:
                stats[int(entry)] = stat
    children: dict[int, list[int]] = {}
    for pid, (parent, _cpu) in stats.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
        todo.extend(children.get(pid, []))
    return total
