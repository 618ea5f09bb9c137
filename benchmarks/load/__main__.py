"""`make load`: Haven in production settings under granian (plus one task worker) on the PostgreSQL named by
DATABASE_URL, driven over loopback HTTP by simulated staff and portal users until a time limit or a request
count, then the accounting and the audit chain. Exits non-zero on any error or anything lost.

Run it through ``scripts/load`` (which starts a throwaway PostgreSQL); options below, or the environment
variables named in their help.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from benchmarks.load.browser import Browser, Refused, Stopped
from benchmarks.load.report import Recorder, markdown_table, summarise, text_table
from benchmarks.load.smtp import MailServer
from benchmarks.load.users import DESKTOP, PHONE, Ledger, PortalUser, StaffMember

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
INVITATION_WAIT_SECONDS = 120.0


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name, "")
    return float(value) if value else default


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make load", description=__doc__)
    number = _env_number
    parser.add_argument("--seconds", type=float, default=number("HAVEN_LOAD_SECONDS", 180), help="time limit")
    parser.add_argument(
        "--max-requests", type=int, default=int(number("HAVEN_LOAD_MAX_REQUESTS", 20000)), help="request limit"
    )
    parser.add_argument("--users", type=int, default=int(number("HAVEN_LOAD_USERS", 32)), help="simulated users")
    parser.add_argument(
        "--staff", type=int, default=int(number("HAVEN_LOAD_STAFF", 0)), help="how many of them are staff (users/4)"
    )
    parser.add_argument(
        "--think", type=float, default=number("HAVEN_LOAD_THINK", 0.5), help="mean pause between requests (s)"
    )
    parser.add_argument(
        "--ramp", type=float, default=number("HAVEN_LOAD_RAMP", 20), help="users arrive evenly over this many s"
    )
    parser.add_argument("--workers", type=int, default=int(number("HAVEN_LOAD_WORKERS", 2)), help="granian workers")
    parser.add_argument(
        "--threads", type=int, default=int(number("HAVEN_LOAD_THREADS", 8)), help="granian threads per worker"
    )
    parser.add_argument(
        "--drain", type=float, default=number("HAVEN_LOAD_DRAIN", 300), help="longest wait for the task worker (s)"
    )
    parser.add_argument("--report", type=Path, default=ROOT / "test-artifacts" / "load.md", help="markdown report")
    args = parser.parse_args(argv)
    if not args.staff:
        args.staff = max(1, args.users // 4)
    if not 0 < args.staff < args.users:
        parser.error("--staff must leave at least one portal user")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("DATABASE_URL must name the PostgreSQL database to load (scripts/load starts one)")
    return args


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def production_env(work: Path, smtp_port: int) -> dict[str, str]:
    """Production settings with keys made for this run, on loopback HTTP, email to the run's own mail server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_") or k.startswith("HAVEN_LOAD_")}
    env.update(
        HAVEN_ENV="production",
        HAVEN_SECRET_KEY=secrets.token_urlsafe(50),
        HAVEN_FILE_KEYS=Fernet.generate_key().decode("ascii"),
        HAVEN_AUDIT_KEYS=secrets.token_urlsafe(32),
        HAVEN_ALLOWED_HOSTS="127.0.0.1",
        HAVEN_BASE_URL="https://127.0.0.1",
        HAVEN_SSL_REDIRECT="false",
        HAVEN_DATA_DIR=str(work / "data"),
        HAVEN_STATIC_ROOT=str(work / "static"),
        HAVEN_SMTP_HOST="127.0.0.1",
        HAVEN_SMTP_PORT=str(smtp_port),
        HAVEN_SMTP_TLS="false",
        HAVEN_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="haven.settings",
    )
    return env


def run(command: list[str], env: dict[str, str], what: str) -> str:
    print(f"== {what}", flush=True)
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{what} failed (exit {done.returncode})")
    return done.stdout


