"""Helpers for tests that need real concurrency: threads with their own connections to one real database.

On PostgreSQL a transactional test's database is already a real one. pytest-django's SQLite test
database is in memory with a shared cache, whose table locks fail at once instead of waiting; so
``real_database`` copies it into a file (with the settings' WAL mode, busy timeout and immediate
transactions) and points every thread's connection there until the block ends.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection, connections


@contextmanager
def real_database(directory: Path) -> Iterator[None]:
    if connection.vendor != "sqlite":
        # Fresh planner statistics: right after a flush and reload they describe empty tables, and a
        # scope query planned on them can run for minutes while holding a lock the other thread waits for.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        yield
        return
    path = directory / "concurrency.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    memory = connections["default"]
    settings_dict = connections.settings["default"]
    memory_name = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    file_connection = connections.create_connection("default")
    connections["default"] = file_connection
    try:
        yield
    finally:
        file_connection.close()
        settings_dict["NAME"] = memory_name
        connections["default"] = memory


def run_together(*jobs: Callable[[], Any], timeout: float = 120) -> list[Any]:
    """Run each job in its own thread (its own database connection), started at the same moment.

    Returns each job's result; an exception raised in a job is returned in its place.
    """
    start = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            start.wait()
            results[index] = job()
        except BaseException as exc:  # handed back to the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a concurrent job did not finish"
    return results
