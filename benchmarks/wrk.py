"""One round of `wrk` against one address, with the server's CPU measured around it.

The Lua script counts responses whose status is not the one expected (a redirect to the login page is
an error here, not a success) and prints the round's figures as one JSON line from ``done``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SCRIPT = """
local threads = {}
local expected = 200

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  expected = tonumber(args[1]) or 200
  unexpected = 0
end

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads) do
    wrong = wrong + thread:get("unexpected")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.6f, "p50_ms": %.3f, "p99_ms": %.3f, "mean_ms": %.3f, '
    .. '"unexpected": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    latency.mean / 1e3, wrong, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass(frozen=True)
class Round:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    unexpected: int
    socket_errors: int
    cpu_seconds: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_seconds / self.requests if self.requests else 0.0

    @property
    def errors(self) -> int:
        return self.unexpected + self.socket_errors


def write_script(folder: Path) -> Path:
    path = folder / "bench.lua"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


def parse(output: str, cpu_seconds: float) -> Round:
    line = next((line for line in output.splitlines() if line.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures:\n{output}")
    figures = json.loads(line.removeprefix("BENCH "))
    return Round(cpu_seconds=cpu_seconds, **figures)


def run_round(
    *,
    url: str,
    script: Path,
    connections: int,
    seconds: float,
    cookie: str = "",
    expected_status: int = 200,
    cpu: Callable[[], float],
) -> Round:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (Debian package wrk; scripts/bench installs it as root)")
    command = [
        wrk,
        "-t",
        str(min(2, connections)),
        "-c",
        str(connections),
        "-d",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "10s",
    ]
    command += ["-s", str(script)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command += ["-H", "Host: 127.0.0.1", url, "--", str(expected_status)]
    before = cpu()
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603 - wrk on loopback
    return parse(done.stdout, cpu() - before)
