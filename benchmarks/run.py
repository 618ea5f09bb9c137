"""`make bench`: Haven's pages as a user meets them, against a reference page in the same run.

1. Seeds (once, then kept under ``var/bench/<seed version>/``) a practice of 1,000 and one of 100,000
   clients with ``manage.py seed_scale``.
2. Copies each seeded database for this run (the pages write sessions and audit events), brings it up to
   the current migrations, and counts each page's queries in-process (``benchmarks.inprocess``).
3. Serves the large practice in production settings and the reference page, each under granian
   (``benchmarks.server``), signs in for real over HTTP, checks that the first response of each page is
   the page, then loads each page with wrk at 1 and 32 connections, a reference round before each page
   round, measuring the servers' CPU around every round.
4. Writes the leading sections of docs/benchmarks.md (``benchmarks.report``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.http_session import Session, saved_search, sign_in_portal, sign_in_staff
from benchmarks.pages import Ids, pages
from benchmarks.report import Figures, PageResult, Run, write_report
from benchmarks.results import write_section
from benchmarks.server import (
    BLOCKING_THREADS,
    PYTHON,
    ROOT,
    WORKERS,
    Server,
    collectstatic,
    production_env,
    reference_env,
)
from benchmarks.wrk import Round, run_round, write_script

SEED_VERSION = "3"  # haven/demo/management/commands/seed_scale.py SEED_VERSION (read without Django)
CACHE = ROOT / "var" / "bench" / SEED_VERSION


MIN_REQUESTS = 10  # a round with fewer answers is run again, longer (up to --max-seconds)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def ensure_seed(clients: int, documents: int) -> tuple[Path, float]:
    """The seeded data folder for this size, made once (in a folder renamed into place only when complete)."""
    folder = CACHE / f"c{clients}-d{documents}"
    if (folder / "complete").exists():
        return folder, 0.0
    started = time.monotonic()
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HAVEN_", "DATABASE_URL"))}
    env.update({"HAVEN_ENV": "development", "HAVEN_DATA_DIR": str(partial), "HAVEN_LOG_LEVEL": "WARNING"})
    log(f"Seeding {clients:,} clients and {documents:,} documents (once; kept in {folder})")
    manage = [PYTHON, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [*manage, "seed_scale", "--clients", str(clients), "--documents", str(documents)], cwd=ROOT, env=env, check=True
    )
    with sqlite3.connect(partial / "haven.sqlite3") as database:
        database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (partial / "complete").write_text(f"{clients} clients, {documents} documents\n", encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return folder, time.monotonic() - started


def run_copy(seed: Path, data: Path, static_root: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the seeded database for this run, its files shared read-only, at the current migrations.

    The kept seed is brought to the current migrations first (so a new migration's backfill is paid once, not on
    every run), and given the planner statistics the daily run keeps (``ANALYZE``), as a practice in use has them.
    """
    seed_env = production_env(data_dir=seed, static_root=static_root, keys_dir=seed)
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=seed_env, check=True)  # noqa: S603
    with sqlite3.connect(seed / "haven.sqlite3") as database:
        database.execute("ANALYZE")
        database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data.mkdir()
    shutil.copyfile(seed / "haven.sqlite3", data / "haven.sqlite3")
    (data / "files").symlink_to(seed / "files")
    return data, production_env(data_dir=data, static_root=static_root, keys_dir=seed)


def count_queries(env: dict[str, str], out: Path) -> dict:
    subprocess.run([PYTHON, "-m", "benchmarks.inprocess", str(out)], cwd=ROOT, env=env, check=True)  # noqa: S603
    return json.loads(out.read_text(encoding="utf-8"))


