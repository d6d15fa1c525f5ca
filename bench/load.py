"""Load test and page timings against the production server (issue 10, item 11 and the load-test "Done when").

    .venv/bin/python bench/load.py                                  # national PostgreSQL dataset, every step
    .venv/bin/python bench/load.py --scale province --province 79   # a quick run on one province's share
    .venv/bin/python bench/load.py --database-url URL --province T99 --clients 3 --duration 3   # an existing database

Steps: (1) a throwaway PostgreSQL 15 cluster (``annual_report.postgres``, as ./test starts one; stopped
afterwards) gets ``phongtrao setup`` and ``phongtrao generate`` (``--database-url`` skips both and uses that
database as it is); (2) a province officer of the province (default: the largest, 79) is made or reset with a
capture scope on it, and the pages an officer uses are addressed for that province, its largest commune and
one of that commune's residential areas; (3) ``phongtrao serve`` (granian, production settings, DEBUG off,
JIT off on the app's connections, ``DB_CONN_MAX_AGE=60``) starts on a free loopback port, its log goes to
bench/out/load-server.log; (4) *pages*: one client, ``--rounds`` rounds, each page once a round (pages
interleaved, so the machine's load spreads over all), median against the 150 ms target; for a page over
target a Django worker on the same database replays it once in-process and prints its slowest query with
its plan (PostgreSQL: ``EXPLAIN (ANALYZE, BUFFERS)``); (5) *load*: ``--clients`` clients (default 50), each
signed in with its own session, for ``--duration`` seconds (default 120), each taking the heavy province pages
in turn; then (6) *heavy*: ``--heavy-clients`` (default 20) on the heaviest page (the province's ANTT page)
for ``--heavy-duration`` seconds. Both print requests, errors, throughput and p50/p95/p99 per page.
Only 127.0.0.1 is ever contacted; the run is bounded by the durations. Exit status 1 on any error (a non-200
answer, a time-out, a refused connection) or a page that did not load.
"""

# ruff: noqa: S603 - runs this project's own commands, never user input
from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from annual_report import BENCH_SECRET, postgres  # the same throwaway PostgreSQL cluster (bench/ is on the path)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
PHONGTRAO = [PYTHON, "-m", "phongtrao"]
PAGE_TARGET_MS = 150.0  # item 11: every page's median
HEAVY_P95_TARGET_MS = 1000.0  # item 11: 20 clients on the heaviest province page
USERNAME = "bench-province-officer"
# The officer's password: made by the run, handed to its workers through the environment.
PASSWORD = os.environ.get("BENCH_LOAD_PASSWORD") or "Bench-" + secrets.token_urlsafe(16)
MARK = "@@ "  # the workers' protocol line on stdout
# The pages the load clients take in turn: the heaviest a province officer opens (issue 10 part 2).
LOAD_PAGES = ("recognition:province", "recognition:commune", "classification:overview", "classification:commune",
              "units:browse", "forces:list", "datasets:completeness", "models_registry:list", "awards:decision_list")
HEAVY_PAGE = "recognition:province"


STARTED = time.monotonic()


def say(text: str) -> None:
    print(f"==> [{time.monotonic() - STARTED:4.0f} s] {text}", flush=True)


def app_env(url: str) -> dict[str, str]:
    """Production settings over plain HTTP on the loopback (no HTTPS redirect, cookies without Secure)."""
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "phongtrao.settings", "DEBUG": "0",
            "SECRET_KEY": BENCH_SECRET, "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0",
            "ALLOWED_HOSTS": "127.0.0.1,testserver", "DB_CONN_MAX_AGE": "60", "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT), "BENCH_LOAD_PASSWORD": PASSWORD}


# --- the Django workers: prepare (the officer and the pages' addresses) and explain ------------------------


