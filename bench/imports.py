"""Benchmark: ``phongtrao import units`` on SQLite and PostgreSQL against a raw-insert floor; ``phongtrao
demo`` and ``phongtrao generate --scale national`` on SQLite (issue 10, item 12).

    .venv/bin/python bench/imports.py                        # 50,000 rows, 3 rounds, demo and generate
    .venv/bin/python bench/imports.py --rows 20000 --rounds 2 --skip demo,generate
    .venv/bin/python bench/imports.py --profile              # cProfile of demo and generate (top 25)

Steps: (1) one SQLite file gets ``phongtrao setup`` (the real register), and is copied for every later
use; a throwaway PostgreSQL 15 cluster (started here, as ./test does, and stopped afterwards) gets
``phongtrao setup`` too. (2) Round by round, engines interleaved: a units file of ``--rows`` residential
areas spread over the real current communes (new codes each round) is imported by a worker process
through ``run_import`` (the command's code path, timed from the bytes to the commit, Django's start-up
excluded), then the floor: the same rows by ``executemany`` straight into the three tables the import
writes (units, closure rows, audit rows), in one transaction, no validation. (3) ``phongtrao demo`` and
``phongtrao generate --scale national --years 5`` on fresh copies of the set-up SQLite file, timed as
commands. Prints rows/s, min and median per engine, and the import/floor ratio. Files go to bench/out/.
"""

# ruff: noqa: S603 - runs this project's own commands and the PostgreSQL binaries, never user input
from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annual_report import postgres  # the same throwaway PostgreSQL cluster (bench/ is on the path)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
PHONGTRAO = [PYTHON, "-m", "phongtrao"]
TARGET_ROWS_S = 10_000
TARGET_DEMO_S = 10.0
TARGET_GENERATE_S = 30.0


def say(text: str) -> None:
    print(f"==> {text}", flush=True)


def engine_env(url: str) -> dict[str, str]:
    # Production settings (DEBUG off: no query log), with a key for this run only.
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "phongtrao.settings", "DEBUG": "0",
            "SECRET_KEY": "bench-imports-only-" + "x" * 40, "SECURE_SSL_REDIRECT": "0"}


# --- PostgreSQL: a throwaway cluster (as bench/annual_report.py and ./test start it) -------------------




# --- the worker: one import or one floor run inside Django against one database ------------------------


def worker(args: argparse.Namespace) -> None:
    import django

    django.setup()
    if args.worker == "import":
        from phongtrao.audit.actions import Actor
        from phongtrao.lib.importing import run_import

        data = Path(args.file).read_bytes()
        started = time.perf_counter()
        result = run_import("units", Path(args.file).name, io.BytesIO(data), actor=Actor.command())
        took = time.perf_counter() - started
        if not result.ok:
            raise SystemExit("\n".join(str(e) for e in result.errors[:20]))
        print(json.dumps({"seconds": took, "rows": result.created}))
    else:
        took, rows = floor(Path(args.file))
        print(json.dumps({"seconds": took, "rows": rows}))


