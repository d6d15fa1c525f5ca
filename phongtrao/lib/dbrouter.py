"""Reads of reports and dashboards from a PostgreSQL streaming replica (``DATABASE_REPLICA_URL``).

With a replica configured the settings add the database alias ``replica`` and this router. Only code
that asks for it reads there: a function decorated with (or a block inside) :func:`replica_reads`, as
``reports.annual.build_annual`` is. Everything else, and everything inside a transaction (which must see
its own writes), reads the primary; every write, migration and relation goes to the primary. A report read
from the replica may lag the primary by the replication delay (usually well under a second).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_wanted: contextvars.ContextVar[bool] = contextvars.ContextVar("phongtrao_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Inside it (or the function it decorates: ``@replica_reads()``) reads may go to the replica; nothing
    changes without one."""
    token = _wanted.set(True)
    try:
        yield
    finally:
        _wanted.reset(token)


def read_alias() -> str:
    """Where a read made here goes: the replica inside :func:`replica_reads`, outside any transaction."""
    if _wanted.get() and replica_configured() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry when ``DATABASE_REPLICA_URL`` is set."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