def officer_pages(province: Any, commune: Any, area: Any, year: int) -> dict[str, str]:
    """Every GET page a province officer uses (the lists, the figures, one object of each kind), by route name.
    Not here: ``core:home``, ``recognition:index`` and ``classification:index`` (redirects to pages that are),
    ``recognition:bulk`` (the approver's), forms that only post, downloads and exports."""
    from django.urls import reverse

    from phongtrao.audit.models import AuditEntry
    from phongtrao.awards.models import AwardDecision
    from phongtrao.models_registry.models import Model
    from phongtrao.units.models import Unit

    in_province = Unit.objects.filter(ancestor_links__ancestor=province)
    pages = {name: reverse(name) for name in (
        "accounts:security", "units:browse", "models_registry:list",
        "models_registry:overdue", "models_registry:catalogue", "models_registry:figures", "awards:decision_list",
        "awards:proposal_list", "awards:catalogue", "datasets:index", "datasets:units", "datasets:reviews",
        "datasets:completeness", "datasets:indicators", "datasets:validation", "forces:list", "forces:below_rule",
        "forces:rules", "classification:scorecards", "imports:index", "users:list",
        "users:roles", "audit:list")}
    word = commune.name.split()[-1]
    pages |= {
        "units:search": f"{reverse('units:search')}?q={requests.utils.quote(word)}",
        "units:detail": reverse("units:detail", kwargs={"pk": commune.pk}),
        "units:edit": reverse("units:edit", kwargs={"pk": area.pk}),
        "recognition:province": reverse("recognition:province", args=[province.code, year]),
        "recognition:commune": reverse("recognition:commune", args=[commune.code, year]),
        "recognition:unit": reverse("recognition:unit", args=[area.code, year]),
        "datasets:unit": reverse("datasets:unit", args=[commune.pk]),
        "datasets:entry": reverse("datasets:entry", args=[area.pk, "kdc_nam", str(year)]),
        "forces:area": reverse("forces:area", args=[area.pk]),
        "forces:ratings": reverse("forces:ratings", args=[commune.pk, year]),
        "classification:commune": reverse("classification:commune", args=[commune.code, year]),
        "classification:unit": reverse("classification:unit", args=[area.code, year]),
        "classification:overview": reverse("classification:overview", args=[province.code, year]),
    }
    model = Model.objects.filter(sites__unit__in=in_province).order_by("pk").first()
    if model is not None:
        pages["models_registry:detail"] = reverse("models_registry:detail", kwargs={"pk": model.pk})
    decision = AwardDecision.objects.filter(recipients__unit__in=in_province).order_by("pk").first()
    if decision is not None:
        pages["awards:decision_detail"] = reverse("awards:decision_detail", kwargs={"pk": decision.pk})
    entry = AuditEntry.objects.filter(unit__in=in_province).order_by("-pk").first()
    if entry is not None:
        pages["audit:history"] = reverse("audit:history", kwargs={"object_type": entry.object_type,
                                                                  "object_id": entry.object_id})
    return pages


def prepare(args: argparse.Namespace) -> None:
    """Makes (or resets) the bench's province officer and prints the province and the pages' addresses."""
    import django

    django.setup()
    import datetime as dt

    from django.db.models import Count

    from phongtrao.accounts.actions import do_grant_scope
    from phongtrao.accounts.models import Role, ScopeKind, User
    from phongtrao.audit.actions import Actor
    from phongtrao.units.models import Kind, Unit

    day = dt.date(args.year, 12, 31)
    provinces = Unit.objects.of_kind(Kind.PROVINCE).valid_on(day)
    if args.province:
        province = provinces.filter(code=args.province).get()
    else:  # the largest province by units in its subtree
        province = provinces.annotate(n=Count("descendant_links")).order_by("-n", "code").first()
    assert province is not None, "no province valid on 31 December of --year"
    communes = Unit.objects.of_kind(Kind.COMMUNE).valid_on(day).filter(parent=province)
    commune = communes.annotate(n=Count("children")).order_by("-n", "code").first()
    assert commune is not None, f"province {province.code} has no commune on {day}"
    area = Unit.objects.of_kind(Kind.RESIDENTIAL_AREA).valid_on(day).filter(parent=commune).order_by("code").first()
    assert area is not None, f"commune {commune.code} has no residential area on {day}"
    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = User.objects.create_user(username=USERNAME, password=PASSWORD, role=Role.PROVINCE_OFFICER,
                                        unit=province)
    else:
        user.set_password(PASSWORD)
        user.role, user.unit, user.is_active, user.must_change_password = Role.PROVINCE_OFFICER, province, True, False
        user.save()
    do_grant_scope(Actor.system(), user, province, ScopeKind.CAPTURE)
    subtree = Unit.objects.filter(ancestor_links__ancestor=province).count()
    print(MARK + json.dumps({"province": [province.code, province.name, subtree],
                             "commune": [commune.code, commune.name], "area": [area.code, area.name],
                             "pages": officer_pages(province, commune, area, args.year)}), flush=True)