def floor(path: Path) -> tuple[float, int]:
    """The same rows as the import writes, by ``executemany`` into the tables: each unit (its derived
    columns computed as the importer does), its closure rows (itself and its parent's ancestors) and one
    audit row with its snapshot. No validation, no ORM objects."""
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone

    from phongtrao.audit.models import AuditEntry
    from phongtrao.lib.vntext import fold, sort_key
    from phongtrao.units.models import Unit, UnitAncestor, is_subject_to_standard

    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    now = timezone.now()
    today = timezone.localdate()
    u, ua, au = Unit._meta.db_table, UnitAncestor._meta.db_table, AuditEntry._meta.db_table
    with transaction.atomic(), _raw_cursor(connection) as cursor:
        parents = {code: (pk, depth) for pk, code, depth in Unit.objects.filter(
            code__in={r["parent_code"] for r in rows}, kind="commune", valid_to__isnull=True,
            valid_from__lte=today).values_list("id", "code", "depth")}
        values = []
        for r in rows:
            parent_id, depth = parents[r["parent_code"]]
            values.append((r["code"], r["name"], r["kind"], "", parent_id, "", "", "", False, int(r["households"]),
                           None, None, "local", depth + 1,
                           is_subject_to_standard(r["kind"], armed_forces=False, size="", school_level=""),
                           fold(r["name"])[:255], sort_key(r["name"])[:600], 1, now, now))
        cursor.executemany(
            f"INSERT INTO {u} (code, name, kind, subtype, parent_id, managed_by, size, school_level, "
            "armed_forces, households, valid_from, valid_to, source, depth, subject_to_standard, search_name, "
            "sort_key, version, created_at, updated_at) VALUES (" + ", ".join(["%s"] * 20) + ")", values)
        ids = dict(Unit.objects.filter(code__in=[r["code"] for r in rows]).values_list("code", "id"))
        chains: dict[int, list[tuple[int, int]]] = {}
        for unit_id, ancestor_id, distance in UnitAncestor.objects.filter(
                unit_id__in=[p for p, _ in parents.values()]).values_list("unit_id", "ancestor_id", "distance"):
            chains.setdefault(unit_id, []).append((ancestor_id, distance))
        closure, audit = [], []
        for r in rows:
            pk, parent_id = ids[r["code"]], parents[r["parent_code"]][0]
            closure.append((pk, pk, 0))
            closure += [(pk, a, d + 1) for a, d in chains[parent_id]]
            after = {"code": r["code"], "name": r["name"], "kind": r["kind"], "subtype": "", "parent_id": parent_id,
                     "managed_by": "", "size": "", "school_level": "", "armed_forces": False,
                     "households": int(r["households"]), "valid_from": None, "valid_to": None}
            audit.append((now, None, "command", "unit.import", "units.unit", str(pk), r["name"], pk, None,
                          json.dumps(after, ensure_ascii=False)))
        cursor.executemany(f"INSERT INTO {ua} (unit_id, ancestor_id, distance) VALUES (%s, %s, %s)",
                           closure)
        cursor.executemany(
            f"INSERT INTO {au} (at, user_id, channel, action, object_type, object_id, object_repr, unit_id, "
            "before, after) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", audit)
    del dt
    return time.perf_counter() - started, len(rows)


@contextlib.contextmanager
def _raw_cursor(connection: Any) -> Iterator[Any]:
    """The driver's own cursor: on PostgreSQL a server-side-binding psycopg cursor (one prepared statement
    for every row of an ``executemany``, pipelined), not Django's client-side-binding one (one query text
    per row, parsed and planned each time)."""
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            yield cursor
    else:
        with connection.cursor() as cursor:
            yield cursor


# --- the driver ----------------------------------------------------------------------------------------


def communes_of(sqlite_path: Path) -> list[str]:
    with sqlite3.connect(sqlite_path) as con:
        return [c for (c,) in con.execute(
            "SELECT code FROM units_unit WHERE kind = 'commune' AND valid_to IS NULL AND valid_from >= '2025-07-01' "
            "ORDER BY code")]


