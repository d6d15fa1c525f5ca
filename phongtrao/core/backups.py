"""Backups of the whole database (``phongtrao backup`` / ``phongtrao restore``, docs/deploy.md "Backup").

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore`` (the server's own tools, found on ``PATH``, in
``PG_BIN``, or the newest ``/usr/lib/postgresql/*/bin``), without owners or grants, so a dump restores into
any database the restoring role owns. SQLite: the SQLite online backup API (a consistent copy while the
application runs). Attached files and uploads live under ``PHONGTRAO_DATA_DIR`` (or the attachments storage
backend) and are backed up with the file system, not here.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections
from django.utils import timezone

SQLITE = "django.db.backends.sqlite3"
POSTGRESQL = "django.db.backends.postgresql"


class BackupError(Exception):
    """A backup or restore that cannot be done (the message says why)."""


def engine(alias: str = "default") -> str:
    return str(connections[alias].settings_dict["ENGINE"])


def default_name() -> str:
    suffix = "sqlite3" if engine() == SQLITE else "dump"
    return f"phongtrao-{timezone.localtime():%Y%m%d-%H%M%S}.{suffix}"


def pg_tool(name: str) -> str:
    """The path of ``pg_dump`` / ``pg_restore``."""
    if os.environ.get("PG_BIN"):
        return str(Path(os.environ["PG_BIN"]) / name)
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parent.parent.name))
    if versions:
        return str(versions[-1])
    raise BackupError(f"{name} not found: install the PostgreSQL client (postgresql-client) or set PG_BIN")


def pg_arguments(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection options for the PostgreSQL tools, and their environment (the password stays out of argv)."""
    args = ["--dbname", str(settings_dict["NAME"])]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [option, str(settings_dict[key])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def run_tool(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed (exit {done.returncode}): {done.stderr.strip()}")


def backup(target: Path, alias: str = "default") -> None:
    """Write the whole database to ``target``."""
    connection = connections[alias]
    target.parent.mkdir(parents=True, exist_ok=True)
    if engine(alias) == SQLITE:
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
    elif engine(alias) == POSTGRESQL:
        args, env = pg_arguments(connection.settings_dict)
        run_tool([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(target),
                  *args], env)
    else:
        raise BackupError(f"no backup for the database engine {engine(alias)}")


def tables(alias: str = "default") -> list[str]:
    with connections[alias].cursor() as cursor:
        return list(connections[alias].introspection.table_names(cursor))


def restore(source: Path, alias: str = "default", *, replace: bool = False) -> None:
    """Load a backup into the database; an empty one unless ``replace`` (which drops what is there first)."""
    if not source.is_file():
        raise BackupError(f"no such backup file: {source}")
    if tables(alias) and not replace:
        raise BackupError("the database is not empty: restore into an empty database, or pass --replace to "
                          "drop its contents first")
    connection = connections[alias]
    if engine(alias) == SQLITE:
        with source.open("rb") as head:
            if head.read(16) != b"SQLite format 3\x00":
                raise BackupError(f"{source} is not a SQLite backup")
        connection.ensure_connection()
        origin = sqlite3.connect(source)
        try:
            origin.backup(connection.connection)  # replaces every page of the target
        finally:
            origin.close()
    elif engine(alias) == POSTGRESQL:
        args, env = pg_arguments(connection.settings_dict)
        connection.close()  # pg_restore --clean must be able to drop what this connection has open
        clean = ["--clean", "--if-exists"] if replace else []
        run_tool([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                  *clean, *args, str(source)], env)
    else:
        raise BackupError(f"no restore for the database engine {engine(alias)}")
