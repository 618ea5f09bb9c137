"""The page figures of a `make bench` run, as the sections of docs/benchmarks.md that lead it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.results import RESULTS, write_section

TARGET_RATIO = 0.25  # each page at least a quarter of the reference's throughput (issue #11)
TARGET_P99_MS = 100.0  # at 32 connections
CONNECTIONS = 32


def throughput_for_latency(latency_ms: float, connections: int = CONNECTIONS) -> float:
    """The requests a second a page must serve for its mean latency at ``connections`` to be ``latency_ms``.

    wrk keeps each connection waiting for its answer before it sends the next request, so the mean time in
    the server is connections / throughput (Little's law): at 32 connections a p99 under 100 ms needs more
    than 320 requests a second, whatever the page.
    """
    return connections / (latency_ms / 1000)


@dataclass(frozen=True)
class Figures:
    """One page (or the reference) at one concurrency, from one wrk round."""

    rps: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float
    errors: int
    requests: int = 1
    seconds: float = 0.0
    reference_rps: float = 0.0  # the reference rounds either side of it, in the same run

    @property
    def latency(self) -> str:
        """p50 / p99, or how long the round waited in vain when no request was answered."""
        if not self.requests:
            return f"none in {self.seconds:.0f} s"
        return f"{self.p50_ms:.1f} / {self.p99_ms:.1f}"

    @property
    def cpu(self) -> str:
        return f"{self.cpu_ms:.1f}" if self.requests else "-"

    @property
    def ratio(self) -> float:
        return self.rps / self.reference_rps if self.reference_rps else 0.0


@dataclass(frozen=True)
class PageResult:
    name: str
    one: Figures  # 1 connection
    many: Figures  # 32 connections
    queries_small: int | None
    queries_large: int | None
    first_response_ok: bool = True
    search_ms_in_process: float | None = None

    @property
    def errors(self) -> int:
        return self.one.errors + self.many.errors + (0 if self.first_response_ok else 1)

    @property
    def marks(self) -> list[str]:
        marks = []
        if self.many.ratio < TARGET_RATIO:
            marks.append("under 25 %")
        if not self.one.requests or not self.many.requests:
            marks.append("no answer within the round")
        elif self.many.p99_ms > TARGET_P99_MS:
            marks.append("p99 over 100 ms")
        if self.errors:
            marks.append("errors")
        if self.queries_small != self.queries_large:
            marks.append("queries grow")
        return marks


@dataclass(frozen=True)
class Run:
    machine: str
    clients_small: int
    clients_large: int
    documents_large: int
    reference_one: Figures
    reference_many: Figures
    pages: list[PageResult]
    seconds_per_round: float
    blocking_threads: int
    workers: int
    duration_s: float = 0.0
    seeding_s: float = 0.0
    notes: list[str] = field(default_factory=list)


def _n(value: int | None) -> str:
    return "-" if value is None else str(value)


def pages_section(run: Run) -> str:
    rows = [
        "| page | req/s (32) | share of reference | p50 / p99 ms (1) | p50 / p99 ms (32) | CPU ms/req "
        f"| queries {run.clients_small:,} / {run.clients_large:,} | errors | |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        f"| **Reference (Fortunes)** | {run.reference_many.rps:,.0f} | 100 % "
        f"| {run.reference_one.p50_ms:.1f} / {run.reference_one.p99_ms:.1f} "
        f"| {run.reference_many.p50_ms:.1f} / {run.reference_many.p99_ms:.1f} | {run.reference_many.cpu_ms:.2f} "
        f"| 1 / 1 | {run.reference_one.errors + run.reference_many.errors} | |",
    ]
    for page in run.pages:
        cpu = page.many.cpu if page.many.requests else page.one.cpu
        rows.append(
            f"| {page.name} | {page.many.rps:,.0f} | {100 * page.many.ratio:.1f} % "
            f"| {page.one.latency} | {page.many.latency} "
            f"| {cpu} | {_n(page.queries_small)} / {_n(page.queries_large)} | {page.errors} "
            f"| {'**' + ', '.join(page.marks) + '**' if page.marks else 'ok'} |"
        )
    below = [page for page in run.pages if page.marks]
    summary = (
        f"{len(run.pages) - len(below)} of {len(run.pages)} pages meet the targets "
        f"(at least {TARGET_RATIO:.0%} of the reference's throughput at 32 connections, p99 under "
        f"{TARGET_P99_MS:.0f} ms, no errors, the same query count at {run.clients_small:,} and "
        f"{run.clients_large:,} clients)."
    )
    needed = throughput_for_latency(TARGET_P99_MS)
    summary += (
        f" At {CONNECTIONS} connections a page's mean latency is {CONNECTIONS} divided by its throughput "
        f"(each connection waits for its answer before sending the next request), so a p99 under "
        f"{TARGET_P99_MS:.0f} ms needs more than {needed:.0f} requests a second: "
        f"{needed / run.reference_many.rps:.0%} of this run's reference, not {TARGET_RATIO:.0%}."
        if run.reference_many.rps
        else ""
    )
    intro = (
        f"Machine: {run.machine}.\n\n"
        f"Haven in production settings (`HAVEN_ENV=production`, SQLite) under granian (`--interface wsgi "
        f"--workers {run.workers} --blocking-threads {run.blocking_threads}`) on loopback, with a practice of "
        f"{run.clients_large:,} clients and {run.documents_large:,} documents (`manage.py seed_scale`), signed "
        f"in for real (staff: password and two-step code; portal: email and password). The reference is "
        f"TechEmpower's *Fortunes* on a minimal Django project (`benchmarks/reference/`: no middleware, one "
        f"query, 13 escaped rows) under the same granian flags, in the same run: each page's round is "
        f"compared with the reference rounds just before and just after it (their mean). Rounds of "
        f"{run.seconds_per_round:g} s with `wrk -t2` (`-t1` at 1 connection). CPU per request is the server "
        f"process tree's user and system time over the round (`/proc/<pid>/stat`) divided by the requests "
        f"served; after each round the bench waits for the server to go idle. Queries per request are "
        f"counted in-process (the second request of a signed-in session) "
        f"against the seeded practices of {run.clients_small:,} and {run.clients_large:,} clients. A round that "
        f"gets fewer than 10 answers runs again, longer (up to 15 s); CPU per request is from the 32-connection "
        f"round (the 1-connection one if that got none). An error is "
        f"any response other than the page's own status (a redirect to sign in counts) or a socket error; "
        f"the first response of each page is checked to be the page itself."
    )
    timing = (
        f"This run took {run.duration_s / 60:.1f} min"
        + (
            f", of which seeding {run.seeding_s / 60:.1f} min"
            if run.seeding_s
            else " (the seeded practices were cached)"
        )
        + "."
    )
    notes = "".join(f"\n\n{note}" for note in run.notes)
    return f"{intro}\n\n{summary}\n\n" + "\n".join(rows) + f"\n\n{timing}{notes}"


def search_section(run: Run) -> str:
    rows = [
        "| search | CPU ms/req (server) | p50 ms (1 connection) | in-process ms | queries |",
        "|---|---:|---:|---:|---:|",
    ]
    for page in run.pages:
        if page.search_ms_in_process is None:
            continue
        rows.append(
            f"| {page.name.removeprefix('Client search: ')} | {page.one.cpu} | {page.one.p50_ms:.1f} "
            f"| {page.search_ms_in_process:.1f} | {_n(page.queries_large)} |"
        )
    return (
        f"Staff client search at {run.clients_large:,} clients: the server's CPU per request at one connection, "
        "the median latency at one connection, and the median of five in-process requests.\n\n" + "\n".join(rows)
    )


def write_report(run: Run, path: Path = RESULTS) -> None:
    write_section("Pages", pages_section(run), path)
    write_section("Client search at scale", search_section(run), path)
