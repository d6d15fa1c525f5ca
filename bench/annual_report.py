"""Benchmark: the ``report annual`` figures (recognition, models, awards) on SQLite, PostgreSQL and a DuckDB floor.

    .venv/bin/python bench/annual_report.py                      # national scale (a few minutes)
    .venv/bin/python bench/annual_report.py --scale province --province 12 --runs 5

Steps: (1) for each engine, a fresh database gets ``phongtrao setup`` and ``phongtrao
generate`` (timed); (2) a worker process times the figures for the country and for the
largest province (median of ``--runs`` after a warm-up); (3) the SQLite rows are exported
to Parquet and the same figures are computed by a hand-written DuckDB query (the floor);
(4) the figures must agree across the three engines; the table prints each timing and its
ratio to the floor. PostgreSQL is a throwaway 15 cluster started here (like ./test) and
stopped afterwards. Files go to bench/out/ (git-ignored).
"""

# ruff: noqa: S603 - runs this project's own commands and the PostgreSQL binaries, never user input
from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
PHONGTRAO = [PYTHON, "-m", "phongtrao"]
KINDS = ("residential_area", "commune", "agency", "enterprise", "school")
REGISTERED = ("registered", "self_assessed", "submitted", "under_review", "recognised", "not_recognised")
TARGETS_MS = {("postgresql", "country"): 1000, ("sqlite", "country"): 2000,
              ("postgresql", "province"): 150, ("sqlite", "province"): 150}
FLOOR_FACTOR = 5
# The indicator timed over the country and the province: propaganda sessions (a data element's total) per
# residential area subject to the standard (a built-in recognition figure of lib.indicators).
INDICATOR = "buoi_tuyen_truyen_moi_kdc"


def say(text: str) -> None:
    print(f"==> {text}", flush=True)


def run(cmd: list[str], env: dict[str, str], *, quiet: bool = True) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL if quiet else None)
    return time.perf_counter() - started


def engine_env(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "phongtrao.settings"}


# --- the worker: runs inside Django against one database ---------------------------------------------


def worker(args: argparse.Namespace) -> None:
    import django

    django.setup()
    import datetime as dt

    from django.db.models import Count

    from phongtrao.reports.annual import SECTIONS, build_annual
    from phongtrao.reports.figures import recognition_by_child
    from phongtrao.units.models import Kind, Unit

    day = dt.date(args.year, 12, 31)
    country = Unit.objects.get(code="VN")
    if args.province:
        province = Unit.objects.with_code(args.province, day).of_kind(Kind.PROVINCE).get()
    else:  # the largest province by units in its subtree
        province = (Unit.objects.of_kind(Kind.PROVINCE).valid_on(day)
                    .annotate(n=Count("descendant_links")).order_by("-n", "code").first())
    assert province is not None

    from phongtrao.datasets.indicators import evaluate_indicators
    from phongtrao.datasets.models import Indicator
    from phongtrao.lib.periods import Period

    indicator = Indicator.objects.get(code=INDICATOR)

    def indicator_parts(unit: Any, year: int) -> list[float | None]:
        [result] = evaluate_indicators(unit, Period.year_of(year), [indicator])
        return [None if p is None else float(p) for p in (result.numerator, result.denominator)]

    def timed(fn: Any, unit: Any) -> tuple[float, Any]:
        fn(unit, args.year)  # warm-up: caches, query plans
        times = []
        result = None
        for _ in range(args.runs):
            started = time.perf_counter()
            result = fn(unit, args.year)
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000, result

    out: dict[str, Any] = {"root": {"code": province.code, "id": province.pk, "name": province.name}}
    for label, unit in (("country", country), ("province", province)):
        ms, report = timed(build_annual, unit)
        out[label] = {"ms": ms, "report": {key: report[key] for key in SECTIONS}, "sections": {}}
        for key, section in SECTIONS.items():
            out[label]["sections"][key], _ = timed(section.build, unit)
        ms_children, _ = timed(recognition_by_child, unit)
        out[label]["by_child_ms"] = ms_children
        ms_indicator, parts = timed(indicator_parts, unit)
        out[label]["indicator"] = {"ms": ms_indicator, "parts": parts}
    print(json.dumps(out))