def explain(args: argparse.Namespace) -> None:
    """Replays each page (JSON ``{name: url}`` on stdin) in-process as the officer; prints its slowest query."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from phongtrao.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=USERNAME))
    out: dict[str, Any] = {}
    queries: list[tuple[float, str, Any]] = []  # (ms, sql, params) of the page being replayed

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(((time.perf_counter() - started) * 1000, sql, params))

    for name, url in json.load(sys.stdin).items():
        client.get(url)  # warm, as the HTTP median is
        queries.clear()
        started = time.perf_counter()
        with connection.execute_wrapper(timed):
            status = client.get(url).status_code
        total = (time.perf_counter() - started) * 1000
        entry: dict[str, Any] = {"status": status, "total_ms": total, "queries": len(queries),
                                 "sql_ms": sum(q[0] for q in queries)}
        if queries:
            ms, sql, params = max(queries, key=lambda q: q[0])
            entry |= {"slowest_ms": ms, "slowest_sql": sql}
            if re.match(r"\s*(SELECT|WITH)\b", sql, re.IGNORECASE):
                prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
                with connection.cursor() as cursor:
                    cursor.execute(prefix + sql, params)
                    entry["plan"] = [" ".join(str(c) for c in row) for row in cursor.fetchall()]
        out[name] = entry
    print(MARK + json.dumps(out), flush=True)


def django_worker(mode: str, env: dict[str, str], args: argparse.Namespace, stdin: str = "") -> dict[str, Any]:
    cmd = [PYTHON, str(Path(__file__).resolve()), "--worker", mode, "--year", str(args.year)]
    if args.province:
        cmd += ["--province", args.province]
    done = subprocess.run(cmd, env=env, cwd=ROOT, input=stdin, stdout=subprocess.PIPE, text=True, check=True)
    for line in done.stdout.splitlines():
        if line.startswith(MARK):
            return dict(json.loads(line[len(MARK):]))
    raise RuntimeError(f"the {mode} worker printed no result")


# --- the server and the clients ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(env: dict[str, str], workers: int | None, log_path: Path) -> Iterator[str]:
    """``phongtrao serve`` on a free loopback port until the block ends (SIGTERM, as systemd stops it)."""
    port = free_port()
    cmd = [*PHONGTRAO, "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers:
        cmd += ["--workers", str(workers)]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"phongtrao serve exited ({proc.returncode}); see {log_path}")
                with contextlib.suppress(requests.RequestException):
                    if requests.get(f"{base}/health/", timeout=5).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError("phongtrao serve did not answer /health/ within 120 s")
                time.sleep(0.2)
            yield base
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def sign_in(base: str) -> requests.Session:
    """A session of the bench's officer, through the login form (CSRF token, password, redirect)."""
    session = requests.Session()
    login = f"{base}/tai-khoan/dang-nhap/"
    page = session.get(login, timeout=60)
    page.raise_for_status()
    token = session.cookies.get("csrftoken") or ""
    answer = session.post(login, data={"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token},
                          headers={"Referer": login}, allow_redirects=False, timeout=60)
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"sign-in failed: {answer.status_code}")
    return session


