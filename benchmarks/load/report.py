"""Samples of the load run and their summary: throughput, latency percentiles and errors per kind of request."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sample:
    """One request: what it was (``label``), when it ended (seconds since the run began), how long it took."""

    label: str
    ended: float
    seconds: float
    ok: bool


@dataclass(frozen=True)
class Failure:
    label: str
    who: str
    problem: str


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values`` (0 < fraction <= 1): the smallest value with at least that
    fraction of the values at or below it. An empty list has none (NaN)."""
    if not values:
        return math.nan
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    ordered = sorted(values)
    rank = math.ceil(fraction * len(ordered))
    return ordered[max(rank, 1) - 1]


@dataclass(frozen=True)
class Row:
    label: str
    requests: int
    errors: int
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


def summarise(samples: Iterable[Sample], seconds: float) -> list[Row]:
    """One row per label (sorted), then the total; requests per second over ``seconds`` of the run."""
    by_label: dict[str, list[Sample]] = {}
    everything: list[Sample] = []
    for sample in samples:
        by_label.setdefault(sample.label, []).append(sample)
        everything.append(sample)

    def row(label: str, group: list[Sample]) -> Row:
        times = [s.seconds * 1000 for s in group]
        return Row(
            label=label,
            requests=len(group),
            errors=sum(1 for s in group if not s.ok),
            per_second=len(group) / seconds if seconds > 0 else math.nan,
            p50_ms=percentile(times, 0.50),
            p95_ms=percentile(times, 0.95),
            p99_ms=percentile(times, 0.99),
            max_ms=max(times) if times else math.nan,
        )

    return [row(label, by_label[label]) for label in sorted(by_label)] + [row("all", everything)]


HEADERS = ("request", "count", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms")


def _cells(row: Row) -> tuple[str, ...]:
    return (
        row.label,
        str(row.requests),
        str(row.errors),
        f"{row.per_second:.2f}",
        f"{row.p50_ms:.0f}",
        f"{row.p95_ms:.0f}",
        f"{row.p99_ms:.0f}",
        f"{row.max_ms:.0f}",
    )


def text_table(rows: Sequence[Row]) -> str:
    """The summary as aligned plain text (label left, figures right)."""
    cells = [HEADERS, *(_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(HEADERS))]

    def line(values: Sequence[str]) -> str:
        first = values[0].ljust(widths[0])
        return "  ".join([first, *(v.rjust(w) for v, w in zip(values[1:], widths[1:], strict=True))])

    rule = "-" * len(line(HEADERS))
    return "\n".join([line(HEADERS), rule, *(line(c) for c in cells[1:-1]), rule, line(cells[-1])])


def markdown_table(rows: Sequence[Row]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|---|" + "---:|" * (len(HEADERS) - 1)]
    for row in rows:
        values = list(_cells(row))
        if row.label == "all":
            values = [f"**{v}**" for v in values]
        lines.append("| " + " | ".join(values) + " |")
    return "\n".join(lines)


@dataclass
class Recorder:
    """Collects samples from every user thread and says when the run must stop: at ``deadline`` seconds or
    after ``max_requests`` requests, whichever comes first. A request already sent always finishes."""

    duration: float
    max_requests: int
    started: float = field(default_factory=time.monotonic)
    samples: list[Sample] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    issued: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return time.monotonic() - self.started

    def take_turn(self) -> bool:
        """May one more request start? Counts it if so."""
        with self._lock:
            if self.issued >= self.max_requests or self.now() >= self.duration:
                return False
            self.issued += 1
            return True

    def stopping(self) -> bool:
        with self._lock:
            return self.issued >= self.max_requests or self.now() >= self.duration

    def add(self, label: str, seconds: float, *, ok: bool) -> None:
        with self._lock:
            self.samples.append(Sample(label=label, ended=self.now(), seconds=seconds, ok=ok))

    def fail(self, label: str, who: str, problem: str) -> None:
        with self._lock:
            self.failures.append(Failure(label=label, who=who, problem=problem))
