"""Real concurrency for PostgreSQL tests: work released at the same moment, each in its own thread and connection."""

from __future__ import annotations

import threading
from collections.abc import Callable


def at_once(*work: Callable[[], object]) -> list[object]:
    """Run each callable in its own thread and connection, released together; their results or errors."""
    from django.db import connection

    barrier = threading.Barrier(len(work))
    results: list[object] = [None] * len(work)

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as error:  # the test inspects every outcome
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