@contextmanager
def process(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A server process for the length of the block, its output in ``log``; stopped (TERM, then KILL) after."""
    with log.open("wb") as out:
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            yield child
        finally:
            stop(child)


def stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def wait_until_serving(url: str, server: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the web server stopped at start (exit {server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - loopback http only
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"the web server did not answer {url} within {timeout:.0f} s")


def invitation_paths(mail: MailServer, emails: set[str], timeout: float) -> dict[str, str]:
    """Each invited person's invitation link (its path), read from the email the task worker sent."""
    import re

    deadline = time.monotonic() + timeout
    while True:
        found: dict[str, str] = {}
        for message in mail.received():
            link = re.search(r"https://127\.0\.0\.1(/p/[\w-]+/invitation/[\w-]+/)", message.text)
            for to in message.recipients:
                if link and to.lower() in emails:
                    found[to.lower()] = link.group(1)
        if len(found) == len(emails) or time.monotonic() >= deadline:
            missing = emails - found.keys()
            if missing:
                raise SystemExit(f"{len(missing)} invitation emails never arrived (e.g. {sorted(missing)[0]})")
            return found
        time.sleep(0.5)


def in_threads(people: list[Any], work: str) -> None:
    threads = [threading.Thread(target=getattr(p, work), name=f"{work}-{n}", daemon=True) for n, p in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def onboard(portal_users: list[PortalUser], paths: dict[str, str]) -> None:
    """Each portal user accepts their invitation (four at a time), before the clock starts."""
    queue = list(portal_users)
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not queue:
                    return
                person = queue.pop()
            try:
                person.accept_invitation(paths[person.email])
            except (Refused, Stopped):
                pass
            finally:
                person.browser.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="haven-load-"))
    mail = MailServer().start()
    (work / "data").mkdir()
    env = production_env(work, mail.port)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    manage = [PYTHON, "manage.py"]
    portal_count = args.users - args.staff
    try:
        run([*manage, "migrate", "--no-input", "-v", "0"], env, "Migrating")
        run([*manage, "collectstatic", "--no-input", "-v", "0"], env, "Collecting static files")
        run([*manage, "seed_demo"], env, "Seeding the demo practice")
        world_file = work / "world.json"
        run(
            [
                PYTHON,
                "-m",
                "benchmarks.load.seed",
                str(world_file),
                "--staff",
                str(args.staff),
                "--clients",
                str(portal_count),
            ],
            env,
            f"Seeding {args.staff} staff with two-factor devices and {portal_count} clients invited to the portal",
        )
        world = json.loads(world_file.read_text(encoding="utf-8"))
        granian = [
            str(Path(PYTHON).parent / "granian"),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--blocking-threads",
            str(args.threads),
            "--no-ws",
            "--log-level",
            "warning",
            "haven.wsgi:application",
        ]
        worker = [*manage, "run_worker", "--queue-name", "default"]
        with (
            process(worker, env, work / "worker.log") as worker_process,
            process(granian, env, work / "web.log") as web,
        ):
            wait_until_serving(f"{base}/p/{world['practice']}/", web)
            print(f"== Haven is serving on {base} ({args.workers} granian workers x {args.threads} threads)")
            ledger = Ledger()
            setup = Recorder(duration=float("inf"), max_requests=10**9)
            portal_users = [
                PortalUser(
                    Browser(base, setup, who=person["email"], user_agent=PHONE),
                    ledger,
                    slug=world["practice"],
                    email=person["email"],
                    password=world["password"],
                    client_id=person["client_id"],
                    think=args.think,
                    seed=n,
                )
                for n, person in enumerate(world["clients"])
            ]
            paths = invitation_paths(mail, {p.email for p in portal_users}, INVITATION_WAIT_SECONDS)
            print(f"== {len(paths)} portal users accept their invitations")
            onboard(portal_users, paths)
            if setup.failures:
                for failure in setup.failures[:20]:
                    print(f"SETUP ERROR {failure.who}: {failure.problem}")
                raise SystemExit("the portal users could not accept their invitations")
            recorder = Recorder(duration=args.seconds, max_requests=args.max_requests)
            for portal_user in portal_users:
                portal_user.browser = Browser(base, recorder, who=portal_user.email, user_agent=PHONE)
            staff = [
                StaffMember(
                    Browser(base, recorder, who=member["email"], user_agent=DESKTOP),
                    ledger,
                    email=member["email"],
                    password=world["password"],
                    totp_key=member["totp_key"],
                    clients=world["clients"][n :: args.staff] or world["clients"][:1],
                    think=args.think,
                    seed=1000 + n,
                )
                for n, member in enumerate(world["staff"])
            ]
            print(
                f"== {args.users} users ({len(staff)} staff, {len(portal_users)} portal) for up to {args.seconds:.0f} s"
                f" or {args.max_requests} requests, arriving over {args.ramp:g} s, {args.think:g} s mean pause",
                flush=True,
            )
            everyone: list[StaffMember | PortalUser] = [*staff, *portal_users]
            for n, person in enumerate(everyone):
                person.start_after = args.ramp * n / len(everyone)
            recorder.started = time.monotonic()
            in_threads(everyone, "run")
            elapsed = recorder.now()
            ledger_file = work / "ledger.json"
            ledger_file.write_text(json.dumps(ledger.as_dict(), indent=1), encoding="utf-8")
            stop(web)
            print("== Accounting (after the task worker drains its queue)", flush=True)
            checked = subprocess.run(  # noqa: S603
                [
                    PYTHON,
                    "-m",
                    "benchmarks.load.check",
                    str(ledger_file),
                    "--practice",
                    world["practice"],
                    "--wait",
                    str(args.drain),
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            stop(worker_process)
        accounting = checked.stdout + checked.stderr
        audit = subprocess.run(  # noqa: S603
            [*manage, "verify_audit_chain"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        rows = summarise(recorder.samples, elapsed)
        failures = recorder.failures
        total = rows[-1]
        emails = len(mail.received())
        lines = [
            f"Load: {args.users} users ({len(staff)} staff, {len(portal_users)} portal), {elapsed:.0f} s, "
            f"{recorder.issued} requests, {total.per_second:.1f} req/s, {len(failures)} errors.",
            f"Server: granian {args.workers} workers x {args.threads} threads + 1 run_worker, production settings, "
            f"PostgreSQL; {os.cpu_count()} CPUs, Python {platform.python_version()}.",
            f"Emails received by the loopback mail server: {emails}.",
        ]
        print()
        print(text_table(rows))
        print()
        print("\n".join(lines))
        for failure in failures[:30]:
            print(f"ERROR {failure.label} ({failure.who}): {failure.problem}")
        if len(failures) > 30:
            print(f"... and {len(failures) - 30} more errors")
        print(accounting.rstrip())
        print(audit.stdout.strip() or audit.stderr.strip())
        ok = not failures and total.errors == 0 and checked.returncode == 0 and audit.returncode == 0
        write_report(args.report, rows, lines, accounting, audit.stdout + audit.stderr, failures, ok)
        print(f"\nReport: {args.report}")
        print("LOAD PASSED: 0 errors, nothing lost, audit chain intact." if ok else "LOAD FAILED")
        if not ok:
            keep = args.report.parent / "load-logs"
            keep.mkdir(parents=True, exist_ok=True)
            for name in ("web.log", "worker.log"):
                if (work / name).exists():
                    shutil.copy(work / name, keep / name)
        return 0 if ok else 1
    finally:
        mail.stop()
        shutil.rmtree(work, ignore_errors=True)


def write_report(
    path: Path, rows: list[Any], lines: list[str], accounting: str, audit: str, failures: list[Any], ok: bool
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    errors = "".join(f"- {f.label} ({f.who}): {f.problem}\n" for f in failures[:50])
    body = (
        "# Load run\n\n"
        + "".join(f"{line}\n\n" for line in lines)
        + markdown_table(rows)
        + "\n\n## Accounting\n\n```\n"
        + accounting.strip()
        + "\n"
        + audit.strip()
        + "\n```\n\n"
        + (f"## Errors\n\n{errors}\n" if errors else "")
        + ("**Passed**: 0 errors, nothing lost, audit chain intact.\n" if ok else "**Failed.**\n")
    )
    path.write_text(body, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