@dataclass
class Tally:
    """Latencies (ms) per page and the errors, shared by the clients' threads."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fetch(self, session: requests.Session, name: str, url: str) -> float:
        started = time.perf_counter()
        problem = None
        try:
            answer = session.get(url, allow_redirects=False, timeout=120)
            answer.content  # noqa: B018 - the whole body, as a browser waits for it
            if answer.status_code != 200:
                problem = f"HTTP {answer.status_code}"
        except requests.RequestException as exc:
            problem = type(exc).__name__
        ms = (time.perf_counter() - started) * 1000
        with self.lock:
            if problem:
                self.errors[name].append(problem)
            else:
                self.times[name].append(ms)
        return ms


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def sign_in_many(base: str, n: int) -> list[requests.Session]:
    say(f"signing {n} clients in")
    with ThreadPoolExecutor(max_workers=min(n, 8)) as pool:
        return list(pool.map(lambda _: sign_in(base), range(n)))


def run_clients(base: str, sessions: list[requests.Session], pages: dict[str, str], names: tuple[str, ...],
                seconds: float) -> dict[str, Any]:
    """One client per session, each taking ``names`` in turn (starting at a different one) until the deadline;
    a closed loop: each sends its next request when the last one answered."""
    clients = len(sessions)
    tally = Tally()

    def client(i: int) -> None:
        session, k = sessions[i], i
        while time.monotonic() < deadline:
            name = names[k % len(names)]
            tally.fetch(session, name, base + pages[name])
            k += 1

    say(f"{clients} clients for {seconds:g} s on {', '.join(names)}")
    started = time.monotonic()
    deadline = started + seconds
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, range(clients)))
    elapsed = time.monotonic() - started
    return {"clients": clients, "seconds": elapsed, "times": dict(tally.times), "errors": dict(tally.errors)}


def spread(values: list[float]) -> str:
    """p50, p95, p99 and max as table cells (empty cells without values)."""
    if not values:
        return " | | | "
    return " | ".join(f"{percentile(values, p):,.0f} ms" for p in (50, 95, 99)) + f" | {max(values):,.0f} ms"


def load_table(title: str, result: dict[str, Any], names: tuple[str, ...]) -> list[str]:
    times, errors, seconds = result["times"], result["errors"], result["seconds"]
    lines = [f"{title}: {result['clients']} clients, {seconds:.0f} s", "",
             "| page | requests | errors | per second | p50 | p95 | p99 | max |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    every: list[float] = []
    for name in names:
        ok, bad = times.get(name, []), errors.get(name, [])
        every += ok
        n = len(ok) + len(bad)
        lines.append(f"| {name} | {n} | {len(bad)} | {n / seconds:.2f} | {spread(ok)} |")
    n_err = sum(len(v) for v in errors.values())
    if len(names) > 1:
        n = len(every) + n_err
        lines.append(f"| all | {n} | {n_err} | {n / seconds:.2f} | {spread(every)} |")
    for name, problems in errors.items():
        lines.append(f"errors on {name}: " + ", ".join(f"{p} x{problems.count(p)}" for p in sorted(set(problems))))
    return lines


def time_pages(base: str, session: requests.Session, pages: dict[str, str], rounds: int) -> dict[str, list[float]]:
    """One client: a warm-up visit to every page, then ``rounds`` rounds of one visit each."""
    tally = Tally()
    for name, url in pages.items():
        tally.fetch(session, name, base + url)
    tally.times.clear()
    for _ in range(rounds):
        for name, url in pages.items():
            tally.fetch(session, name, base + url)
    if tally.errors:
        raise SystemExit(f"pages answered with errors: {dict(tally.errors)}")
    return dict(tally.times)


def pages_table(times: dict[str, list[float]], explained: dict[str, Any], target: float) -> list[str]:
    lines = ["| page | median | min | max | target | queries | slowest query |", "|---|---:|---:|---:|---|---:|---:|"]
    medians = {name: statistics.median(ms) for name, ms in times.items()}
    for name in sorted(times, key=lambda n: -medians[n]):
        median = medians[name]
        verdict = "ok" if median <= target else f"MISSED by {median / max(target, 1):.1f}x"
        info = explained.get(name, {})
        slow = f"{info['slowest_ms']:,.0f} ms of {info['sql_ms']:,.0f} ms SQL" if "slowest_ms" in info else ""
        lines.append(f"| {name} | {median:,.0f} ms | {min(times[name]):,.0f} ms | {max(times[name]):,.0f} ms | "
                     f"{verdict} | {info.get('queries', '')} | {slow} |")
    missed = [n for n in times if medians[n] > target]
    lines += ["", f"{len(times) - len(missed)} of {len(times)} pages within {target:.0f} ms (median)"]
    for name in sorted(missed, key=lambda n: -medians[n]):
        info = explained.get(name)
        if not info or "slowest_sql" not in info:
            continue
        lines += ["", f"### {name}: {medians[name]:,.0f} ms; in-process {info['total_ms']:,.0f} ms, {info['queries']} "
                  f"queries, {info['sql_ms']:,.0f} ms SQL; the slowest {info['slowest_ms']:,.0f} ms:", "",
                  "```", info["slowest_sql"][:1000], *(["", *info["plan"][:40]] if info.get("plan") else []), "```"]
    return lines


# --- the run ------------------------------------------------------------------------------------------------


def generate(url: str, args: argparse.Namespace) -> float:
    env = app_env(url)
    started = time.perf_counter()
    subprocess.run([*PHONGTRAO, "setup"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    gen = [*PHONGTRAO, "generate", "--scale", args.scale, "--years", str(args.years), "--seed", str(args.seed),
           "--end-year", str(args.year)]
    if args.scale == "province":
        gen += ["--province", args.province or "79"]
    subprocess.run(gen, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def bench(url: str, args: argparse.Namespace) -> int:
    env = app_env(url)
    first = django_worker("prepare", env, args)
    pages: dict[str, str] = first["pages"]
    code, name, subtree = first["province"]
    say(f"province {code} {name} ({subtree:,} units), commune {' '.join(first['commune'])}, "
        f"area {' '.join(first['area'])}; {len(pages)} pages")
    report: list[str] = []
    results: dict[str, Any] = {"pages": pages}
    failed = False
    with server(env, args.workers, args.out / "load-server.log") as base:
        # every client signs in once, through the login form; the steps reuse the sessions
        sessions = sign_in_many(base, max(1, args.clients if "load" in args.steps else 0,
                                          args.heavy_clients if "heavy" in args.steps else 0))
        if "pages" in args.steps:
            say(f"pages: {args.rounds} rounds, one client")
            times = time_pages(base, sessions[0], pages, args.rounds)
            missed = {n: pages[n] for n, ms in times.items() if statistics.median(ms) > args.page_target}
            explained = django_worker("explain", env, args, json.dumps(missed)) if missed else {}
            report += ["## Pages", "", *pages_table(times, explained, args.page_target), ""]
            results["timed"] = {"rounds": args.rounds, "times": times, "explained": explained}
        load_names = tuple(n for n in LOAD_PAGES if n in pages)
        for step, title, names, clients, seconds in (
                ("load", "Load", load_names, args.clients, args.duration),
                ("heavy", "Heaviest page", (HEAVY_PAGE,), args.heavy_clients, args.heavy_duration)):
            if step not in args.steps:
                continue
            result = run_clients(base, sessions[:clients], pages, names, seconds)
            results[step] = result
            report += [f"## {title}", "", *load_table(title, result, names), ""]
            failed |= bool(result["errors"]) or not result["times"]
            if step == "heavy" and result["times"]:
                p95 = percentile(result["times"][HEAVY_PAGE], 95)
                verdict = "ok" if p95 <= HEAVY_P95_TARGET_MS else f"MISSED by {p95 / HEAVY_P95_TARGET_MS:.1f}x"
                report.append(f"{HEAVY_PAGE}, {clients} clients: p95 {p95:,.0f} ms against "
                              f"{HEAVY_P95_TARGET_MS:.0f} ms: {verdict}")
        for session in sessions:
            session.close()
    print("\n".join(report), flush=True)
    print("errors: " + ("SOME (exit 1)" if failed else "none"), flush=True)
    (args.out / "load-results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=("national", "province"), default="national")
    parser.add_argument("--province", help="the province's code (default: the largest; 79 with --scale province)")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--year", type=int, default=2025, help="the report year (generate's --end-year)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="use this database as it is (no cluster, no setup or generate)")
    parser.add_argument("--steps", default="pages,load,heavy", help="comma-separated: pages, load, heavy")
    parser.add_argument("--rounds", type=int, default=5, help="pages: visits per page (the median's sample)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of the load step")
    parser.add_argument("--heavy-clients", type=int, default=20)
    parser.add_argument("--heavy-duration", type=float, default=60.0, help="seconds of the heaviest-page step")
    parser.add_argument("--page-target", type=float, default=PAGE_TARGET_MS,
                        help="pages: the median target in ms (a page over it is replayed, its slowest query explained)")
    parser.add_argument("--out", type=Path, default=OUT, help="where the server's log and load-results.json go")
    parser.add_argument("--workers", type=int, help="server worker processes (default: serve's, the CPU count)")
    parser.add_argument("--worker", choices=("prepare", "explain"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.steps = {s.strip() for s in args.steps.split(",") if s.strip()}
    if args.worker == "prepare":
        prepare(args)
        return
    if args.worker == "explain":
        explain(args)
        return
    if args.scale == "province" and not args.province:
        args.province = "79"
    started = time.perf_counter()
    if args.database_url:
        code = bench(args.database_url, args)
    else:
        with postgres() as url:
            say(f"PostgreSQL: setup and generate --scale {args.scale} --years {args.years} --seed {args.seed} "
                f"--end-year {args.year}")
            say(f"loaded in {generate(url, args):.0f} s")
            code = bench(url, args)
    say(f"done in {time.perf_counter() - started:.0f} s")
    sys.exit(code)


if __name__ == "__main__":
    main()
