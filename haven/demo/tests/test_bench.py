"""make bench's own parts: the reference page, the report it writes, the wrk figures and the CPU it reads.

The load run itself (wrk against granian) is not part of make test: `make bench` runs it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from benchmarks import run as bench_run
from benchmarks.http_session import totp
from benchmarks.report import Figures, PageResult, Run, throughput_for_latency, write_report
from benchmarks.results import write_section
from benchmarks.server import ROOT, reference_env, tree_cpu_seconds
from benchmarks.wrk import parse
from haven.demo.management.commands import seed_scale

CHECK_REFERENCE = """
import json
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from benchmarks.reference.prepare import prepare
prepare()
Client().get("/fortunes/")
with CaptureQueriesContext(connection) as queries:
    response = Client().get("/fortunes/")
print(json.dumps({"status": response.status_code, "body": response.content.decode(), "queries": len(queries)}))
"""


def test_reference_page_renders_thirteen_sorted_escaped_fortunes_with_one_query(tmp_path):
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", CHECK_REFERENCE],
        cwd=ROOT,
        env=reference_env(database=tmp_path / "fortunes.sqlite3"),
        capture_output=True,
        text=True,
        check=True,
    )
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200
    assert answer["queries"] == 1
    messages = re.findall(r"<tr><td>\d+</td><td>(.*?)</td></tr>", answer["body"])
    assert len(messages) == 13
    assert messages == sorted(messages)
    assert "Additional fortune added at request time." in messages
    assert "&lt;script&gt;" in answer["body"] and "<script>" not in answer["body"]
    assert "フレームワークのベンチマーク" in messages


def _figures(rps: float, p99: float = 20.0, reference: float = 1000.0, errors: int = 0) -> Figures:
    return Figures(rps=rps, p50_ms=5.0, p99_ms=p99, cpu_ms=3.0, errors=errors, reference_rps=reference)


def _run(pages: list[PageResult]) -> Run:
    return Run(
        machine="a test machine",
        clients_small=1000,
        clients_large=100_000,
        documents_large=250_000,
        reference_one=_figures(900.0, reference=0.0),
        reference_many=_figures(1000.0, reference=0.0),
        pages=pages,
        seconds_per_round=3,
        blocking_threads=4,
        workers=2,
        duration_s=240,
    )


def test_report_marks_pages_under_a_quarter_of_the_reference_slow_at_p99_with_errors_or_growing_queries(tmp_path):
    fast = PageResult("Fast page", _figures(400.0), _figures(300.0), 9, 9)
    slow = PageResult("Slow page", _figures(40.0), _figures(30.0, p99=2500.0), 12, 12)
    broken = PageResult("Broken page", _figures(400.0), _figures(300.0, errors=3), 9, 9)
    growing = PageResult("Growing page", _figures(400.0), _figures(300.0), 9, 11)
    report = tmp_path / "benchmarks.md"
    write_report(_run([fast, slow, broken, growing]), report)
    rows = {line.split("|")[1].strip(): line for line in report.read_text().splitlines() if line.startswith("| ")}
    assert rows["Fast page"].rstrip().endswith("| ok |")
    assert "30.0 %" in rows["Fast page"]
    assert "**under 25 %, p99 over 100 ms**" in rows["Slow page"]
    assert "3.0 %" in rows["Slow page"]
    assert "**errors**" in rows["Broken page"]
    assert "**queries grow**" in rows["Growing page"]
    assert "1 of 4 pages meet the targets" in report.read_text()
    assert "Machine: a test machine." in report.read_text()


def test_report_says_what_throughput_a_p99_under_100_ms_needs_at_32_connections(tmp_path):
    report = tmp_path / "benchmarks.md"
    write_report(_run([PageResult("A page", _figures(400.0), _figures(300.0), 9, 9)]), report)
    assert throughput_for_latency(100.0) == 320.0  # 32 connections / 0.1 s
    assert "needs more than 320 requests a second: 32% of this run's reference" in report.read_text()


def test_report_says_when_a_round_got_no_answer_rather_than_showing_zero_latency(tmp_path):
    silent = Figures(rps=0.0, p50_ms=0.0, p99_ms=0.0, cpu_ms=0.0, errors=0, requests=0, seconds=15, reference_rps=900)
    page = PageResult("Silent page", _figures(2.0), silent, 9, 9)
    report = tmp_path / "benchmarks.md"
    write_report(_run([page]), report)
    row = next(line for line in report.read_text().splitlines() if line.startswith("| Silent page"))
    assert "none in 15 s" in row
    assert "no answer within the round" in row
    assert "0.0 / 0.0" not in row


def test_report_keeps_the_other_sections_and_puts_the_pages_first(tmp_path):
    report = tmp_path / "benchmarks.md"
    write_section("Signing", "| signing path | time |", report)
    search = PageResult("Client search: name", _figures(50.0), _figures(40.0), 9, 9, search_ms_in_process=250.0)
    write_report(_run([search]), report)
    text = report.read_text()
    assert text.index("## Pages") < text.index("## Client search at scale") < text.index("## Signing")
    assert "| name | 3.0 | 5.0 | 250.0 | 9 |" in text
    write_report(_run([search]), report)
    assert report.read_text().count("## Pages") == 1


def test_wrk_figures_are_read_from_the_scripts_line_and_give_requests_per_second_and_cpu_per_request():
    output = (
        "Running 3s test @ http://127.0.0.1:1/\n"
        'BENCH {"requests": 600, "seconds": 3.0, "p50_ms": 4.5, "p99_ms": 40.0, "mean_ms": 6.0, '
        '"unexpected": 2, "socket_errors": 1}\n'
    )
    figures = parse(output, cpu_seconds=1.2)
    assert figures.rps == 200
    assert figures.cpu_ms_per_request == 2.0
    assert figures.errors == 3


def test_cpu_of_a_process_tree_counts_its_children():
    spin = "import time\nwhile time.process_time() < 0.5: pass\nprint('spun', flush=True)\ntime.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", spin], stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "spun"
        child_cpu = tree_cpu_seconds(child.pid)
        assert child_cpu >= 0.49
        own = os.times()
        assert tree_cpu_seconds(os.getpid()) >= own.user + own.system + child_cpu - 0.05
    finally:
        child.kill()
        child.wait()


def test_totp_codes_match_the_rfc_6238_test_vector():
    key = b"12345678901234567890".hex()
    assert totp(key, at=59, digits=8) == "94287082"
    assert totp(key, at=1111111109, digits=8) == "07081804"


def test_bench_caches_seeds_under_the_seed_commands_version():
    assert bench_run.SEED_VERSION == seed_scale.SEED_VERSION
    assert Path(ROOT) / "var" / "bench" / seed_scale.SEED_VERSION == bench_run.CACHE