def time_figures(env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    cmd = [PYTHON, str(Path(__file__).resolve()), "--worker", "--year", str(args.year), "--runs", str(args.runs)]
    if args.province:
        cmd += ["--province", args.province]
    done = subprocess.run(cmd, env=env, check=True, cwd=ROOT, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


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


def export_parquet(sqlite_path: Path, folder: Path) -> None:
    """The rows the figures read, from the SQLite database to CSV, then Parquet (DuckDB's COPY)."""
    import duckdb

    tables = {
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
    folder.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(sqlite_path) as source:
        for name, sql in tables.items():
            cursor = source.execute(sql)
            with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f)
                writer.writerow([c[0] for c in cursor.description])
                writer.writerows(cursor)
    casts = {"unit": "id, kind, subject_to_standard::BOOLEAN AS subject_to_standard, "
                     "valid_from::DATE AS valid_from, valid_to::DATE AS valid_to",
             "model": "id, initiator, field_id, started_on::DATE AS started_on, retired_on::DATE AS retired_on, "
                      "status",
             "site": "model_id, unit_id, started_on::DATE AS started_on, retired_on::DATE AS retired_on, status, "
                     "teams",
             "datavalue": "unit_id, element, option_combo_id, period::VARCHAR AS period, value::DOUBLE AS value"}
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


def activities_section(rows: list[tuple[Any, ...]]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for element, _combo, total in rows:
        totals[element] = totals.get(element, 0) + total
    return totals


def models_section(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    by_initiator: dict[str, int] = {}
    for initiator, _field, models, _sites, _teams in rows:
        by_initiator[initiator] = by_initiator.get(initiator, 0) + models
    return {"models": sum(r[2] for r in rows), "fields": len({r[1] for r in rows}),
            "sites": sum(r[3] for r in rows), "teams": sum(r[4] or 0 for r in rows),
            "by_initiator": dict(sorted((k, v) for k, v in by_initiator.items() if v))}


def awards_section(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [{"award_type": code, "collective": c, "individual": i} for code, _pos, c, i in rows]


def duckdb_sections(con: Any, args: argparse.Namespace, province_id: int) -> dict[str, Any]:
    """The models and awards sections by hand-written DuckDB queries, timed like the others."""
    import datetime as dt

    params = {"day": dt.date(args.year, 12, 31), "jan1": dt.date(args.year, 1, 1), "year": args.year}
    out: dict[str, Any] = {"country": {}, "province": {}}
    params["period"] = str(args.year)
    for key, sql, shape in (("models", DUCK_MODELS_SQL, models_section), ("awards", DUCK_AWARDS_SQL, awards_section),
                            ("activities", DUCK_ACTIVITIES_SQL, activities_section)):
        alias = {"models": "s", "awards": "r", "activities": "v"}[key]
        for label, subtree, extra in (
                ("country", "", {}),
                ("province", f"JOIN unit_ancestor a ON a.unit_id = {alias}.unit_id AND a.ancestor_id = $root",
                 {"root": province_id})):
            query = sql.format(subtree=subtree)
            bound = {k: v for k, v in (params | extra).items() if f"${k}" in query}
            con.execute(query, bound).fetchall()
            times, rows = [], []
            for _ in range(args.runs):
                started = time.perf_counter()
                rows = con.execute(query, bound).fetchall()
                times.append(time.perf_counter() - started)
            out[label][key] = {"ms": statistics.median(times) * 1000, "section": shape(rows)}
    return out


def duckdb_figures(folder: Path, args: argparse.Namespace, province_id: int) -> dict[str, Any]:
    import datetime as dt

    import duckdb

    con = duckdb.connect()
    for name in ("unit", "unit_ancestor", "recognition", "model", "site", "award", "datavalue"):
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet('{folder / name}.parquet')")
    registered = "(" + ", ".join(f"'{s}'" for s in REGISTERED) + ")"
    kinds = "(" + ", ".join(f"'{k}'" for k in KINDS) + ")"
    whole = DUCK_SQL.format(source="unit", registered=registered, kinds=kinds)
    subtree = DUCK_SQL.format(
        source="(SELECT u.* FROM unit_ancestor a JOIN unit u ON u.id = a.unit_id WHERE a.ancestor_id = $root)",
        registered=registered, kinds=kinds)
    day = dt.date(args.year, 12, 31)
    out: dict[str, Any] = {}
    for label, sql, params in (("country", whole, {"year": args.year, "day": day}),
                               ("province", subtree, {"year": args.year, "day": day, "root": province_id})):
        con.execute(sql, params).fetchall()
        times, rows = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            rows = con.execute(sql, params).fetchall()
            times.append(time.perf_counter() - started)
        out[label] = {"ms": statistics.median(times) * 1000,
                      "counts": {kind: (total, recognised, registered) for kind, total, recognised, registered in rows}}
    for label, sections in duckdb_sections(con, args, province_id).items():
        out[label]["sections"] = sections
    for label, subtree_v, subtree_u, params in (
            ("country", "", "", {"period": str(args.year), "day": day}),
            ("province", "JOIN unit_ancestor a ON a.unit_id = v.unit_id AND a.ancestor_id = $root",
             "JOIN unit_ancestor b ON b.unit_id = u.id AND b.ancestor_id = $root",
             {"period": str(args.year), "day": day, "root": province_id})):
        sql = DUCK_INDICATOR_SQL.format(subtree_v=subtree_v, subtree_u=subtree_u)
        con.execute(sql, params).fetchall()
        times, parts = [], None
        for _ in range(args.runs):
            started = time.perf_counter()
            parts = con.execute(sql, params).fetchone()
            times.append(time.perf_counter() - started)
        out[label]["indicator"] = {"ms": statistics.median(times) * 1000,
                                   "parts": [None if p is None else float(p) for p in parts or ()]}
    con.close()
    return out


def counts_of(section: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    return {k: (section[k]["total"], section[k]["recognised"], section[k]["registered"])
            for k in KINDS if section[k]["total"]}


# --- main ----------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=("national", "province"), default="national")
    parser.add_argument("--province", help="province code (needed with --scale province; default: the largest)")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--year", type=int, default=2025, help="the report year, also the last generated year")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=7)
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
    results: dict[str, dict[str, Any]] = {}
    generation: dict[str, float] = {}

    sqlite_path = OUT / f"{args.scale}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{sqlite_path}"
    say(f"SQLite: setup and generate ({args.scale}, {args.years} years, seed {args.seed})")
    generation["sqlite"] = load(url, args)
    say("SQLite: timing the figures")
    results["sqlite"] = time_figures(engine_env(url), args)

    if not args.skip_postgres:
        with postgres() as pg_url:
            say("PostgreSQL: setup and generate")
            generation["postgresql"] = load(pg_url, args)
            say("PostgreSQL: timing the figures")
            results["postgresql"] = time_figures(engine_env(pg_url), args)

    say("DuckDB: exporting to Parquet and timing the floor")
    folder = OUT / f"{args.scale}-parquet"
    export_parquet(sqlite_path, folder)
    base = results["sqlite"]
    floor = duckdb_figures(folder, args, base["root"]["id"])

    # The three engines must agree.
    for label in ("country", "province"):
        expected = {k: v for k, v in floor[label]["counts"].items() if v[0]}
        for engine, res in results.items():
            got = counts_of(res[label]["report"]["recognition"])
            assert got == expected, f"{engine} {label} figures differ from DuckDB: {got} != {expected}"
            mine_parts, duck_parts = res[label]["indicator"]["parts"], floor[label]["indicator"]["parts"]
            assert mine_parts == duck_parts, f"{engine} {label} indicator differs: {mine_parts} != {duck_parts}"
            for key, duck in floor[label]["sections"].items():
                mine = res[label]["report"][key]
                if key == "models":  # the floor's keys (the year's flows, added since, are not in it)
                    mine = {k: mine[k] for k in duck["section"]} | {
                        "by_initiator": dict(sorted(mine["by_initiator"].items()))}
                if key == "activities":
                    mine = {code: float(entry["total"]) for code, entry in mine.items()}
                assert mine == duck["section"], f"{engine} {label} {key} differs from DuckDB: {mine} != {duck}"

    province = base["root"]
    print()
    print(f"Scale: {args.scale}; report year {args.year}; largest province: {province['code']} {province['name']}")
    country_counts = counts_of(base["country"]["report"]["recognition"])
    print("Rows counted (country): " + ", ".join(f"{k} {v[0]:,}" for k, v in country_counts.items()))
    print()
    print("| step | engine | time | ratio to DuckDB | target |")
    print("|---|---|---:|---:|---|")
    for engine, seconds in generation.items():
        print(f"| generate | {engine} | {seconds:.1f} s | | a few minutes |")
    misses = []
    for label in ("country", "province"):
        # The whole report (every section) against the sum of the DuckDB queries for the same sections.
        floor_ms = floor[label]["ms"] + sum(d["ms"] for d in floor[label]["sections"].values())
        print(f"| report {label} (all sections) | duckdb | {floor_ms:.1f} ms | 1.0 | floor |")
        for engine, res in results.items():
            ms = res[label]["ms"]
            target = TARGETS_MS[(engine, label)]
            ratio = ms / floor_ms
            ok = ms <= target and ratio <= FLOOR_FACTOR
            if not ok:
                misses.append(f"{engine} {label}")
            print(f"| report {label} (all sections) | {engine} | {ms:.1f} ms | {ratio:.1f} "
                  f"| ≤ {target} ms, ≤ {FLOOR_FACTOR}x {'ok' if ok else 'MISSED'} |")
        sections = {"recognition": floor[label]["ms"]} | {k: d["ms"] for k, d in floor[label]["sections"].items()}
        for key, duck_ms in sections.items():
            print(f"| {key} {label} | duckdb | {duck_ms:.1f} ms | 1.0 | floor |")
            for engine, res in results.items():
                ms = res[label]["sections"][key]
                print(f"| {key} {label} | {engine} | {ms:.1f} ms | {ms / duck_ms:.1f} | |")
        for engine, res in results.items():
            print(f"| recognition by child {label} | {engine} | {res[label]['by_child_ms']:.1f} ms | | |")
        duck_indicator = floor[label]["indicator"]
        print(f"| indicator {INDICATOR} {label} | duckdb | {duck_indicator['ms']:.1f} ms | 1.0 | floor |")
        for engine, res in results.items():
            ms = res[label]["indicator"]["ms"]
            print(f"| indicator {INDICATOR} {label} | {engine} | {ms:.1f} ms | {ms / duck_indicator['ms']:.1f} | |")
    print()
    print("figures agree across " + ", ".join([*results, "duckdb"]))
    if misses:
        print("targets missed: " + ", ".join(misses))


if __name__ == "__main__":
    main()
