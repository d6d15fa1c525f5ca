"""Benchmark: every ``report annual`` section, an indicator and the whole report on SQLite, PostgreSQL and DuckDB.

    .venv/bin/python bench/annual_report.py                      # national scale (about 10 minutes on 2 cores)
    .venv/bin/python bench/annual_report.py --scale province --province 12 --rounds 5

Steps: (1) for each engine, a fresh database gets ``phongtrao setup`` and ``phongtrao generate`` (timed);
(2) the SQLite rows the floors read are exported to Parquet and loaded into DuckDB, where each section has a
hand-written query (the floor: the built-in ones here, one module per section in bench/floors/*.py);
(3) one worker process per database warms every item up (the whole report, each section, the per-child
breakdown, the indicator; for the country and the largest province) and the sections must agree with the
floors; (4) ``--rounds`` interleaved rounds: SQLite, PostgreSQL, then DuckDB time every item once each, so all
engines see the same load on a shared machine; the table prints min and median per engine and the min and
median of the per-round ratios to the floor. PostgreSQL is a throwaway 15 cluster started here (like ./test)
and stopped afterwards. Files go to bench/out/ (git-ignored).
"""

# ruff: noqa: S603 - runs this project's own commands and the PostgreSQL binaries, never user input
from __future__ import annotations

import argparse
import contextlib
import csv
import importlib.util
import json
import os
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
FLOORS = ROOT / "bench" / "floors"
PYTHON = sys.executable
PHONGTRAO = [PYTHON, "-m", "phongtrao"]
KINDS = ("residential_area", "commune", "agency", "enterprise", "school")
REGISTERED = ("registered", "self_assessed", "submitted", "under_review", "recognised", "not_recognised")
TARGETS_MS = {("postgresql", "country"): 1000, ("sqlite", "country"): 2000,
              ("postgresql", "province"): 150, ("sqlite", "province"): 150}
FLOOR_FACTOR = {"country": 2, "province": 5}  # issue #10 item 10: the country's whole report within 2x
# The indicator timed over the country and the province: propaganda sessions (a data element's total) per
# residential area subject to the standard (a built-in recognition figure of lib.indicators).
INDICATOR = "buoi_tuyen_truyen_moi_kdc"


def say(text: str) -> None:
    print(f"==> {text}", flush=True)


def run(cmd: list[str], env: dict[str, str], *, quiet: bool = True) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL if quiet else None)
    return time.perf_counter() - started


BENCH_SECRET = secrets.token_urlsafe(50)  # DEBUG off (production settings) needs a key; a throwaway one


