"""``phongtrao backup`` / ``phongtrao restore``: a backup restored into an empty database gives every annual
figure of the demo province identical (on SQLite: the backup API; on PostgreSQL: pg_dump / pg_restore)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from phongtrao.core.demo import DEFAULT_PROVINCE, HISTORY_YEARS

ROOT = Path(__file__).resolve().parent.parent
# Every year the demo fills, and the year before it (empty figures must survive too).
YEARS = list(range(timezone.localdate().year - HISTORY_YEARS, timezone.localdate().year + 1))
# A second process prints the annual report of every year (indented JSON documents one after another).
REPORTS = ("import django, sys; django.setup(); from django.core.management import call_command\n"
           "for year in sys.argv[1:]:\n"
           f"    call_command('report', 'annual', '--unit', {DEFAULT_PROVINCE!r}, '--year', year)\n")


def phongtrao(database_url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "PG_BIN"}}
    env.update(DATABASE_URL=database_url, PHONGTRAO_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT), DEBUG="1",
               DJANGO_SETTINGS_MODULE="phongtrao.settings")
    return subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True,  # noqa: S603
                          timeout=120, check=False)


def reports_here() -> list[dict[str, Any]]:
    found = []
    for year in YEARS:
        out = StringIO()
        call_command("report", "annual", "--unit", DEFAULT_PROVINCE, "--year", str(year), stdout=out)
        found.append(json.loads(out.getvalue()))
    return found


def reports_in(database_url: str, data_dir: Path) -> list[dict[str, Any]]:
    done = phongtrao(database_url, data_dir, "-c", REPORTS, *map(str, YEARS))
    assert done.returncode == 0, done.stderr
    decoder, text, found, at = json.JSONDecoder(), done.stdout, [], 0
    while at < len(text.rstrip()):  # the documents follow each other (indented JSON)
        document, at = decoder.raw_decode(text, at)
        found.append(document)
        while at < len(text) and text[at].isspace():
            at += 1
    return found


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database on the same server (PostgreSQL) or in a new file (SQLite)."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    conf = connection.settings_dict
    name = f"{conf['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
    yield f"postgres://{conf['USER']}{password}@{conf['HOST'] or 'localhost'}:{conf['PORT'] or 5432}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("official_register")
def test_a_restored_backup_gives_every_annual_figure_of_the_demo_province(tmp_path: Path,
                                                                          empty_database: str) -> None:
    for config in apps.get_app_configs():  # the catalogues, as `phongtrao setup` seeds them (a flush empties them)
        if callable(getattr(config, "seed", None)):
            config.seed(StringIO())  # type: ignore[attr-defined]
    call_command("demo", "--communes", "3", stdout=StringIO())
    before = reports_here()
    latest = before[-1]["recognition"]
    assert latest["residential_area"]["total"] > 0 and latest["residential_area"]["recognised"] > 0, latest
    assert [r["year"] for r in before] == YEARS

    backup_file = tmp_path / "phongtrao.backup"
    call_command("backup", "--output", str(backup_file), stdout=StringIO())
    assert backup_file.stat().st_size > 0
    restored = phongtrao(empty_database, tmp_path, "-m", "phongtrao", "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr

    assert reports_in(empty_database, tmp_path) == before

    # A second restore into the now full database is refused, and changes nothing.
    again = phongtrao(empty_database, tmp_path, "-m", "phongtrao", "restore", str(backup_file))
    assert again.returncode == 1 and "not empty" in again.stderr


def test_restoring_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such backup file"):
        call_command("restore", str(tmp_path / "missing.dump"), "--replace", stdout=StringIO())
