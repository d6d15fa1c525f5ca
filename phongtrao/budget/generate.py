"""Synthetic money for ``phongtrao generate``: for the last generated year, every commune in scope gets its lines
(four categories, the commune budget) and a few spending entries (fuel by the km, training, a model's upkeep within
its cap); every province with a commune in scope gets its crime-prevention fund's four quarters of income and
spending.

One random stream per commune and per province (``context.rng("budget", code)``), so a province run makes exactly
that province's share. Rows are inserted with plain ``executemany`` in batches, without audit rows like the rest of
the synthetic data; a second run replaces what the first left for the same communes and year (set-based DELETEs).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from phongtrao.budget.models import BudgetLine, Category, FundEntry, Source, Spending
from phongtrao.units.models import Kind, Unit, UnitAncestor

if TYPE_CHECKING:
    from phongtrao.core.management.commands.generate import GenerateContext


def vnd(amount: float, places: int = -5) -> int:
    """A whole amount of đồng, rounded to ``places`` (−5: hundreds of thousands)."""
    return int(round(amount, places))

CHUNK = 1000  # communes per write batch
LINES = {"propaganda": 12_000_000, "training": 8_000_000, "models": 40_000_000, "reviews": 5_000_000}
LINE_COLUMNS = ("unit_id", "year", "category_id", "source_id", "estimate", "allocated", "note", "version",
                "updated_at")
SPENDING_COLUMNS = ("unit_id", "year", "spent_on", "category_id", "source_id", "amount", "purpose", "km", "visits",
                    "over_cap", "override_reason", "version", "created_at", "updated_at")
FUND_COLUMNS = ("province_id", "year", "quarter", "flow", "purpose", "amount", "note", "negative_reason", "version",
                "created_at")


def _insert(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 (names are ours)
                               rows[start:start + 5000])


def _wipe(table: str, column: str, ids: list[int], year: int) -> None:
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({marks}) AND year = %s", [*ids, year])  # noqa: S608


def generate_budget(context: GenerateContext) -> dict[str, int]:
    year = context.years[-1]
    now = timezone.now()
    categories = dict(Category.objects.values_list("code", "pk"))
    nsx = Source.objects.get(code="nsx").pk
    counts = {"lines": 0, "entries": 0, "fund": 0}
    for start in range(0, len(context.communes), CHUNK):
        chunk = context.communes[start:start + CHUNK]
        ids = [c.pk for c in chunk]
        lines: list[tuple[Any, ...]] = []
        entries: list[tuple[Any, ...]] = []
        for commune in chunk:
            rng = context.rng("budget", commune.code)
            for code, amount in LINES.items():
                estimate = vnd(amount * rng.uniform(0.8, 1.3), -5)
                lines.append((commune.pk, year, categories[code], nsx, estimate, vnd(estimate * 0.85, -5), "", 1,
                              now))
            km = rng.randint(40, 300)
            entries.append((commune.pk, year, dt.date(year, rng.randint(2, 10), rng.randint(1, 28)),
                            categories["propaganda"], nsx, km * 12_000, "Xăng xe đi vận động quần chúng", km, None,
                            False, "", 1, now, now))
            entries.append((commune.pk, year, dt.date(year, rng.randint(4, 9), rng.randint(1, 28)),
                            categories["training"], nsx, vnd(rng.uniform(2, 6) * 1_000_000, -4),
                            "Tập huấn nghiệp vụ", None, None, False, "", 1, now, now))
            entries.append((commune.pk, year, dt.date(year, rng.randint(1, 6), rng.randint(1, 28)),
                            categories["models"], nsx, vnd(rng.uniform(6, 14) * 1_000_000, -5),
                            "Duy trì mô hình tự quản", None, None, False, "", 1, now, now))
        with transaction.atomic():
            _wipe(BudgetLine._meta.db_table, "unit_id", ids, year)
            _wipe(Spending._meta.db_table, "unit_id", ids, year)
            _insert(BudgetLine._meta.db_table, LINE_COLUMNS, lines)
            _insert(Spending._meta.db_table, SPENDING_COLUMNS, entries)
        counts["lines"] += len(lines)
        counts["entries"] += len(entries)
    provinces = sorted(set(UnitAncestor.objects.filter(unit__in=[c.pk for c in context.communes],
                                                       ancestor__kind=Kind.PROVINCE)
                           .values_list("ancestor_id", flat=True)))
    codes = dict(Unit.objects.filter(pk__in=provinces).values_list("pk", "code"))
    funds: list[tuple[Any, ...]] = []
    for province_id in provinces:
        rng = context.rng("budget", codes[province_id])
        for quarter in (1, 2, 3, 4):
            for flow, purpose, low, high in (("income", "auction", 50, 200), ("income", "donation", 10, 40),
                                             ("spending", "reward_collective", 30, 80),
                                             ("spending", "reward_individual", 10, 40)):
                funds.append((province_id, year, quarter, flow, purpose, vnd(rng.uniform(low, high) * 1_000_000, -5),
                              "", "", 1, now))
    with transaction.atomic():
        if provinces:
            _wipe(FundEntry._meta.db_table, "province_id", provinces, year)
        _insert(FundEntry._meta.db_table, FUND_COLUMNS, funds)
    counts["fund"] = len(funds)
    context.say(f"budget: {counts['lines']} lines, {counts['entries']} entries, {counts['fund']} fund totals of {year}")
    return counts
