"""Every query of some officer pages, replayed in-process: count, time, and the plans of the slowest.

    DATABASE_URL=... .venv/bin/python bench/queries.py --province 79                      # every page
    DATABASE_URL=... .venv/bin/python bench/queries.py --province 79 --pages recognition:province --explain 5

The companion of ``bench/load.py`` when a page is over target: it makes (or resets) the same province officer
(``load.prepare``) and replays the same pages (``load.officer_pages``) through Django's test client, each once to
warm up and then ``--rounds`` times, timing each query (``connection.execute_wrapper``). It prints per page the
query count, the median page and SQL time, and the slowest queries; with ``--explain N`` the plans of the N
slowest (PostgreSQL: ``EXPLAIN (ANALYZE, BUFFERS)``; the rows each node read are the measure that does not
depend on the machine's load, the times do). JIT is off on the app's connections as ``settings.py`` sets it.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--province", default="79")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--pages", default="", help="comma-separated route names (default: every page)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--explain", type=int, default=0, help="plans of the N slowest queries of each page")
    parser.add_argument("--top", type=int, default=5, help="slowest queries listed per page")
    parser.add_argument("--quiet", action="store_true", help="only the table")
    parser.add_argument("--buffers", action="store_true",
                        help="PostgreSQL: the shared buffers each page's SELECTs touch (EXPLAIN ANALYZE of each), "
                             "a measure of the work that does not depend on the machine's load")
    args = parser.parse_args()

    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongtrao.settings")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    import contextlib
    import io

    import load  # bench/load.py: the officer and the pages

    args.worker, args.scale = "prepare", "province"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        load.prepare(args)
    prepared = json.loads(next(line for line in out.getvalue().splitlines() if line.startswith(load.MARK))[3:])
    pages: dict[str, str] = prepared["pages"]
    if args.pages:
        wanted = args.pages.split(",")
        pages = {name: pages[name] for name in wanted}

    from django.db import connection
    from django.test import Client

    from phongtrao.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=load.USERNAME))
    queries: list[tuple[float, str, Any]] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(((time.perf_counter() - started) * 1000, sql, params))

    def buffers(sql: str, params: Any) -> int:
        if not re.match(r"\s*(SELECT|WITH)\b", sql, re.IGNORECASE):
            return 0
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        top = plan[0]["Plan"]
        return int(top.get("Shared Hit Blocks", 0)) + int(top.get("Shared Read Blocks", 0))

    rows = []
    for name, url in pages.items():
        client.get(url)
        totals, sqls, last = [], [], []
        for _ in range(args.rounds):
            queries.clear()
            started = time.perf_counter()
            with connection.execute_wrapper(timed):
                status = client.get(url).status_code
            totals.append((time.perf_counter() - started) * 1000)
            sqls.append(sum(q[0] for q in queries))
            last = list(queries)
        blocks = sum(buffers(sql, params) for _ms, sql, params in last) if args.buffers else 0
        rows.append((name, status, len(last), statistics.median(totals), statistics.median(sqls), blocks))
        if args.quiet:
            continue
        print(f"\n## {name} ({url}): HTTP {status}, {len(last)} queries, page {statistics.median(totals):.0f} ms, "
              f"SQL {statistics.median(sqls):.0f} ms (medians of {args.rounds})")
        ranked = sorted(last, key=lambda q: -q[0])
        for ms, sql, _params in ranked[:args.top]:
            print(f"  {ms:7.1f} ms  {re.sub(r'\s+', ' ', sql)[:300]}")
        for ms, sql, params in ranked[:args.explain]:
            if not re.match(r"\s*(SELECT|WITH)\b", sql, re.IGNORECASE):
                continue
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
            with connection.cursor() as cursor:
                cursor.execute(prefix + sql, params)
                plan = [" ".join(str(c) for c in row) for row in cursor.fetchall()]
            print(f"\n  --- plan of the {ms:.1f} ms query:\n  {sql[:2000]}\n  params {params}\n")
            print("\n".join("    " + line for line in plan))
    print("\n| page | status | queries | page median | SQL median | buffers |\n|---|---:|---:|---:|---:|---:|")
    for name, status, n, total, sql_ms, blocks in sorted(rows, key=lambda r: -r[3]):
        print(f"| {name} | {status} | {n} | {total:,.0f} ms | {sql_ms:,.0f} ms | {blocks:,} |")


if __name__ == "__main__":
    main()
