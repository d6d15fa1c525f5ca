"""The production pieces that run on any database: the health endpoint, the replica router, JSON-line logs,
and ``phongtrao serve`` itself (granian, the task worker beside it, logs on stdout)."""

from __future__ import annotations

import datetime
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from phongtrao.core.backups import backup
from phongtrao.lib.dbrouter import REPLICA, ReplicaRouter, read_alias, replica_reads
from phongtrao.lib.logs import JsonFormatter
from phongtrao.units.models import Unit

ROOT = Path(__file__).resolve().parent.parent
WITH_REPLICA = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
                REPLICA: {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}


# --- the health endpoint -----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_health_is_public_and_says_ok_per_check() -> None:
    response = Client().get(reverse("core:health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "tasks": "ok", "disk": "ok"}}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_reports_a_full_disk_without_saying_why(settings: Any) -> None:
    settings.HEALTH_DISK_MIN_MB = 10**12  # more than any disk has free
    response = Client().get(reverse("core:health"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "ok", "tasks": "ok", "disk": "error"}}


@pytest.mark.django_db
def test_health_reports_a_task_no_worker_has_taken() -> None:
    from django_tasks_db.models import DBTaskResult

    url = reverse("core:health")
    now = timezone.now()
    task = DBTaskResult.objects.create(args_kwargs={"args": [], "kwargs": {}}, task_path="phongtrao.nothing",
                                       backend_name="default", queue_name="default", run_after=now)
    assert Client().get(url).status_code == 200  # just queued: a worker will take it
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=now - datetime.timedelta(minutes=6),
                                                   run_after=now - datetime.timedelta(minutes=6))
    response = Client().get(url)
    assert (response.status_code, response.json()["checks"]["tasks"]) == (503, "error")


# --- the replica router ------------------------------------------------------------------------------------

def test_reads_go_to_the_replica_only_inside_replica_reads_and_writes_never(monkeypatch: pytest.MonkeyPatch) -> None:
    router = ReplicaRouter()
    with replica_reads():  # no replica configured: the primary
        assert read_alias() == "default"
    monkeypatch.setattr(settings, "DATABASES", WITH_REPLICA)  # the settings as DATABASE_REPLICA_URL makes them
    assert read_alias() == "default"
    with replica_reads():
        assert read_alias() == REPLICA == router.db_for_read(Unit)
        assert router.db_for_write(Unit) == "default"
    assert read_alias() == "default" == router.db_for_read(Unit)
    assert router.allow_migrate("default", "units") and not router.allow_migrate(REPLICA, "units")

    @replica_reads()
    def report() -> str:
        return read_alias()

    assert report() == REPLICA and read_alias() == "default"


@pytest.mark.django_db
def test_inside_a_transaction_reads_stay_on_the_primary(monkeypatch: pytest.MonkeyPatch) -> None:
    assert connection.in_atomic_block  # the test's own transaction
    monkeypatch.setattr(settings, "DATABASES", {**settings.DATABASES, REPLICA: WITH_REPLICA[REPLICA]})
    with replica_reads():
        assert read_alias() == "default"


# --- logs ----------------------------------------------------------------------------------------------------

def test_log_records_are_json_lines_with_their_fields() -> None:
    formatter = JsonFormatter()
    record = logging.LogRecord("granian.access", logging.INFO, __file__, 1, "%(method)s %(path)s %(status)d",
                               ({"method": "GET", "path": "/health/", "status": 200, "time": "x"},), None)
    line = json.loads(formatter.format(record))
    assert line["message"] == "GET /health/ 200"
    assert (line["method"], line["path"], line["status"], line["logger"]) == ("GET", "/health/", 200, "granian.access")
    assert line["time"] != "x" and datetime.datetime.fromisoformat(line["time"]).tzinfo is not None
    try:
        raise ValueError("boom")
    except ValueError:
        failed = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal error: %s", ("/x",),
                                   sys.exc_info())
    failed.status_code = 500
    line = json.loads(formatter.format(failed))
    assert line["status_code"] == 500 and "ValueError: boom" in line["exception"]
    assert "\n" not in formatter.format(failed)  # one line, the traceback inside the JSON string


# --- the server ----------------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)  # committed: the SQLite backup API waits for an open transaction
def test_serve_answers_with_granian_starts_the_task_worker_and_logs_json(tmp_path: Path) -> None:
    if connection.vendor == "sqlite":  # the suite's in-memory database, copied to a file the server can open
        backup(tmp_path / "db.sqlite3")
        database_url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    else:
        conf = connection.settings_dict
        database_url = f"postgres://{conf['USER']}@{conf['HOST'] or 'localhost'}:{conf['PORT'] or 5432}/{conf['NAME']}"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    env.update(DATABASE_URL=database_url, PYTHONPATH=str(ROOT), DEBUG="0", SECRET_KEY="serve-test-" + "k" * 50,
               SECURE_SSL_REDIRECT="0", ALLOWED_HOSTS="127.0.0.1", PHONGTRAO_DATA_DIR=str(tmp_path),
               WEB_WORKERS="2", LOG_LEVEL="INFO")
    server = subprocess.Popen([sys.executable, "-m", "phongtrao", "serve", "--port", str(port)],  # noqa: S603
                              env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    printed: list[str] = []  # the server's output, read as it comes (a full pipe would block the server)
    reader = threading.Thread(target=lambda: printed.extend(server.stdout or ()), daemon=True)
    reader.start()
    try:
        body = None
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as response:
                    body = json.load(response)
                    break
            except OSError:
                time.sleep(0.1)
        assert body == {"status": "ok", "checks": {"database": "ok", "tasks": "ok", "disk": "ok"}}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/core/js/site.js", timeout=5) as response:
            assert response.status == 200  # WhiteNoise
        deadline = time.monotonic() + 60  # the task worker's start-up line (late on a loaded machine)
        while time.monotonic() < deadline and not any("Starting worker" in line for line in list(printed)):
            time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        reader.join(timeout=10)
    output = "".join(printed)
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert server.returncode == 0 and lines, output
    assert sum(1 for line in lines if line["message"].startswith("Spawning worker-")) == 2
    access = [line for line in lines if line["logger"] == "granian.access"]
    assert {(line["path"], line["status"]) for line in access} >= {("/health/", 200), ("/static/core/js/site.js", 200)}
    assert any(line["logger"] == "django_tasks_db" and "Starting worker" in line["message"] for line in lines), output
