"""Running code on several database connections at once (PostgreSQL concurrency tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def at_once(n: int, fn: Callable[[int], object]) -> list[object]:
    """Run ``fn(0..n-1)`` in ``n`` threads released together; each has its own connection."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            barrier.wait()
            results[i] = fn(i)
        except BaseException as exc:  # surfaced below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results