def machine_line() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next(
            (
                line.split(":", 1)[1].strip()
                for line in cpuinfo.read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)  # noqa: S607
    wrk_version = (wrk.stdout or wrk.stderr).split()[1] if (wrk.stdout or wrk.stderr).split()[1:] else "?"
    granian = subprocess.run(  # noqa: S603
        [str(Path(PYTHON).with_name("granian")), "--version"], capture_output=True, text=True, check=False
    )
    load = os.getloadavg()[0]
    return (
        f"{model or platform.processor() or platform.machine()}, {os.cpu_count()} cores (load average "
        f"{load:.1f} at the start), Linux {platform.release()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {granian.stdout.strip() or 'granian'}, wrk {wrk_version}, "
        f"{time.strftime('%Y-%m-%d')}"
    )


def figures(round_: Round, *around: Round) -> Figures:
    """A page's round, compared with the reference rounds just before and just after it."""
    return Figures(
        rps=round_.rps,
        p50_ms=round_.p50_ms,
        p99_ms=round_.p99_ms,
        cpu_ms=round_.cpu_ms_per_request,
        errors=round_.errors,
        requests=round_.requests,
        seconds=round_.seconds,
        reference_rps=statistics.mean(r.rps for r in around) if around else 0.0,
    )


def median_figures(rounds: list[Round]) -> Figures:
    return Figures(
        rps=statistics.median(r.rps for r in rounds),
        p50_ms=statistics.median(r.p50_ms for r in rounds),
        p99_ms=statistics.median(r.p99_ms for r in rounds),
        cpu_ms=statistics.median(r.cpu_ms_per_request for r in rounds),
        errors=sum(r.errors for r in rounds),
        requests=sum(r.requests for r in rounds),
        seconds=sum(r.seconds for r in rounds),
    )


def start_servers(
    blocking_threads: int, haven_env: dict[str, str], fortunes_env: dict[str, str], work: Path
) -> tuple[Server, Server]:
    reference = Server(
        "reference",
        "benchmarks.reference.wsgi:application",
        fortunes_env,
        blocking_threads=blocking_threads,
        probe_path="/fortunes/",
    )
    haven = Server(
        "haven", "haven.wsgi:application", haven_env, blocking_threads=blocking_threads, probe_path="/staff/login/"
    )
    reference.start(work)
    try:
        haven.start(work)
    except Exception:
        reference.stop()
        raise
    return reference, haven


def sign_in(haven: Server, ids: Ids) -> dict[str, Session]:
    staff = sign_in_staff(haven.base, email=ids.staff_email, password=ids.password, totp_key=ids.totp_key)
    portal = sign_in_portal(haven.base, slug=ids.slug, email=ids.portal_email, password=ids.password)
    return {"staff": staff, "portal": portal}


SWEEP_PAGES = ("Client list", "Client chart", "Portal home")


def sweep_threads(
    args: argparse.Namespace,
    ids: Ids,
    haven_env: dict[str, str],
    fortunes_env: dict[str, str],
    work: Path,
    servers: list[Server],
) -> None:
    """granian's blocking threads per worker: a few pages and the reference at 32 connections for each count.
    Sessions live in the database, so one sign-in serves every restart."""
    script = write_script(work)
    chosen = [page for page in pages(ids) if page.name in SWEEP_PAGES]
    sessions: dict[str, Session] = {}
    rows = []
    for threads in [int(n) for n in args.sweep_threads.split(",")]:
        reference, haven = start_servers(threads, haven_env, fortunes_env, work)
        servers[:] = [reference, haven]
        sessions = sessions or sign_in(haven, ids)
        for page in [None, *chosen]:
            server = reference if page is None else haven
            measured = run_round(
                url=server.base + ("/fortunes/" if page is None else page.path),
                script=script,
                connections=32,
                seconds=args.seconds,
                cookie="" if page is None else sessions[page.world].cookie_header(),
                expected_status=200 if page is None else page.status,
                cpu=server.cpu_seconds,
            )
            server.settle()
            name = "Reference (Fortunes)" if page is None else page.name
            rows.append(
                f"| {threads} | {name} | {measured.rps:,.1f} | {measured.p50_ms:.1f} | {measured.p99_ms:.1f} "
                f"| {measured.cpu_ms_per_request:.1f} | {measured.errors} |"
            )
            log(rows[-1])
        for server in servers:
            server.stop()
        servers.clear()
    write_section(
        "Blocking threads",
        f"granian `--workers {WORKERS} --blocking-threads N`, 32 connections, {args.seconds} s rounds "
        f"(`scripts/bench --sweep-threads {args.sweep_threads}`); the page rounds use {BLOCKING_THREADS} "
        f"(`BLOCKING_THREADS` in benchmarks/server.py). Machine: {machine_line()}.\n\n"
        "| threads per worker | page | req/s | p50 ms | p99 ms | CPU ms/req | errors |\n"
        "|---:|---|---:|---:|---:|---:|---:|\n" + "\n".join(rows),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=250_000)
    parser.add_argument("--small-clients", type=int, default=1_000)
    parser.add_argument("--small-documents", type=int, default=2_500)
    parser.add_argument("--seconds", type=int, default=3, help="length of each wrk round, in whole seconds")
    parser.add_argument("--max-seconds", type=int, default=15, help="the longest round, for the slowest pages")
    parser.add_argument("--connections", default="1,32")
    parser.add_argument("--blocking-threads", type=int, default=BLOCKING_THREADS)
    parser.add_argument(
        "--only", default="", help="only the pages whose name contains this text (or one of several, separated by |)"
    )
    parser.add_argument(
        "--sweep-threads", default="", help="instead: compare granian blocking-thread counts, e.g. 2,4,8,256"
    )
    parser.add_argument("--no-write", action="store_true", help="print the figures, leave docs/benchmarks.md")
    args = parser.parse_args(argv)
    started = time.monotonic()
    machine = machine_line()
    small_seed, small_s = ensure_seed(args.small_clients, args.small_documents)
    large_seed, large_s = ensure_seed(args.clients, args.documents)
    work = Path(tempfile.mkdtemp(prefix="haven-bench-"))
    servers: list[Server] = []
    try:
        static_root = work / "static"
        _small_data, small_env = run_copy(small_seed, work / "small", static_root)
        _large_data, large_env = run_copy(large_seed, work / "large", static_root)
        collectstatic(large_env)
        log("Counting queries in-process")
        small = count_queries(small_env, work / "small.json")
        large = count_queries(large_env, work / "large.json")
        ids = Ids(**large["ids"])
        wanted = [text.strip().lower() for text in args.only.split("|")]
        chosen = [page for page in pages(ids) if any(text in page.name.lower() for text in wanted)]

        reference_db = work / "fortunes.sqlite3"
        subprocess.run(  # noqa: S603
            [PYTHON, "-m", "benchmarks.reference.prepare"],
            cwd=ROOT,
            env=reference_env(database=reference_db),
            check=True,
        )
        if args.sweep_threads:
            sweep_threads(args, ids, large_env, reference_env(database=reference_db), work, servers)
            return 0
        reference, haven = start_servers(args.blocking_threads, large_env, reference_env(database=reference_db), work)
        servers += [reference, haven]
        log(f"Servers up: reference {reference.base}, Haven {haven.base}; signing in")
        sessions = sign_in(haven, ids)
        addresses: dict[str, str] = {}
        first_ok: dict[str, bool] = {}
        notes: list[str] = []
        for page in chosen:
            session = sessions[page.world]
            addresses[page.key] = saved_search(session, page.search) if page.search else page.path
            first = session.get(addresses[page.key])
            first_ok[page.key] = first.status == page.status and page.marker in first.body
            if not first_ok[page.key]:
                notes.append(
                    f"{page.name}: the first response was {first.status}"
                    + (f" to {first.location}" if first.location else "")
                    + ", not the page."
                )
                log(f"NOT THE PAGE: {page.name} answered {first.status} {first.location}")
        script = write_script(work)
        levels = [int(level) for level in args.connections.split(",")]
        reference_rounds: dict[int, list[Round]] = {level: [] for level in levels}
        page_rounds: dict[tuple[str, int], tuple[Round, Round, Round]] = {}

        def reference_round(level: int) -> Round:
            measured = run_round(
                url=f"{reference.base}/fortunes/",
                script=script,
                connections=level,
                seconds=args.seconds,
                cpu=reference.cpu_seconds,
            )
            reference.settle()
            reference_rounds[level].append(measured)
            return measured

        for level in levels:
            before = reference_round(level)
            for page in chosen:
                seconds = args.seconds
                while True:
                    measured = run_round(
                        url=haven.base + addresses[page.key],
                        script=script,
                        connections=level,
                        seconds=seconds,
                        cookie=sessions[page.world].cookie_header(),
                        expected_status=page.status,
                        cpu=haven.cpu_seconds,
                    )
                    haven.settle()
                    if measured.requests >= MIN_REQUESTS or seconds >= args.max_seconds:
                        break
                    seconds = min(args.max_seconds, seconds * 5)  # too few answers to measure: a longer round
                after = reference_round(level)
                page_rounds[(page.key, level)] = (measured, before, after)
                around = (before.rps + after.rps) / 2
                share = 100 * measured.rps / around if around else 0.0
                log(
                    f"c{level:<3} {page.name[:44]:44} {measured.rps:8.1f} req/s ({share:5.1f} % of {around:7.1f})"
                    f" p99 {measured.p99_ms:7.1f} ms  cpu {measured.cpu_ms_per_request:6.1f} ms"
                    f"  errors {measured.errors}"
                )
                before = after
        one, many = levels[0], levels[-1]
        results = []
        for page in chosen:
            in_small, in_large = small["pages"].get(page.key, {}), large["pages"].get(page.key, {})
            results.append(
                PageResult(
                    name=page.name,
                    one=figures(*page_rounds[(page.key, one)]),
                    many=figures(*page_rounds[(page.key, many)]),
                    queries_small=in_small.get("queries"),
                    queries_large=in_large.get("queries"),
                    first_response_ok=first_ok[page.key] and in_large.get("ok", False),
                    search_ms_in_process=in_large.get("ms"),
                )
            )
        run = Run(
            machine=machine,
            clients_small=small["clients"],
            clients_large=large["clients"],
            documents_large=large["documents"],
            reference_one=median_figures(reference_rounds[one]),
            reference_many=median_figures(reference_rounds[many]),
            pages=results,
            seconds_per_round=args.seconds,
            blocking_threads=args.blocking_threads,
            workers=WORKERS,
            duration_s=time.monotonic() - started,
            seeding_s=small_s + large_s,
            notes=notes,
        )
        if not args.no_write:
            write_report(run)
            log("Wrote docs/benchmarks.md")
        log(f"Done in {run.duration_s:.0f} s (seeding {run.seeding_s:.0f} s)")
        return 1 if any(not ok for ok in first_ok.values()) else 0
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


__all__ = ["Session", "main"]

if __name__ == "__main__":
    sys.exit(main())
