"""After the load: is everything the users did in the database, and nothing more? Runs inside Haven.

``python -m benchmarks.load.check LEDGER.json --practice SLUG [--wait SECONDS]`` first waits (bounded) for
the task worker to finish what the run queued, then checks the ledger against the database: every upload
once, every share open, every signature request and signature there (and no others on the run's
documents), every signature sealed into a signed version that verifies, and no failed task. Prints the
counts and each problem; exits 1 on any problem.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import django

from benchmarks.load.users import TITLE_PREFIX


@dataclass
class Accounting:
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def tasks_left() -> tuple[int, int]:
    """How many tasks are still waiting or running, and how many failed."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).count()
    return waiting, DBTaskResult.objects.failed().count()


def wait_for_tasks(timeout: float) -> int:
    """Wait until the worker has run every queued task (or ``timeout`` seconds pass); how many are left."""
    deadline = time.monotonic() + timeout
    while True:
        waiting, _failed = tasks_left()
        if waiting == 0 or time.monotonic() >= deadline:
            return waiting
        time.sleep(1)


def account(ledger: dict[str, list[dict[str, Any]]], *, practice_slug: str) -> Accounting:
    """Check the ledger against the database; the counts found and every problem, in words."""
    from haven.core.encryption import read_decrypted
    from haven.documents.models import Audience, Document, Share, VersionSource
    from haven.practices.models import Practice
    from haven.signing.models import Capacity, RequestStatus, Signature, SignatureRequest
    from haven.signing.seal import verify_pdf

    result = Accounting()
    problems = result.problems
    practice = Practice.objects.get(slug=practice_slug)
    ours = Document.objects.filter(practice=practice, title__startswith=TITLE_PREFIX)

    # Uploads: each once, in the right chart; and none the users did not see confirmed.
    found = Counter(ours.values_list("client_id", "title"))
    expected = Counter((u["client_id"], u["title"]) for u in ledger["uploads"])
    for key, count in expected.items():
        if found[key] != count:
            problems.append(f"upload {key[1]!r} (client {key[0]}): {found[key]} in the database, {count} made")
    for key in found.keys() - expected.keys():
        problems.append(f"upload {key[1]!r} (client {key[0]}) is in the database but no user made it")
    result.counts["uploads"] = sum(found.values())

    # Shares: open, with the client, on the document in the client's chart.
    for entry in ledger["shares"]:
        shared = Share.objects.filter(
            document_id=entry["document_id"],
            document__client_id=entry["client_id"],
            audience=Audience.CLIENT,
            revoked_at__isnull=True,
        ).exists()
        if not shared:
            problems.append(f"share of document {entry['document_id']} with client {entry['client_id']} is missing")
    result.counts["shares"] = Share.objects.filter(document__in=ours, audience=Audience.CLIENT).count()

    # Signature requests: one per Share to Sign, to the client, and no others on the run's documents.
    requests = SignatureRequest.objects.filter(document__in=ours)
    per_document = Counter(requests.values_list("document_id", flat=True))
    for entry in ledger["requests"]:
        document_id = entry["document_id"]
        mine = requests.filter(document_id=document_id, document__client_id=entry["client_id"])
        if per_document[document_id] != 1 or not mine.filter(capacity=Capacity.SELF).exists():
            problems.append(f"signature request on document {document_id}: {per_document[document_id]} found, 1 made")
    for document_id in per_document.keys() - {e["document_id"] for e in ledger["requests"]}:
        problems.append(f"signature request on document {document_id} is in the database but no user made it")
    result.counts["signature requests"] = sum(per_document.values())

    # Signatures: each request the users signed is signed, by them, and there are no others.
    signatures = Signature.objects.filter(document__in=ours).select_related("request")
    by_request = {s.request_id: s for s in signatures}
    for entry in ledger["signatures"]:
        signature = by_request.get(entry["request_id"])
        if signature is None:
            problems.append(f"signature on request {entry['request_id']} (document {entry['document_id']}) is missing")
        elif (
            signature.document_id != entry["document_id"]
            or signature.request.status != RequestStatus.SIGNED
            or signature.signer_email.lower() != entry["email"].lower()
        ):
            problems.append(f"signature on request {entry['request_id']} does not match what was signed")
    for request_id in by_request.keys() - {e["request_id"] for e in ledger["signatures"]}:
        problems.append(f"signature on request {request_id} is in the database but no user saw it confirmed")
    result.counts["signatures"] = len(by_request)

    # Seals: every signature of the practice has its signed version, current, and its seal verifies.
    sealed = 0
    for signature in Signature.objects.filter(request__practice=practice).select_related("signed_version", "document"):
        version = signature.signed_version
        if version is None:
            problems.append(f"signature {signature.pk} (document {signature.document_id}) has no sealed PDF")
            continue
        if version.source != VersionSource.SIGNED or signature.document.current_version_id != version.pk:
            problems.append(f"signature {signature.pk}: the sealed PDF is not the document's current version")
        report = verify_pdf(read_decrypted(version.storage_name), practice=practice)
        if not report.ok:
            problems.append(f"signature {signature.pk}: the seal does not verify ({report.problem})")
        else:
            sealed += 1
    result.counts["sealed and verified"] = sealed

    # What the portal users checked themselves.
    checks = ledger.get("seal_checks", [])
    result.counts["seals checked by users"] = len(checks)
    for entry in checks:
        if not (entry["pyhanko"] and entry["page"]):
            problems.append(f"the user's seal check of document {entry['document_id']} failed")

    waiting, failed = tasks_left()
    result.counts["tasks still queued"] = waiting
    result.counts["tasks failed"] = failed
    if waiting:
        problems.append(f"{waiting} tasks were still queued or running when the wait ended")
    if failed:
        problems.append(f"{failed} tasks failed")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("ledger", type=Path)
    parser.add_argument("--practice", required=True)
    parser.add_argument("--wait", type=float, default=300.0, help="how long to wait for the task worker (seconds)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
    django.setup()
    ledger = json.loads(args.ledger.read_text(encoding="utf-8"))
    started = time.monotonic()
    left = wait_for_tasks(args.wait)
    print(f"Task queue: {'empty' if not left else f'{left} left'} after {time.monotonic() - started:.0f} s.")
    result = account(ledger, practice_slug=args.practice)
    for name, count in result.counts.items():
        print(f"  {name}: {count}")
    for problem in result.problems:
        print(f"LOST: {problem}")
    print("Nothing lost." if result.ok else f"{len(result.problems)} problems.")
    sys.exit(0 if result.ok else 1)


if __name__ == "__main__":
    main()
