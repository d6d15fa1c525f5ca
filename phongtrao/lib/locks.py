"""Serialising writers that validate before they write (imports, unit creation).

On PostgreSQL a transaction-scoped advisory lock per key: the second writer waits until the first
commits, then validates against what the first wrote. On SQLite every write transaction is
immediate (settings: ``transaction_mode``), so writers already run one at a time.
"""

from __future__ import annotations

import zlib

from django.db import connection

# Keys: the register's writers share one, each import kind of yearly data has its own.
REGISTER = "units"


def serialise(key: str) -> None:
    """Hold the lock named ``key`` until the current transaction ends (call inside ``atomic``)."""
    if not connection.in_atomic_block:
        raise RuntimeError("serialise() must run inside a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x5054, zlib.crc32(key.encode()) - 2**31])