def units_file(path: Path, communes: list[str], rows: int, tag: str) -> None:
    """``rows`` residential areas spread evenly over ``communes``; codes start with ``tag``."""
    with path.open("w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        w.writerow(["code", "name", "kind", "parent_code", "households"])
        for i in range(rows):
            commune = communes[i % len(communes)]
            n = i // len(communes) + 1
            w.writerow([f"{tag}-{commune}-{n:03d}", f"Thôn {n} ({tag})", "residential_area", commune, 80 + i % 500])


def timed_worker(mode: str, env: dict[str, str], file: Path) -> float:
    done = subprocess.run([PYTHON, str(Path(__file__).resolve()), "--worker", mode, "--file", str(file)], env=env,
                          check=True, cwd=ROOT, capture_output=True, text=True)
    return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


def timed_command(cmd: list[str], env: dict[str, str], profile: Path | None = None) -> float:
    if profile is not None:
        cmd = [PYTHON, "-m", "cProfile", "-o", str(profile), "-m", "phongtrao", *cmd[len(PHONGTRAO):]]
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def print_profile(path: Path, title: str) -> None:
    import pstats

    say(f"profile: {title} (top 25 by cumulative time)")
    pstats.Stats(str(path)).sort_stats("cumulative").print_stats(25)
    say(f"profile: {title} (top 20 by own time)")
    pstats.Stats(str(path)).sort_stats("tottime").print_stats(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip", default="", help="comma-separated: sqlite, postgresql, demo, generate")
    parser.add_argument("--profile", action="store_true", help="cProfile demo and generate (slower)")
    parser.add_argument("--worker", choices=("import", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    skip = set(filter(None, args.skip.split(",")))
    OUT.mkdir(exist_ok=True)
    template = OUT / "imports-setup.sqlite3"
    template.unlink(missing_ok=True)
    say("phongtrao setup (SQLite template)")
    subprocess.run([*PHONGTRAO, "setup"], env=engine_env(f"sqlite:///{template}"), check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    communes = communes_of(template)
    results: list[tuple[str, str, float]] = []  # (step, engine, seconds)
    engines = [e for e in ("sqlite", "postgresql") if e not in skip]
    if engines:
        sqlite_db = OUT / "imports.sqlite3"
        shutil.copy(template, sqlite_db)
        with postgres() if "postgresql" in engines else _nothing() as pg_url:
            urls = {"sqlite": f"sqlite:///{sqlite_db}", "postgresql": pg_url}
            if "postgresql" in engines:
                say("phongtrao setup (PostgreSQL)")
                subprocess.run([*PHONGTRAO, "setup"], env=engine_env(pg_url), check=True, cwd=ROOT,
                               stdout=subprocess.DEVNULL)
            for r in range(1, args.rounds + 1):
                imp, flo = OUT / f"imports-I{r}.csv", OUT / f"imports-F{r}.csv"
                units_file(imp, communes, args.rows, f"BI{r}")
                units_file(flo, communes, args.rows, f"BF{r}")
                for engine in engines:  # interleaved: each engine's import, then each engine's floor
                    took = timed_worker("import", engine_env(urls[engine]), imp)
                    results.append(("import", engine, took))
                    say(f"round {r} {engine} import: {took:.2f} s, {args.rows / took:,.0f} rows/s")
                for engine in engines:
                    took = timed_worker("floor", engine_env(urls[engine]), flo)
                    results.append(("floor", engine, took))
                    say(f"round {r} {engine} floor: {took:.2f} s, {args.rows / took:,.0f} rows/s")
    profiles = OUT / "profiles"
    profiles.mkdir(exist_ok=True)
    if "demo" not in skip:
        db = OUT / "imports-demo.sqlite3"
        shutil.copy(template, db)
        took = timed_command([*PHONGTRAO, "demo"], engine_env(f"sqlite:///{db}"),
                             profiles / "demo.prof" if args.profile else None)
        results.append(("demo", "sqlite", took))
        say(f"demo: {took:.1f} s")
    if "generate" not in skip:
        db = OUT / "imports-generate.sqlite3"
        shutil.copy(template, db)
        took = timed_command([*PHONGTRAO, "generate", "--scale", "national", "--years", "5", "--seed", "1",
                              "--end-year", "2025"], engine_env(f"sqlite:///{db}"),
                             profiles / "generate.prof" if args.profile else None)
        results.append(("generate national", "sqlite", took))
        say(f"generate national: {took:.1f} s")
    report(results, args)
    if args.profile:
        for name in ("demo", "generate"):
            if (profiles / f"{name}.prof").exists():
                print_profile(profiles / f"{name}.prof", name)


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


def report(results: list[tuple[str, str, float]], args: argparse.Namespace) -> None:
    print(f"\nRows per import: {args.rows:,} residential areas; rounds: {args.rounds} (engines interleaved)\n")
    print("| step | engine | min | median | rows/s (median) | import/floor (min, median) | target |")
    print("|---|---|---:|---:|---:|---:|---|")
    by: dict[tuple[str, str], list[float]] = {}
    for step, engine, took in results:
        by.setdefault((step, engine), []).append(took)
    for (step, engine), times in by.items():
        lo, med = min(times), statistics.median(times)
        if step in ("import", "floor"):
            rate = args.rows / med
            ratio = ""
            target = ""
            if step == "import":
                floor_times = by.get(("floor", engine), [])
                if floor_times:
                    ratio = f"{lo / min(floor_times):.1f}x, {med / statistics.median(floor_times):.1f}x"
                target = f"≥ {TARGET_ROWS_S:,} rows/s " + ("ok" if rate >= TARGET_ROWS_S else "MISSED")
            print(f"| {step} | {engine} | {lo:.2f} s | {med:.2f} s | {rate:,.0f} | {ratio} | {target} |")
        else:
            goal = TARGET_DEMO_S if step == "demo" else TARGET_GENERATE_S
            print(f"| {step} | {engine} | {lo:.1f} s | {med:.1f} s | | | < {goal:.0f} s "
                  + ("ok" if med < goal else "MISSED") + " |")


if __name__ == "__main__":
    main()
