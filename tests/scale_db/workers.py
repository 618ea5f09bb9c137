"""Real ``run_worker`` processes for the worker tests, on the test run's PostgreSQL database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection


def database_url() -> str:
    """The address of the test database this process uses, for processes the test starts."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Workers:
    """Starts worker processes and stops every one of them when the test ends."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, *extra: str) -> subprocess.Popen[bytes]:
        env = {**os.environ, "HAVEN_ENV": "test", "DATABASE_URL": database_url()}
        log = (self.logs / f"worker-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - this interpreter and the project's manage.py
            [
                sys.executable,
                "manage.py",
                "run_worker",
                "--no-startup-delay",
                "--interval=0.05",
                "--reclaim-seconds=0.5",
                *extra,
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def output(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in sorted(self.logs.glob("worker-*.log")))

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def worker_pool(logs: Path) -> Iterator[Workers]:
    workers = Workers(logs)
    try:
        yield workers
    finally:
        workers.stop_all()


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str, workers: Workers) -> None:
    """Poll ``condition`` until it holds; fail with the workers' output if it does not in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if any(process.poll() not in (None, 0, -signal.SIGKILL) for process in workers.processes):
            break
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {timeout} s. Worker output:\n{workers.output()}")