def engine_env(url: str) -> dict[str, str]:
    return {"SECRET_KEY": BENCH_SECRET, **os.environ, "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "phongtrao.settings"}


# --- the worker: runs inside Django against one database, one timing of every item per round ----------------

MARK = "@@ "  # the worker's protocol lines on stdout (anything else it prints is ignored)


def worker(args: argparse.Namespace) -> None:
    """Reads commands on stdin: ``round`` times every item once and prints ``{label: {item: ms}}``; ``quit``.
    At start it warms every item up once and prints the root and the report of each label (for agreement)."""
    import django

    django.setup()
    import datetime as dt

    from django.db.models import Count

    from phongtrao.datasets.indicators import evaluate_indicators
    from phongtrao.datasets.models import Indicator
    from phongtrao.lib.periods import Period
    from phongtrao.recognition.figures import recognition_by_child
    from phongtrao.reports.annual import SECTIONS, build_annual
    from phongtrao.units.models import Kind, Unit

    day = dt.date(args.year, 12, 31)
    country = Unit.objects.get(code="VN")
    if args.province:
        province = Unit.objects.with_code(args.province, day).of_kind(Kind.PROVINCE).get()
    else:  # the largest province by units in its subtree
        province = (Unit.objects.of_kind(Kind.PROVINCE).valid_on(day)
                    .annotate(n=Count("descendant_links")).order_by("-n", "code").first())
    assert province is not None
    indicator = Indicator.objects.get(code=INDICATOR)

    def indicator_parts(unit: Any, year: int) -> list[float | None]:
        [result] = evaluate_indicators(unit, Period.year_of(year), [indicator])
        return [None if p is None else float(p) for p in (result.numerator, result.denominator)]

    items: dict[str, Any] = {"report": build_annual} | {k: s.build for k, s in SECTIONS.items()} | {
        "by_child": recognition_by_child, "indicator": indicator_parts}
    labels = (("country", country), ("province", province))
    out: dict[str, Any] = {"root": {"code": province.code, "id": province.pk, "name": province.name},
                           "sections": [s.key for s in sorted(SECTIONS.values(), key=lambda s: (s.order, s.key))]}
    for label, unit in labels:  # the warm-up (caches, query plans), kept for the agreement check
        results = {name: fn(unit, args.year) for name, fn in items.items()}
        out[label] = {"report": {k: results["report"][k] for k in SECTIONS}, "indicator": results["indicator"]}
    print(MARK + json.dumps(out), flush=True)
    for line in sys.stdin:
        if line.strip() != "round":
            break
        times: dict[str, dict[str, float]] = {}
        for label, unit in labels:
            times[label] = {}
            for name, fn in items.items():
                started = time.perf_counter()
                fn(unit, args.year)
                times[label][name] = (time.perf_counter() - started) * 1000
        print(MARK + json.dumps(times), flush=True)


class Worker:
    """A worker process on one database, driven round by round."""

    def __init__(self, env: dict[str, str], args: argparse.Namespace) -> None:
        cmd = [PYTHON, str(Path(__file__).resolve()), "--worker", "--year", str(args.year)]
        if args.province:
            cmd += ["--province", args.province]
        self.proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        self.first = self._read()

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith(MARK):
                return dict(json.loads(line[len(MARK):]))
        raise RuntimeError(f"the worker ended (exit {self.proc.wait()})")

    def round(self) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write("round\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("quit\n")
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def load(url: str, args: argparse.Namespace) -> float:
    env = engine_env(url)
    run([*PHONGTRAO, "setup"], env)
    gen = [*PHONGTRAO, "generate", "--scale", args.scale, "--years", str(args.years), "--seed", str(args.seed),
           "--end-year", str(args.year)]
    if args.scale == "province":
        gen += ["--province", args.province]
    return run(gen, env)


# --- PostgreSQL: a throwaway cluster ------------------------------------------------------------------


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not bins or not (bins[-1] / "initdb").exists():
        raise SystemExit("PostgreSQL server binaries not found (apt-get install postgresql-15)")
    pg_bin = bins[-1]
    tmp = Path(tempfile.mkdtemp(prefix="phongtrao-bench-pg."))
    tmp.chmod(0o755)
    as_pg: list[str] = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tmp / "data"
    subprocess.run([*as_pg, str(pg_bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                    "--locale=C.UTF-8"], check=True, stdout=subprocess.DEVNULL)
    options = (f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c shared_buffers=512MB -c work_mem=64MB")
    subprocess.run([*as_pg, str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(tmp / "log"), "-w", "-o", options,
                    "start"], check=True, stdout=subprocess.DEVNULL)
    try:
        subprocess.run([*as_pg, str(pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                        "phongtrao"], check=True)
        yield f"postgres://postgres@127.0.0.1:{port}/phongtrao"
    finally:
        subprocess.run([*as_pg, str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       check=False, stdout=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)


# --- DuckDB: the floor ---------------------------------------------------------------------------------

# The rows the built-in floors read (units, closure, results, models, sites, awards, data values), from SQLite.
TABLES = {
    "unit": "SELECT id, kind, subject_to_standard, valid_from, valid_to FROM units_unit",
    "unit_ancestor": "SELECT unit_id, ancestor_id FROM units_unitancestor",
    "recognition": "SELECT unit_id, year, status FROM recognition_recognition",
    "model": "SELECT m.id, i.code AS initiator, m.field_id, m.started_on, m.retired_on, m.status "
             "FROM models_registry_model m JOIN models_registry_initiator i ON i.id = m.initiator_id",
    "site": "SELECT model_id, unit_id, started_on, retired_on, status, teams FROM models_registry_site",
    "award": "SELECT r.unit_id, r.kind, d.year, t.code AS award_type, t.\"order\" AS position "
             "FROM awards_awardrecipient r JOIN awards_awarddecision d ON d.id = r.decision_id "
             "JOIN awards_awardtype t ON t.id = d.award_type_id",
    "datavalue": "SELECT v.unit_id, e.code AS element, v.option_combo_id, v.period, v.value "
                 "FROM datasets_datavalue v JOIN datasets_dataelement e ON e.id = v.element_id "
                 "WHERE v.value IS NOT NULL AND v.period_type = 'year'",
}
CASTS = {"unit": "id, kind, subject_to_standard::BOOLEAN AS subject_to_standard, "
                 "valid_from::DATE AS valid_from, valid_to::DATE AS valid_to",
         "model": "id, initiator, field_id, started_on::DATE AS started_on, retired_on::DATE AS retired_on, status",
         "site": "model_id, unit_id, started_on::DATE AS started_on, retired_on::DATE AS retired_on, status, teams",
         "datavalue": "unit_id, element, option_combo_id, period::VARCHAR AS period, value::DOUBLE AS value"}


def export_parquet(sqlite_path: Path, folder: Path, tables: dict[str, str], casts: dict[str, str]) -> None:
    """The rows the floors read, from the SQLite database to CSV, then Parquet (DuckDB's COPY)."""
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(sqlite_path) as source:
        for name, sql in tables.items():
            cursor = source.execute(sql)
            with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f)
                writer.writerow([c[0] for c in cursor.description])
                writer.writerows(cursor)
    con = duckdb.connect()
    for name in tables:
        con.execute(f"COPY (SELECT {casts.get(name, '*')} FROM read_csv('{folder / name}.csv', header=true, "
                    f"nullstr='')) TO '{folder / name}.parquet' (FORMAT parquet)")
    con.close()


DUCK_SQL = """
SELECT u.kind, count(*) AS total,
       count(*) FILTER (WHERE r.status = 'recognised') AS recognised,
       count(*) FILTER (WHERE r.status IN {registered}) AS registered
FROM {source} u
LEFT JOIN recognition r ON r.unit_id = u.id AND r.year = $year
WHERE u.subject_to_standard AND u.kind IN {kinds}
  AND (u.valid_from IS NULL OR u.valid_from <= $day) AND (u.valid_to IS NULL OR u.valid_to >= $day)
GROUP BY u.kind
"""


# INTERCHANGE.md: a site is active in the year if it started by 31 December and was not retired
# before 1 January (a retired site without a date never counts); the model must not start after
# the year nor be retired before it. Grouped by (initiator, field) like the application's query.
DUCK_MODELS_SQL = """
SELECT m.initiator, m.field_id, count(DISTINCT s.model_id) AS models, count(*) AS sites, sum(s.teams) AS teams
FROM site s JOIN model m ON m.id = s.model_id {subtree}
WHERE s.started_on <= $day
  AND ((s.status = 'active' AND s.retired_on IS NULL) OR s.retired_on >= $jan1)
  AND (m.started_on IS NULL OR m.started_on <= $day)
  AND (m.retired_on >= $jan1 OR (m.retired_on IS NULL AND m.status <> 'retired'))
GROUP BY m.initiator, m.field_id
"""

DUCK_AWARDS_SQL = """
SELECT r.award_type, min(r.position) AS position,
       count(*) FILTER (WHERE r.kind = 'collective') AS collective,
       count(*) FILTER (WHERE r.kind = 'individual') AS individual
FROM award r {subtree}
WHERE r.year = $year
GROUP BY r.award_type
ORDER BY position, r.award_type
"""


# The activities section: the year's values in the subtree by element and option combo (the application groups
# the same way, then folds the combos into categories); compared by element totals.
DUCK_ACTIVITIES_SQL = """
SELECT v.element, v.option_combo_id, sum(v.value) AS total
FROM datavalue v {subtree}
WHERE v.period = $period
GROUP BY v.element, v.option_combo_id
"""

# The indicator's parts: the sessions' total, and the residential areas subject to the standard on 31 December.
DUCK_INDICATOR_SQL = """
SELECT (SELECT sum(v.value) FROM datavalue v {subtree_v} WHERE v.period = $period AND v.element = 'tuyen_truyen_buoi'),
       (SELECT count(*) FROM unit u {subtree_u} WHERE u.kind = 'residential_area' AND u.subject_to_standard
          AND (u.valid_from IS NULL OR u.valid_from <= $day) AND (u.valid_to IS NULL OR u.valid_to >= $day))
"""


def counts_of(section: dict[str, Any]) -> dict[str, list[int]]:
    return {k: [section[k]["total"], section[k]["recognised"], section[k]["registered"]]
            for k in KINDS if section[k]["total"]}


def recognition_shape(rows: list[tuple[Any, ...]]) -> dict[str, list[int]]:
    return {kind: [total, recognised, registered] for kind, total, recognised, registered in rows if total}


def activities_shape(rows: list[tuple[Any, ...]]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for element, _combo, total in rows:
        totals[element] = totals.get(element, 0) + total
    return totals


def activities_from_app(section: dict[str, Any]) -> dict[str, float]:
    return {code: float(entry["total"]) for code, entry in section.items()}


def models_shape(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    by_initiator: dict[str, int] = {}
    for initiator, _field, models, _sites, _teams in rows:
        by_initiator[initiator] = by_initiator.get(initiator, 0) + models
    return {"models": sum(r[2] for r in rows), "fields": len({r[1] for r in rows}),
            "sites": sum(r[3] for r in rows), "teams": sum(r[4] or 0 for r in rows),
            "by_initiator": dict(sorted((k, v) for k, v in by_initiator.items() if v))}


def models_from_app(section: dict[str, Any]) -> dict[str, Any]:
    # The floor's keys (the year's flows, added since, are not in it).
    return {k: section[k] for k in ("models", "fields", "sites", "teams")} | {
        "by_initiator": dict(sorted(section["by_initiator"].items()))}


def awards_shape(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [{"award_type": code, "collective": c, "individual": i} for code, _pos, c, i in rows]


@dataclass(frozen=True)
class Floor:
    """One section's floor: ``sql`` has ``{subtree}`` where the province's closure join goes (``on`` is the
    column joined to ``unit_ancestor.unit_id``); ``shape(rows)`` and ``from_app(section)`` must be equal."""

    key: str
    sql: str
    on: str
    shape: Callable[[list[tuple[Any, ...]]], Any]
    from_app: Callable[[Any], Any]
    module: str = "bench/annual_report.py"

    def query(self, label: str) -> str:
        subtree = ("" if label == "country" else
                   f"JOIN unit_ancestor a ON a.unit_id = {self.on} AND a.ancestor_id = $root")
        return self.sql.replace("{subtree}", subtree)


def builtin_floors() -> list[Floor]:
    registered = "(" + ", ".join(f"'{s}'" for s in REGISTERED) + ")"
    kinds = "(" + ", ".join(f"'{k}'" for k in KINDS) + ")"
    recognition = DUCK_SQL.format(source="(SELECT u.* FROM unit u {subtree})", registered=registered, kinds=kinds)
    return [Floor("recognition", recognition, "u.id", recognition_shape, counts_of),
            Floor("models", DUCK_MODELS_SQL, "s.unit_id", models_shape, models_from_app),
            Floor("awards", DUCK_AWARDS_SQL, "r.unit_id", awards_shape, lambda section: section),
            Floor("activities", DUCK_ACTIVITIES_SQL, "v.unit_id", activities_shape, activities_from_app)]


def module_floors() -> tuple[list[Floor], dict[str, str], dict[str, str]]:
    """The floors in bench/floors/*.py (README: the interface), with the tables and casts they add."""
    floors, tables, casts = [], {}, {}
    for path in sorted(FLOORS.glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"bench_floor_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        clash = set(module.TABLES) & (set(TABLES) | set(tables))
        assert not clash, f"{path.name}: table names already taken: {sorted(clash)}"
        tables |= module.TABLES
        casts |= getattr(module, "CASTS", {})
        floors.append(Floor(module.KEY, module.SQL, f"{getattr(module, 'ALIAS', 'u')}.unit_id", module.shape,
                            module.from_app, module=f"bench/floors/{path.name}"))
    return floors, tables, casts


class Duck:
    """The DuckDB floor in this process: every floor and the indicator, for the country and the province."""

    def __init__(self, folder: Path, tables: list[str], floors: list[Floor], args: argparse.Namespace,
                 root_id: int) -> None:
        import datetime as dt

        import duckdb

        self.con = duckdb.connect()
        for name in tables:
            self.con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet('{folder / name}.parquet')")
        params = {"day": dt.date(args.year, 12, 31), "jan1": dt.date(args.year, 1, 1), "year": args.year,
                  "period": str(args.year)}
        self.items: dict[str, dict[str, tuple[str, dict[str, Any], Callable[[Any], Any]]]] = {}
        for label in ("country", "province"):
            extra = {} if label == "country" else {"root": root_id}
            self.items[label] = {}
            for floor in floors:
                query = floor.query(label)
                self.items[label][floor.key] = (query, self._bound(query, params | extra), floor.shape)
            indicator = DUCK_INDICATOR_SQL.format(
                subtree_v="" if label == "country" else
                "JOIN unit_ancestor a ON a.unit_id = v.unit_id AND a.ancestor_id = $root",
                subtree_u="" if label == "country" else
                "JOIN unit_ancestor b ON b.unit_id = u.id AND b.ancestor_id = $root")
            self.items[label]["indicator"] = (indicator, self._bound(indicator, params | extra),
                                              lambda rows: [None if p is None else float(p) for p in rows[0]])
        self.first = {label: {name: shape(self.con.execute(sql, bound).fetchall())  # the warm-up
                              for name, (sql, bound, shape) in items.items()} for label, items in self.items.items()}

    @staticmethod
    def _bound(query: str, params: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in params.items() if f"${k}" in query}

    def round(self) -> dict[str, dict[str, float]]:
        times: dict[str, dict[str, float]] = {}
        for label, items in self.items.items():
            times[label] = {}
            for name, (sql, bound, _shape) in items.items():
                started = time.perf_counter()
                self.con.execute(sql, bound).fetchall()
                times[label][name] = (time.perf_counter() - started) * 1000
        return times


# --- main ----------------------------------------------------------------------------------------------


def check_agreement(first: dict[str, Any], duck: Duck, floors: list[Floor], engine: str) -> None:
    for label in ("country", "province"):
        for floor in floors:
            mine = floor.from_app(first[label]["report"][floor.key])
            expected = duck.first[label][floor.key]
            assert mine == expected, f"{engine} {label} {floor.key} differs from DuckDB: {mine} != {expected}"
        mine_parts, duck_parts = first[label]["indicator"], duck.first[label]["indicator"]
        assert mine_parts == duck_parts, f"{engine} {label} indicator differs: {mine_parts} != {duck_parts}"


def fmt(ms: float) -> str:
    return f"{ms / 1000:.2f} s" if ms >= 10000 else f"{ms:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=("national", "province"), default="national")
    parser.add_argument("--province", help="province code (needed with --scale province; default: the largest)")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--year", type=int, default=2025, help="the report year, also the last generated year")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=9, help="interleaved rounds (one run per engine each)")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.worker:
        worker(args)
        return
    if args.scale == "province" and not args.province:
        parser.error("--scale province needs --province CODE")
    OUT.mkdir(parents=True, exist_ok=True)
    extra_floors, extra_tables, extra_casts = module_floors()
    floors = builtin_floors() + extra_floors
    generation: dict[str, float] = {}

    sqlite_path = OUT / f"{args.scale}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
    sqlite_url = f"sqlite:///{sqlite_path}"
    say(f"SQLite: setup and generate ({args.scale}, {args.years} years, seed {args.seed})")
    generation["sqlite"] = load(sqlite_url, args)
    say("DuckDB: exporting to Parquet (floors: " + ", ".join(f.key for f in floors) + ")")
    folder = OUT / f"{args.scale}-parquet"
    tables = TABLES | extra_tables
    export_parquet(sqlite_path, folder, tables, CASTS | extra_casts)

    with contextlib.ExitStack() as stack:
        urls = {"sqlite": sqlite_url}
        if not args.skip_postgres:
            urls["postgresql"] = stack.enter_context(postgres())
            say("PostgreSQL: setup and generate")
            generation["postgresql"] = load(urls["postgresql"], args)
        say("Starting the workers (a warm-up of every item on each engine)")
        workers = {engine: Worker(engine_env(url), args) for engine, url in urls.items()}
        for w in workers.values():
            stack.callback(w.close)
        first = workers["sqlite"].first
        sections = first["sections"]
        duck = Duck(folder, list(tables), [f for f in floors if f.key in sections], args, first["root"]["id"])
        for engine, w in workers.items():  # the three engines must agree
            check_agreement(w.first, duck, [f for f in floors if f.key in sections], engine)
        times: dict[str, list[dict[str, dict[str, float]]]] = {engine: [] for engine in [*workers, "duckdb"]}
        for n in range(args.rounds):
            say(f"Round {n + 1}/{args.rounds}: " + ", ".join(times))
            for engine, w in workers.items():
                times[engine].append(w.round())
            times["duckdb"].append(duck.round())
    report_table(args, first, generation, times, floors, sections, duck.first)


def report_table(args: argparse.Namespace, first: dict[str, Any], generation: dict[str, float],
                 times: dict[str, list[dict[str, dict[str, float]]]], floors: list[Floor], sections: list[str],
                 floor_rows: dict[str, dict[str, Any]]) -> None:
    floored = [f.key for f in floors if f.key in sections]
    for rounds in times["duckdb"]:  # the whole report's floor: the sum of its sections' floors in that round
        for label in rounds:
            rounds[label]["report"] = sum(rounds[label][k] for k in floored)
    province = first["root"]
    print()
    print(f"Scale: {args.scale}; report year {args.year}; largest province: {province['code']} {province['name']}; "
          f"{args.rounds} interleaved rounds ({', '.join(times)})")
    country_counts = counts_of(first["country"]["report"]["recognition"])
    print("Rows counted (country): " + ", ".join(f"{k} {v[0]:,}" for k, v in country_counts.items()))
    unfloored = [k for k in sections if k not in floored]
    print("Sections with a DuckDB floor: " + ", ".join(floored) +
          ("; without (in the whole report, not in its floor): " + ", ".join(unfloored) if unfloored else ""))
    print()
    print("| step | engine | min | median | ratio to DuckDB min | median | target |")
    print("|---|---|---:|---:|---:|---:|---|")
    for engine, seconds in generation.items():
        print(f"| generate | {engine} | {seconds:.1f} s | | | | a few minutes |")
    misses = []
    for label in ("country", "province"):
        names = ["report", *sections, "by_child", "indicator"]
        for name in names:
            title = {"report": f"report {label} (all sections)", "by_child": f"recognition by child {label}",
                     "indicator": f"indicator {INDICATOR} {label}"}.get(name, f"{name} {label}")
            duck = [r[label][name] for r in times["duckdb"]] if name in times["duckdb"][0][label] else None
            if duck is not None:
                print(f"| {title} | duckdb | {fmt(min(duck))} | {fmt(statistics.median(duck))} | 1.0 | 1.0 | floor |")
            for engine in times:
                if engine == "duckdb":
                    continue
                mine = [r[label][name] for r in times[engine]]
                cells = f"| {title} | {engine} | {fmt(min(mine))} | {fmt(statistics.median(mine))} |"
                target = ""
                if duck is not None:  # the ratio in each round (same load on the machine), its min and median
                    ratios = [m / d for m, d in zip(mine, duck, strict=True)]
                    cells += f" {min(ratios):.1f} | {statistics.median(ratios):.1f} |"
                    if name == "report":
                        limit_ms, factor = TARGETS_MS[(engine, label)], FLOOR_FACTOR[label]
                        ok = statistics.median(mine) <= limit_ms and statistics.median(ratios) <= factor
                        if not ok:
                            misses.append(f"{engine} {label}")
                        target = f"≤ {limit_ms} ms, ≤ {factor}x {'ok' if ok else 'MISSED'}"
                else:
                    cells += " | |"
                print(f"{cells} {target} |")
    print()
    for floor in floors:
        if floor.module != "bench/annual_report.py" and floor.key in sections:
            for label in ("country", "province"):
                print(f"floor {floor.key} ({floor.module}) {label}: {json.dumps(floor_rows[label][floor.key])}")
    print("figures agree across " + ", ".join(times))
    if misses:
        print("targets missed (median): " + ", ".join(misses))


if __name__ == "__main__":
    main()
