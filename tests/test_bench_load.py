"""bench/load.py cannot rot: it runs on the test province (the shared examples) for a few seconds, three clients,
against the production server (``phongtrao serve``, granian) on the suite's own database.

What it printed is checked against what the server logged: every request the script counted (the pages'
warm-up and rounds, the load and heaviest-page steps) is an access-log line with status 200 for that page's
path, and nothing the clients asked for answered otherwise."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from phongtrao.core.backups import backup

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.load, pytest.mark.django_db(transaction=True)]  # committed: the server reads it


def database_url(tmp_path: Path) -> str:
    if connection.vendor == "sqlite":  # the suite's in-memory database, copied to a file the server can open
        backup(tmp_path / "db.sqlite3")
        return f"sqlite:///{tmp_path / 'db.sqlite3'}"
    conf = connection.settings_dict
    return f"postgres://{conf['USER']}@{conf['HOST'] or 'localhost'}:{conf['PORT'] or 5432}/{conf['NAME']}"


def test_load_script_runs_its_steps_and_counts_what_the_server_answered(example_units: None, tmp_path: Path) -> None:
    call_command("setup", stdout=io.StringIO())  # the seeded catalogues (a transactional test's flush empties them)
    url = database_url(tmp_path)
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "PHONGTRAO_EXAMPLES"}}
    env.update(PHONGTRAO_DATA_DIR=str(tmp_path), WEB_WORKERS="2")
    done = subprocess.run(  # noqa: S603 - the project's own script
        [sys.executable, "bench/load.py", "--database-url", url, "--province", "T99", "--year", "2025",
         "--rounds", "1", "--clients", "3", "--duration", "2", "--heavy-clients", "2", "--heavy-duration", "1",
         "--workers", "2", "--out", str(tmp_path)],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    for heading in ("## Pages", "## Load", "## Heaviest page", "| page | requests | errors | per second | p50 | p95"):
        assert heading in out
    assert "errors: none" in out and "pages within 150 ms (median)" in out
    assert "recognition:province, 2 clients: p95" in out

    results: dict[str, Any] = json.loads((tmp_path / "load-results.json").read_text())
    pages: dict[str, str] = results["pages"]
    assert {"recognition:province", "recognition:commune", "units:browse", "datasets:entry",
            "classification:overview", "forces:list"} <= set(pages)
    # the client's own count per page: the warm-up visit and one round, then the two load steps
    counted: Counter[str] = Counter({name: 1 + len(times) for name, times in results["timed"]["times"].items()})
    for step in ("load", "heavy"):
        assert results[step]["errors"] == {}
        counted.update({name: len(times) for name, times in results[step]["times"].items()})
    assert counted["recognition:province"] >= 1 + 1 + 1  # warm-up, round, at least one in each load step

    logged: Counter[tuple[str, int]] = Counter()
    for line in (tmp_path / "load-server.log").read_text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("logger") == "granian.access":
                logged[(entry["path"], entry["status"])] += 1
    by_path = {url.split("?")[0]: name for name, url in pages.items()}
    assert len(by_path) == len(pages)  # one page per path, so the log's lines say which page
    for (path, status), n in logged.items():
        if path in by_path:
            assert status == 200, (path, status, n)
            assert n == counted[by_path[path]], (by_path[path], n, counted[by_path[path]])
    assert all(n == logged[(pages[name].split("?")[0], 200)] for name, n in counted.items())
    # each client signed in once through the form (a redirect after the password); the steps share the sessions
    assert logged[("/tai-khoan/dang-nhap/", 302)] == max(1, 3, 2)
