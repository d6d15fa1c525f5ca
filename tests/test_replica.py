"""More than one machine: two app servers share one PostgreSQL primary, report reads go to a streaming replica.

The test starts its own primary and a streaming replica of it (``pg_basebackup -R``) on free ports in a
temporary folder, loads the suite database's official register into the primary (pg_dump), and runs two
production servers (``phongtrao serve``) on two more ports with ``DATABASE_REPLICA_URL`` set. Then:

- a session made by signing in on the first server works on the second (sessions are in the database);
- with the replica's replay paused, a unit added through the first server is on the primary but the annual
  report read through the second server still shows the replica's figure (the read goes to the replica);
  once replay catches up the figure equals the primary's (counted here with SQL);
- every write (the sign-in, the new unit) went to the primary: the replica is a hot standby, where a write
  fails, and every request answered without an error.

It needs the PostgreSQL server binaries and a PostgreSQL test database, so ``./test`` runs it in the
PostgreSQL suite only (marker ``replica``; the SQLite suite deselects it).
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from phongtrao.accounts.models import Role, User
from phongtrao.core.backups import backup, pg_tool
from phongtrao.units.models import Kind, Unit

pytestmark = [pytest.mark.replica, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("official_register")]
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "replica-test-password-1"
FAST_PG = ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def as_postgres(*command: str | Path) -> list[str]:
    """Server binaries refuse to run as root: ./test runs as root and starts its clusters as postgres."""
    args = [str(c) for c in command]
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def pg_bin(name: str) -> Path:
    """A PostgreSQL server binary: ``PG_BIN``, or the newest ``/usr/lib/postgresql/*/bin`` (as ./test finds it)."""
    return Path(os.environ["PG_BIN"]) / name if os.environ.get("PG_BIN") else sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parent.parent.name))[-1]


def run(*command: str | Path) -> None:
    subprocess.run(as_postgres(*command), check=True, capture_output=True, timeout=60)  # noqa: S603


class Cluster:
    def __init__(self, base: Path, name: str) -> None:
        self.data, self.port, self.socket_dir = base / name, free_port(), base

    def start(self) -> None:
        run(pg_bin("pg_ctl"), "-D", self.data, "-l", self.data.parent / f"{self.data.name}.log", "-w", "-o",
            " ".join([f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1", *FAST_PG]), "start")

    def stop(self) -> None:
        subprocess.run(as_postgres(pg_bin("pg_ctl"), "-D", self.data, "-m", "immediate", "stop"),  # noqa: S603
                       capture_output=True, timeout=60, check=False)

    def url(self, database: str = "phongtrao") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, query: str, *params: Any, database: str = "phongtrao") -> Any:
        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchone()[0] if cursor.description else None  # type: ignore[index]


@pytest.fixture
def clusters() -> Iterator[tuple[Cluster, Cluster]]:
    base = Path(tempfile.mkdtemp(prefix="phongtrao-replica-"))
    base.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    primary, replica = Cluster(base, "primary"), Cluster(base, "replica")
    try:
        run(pg_bin("initdb"), "-D", primary.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8")
        primary.start()
        run(pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", replica.data, "-R", "-X", "stream", "-c", "fast")
        replica.start()
        yield primary, replica
    finally:
        replica.stop()
        primary.stop()
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def app_servers(primary: Cluster, replica: Cluster, data_dir: Path, count: int) -> Iterator[list[str]]:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    env.update(DATABASE_URL=primary.url(), DATABASE_REPLICA_URL=replica.url(), PYTHONPATH=str(ROOT), DEBUG="0",
               SECRET_KEY="replica-test-only-secret-key-of-more-than-fifty-characters-xyz",
               SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0", ALLOWED_HOSTS="127.0.0.1",
               PHONGTRAO_DATA_DIR=str(data_dir), LOG_LEVEL="ERROR")
    ports = [free_port() for _ in range(count)]
    processes = [subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "phongtrao", "serve", "--port", str(port), "--workers", "1", "--threads", "2",
         "--no-task-worker"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for port in ports]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, process in zip(bases, processes, strict=True):
            wait_until_healthy(base, process)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_until_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{base}/health/", timeout=5) as response:  # noqa: S310
            body = json.load(response)
            assert body == {"status": "ok", "checks": {"database": "ok", "replica": "ok", "tasks": "ok",
                                                       "disk": "ok"}}, body
            return
        time.sleep(0.1)
    raise AssertionError(f"{base} did not become healthy")


class Browser:
    """Cookies shared by every server on 127.0.0.1 (a cookie is per host, not per port), as a browser's are."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  NoRedirect())

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.jar if c.name == name and c.value is not None)

    def request(self, url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        req = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def json(self, url: str, payload: Any = None) -> tuple[int, Any]:
        headers = {"Accept": "application/json"}
        data = None
        if payload is not None:
            data = json.dumps(payload).encode()
            headers |= {"Content-Type": "application/json", "X-CSRFToken": self.cookie("csrftoken")}
        status, body = self.request(url, data, headers)
        return status, json.loads(body)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def sign_in(browser: Browser, base: str, username: str) -> None:
    login = f"{base}{reverse('accounts:login')}"
    status, _ = browser.request(login)
    assert status == 200
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                   "csrfmiddlewaretoken": browser.cookie("csrftoken")}).encode()
    status, body = browser.request(login, form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 302, body.decode()[:2000]


def caught_up(primary: Cluster, replica: Cluster) -> bool:
    target = primary.sql("SELECT pg_current_wal_lsn()::text")
    return bool(replica.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", target))


def wait_for(condition: Any, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)


def residential_areas_in(cluster: Cluster, province_id: int) -> int:
    """Hand-written: the residential areas subject to the standard in the province's subtree."""
    return int(cluster.sql("SELECT count(*) FROM units_unit u JOIN units_unitancestor a ON a.unit_id = u.id "
                           "WHERE a.ancestor_id = %s AND u.kind = 'residential_area' AND u.subject_to_standard",
                           province_id))


def test_two_app_servers_share_sessions_and_read_reports_from_the_replica(
        clusters: tuple[Cluster, Cluster], tmp_path: Path) -> None:
    assert connection.vendor == "postgresql", "the replica test belongs to the PostgreSQL suite (./test)"
    primary, replica = clusters
    today = timezone.localdate()
    province = Unit.objects.of_kind(Kind.PROVINCE).with_code("48", today).get()
    commune = Unit.objects.filter(parent=province, kind=Kind.COMMUNE).valid_on(today).order_by("code").first()
    assert commune is not None
    # The app's own password hasher, at a low cost (the servers verify it as they would any PBKDF2 hash).
    User.objects.create(username="replica.admin", role=Role.ADMIN,
                        password=PBKDF2PasswordHasher().encode(PASSWORD, "replicasalt", iterations=1000))
    dump = tmp_path / "suite.dump"
    backup(dump)  # the suite database (official register, the user) into the primary
    primary.sql("CREATE DATABASE phongtrao", database="postgres")
    subprocess.run([pg_tool("pg_restore"), "--no-owner", "--dbname", primary.url(), str(dump)],  # noqa: S603
                   check=True, capture_output=True, timeout=60)
    wait_for(lambda: caught_up(primary, replica))
    assert replica.sql("SELECT pg_is_in_recovery()") is True  # a write sent there would fail

    with app_servers(primary, replica, tmp_path, 2) as (one, two):
        browser = Browser()
        sign_in(browser, one, "replica.admin")
        status, me = browser.json(f"{two}/api/v1/me")  # the session made on the first server, on the second
        assert (status, me["username"]) == (200, "replica.admin"), me

        report_url = f"{two}/api/v1/reports/annual?unit_id={province.pk}&year={today.year}"
        status, report = browser.json(report_url)
        assert status == 200, report
        before = report["recognition"]["residential_area"]["total"]
        assert before == residential_areas_in(primary, province.pk)

        replica.sql("SELECT pg_wal_replay_pause()")
        status, created = browser.json(f"{one}/api/v1/units", {
            "code": "REPL01", "name": "Thôn Thử Sao Chép", "kind": "residential_area", "parent_id": commune.pk})
        assert status == 201, created
        assert residential_areas_in(primary, province.pk) == before + 1
        status, stale = browser.json(report_url)  # the replica has not replayed the write yet
        assert (status, stale["recognition"]["residential_area"]["total"]) == (200, before)

        replica.sql("SELECT pg_wal_replay_resume()")
        wait_for(lambda: caught_up(primary, replica))
        status, fresh = browser.json(report_url)
        assert status == 200
        assert fresh["recognition"]["residential_area"]["total"] == before + 1 == residential_areas_in(
            primary, province.pk)
        # The unit page (a read outside any report) comes from the primary on the first server at once.
        status, unit = browser.json(f"{one}/api/v1/units/{created['id']}")
        assert (status, unit["code"]) == (200, "REPL01")
