"""Real servers on loopback for the scale-mode tests: an S3 API (moto's server) and Redis.

Each is started by the test run as a subprocess on its own port on 127.0.0.1 and stopped at the end.
A test that needs a server that is not installed fails with a message saying how to install it: it
never skips.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
S3_REGION = "us-east-1"
S3_ACCESS_KEY = "haven-test"
S3_SECRET_KEY = "haven-test-secret"  # moto accepts any key; nothing here reaches AWS


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Process:
    """A server this test run started, in its own process group so that its children stop with it."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    def wait_until(self, ready: Callable[[], bool], *, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                pytest.fail(f"{self.name} stopped at start-up (exit {self.popen.returncode}):\n{self.output()}")
            if ready():
                return
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"{self.name} did not answer within {timeout:.0f} s:\n{self.output()}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=20)


def start_process(name: str, args: list[str], log: Path, *, env: dict[str, str] | None = None) -> Process:
    with log.open("wb") as handle:
        popen = subprocess.Popen(  # noqa: S603 - fixed arguments: our own interpreter or an installed server
            args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Process(name=name, popen=popen, log=log)


def answers_http(url: str) -> Callable[[], bool]:
    def ready() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - a loopback address we made
                return True
        except urllib.error.HTTPError:
            return True  # it answered
        except OSError:
            return False

    return ready


# --- S3: moto's server ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a real S3 API server (moto's server mode) on loopback, for the whole run."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    server = start_process(
        "moto's S3 server", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], log
    )
    endpoint = f"http://127.0.0.1:{port}"
    server.wait_until(answers_http(f"{endpoint}/moto-api/"))
    yield endpoint
    server.stop()


def s3_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=S3_REGION,
        aws_access_key_id=S3_ACCESS_KEY,
        aws_secret_access_key=S3_SECRET_KEY,
    )


@dataclass
class Bucket:
    """A bucket of its own for one test, and a client that reads it directly (not through Haven)."""

    endpoint: str
    name: str
    client: Any

    def keys(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(entry["Key"] for page in pages for entry in page.get("Contents", ()))

    def object_bytes(self, key: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=self.name, Key=key)["Body"].read()
        return body

    def environment(self) -> dict[str, str]:
        """The settings (environment variables) that put a Haven process's files in this bucket."""
        return {
            "HAVEN_S3_BUCKET": self.name,
            "HAVEN_S3_ENDPOINT_URL": self.endpoint,
            "HAVEN_S3_REGION": S3_REGION,
            "HAVEN_S3_ACCESS_KEY_ID": S3_ACCESS_KEY,
            "HAVEN_S3_SECRET_ACCESS_KEY": S3_SECRET_KEY,
        }


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> Bucket:
    client = s3_client(s3_endpoint)
    name = f"haven-{uuid.uuid4().hex[:20]}"
    client.create_bucket(Bucket=name)
    return Bucket(endpoint=s3_endpoint, name=name, client=client)


def haven_settings(environment: dict[str, str], *names: str) -> dict[str, Any]:
    """Settings as haven/settings.py makes them from these environment variables, loaded in a fresh process."""
    script = (
        "import json, sys; from haven import settings; "
        "json.dump({name: getattr(settings, name) for name in sys.argv[1:]}, sys.stdout, default=str)"
    )
    inherited = {key: value for key, value in os.environ.items() if not key.startswith(("HAVEN_S3_", "HAVEN_REDIS_"))}
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", script, *names],
        cwd=ROOT,
        env={**inherited, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


@pytest.fixture(scope="session")
def s3_storage_settings(s3_endpoint: str) -> dict[str, Any]:
    """The "default" storage haven/settings.py configures from HAVEN_S3_* (its bucket name filled in per test)."""
    environment = Bucket(endpoint=s3_endpoint, name="placeholder", client=None).environment()
    storage: dict[str, Any] = haven_settings(environment, "STORAGES")["STORAGES"]["default"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "placeholder"
    return storage


@pytest.fixture
def s3_storage(_test_settings: None, settings: Any, s3_bucket: Bucket, s3_storage_settings: dict[str, Any]) -> Bucket:
    """Haven's file storage in a fresh bucket, configured exactly as HAVEN_S3_* configure it in haven/settings.py."""
    options = {**s3_storage_settings["OPTIONS"], "bucket_name": s3_bucket.name}
    settings.STORAGES = {**settings.STORAGES, "default": {**s3_storage_settings, "OPTIONS": options}}
    return s3_bucket


# --- Redis --------------------------------------------------------------------------------------------------------


def redis_server_binary() -> str:
    binary = shutil.which(os.environ.get("HAVEN_REDIS_SERVER") or "redis-server")
    if not binary:
        pytest.fail(
            "No redis-server found: install the Debian package redis-server (scripts/test does, as root) "
            "or point HAVEN_REDIS_SERVER at one. The shared-cache tests need a real Redis."
        )
    return binary


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway Redis on loopback for the whole run: its own port and folder, nothing saved to disk."""
    binary = redis_server_binary()
    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    args = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(folder),
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    server = start_process("redis-server", args, folder / "redis.log")
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)

    def ready() -> bool:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False

    server.wait_until(ready, timeout=30)
    yield url
    client.close()
    server.stop()


@pytest.fixture(scope="session")
def redis_cache_settings(redis_url: str) -> dict[str, Any]:
    """CACHES as haven/settings.py configures them from HAVEN_REDIS_URL."""
    caches: dict[str, Any] = haven_settings({"HAVEN_REDIS_URL": redis_url}, "CACHES")["CACHES"]
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    return caches


@pytest.fixture
def redis_cache(
    _test_settings: None, settings: Any, redis_url: str, redis_cache_settings: dict[str, Any]
) -> Iterator[redis.Redis]:
    """Django's cache on the Redis server, as HAVEN_REDIS_URL configures it; emptied before and after."""
    from django.core.cache import caches

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    settings.CACHES = redis_cache_settings
    caches["default"].clear()
    yield client
    client.flushdb()
    client.close()
